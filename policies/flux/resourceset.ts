// Flux Operator ResourceSet (fluxcd.controlplane.io/v1, read at flux-operator v0.58.1): `spec.resources`
// rendered once per inline input set (`spec.inputs`; strategy Flatten, or once with no inputs) with `<< >>`
// template expressions. Only the expressions that select inputs are evaluated here (`inputs.a.b`,
// `get inputs "k"`, pipes quote/int/default/lower/upper/toString); anything else, `resourcesTemplate`,
// `steps` and `inputsFrom` (inputs provided at run time) make the set not verifiable offline.
import { field } from "../rules/model.ts";

export interface RenderedSet {
  objects: Record<string, unknown>[];
  /** Why (part of) the set is not checked here; undefined when every object was rendered. */
  unverified?: string;
}

export function isResourceSet(doc: unknown): boolean {
  return field(doc, "kind") === "ResourceSet" && String(field(doc, "apiVersion")).startsWith("fluxcd.controlplane.io/");
}

class Unsupported extends Error {}

function lookup(inputs: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = inputs;
  for (const key of path) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, key)) throw new Unsupported(`input ${path.join(".")} is missing`);
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function literal(token: string): unknown {
  if (/^".*"$/.test(token)) return JSON.parse(token) as unknown;
  if (/^-?\d+$/.test(token)) return Number(token);
  throw new Unsupported(`cannot read ${token}`);
}

function evaluate(expr: string, inputs: Record<string, unknown>): unknown {
  const [head, ...pipes] = expr.split("|").map((p) => p.trim());
  let value: unknown;
  const get = /^get inputs "([^"]+)"$/.exec(head!);
  if (get) value = Object.hasOwn(inputs, get[1]!) ? inputs[get[1]!] : undefined;
  else if (/^inputs(\.[A-Za-z_][\w-]*)+$/.test(head!)) value = lookup(inputs, head!.split(".").slice(1));
  else value = literal(head!);
  for (const pipe of pipes) {
    const [fn, ...args] = pipe.split(/\s+/);
    if (fn === "quote") value = JSON.stringify(String(value ?? ""));
    else if (fn === "int") value = Number.parseInt(String(value), 10);
    else if (fn === "toString") value = String(value ?? "");
    else if (fn === "lower") value = String(value ?? "").toLowerCase();
    else if (fn === "upper") value = String(value ?? "").toUpperCase();
    else if (fn === "default") value = value === undefined || value === "" || value === null ? literal(args.join(" ")) : value;
    else throw new Unsupported(`template function ${fn}`);
  }
  return value;
}

/**
 * The operator renders text, not values: each resource is written as YAML (sigs.k8s.io/yaml JSONToYAML),
 * the template runs over that text and the result is read as YAML again (flux-operator v0.49.0
 * internal/builder/resourceset.go BuildResource; fluxcd/pkg ssa/utils ReadObject, where a duplicate key's
 * last value wins). What an expression prints therefore lands in YAML text: a newline starts a new key
 * (`x\nsourceRef: ...`), a quote ends a quoted scalar, `: ` or ` #` splits one. Rendering values here is the
 * same only while the printed text is inert; anything else is not evaluated here (fail closed).
 */
function inert(text: string): boolean {
  return !(
    /[\n\r\t"'\\`\u0085\u2028\u2029]/.test(text) ||
    /: |:$| #/.test(text) ||
    /^[\s\-?:,[\]{}#&*!|>%@]/.test(text) ||
    /\s$/.test(text)
  );
}

function printed(expr: string, v: unknown): string {
  const text = typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
  if (!inert(text)) {
    throw new Unsupported(
      `<< ${expr} >> prints ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)} into the YAML text the operator reads back, which changes the document (a newline adds keys, the last duplicate wins)`,
    );
  }
  return text;
}

function render(value: unknown, inputs: Record<string, unknown>): unknown {
  if (typeof value === "string") {
    if (!value.includes("<<")) return value;
    const whole = /^<<-?\s*(.*?)\s*-?>>$/.exec(value);
    if (whole && !whole[1]!.includes("<<")) {
      const v = evaluate(whole[1]!, inputs);
      // `quote` prints a double-quoted scalar with escapes (strconv.Quote): read back, it is the value.
      if (typeof v === "string" && /^".*"$/.test(v)) {
        try {
          return JSON.parse(v) as unknown;
        } catch {
          throw new Unsupported(`<< ${whole[1]!} >> prints ${v.slice(0, 60)}, which is not one quoted scalar`);
        }
      }
      return typeof v === "string" || typeof v === "object" ? printed(whole[1]!, v) : v;
    }
    return value.replace(/<<-?\s*(.*?)\s*-?>>/g, (_m, expr: string) => printed(expr, evaluate(expr, inputs)));
  }
  if (Array.isArray(value)) return value.map((v) => render(v, inputs));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[render(k, inputs) as string] = render(v, inputs);
    return out;
  }
  return value;
}

/** The objects a ResourceSet generates from what Git holds. */
export function renderResourceSet(doc: unknown): RenderedSet {
  const spec = field(doc, "spec");
  const resources = field(spec, "resources");
  const notes: string[] = [];
  if (field(spec, "inputsFrom") !== undefined) notes.push("spec.inputsFrom is provided at run time");
  if (field(spec, "resourcesTemplate") !== undefined) notes.push("spec.resourcesTemplate is a Go template");
  if (field(spec, "steps") !== undefined) notes.push("spec.steps are not rendered here");
  const rawInputs = field(spec, "inputs");
  const inputSets = Array.isArray(rawInputs) && rawInputs.length ? (rawInputs as Record<string, unknown>[]) : [{}];
  const namespace = field(doc, "metadata", "namespace");
  const objects: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  if (Array.isArray(resources) && (field(spec, "inputsFrom") === undefined || Array.isArray(rawInputs))) {
    inputSets.forEach((inputs, id) => {
      for (const resource of resources) {
        let out: Record<string, unknown>;
        try {
          out = render(resource, { ...inputs, id: String(id) }) as Record<string, unknown>;
        } catch (e) {
          if (!(e instanceof Unsupported)) throw e;
          notes.push(e.message);
          continue;
        }
        if (field(out, "metadata", "annotations", "fluxcd.controlplane.io/reconcile") === "disabled") continue;
        const meta = (out.metadata ??= {}) as Record<string, unknown>;
        if (meta.namespace === undefined && typeof namespace === "string") meta.namespace = namespace;
        const key = `${String(out.apiVersion)}/${String(out.kind)}/${String(meta.namespace)}/${String(meta.name)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        objects.push(out);
      }
    });
  }
  return { objects, unverified: notes.length ? [...new Set(notes)].join("; ") : undefined };
}
