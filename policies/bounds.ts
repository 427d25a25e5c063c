// Bounds on everything hostile input can make large or slow (issue #20, "Bounds"): a YAML document's
// expansion through aliases, a post-build substitution's output, and every child process (kubectl
// kustomize) by time and memory. Crossing a bound is one line naming what was too large and exit 2, never
// a hang or "heap out of memory".
//
// js-yaml resolves an alias to the very object its anchor built (no copy), so reading an alias bomb is
// cheap; walking it is not (9 aliases of 9 aliases nine levels deep are 9^9 nodes). expandedSize counts
// the nodes a walk would visit, once per distinct object (memoised), so it costs what the text costs.

/** Nodes one YAML document may expand to (a large CRD is ~50,000; a whole cluster's build per document far less). */
export const MAX_EXPANDED_NODES = 1_000_000;

/** Characters one substituted string may grow to (a ConfigMap holds at most 1 MiB). */
export const MAX_SUBSTITUTED_CHARS = 4 * 1024 * 1024;

/** A child build's limits; POLICY_BUILD_TIMEOUT (seconds) and POLICY_BUILD_MEMORY (MiB) override them. */
export function buildLimits(env: NodeJS.ProcessEnv = process.env): { timeoutMs: number; memoryMiB: number; outputBytes: number } {
  const num = (v: string | undefined, fallback: number) => {
    const n = Number(v);
    return v !== undefined && v !== "" && Number.isFinite(n) && n > 0 ? n : fallback;
  };
  return {
    timeoutMs: Math.round(num(env.POLICY_BUILD_TIMEOUT, 120) * 1000),
    memoryMiB: Math.round(num(env.POLICY_BUILD_MEMORY, 2048)),
    outputBytes: 128 * 1024 * 1024,
  };
}

/** An expansion crossed its bound. */
export class BoundError extends Error {
  override name = "BoundError";
}

/**
 * Throws BoundError when walking `doc` (aliases expanded, as every later step walks it) would visit more
 * than `limit` nodes; a string counts one node per 64 characters (an aliased long string is copied by
 * JSON.stringify and by substitution).
 */
export function assertBoundedExpansion(doc: unknown, limit = MAX_EXPANDED_NODES): void {
  if (expandedSize(doc, limit) > limit) {
    throw new BoundError(
      `YAML aliases expand this document to more than ${limit.toLocaleString("en-US")} nodes (an alias bomb?): not read`,
    );
  }
}

/** Nodes a ResourceSet may render (input sets × the expanded size of its resources). */
export const MAX_RENDERED_NODES = 5_000_000;

/**
 * Why a ResourceSet is too large to render here (each input set renders every resource: the product can be
 * far larger than the document), or undefined.
 */
export function resourceSetTooLarge(doc: unknown): string | undefined {
  const spec = (doc as { spec?: { inputs?: unknown; resources?: unknown } } | null)?.spec;
  const inputs = Array.isArray(spec?.inputs) ? Math.max(spec.inputs.length, 1) : 1;
  const nodes = inputs * expandedSize(spec?.resources ?? null, MAX_RENDERED_NODES);
  if (nodes <= MAX_RENDERED_NODES) return undefined;
  return `it renders more than ${MAX_RENDERED_NODES.toLocaleString("en-US")} nodes from ${inputs} input sets: not rendered here`;
}

/** The nodes a walk of `doc` visits, aliases expanded, counted up to just past `limit`. */
export function expandedSize(doc: unknown, limit: number): number {
  const memo = new Map<object, number>();
  const size = (v: unknown, depth: number): number => {
    if (typeof v === "string") return 1 + Math.floor(v.length / 64);
    if (v === null || typeof v !== "object") return 1;
    const known = memo.get(v);
    if (known !== undefined) return known;
    if (depth > 5_000) throw new BoundError("YAML nested too deeply to read");
    memo.set(v, limit + 1); // a cycle (a YAML alias to its own parent) is unbounded
    let total = 1;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      total += size(child, depth + 1);
      if (total > limit) break;
    }
    memo.set(v, total);
    return total;
  };
  try {
    return size(doc, 0);
  } catch (e) {
    if (e instanceof RangeError) throw new BoundError("YAML nested too deeply to read");
    throw e;
  }
}
