// Flux post-build variable substitution (kustomize-controller postBuild; fluxcd/pkg envsubst), the part
// that changes what the rules see: `${var}`, `${var:-default}` / `${var-default}` / `${var:=default}` /
// `${var=default}` with nested defaults, `$${var}` as a literal `${var}`. Unknown variables become the
// empty string as in Flux's default (non-strict) mode, unless `keepUnknown` (the values are not all known
// offline, e.g. a substituteFrom Secret that lives only in the cluster).

export interface SubstituteOptions {
  vars: Record<string, string>;
  keepUnknown: boolean;
}

const NAME = /^[_A-Za-z][_A-Za-z0-9]*/;

/** Index of the `}` closing the `${` whose body starts at `from`, or -1. */
function closing(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === "$" && text[i + 1] === "{") {
      depth++;
      i++;
    } else if (text[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

function expand(body: string, opts: SubstituteOptions): string | undefined {
  const name = NAME.exec(body)?.[0];
  if (name === undefined) return undefined;
  const rest = body.slice(name.length);
  const value = Object.hasOwn(opts.vars, name) ? opts.vars[name] : undefined;
  const op = /^(:-|:=|-|=)/.exec(rest)?.[1];
  if (op !== undefined) {
    const fallback = rest.slice(op.length);
    const useDefault = value === undefined || (op.startsWith(":") && value === "");
    if (!useDefault) return value;
    if (value === undefined && opts.keepUnknown) return undefined;
    return substitute(fallback, opts);
  }
  if (rest !== "" && value === undefined) return opts.keepUnknown ? undefined : "";
  if (value === undefined) return opts.keepUnknown ? undefined : "";
  return value; // other bash operators (case, substrings) do not change whether a value is set
}

/** Substitutes the variables in one string. */
export function substitute(text: string, opts: SubstituteOptions): string {
  if (!text.includes("${")) return text;
  let out = "";
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf("${", i);
    if (at < 0) break;
    if (text[at - 1] === "$") {
      out += text.slice(i, at - 1) + "${";
      i = at + 2;
      continue;
    }
    const end = closing(text, at + 2);
    if (end < 0) break;
    out += text.slice(i, at);
    const value = expand(text.slice(at + 2, end), opts);
    out += value ?? text.slice(at, end + 1);
    i = end + 1;
  }
  return out + text.slice(i);
}

const SCALAR = /^(?:-?\d+(?:\.\d+)?|true|false|null)$/;

/**
 * Substitutes every string of an object (keys stay). As Flux substitutes the YAML text and re-reads
 * it, a string that becomes a plain number or boolean is read as one.
 */
export function substituteObject(value: unknown, opts: SubstituteOptions): unknown {
  if (typeof value === "string") {
    if (!value.includes("${")) return value;
    const result = substitute(value, opts);
    if (/^\$\{[^}]*\}$/.test(value) && SCALAR.test(result)) return JSON.parse(result) as unknown;
    return result;
  }
  if (Array.isArray(value)) return value.map((v) => substituteObject(v, opts));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteObject(v, opts);
    return out;
  }
  return value;
}
