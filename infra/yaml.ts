// Bounds on what a YAML text may expand to, checked on the parsed value before anything copies or walks
// it. js-yaml (every reader of stack files, policy inputs and cluster files here) keeps an alias as a
// shared reference, so parsing a 2 KB alias bomb is cheap; what is not cheap is the first deep copy, walk
// or JSON.stringify, which expands every reference (10^8 leaves). js-yaml has no alias limit of its own
// (the `yaml` package has `maxAliasCount`, used where that package reads), so this module counts, in time
// linear in the number of distinct nodes: the value's expanded size (each shared node counted once per
// reference) and the number of references to an already-read collection (aliases; merge keys `<<` share
// their values the same way). A recursive alias (a collection inside itself, which js-yaml builds for
// `&a [*a]`) expands without end and is refused too.
//
// Go's YAML readers bound the same thing: gopkg.in/yaml.v3 decode.go (v3.0.1, allowedAliasRatio) refuses
// "excessive aliasing" once a document expands past 400 000 nodes with most of them from aliases; Pulumi,
// Flux and kubectl read through it or sigs.k8s.io/yaml. The limits below are far above any real stack file
// or manifest in this repository (the largest cluster file expands to a few thousand nodes).
import yaml from "js-yaml";

export interface YamlLimits {
  /** Most nodes (mappings, sequences and scalars) the value may expand to. */
  maxNodes: number;
  /** Most references to an already-read mapping or sequence (aliases). */
  maxAliases: number;
}

export const YAML_LIMITS: YamlLimits = { maxNodes: 1_000_000, maxAliases: 10_000 };

/** Why a parsed YAML value is refused: too big once expanded, too many aliases, or a recursive alias. */
export class YamlLimitError extends Error {
  override name = "YamlLimitError";
}

/** A mapping or sequence; a timestamp (Date) or `!!binary` (a byte array) is one scalar node. */
const isCollection = (v: unknown): v is object => v !== null && typeof v === "object" && !(v instanceof Date) && !ArrayBuffer.isView(v);

function children(node: object): unknown[] {
  return Array.isArray(node) ? node : Object.values(node);
}

/**
 * Throws YamlLimitError when `value` (as js-yaml returns it: plain objects, arrays and scalars, shared by
 * aliases) would expand past `limits` or holds itself. Visits each distinct collection once, with an
 * explicit stack (deep nesting cannot overflow the call stack).
 */
export function assertBounded(value: unknown, limits: YamlLimits = YAML_LIMITS): void {
  if (!isCollection(value)) return;
  const size = new Map<object, number>(); // expanded size of every collection read to its end
  const open = new Set<object>(); // collections on the current path
  let aliases = 0;
  const tooBig = () => new YamlLimitError(`YAML expands to more than ${limits.maxNodes} nodes through aliases (an alias bomb?)`);
  type Frame = { node: object; items: unknown[]; next: number; total: number };
  const enter = (node: object): Frame => {
    open.add(node);
    return { node, items: children(node), next: 0, total: 1 };
  };
  const stack: Frame[] = [enter(value)];
  for (;;) {
    const frame = stack[stack.length - 1]!;
    if (frame.next === frame.items.length) {
      stack.pop();
      open.delete(frame.node);
      size.set(frame.node, frame.total);
      const parent = stack[stack.length - 1];
      if (parent === undefined) return;
      parent.total += frame.total;
      if (parent.total > limits.maxNodes) throw tooBig();
      continue;
    }
    const child = frame.items[frame.next++];
    if (!isCollection(child)) {
      if (++frame.total > limits.maxNodes) throw tooBig();
      continue;
    }
    if (open.has(child)) throw new YamlLimitError("YAML holds a recursive alias (a collection inside itself)");
    const known = size.get(child);
    if (known === undefined) {
      stack.push(enter(child));
      continue;
    }
    if (++aliases > limits.maxAliases) throw new YamlLimitError(`YAML has more than ${limits.maxAliases} aliases of collections`);
    frame.total += known;
    if (frame.total > limits.maxNodes) throw tooBig();
  }
}

/** js-yaml's `load`, bounded: the parsed value, or YamlLimitError (yaml.YAMLException for bad syntax). */
export function loadBounded(text: string, options?: yaml.LoadOptions, limits?: YamlLimits): unknown {
  const doc = yaml.load(text, options);
  assertBounded(doc, limits);
  return doc;
}

/** js-yaml's `loadAll`, bounded per document and over the whole stream. */
export function loadAllBounded(text: string, options?: yaml.LoadOptions, limits?: YamlLimits): unknown[] {
  const docs = yaml.loadAll(text, undefined, options);
  assertBounded(docs, limits);
  return docs;
}
