// Flux post-build variable substitution (kustomize-controller postBuild; fluxcd/pkg envsubst), the part
// that changes what the rules see: `${var}`, `${var:-default}` / `${var-default}` / `${var:=default}` /
// `${var=default}` with nested defaults, `$${var}` as a literal `${var}`. Unknown variables become the
// empty string as in Flux's default (non-strict) mode, unless `keepUnknown` (the values are not all known
// offline, e.g. a substituteFrom Secret that lives only in the cluster).

import type { Problem } from "./rules/model.ts";

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
  return substituteTracked(text, opts).text;
}

/** Substitutes one string; `unknown` when a variable whose value is not known here was left as written. */
function substituteTracked(text: string, opts: SubstituteOptions): { text: string; unknown: boolean } {
  if (!text.includes("${")) return { text, unknown: false };
  let out = "";
  let i = 0;
  let unknown = false;
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
    if (value === undefined) unknown = true;
    out += value ?? text.slice(at, end + 1);
    i = end + 1;
  }
  return { text: out + text.slice(i), unknown };
}

const SCALAR = /^(?:-?\d+(?:\.\d+)?|true|false|null)$/;

/**
 * Substitutes every string of an object, mapping keys included: Flux substitutes the YAML text and reads
 * it again (fluxcd/pkg kustomize/v1.35.4 kustomize_varsub.go: envsubst.Eval, then yaml.YAMLToJSON), so a
 * string that becomes a plain number or boolean is read as one, and a key is substituted like a value.
 * A key that collides with another after substitution (which one Flux keeps depends on its YAML reader)
 * or that holds a variable not known here is reported in `problems`. With `keepUnknown`, a value that
 * holds a variable not known here counts as unset (the empty string): its real value is not in Git.
 */
export function substituteObject(value: unknown, opts: SubstituteOptions, problems: Problem[] = [], path: string[] = []): unknown {
  if (typeof value === "string") {
    if (!value.includes("${")) return value;
    const result = substituteTracked(value, opts);
    if (result.unknown) return "";
    if (/^\$\{[^}]*\}$/.test(value) && SCALAR.test(result.text)) return JSON.parse(result.text) as unknown;
    return result.text;
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteObject(v, opts, problems, [...path, String(i)]));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    const from = new Map<string, string>();
    for (const [k, v] of Object.entries(value)) {
      const key = substituteTracked(k, opts);
      const where = [...path, k];
      if (key.unknown) {
        problems.push({ message: `key ${where.join(".")} holds a variable whose value is not known here`, at: path });
        continue;
      }
      if (Object.hasOwn(out, key.text)) {
        const other = from.get(key.text)!;
        problems.push({
          message:
            `keys ${[...path, other].join(".")} and ${where.join(".")} are both ${[...path, key.text].join(".")} after ` +
            "post-build substitution: which value Flux applies is not the one checked here",
          at: path,
        });
      }
      from.set(key.text, k);
      out[key.text] = substituteObject(v, opts, problems, where);
    }
    return out;
  }
  return value;
}
