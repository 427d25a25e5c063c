// Flux post-build variable substitution: the grammar and evaluation of fluxcd/pkg envsubst v1.5.0 (the
// version kustomize-controller v1.7.3 and v1.8.3 link, a fork of drone/envsubst), read from
// envsubst/parse/scan.go, parse/parse.go, template.go, funcs.go and path/match.go, and imitated step by
// step: the scanner works on the UTF-8 bytes as Go does (`${#var}` and `${var:pos:len}` count bytes),
// `$$` is `$` anywhere in the text, and every operator maps to the same function as lookupFunc:
//   ${v}  ${#v}  ${v^} ${v^^} ${v,} ${v,,}  ${v:pos} ${v:pos:len}  ${v#p} ${v##p} ${v%p} ${v%%p}
//   ${v/p/r} ${v//p/r} ${v/#p/r} ${v/%p/r}  and ${v=d} ${v:=d} ${v:-d} ${v-d} ${v:?d} ${v:+d} ${v+d},
// all of which (as in fluxcd/pkg, unlike bash) give the value when it is not empty, else the default.
// Flux's default (non-strict) mode maps an unknown variable to ""; strict mode
// (StrictPostBuildSubstitutions, off by default in kustomize-controller internal/features/features.go)
// fails on a plain `${v}` that is not set. A parse error fails Flux's whole build.
//
// What is not imitated exactly fails closed: case changes of non-ASCII text (Go's and JavaScript's Unicode
// tables differ), and a result that is not valid UTF-8 (a byte slice through a character) throw
// Unsupported naming the construct; the caller reports it as a content-verified finding.
//
// With `keepUnknown` (a substituteFrom object whose values live only in the cluster), an expression that
// reads a variable not known here makes the whole string unknown.

import type { Problem } from "../rules/model.ts";
import { BoundError, MAX_SUBSTITUTED_CHARS } from "../bounds.ts";
import { type SubstituteOptions, SubstitutionError, Unsupported, fromBytes, toBytes } from "./envsubst/bytes.ts";
import { type Node, parse } from "./envsubst/parser.ts";
import { apply } from "./envsubst/functions.ts";

class UnknownValue extends Error {}

function evaluate(node: Node, opts: SubstituteOptions, out: string[], size = { n: 0 }): void {
  if (node.type === "text") {
    out.push(node.value);
    return;
  }
  if (node.type === "list") {
    for (const n of node.nodes) evaluate(n, opts, out, size);
    return;
  }
  const args = node.args.map((a) => {
    const buf: string[] = [];
    evaluate(a, opts, buf, size);
    return buf.join("");
  });
  const name = fromBytes(node.param, "a variable name");
  const known = Object.hasOwn(opts.vars, name);
  if (!known && opts.keepUnknown) throw new UnknownValue();
  const exists = opts.strict ? known : true;
  if (node.name === "" && !exists) throw new SubstitutionError(`variable not set (strict mode): "${name}"`);
  const value = known ? toBytes(opts.vars[name]!) : "";
  const result = apply(node.name, value, args);
  out.push(result);
  size.n += result.length;
  if (size.n > MAX_SUBSTITUTED_CHARS) {
    throw new BoundError(`post-build substitution grows a string past ${MAX_SUBSTITUTED_CHARS} bytes`);
  }
}

/**
 * Evaluates one text as envsubst.Eval does. `unknown`: it reads a variable whose value is not known here
 * (keepUnknown). Throws SubstitutionError (Flux fails too), Unsupported or BoundError.
 */
export function evaluateText(text: string, opts: SubstituteOptions): { text: string; unknown: boolean } {
  if (!text.includes("$")) return { text, unknown: false };
  const tree = parse(toBytes(text));
  const out: string[] = [];
  try {
    evaluate(tree, opts, out);
  } catch (e) {
    if (e instanceof UnknownValue) return { text, unknown: true };
    throw e;
  }
  return { text: fromBytes(out.join(""), "post-build substitution"), unknown: false };
}

/** Substitutes the variables in one string (errors propagate). */
export function substitute(text: string, opts: SubstituteOptions): string {
  return evaluateText(text, opts).text;
}

const SCALAR = /^(?:-?\d+(?:\.\d+)?|true|false|null)$/;

/** One string: its substituted text, or the problem that says why it is not checked as Flux applies it. */
function substituteTracked(text: string, opts: SubstituteOptions, where: string): { text: string; unknown: boolean; problem?: string } {
  try {
    return evaluateText(text, opts);
  } catch (e) {
    if (e instanceof SubstitutionError) {
      return { text, unknown: false, problem: `post-build substitution of ${where} fails (${e.message}): Flux would not apply this path` };
    }
    if (e instanceof Unsupported || e instanceof BoundError) {
      return { text, unknown: false, problem: `post-build substitution of ${where} is not evaluated here: ${e.message}` };
    }
    throw e;
  }
}

/**
 * Substitutes every string of an object, mapping keys included: Flux substitutes the YAML text and reads
 * it again (fluxcd/pkg kustomize/v1.27.1 kustomize_varsub.go: envsubst.Eval, then yaml.YAMLToJSON), so a
 * string that becomes a plain number or boolean is read as one, and a key is substituted like a value.
 * A key that collides with another after substitution (which one Flux keeps depends on its YAML reader)
 * or that holds a variable not known here, and a string whose substitution is not evaluated exactly, are
 * reported in `problems`. With `keepUnknown`, a value that holds a variable not known here counts as unset
 * (the empty string): its real value is not in Git.
 */
export function substituteObject(value: unknown, opts: SubstituteOptions, problems: Problem[] = [], path: string[] = []): unknown {
  if (typeof value === "string") {
    if (!value.includes("$")) return value;
    const result = substituteTracked(value, opts, path.join(".") || "a value");
    if (result.problem) {
      problems.push({ message: `${result.problem}: ${JSON.stringify(value)}`, at: path });
      return value;
    }
    if (result.unknown) return "";
    if (/^\$\{[^}]*\}$/.test(value) && SCALAR.test(result.text)) return JSON.parse(result.text) as unknown;
    return result.text;
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteObject(v, opts, problems, [...path, String(i)]));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    const from = new Map<string, string>();
    for (const [k, v] of Object.entries(value)) {
      const where = [...path, k];
      const key = k.includes("$") ? substituteTracked(k, opts, `key ${where.join(".")}`) : { text: k, unknown: false };
      if ("problem" in key && key.problem) {
        problems.push({ message: key.problem, at: path });
        continue;
      }
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
