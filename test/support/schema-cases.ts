// Bad-input cases generated from a zod 4 object schema (the stack config): a valid config that sets
// every key, then for every key path the ways a user gets it wrong — missing (when required), a wrong
// type or null (YAML `key:` with no value), a value outside the key's bounds, pattern or enum, and an
// unknown sibling key. A key added to the schema gets its cases without touching the tests.
import type { z } from "zod";
import { hostKeyLine } from "./ssh-keys.ts";

type Schema = z.core.$ZodType;
export type Segment = string | number;

interface Def {
  type: string;
  innerType?: Schema;
  shape?: Record<string, Schema>;
  element?: Schema;
  valueType?: Schema;
  in?: Schema;
  defaultValue?: unknown;
  catchall?: Schema;
  checks?: { _zod: { def: { check: string; minimum?: number } } }[];
}

const def = (s: Schema) => s._zod.def as unknown as Def;

export type Category = "missing" | "wrong type" | "invalid value" | "unknown key" | "prototype key";

/** Keys that would reach an object's prototype; a hostile stack file puts them anywhere (issue #13). */
export const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype"] as const;

export interface BadCase {
  category: Category;
  /** Key path as the error names it, e.g. `flux.components[0]`. */
  path: string;
  /** The whole config with this one key broken. */
  values: Record<string, unknown>;
  /** What was put at the path (absent for "missing"). */
  bad?: unknown;
  /** The type the key expects (zod's name: string, number, enum, record, ...). */
  type?: string;
  /** The key path as segments (absent for record keys and added keys). */
  at?: Segment[];
}

interface Node {
  path: Segment[];
  /** What holds the key: only object keys can be required. */
  holder: "object" | "array" | "record";
  /** The schema with optional/default/prefault wrappers removed. */
  leaf: Schema;
  required: boolean;
}

/** Removes optional/default/prefault wrappers; returns the inner schema, whether the key may be left out, and its default. */
function unwrap(schema: Schema): { leaf: Schema; required: boolean; fallback?: unknown } {
  let s = schema;
  let required = true;
  let fallback: unknown;
  for (;;) {
    const d = def(s);
    if (d.type === "optional" || d.type === "default" || d.type === "prefault") {
      required = false;
      if (d.type === "default" && fallback === undefined) fallback = structuredClone(d.defaultValue);
      s = d.innerType!;
    } else return { leaf: s, required, fallback };
  }
}

/** The type that decides what a value must be: the input side of a pipe (`.transform()`). */
function base(schema: Schema): Def {
  const d = def(schema);
  return d.type === "pipe" ? base(d.in!) : d;
}

const accepts = (schema: Schema, value: unknown) => (schema as unknown as z.ZodType).safeParse(value).success;

// Values a user plausibly writes; a key's valid sample is the first it accepts.
const STRING_SAMPLES = [
  "a",
  "x1",
  "https://example.com",
  "1m",
  "1.32.4",
  "2.7.5",
  "1.0.0",
  "2.7.0",
  "cluster/a",
  hostKeyLine("github.com"),
];
const NUMBER_SAMPLES = [0, 1, 4096];

/** A valid value for `schema` that sets every optional key too, so every nested path exists. */
function sample(schema: Schema): unknown {
  const { leaf, fallback } = unwrap(schema);
  const d = base(leaf);
  switch (d.type) {
    case "object":
      return Object.fromEntries(Object.entries(d.shape!).map(([k, v]) => [k, sample(v)]));
    case "array":
      return Array.isArray(fallback) && fallback.length > 0 ? fallback : [sample(d.element!)];
    case "record":
      return { a: sample(d.valueType!) };
  }
  if (fallback !== undefined) return fallback;
  const candidates =
    d.type === "enum"
      ? Object.values((d as { entries?: Record<string, unknown> }).entries ?? {})
      : d.type === "boolean"
        ? [false, true]
        : d.type === "number"
          ? NUMBER_SAMPLES
          : STRING_SAMPLES;
  const found = candidates.find((c) => accepts(leaf, c));
  if (found === undefined) throw new Error(`schema-cases: no valid sample for a ${d.type} key; add one to the samples`);
  return found;
}

/** Every key path of the schema, depth first, with array elements at index 0 and record entries at key `a`. */
function nodes(schema: Schema, path: Segment[] = [], holder: Node["holder"] = "object", out: Node[] = []): Node[] {
  const { leaf, required } = unwrap(schema);
  if (path.length > 0) out.push({ path, holder, leaf, required });
  const d = base(leaf);
  if (d.type === "object") for (const [k, v] of Object.entries(d.shape!)) nodes(v, [...path, k], "object", out);
  if (d.type === "array") nodes(d.element!, [...path, 0], "array", out);
  if (d.type === "record") nodes(d.valueType!, [...path, "a"], "record", out);
  return out;
}

// Bad values by what the key expects; only those the key really rejects become cases.
const WRONG_TYPE: Record<string, unknown[]> = {
  string: [42, true, ["a"], null],
  number: ["7", true, null],
  boolean: ["yes", 1, null],
  enum: [42, null],
  object: ["a", [], null],
  array: ["a", { a: 1 }, null],
  record: ["a", [], null],
  unknown: [42, true, null],
};
// Every string setting refuses control characters (C0, DEL, C1) and bidi controls; paths refuse what opens
// Git's own folder on any OS and names the renderer stages under; Git and GitHub names have their own rules.
const UNSAFE = ["a\u0000b", "a\nb", "a\tb", "a\u001bb", "a\u007f", "a\u0085b", "a\u009fb", "a\u202eb", "a\u202ab", "a\u2066b", "a\u2069"];
const INVALID: Record<string, unknown[]> = {
  string: [
    "",
    "   ",
    "Not Valid!",
    "/abs",
    "../up",
    "a".repeat(300),
    ...UNSAFE,
    ".git",
    "cluster/.git/x",
    ".GIT",
    "cluster/.git./x",
    "cluster/.Git .",
    "cluster/.dev.render-old-aaaaaaaaaaaa",
    "cluster/.dev.render-old-zzz",
    ".",
    "..",
    "-a",
    "a..b",
    "a.lock",
    "a/",
    "a b",
    "a@{1}",
    "a.git",
  ],
  number: [-1, 1.5, 1e9, -1e9],
  enum: ["not-a-value", ""],
  array: [[]],
  unknown: ["", { secure: 7 }, { secure: "" }, { secure: "  " }, "a\u0000b", { secure: "a\u202eb" }],
};
/** Bad record keys, and how the error shows each (unprintable characters escaped, one line). */
const BAD_KEYS: [string, string][] = [
  ["a\u0000b", "a\\u0000b"],
  ["a\nb", "a\\u000ab"],
  ["a\u0085b", "a\\u0085b"],
  ["a\u202eb", "a\\u202eb"],
  ["", ""],
];

export function pathText(path: Segment[]): string {
  return path.map((seg, i) => (typeof seg === "number" ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join("");
}

export function setAt(root: Record<string, unknown>, path: Segment[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(root);
  let cur: any = copy;
  for (const seg of path.slice(0, -1)) cur = cur[seg];
  const last = path[path.length - 1]!;
  if (value === undefined) delete cur[last];
  // An own property even for `__proto__`, as YAML and JSON parsers create it.
  else Object.defineProperty(cur, last, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** A config with every key set, and every bad-input case derived from the schema. */
export function badCases(schema: Schema): { valid: Record<string, unknown>; cases: BadCase[] } {
  const valid = sample(schema) as Record<string, unknown>;
  const cases: BadCase[] = [];
  const add = (category: Category, node: Node, bad: unknown) =>
    cases.push({
      category,
      path: pathText(node.path),
      values: setAt(valid, node.path, bad),
      type: base(node.leaf).type,
      at: node.path,
      ...(bad !== undefined && { bad }),
    });
  const unknownKey = (path: Segment[]) =>
    cases.push({
      category: "unknown key",
      path: pathText([...path, "notASetting"]),
      values: setAt(valid, [...path, "notASetting"], true),
      bad: true,
    });

  const prototypeKeys = (path: Segment[]) => {
    for (const key of PROTOTYPE_KEYS) {
      const bad = { syncPath: "../../outside", enabled: true };
      cases.push({ category: "prototype key", path: pathText([...path, key]), values: setAt(valid, [...path, key], bad), bad });
    }
  };

  if (strict(schema)) unknownKey([]);
  prototypeKeys([]);
  for (const node of nodes(schema)) {
    const d = base(node.leaf);
    if (node.required && node.holder === "object") add("missing", node, undefined);
    for (const bad of WRONG_TYPE[d.type] ?? []) if (!accepts(node.leaf, bad)) add("wrong type", node, bad);
    for (const bad of INVALID[d.type] ?? []) if (!accepts(node.leaf, bad)) add("invalid value", node, bad);
    if (strict(node.leaf)) unknownKey(node.path);
    if (d.type === "record") {
      const entry = valueAt(valid, node.path) as Record<string, unknown>;
      for (const [key, shown] of BAD_KEYS) {
        const bad = { [key]: entry.a };
        cases.push({ category: "invalid value", path: `${pathText(node.path)}.${shown}`, values: setAt(valid, node.path, bad), bad });
      }
    }
    if (d.type === "object" || d.type === "record") prototypeKeys(node.path);
  }
  return { valid, cases };
}

function valueAt(root: Record<string, unknown>, path: Segment[]): unknown {
  let cur: any = root;
  for (const seg of path) cur = cur[seg];
  return cur;
}

/** A z.strictObject: unknown keys are errors. */
function strict(schema: Schema): boolean {
  const d = base(schema);
  return d.type === "object" && d.catchall !== undefined && def(d.catchall).type === "never";
}
