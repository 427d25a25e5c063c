// The objects one parsed YAML document holds (itself, a List's items, what a ResourceSet renders), and where each
// starts in its file: a finding's line is looked up only when the finding is reported.
import { field } from "./rules/model.ts";
import type { Problem } from "./rules/model.ts";
import { type ParsedDocument } from "./yaml.ts";
import { isResourceSet, renderResourceSet } from "./flux/resourceset.ts";
import { resourceSetTooLarge } from "./bounds.ts";
import { type Note } from "./result.ts";
import { isObject, type CheckedObject } from "./runner.ts";

/** Line of a List item: the line of its `name:` after the list's own line. */
export function itemLine(source: string, from: number, name: unknown): number {
  if (typeof name !== "string") return from;
  const lines = source.split("\n");
  const re = new RegExp(`^\\s*(?:- )?name:\\s*["']?${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']?\\s*$`);
  for (let i = from; i < lines.length; i++) if (re.test(lines[i]!)) return i + 1;
  return from;
}

/** The objects a parsed document holds: itself, the items of a List, the resources a ResourceSet renders. */
export function objectsOf(
  parsed: ParsedDocument,
  source: string,
): { objects: { doc: Record<string, unknown>; line: number; via?: string; itemName?: unknown; problems?: Problem[] }[]; notes: Note[] } {
  const out: { doc: Record<string, unknown>; line: number; via?: string; itemName?: unknown; problems?: Problem[] }[] = [];
  const notes: Note[] = [];
  const visit = (doc: unknown, line: number, via?: string, itemName?: unknown) => {
    const kind = field(doc, "kind");
    const items = field(doc, "items");
    if (typeof kind === "string" && kind.endsWith("List") && Array.isArray(items)) {
      for (const item of items) {
        const name = field(item, "metadata", "name");
        visit(item, source && line ? itemLine(source, line, name) : line, via, name ?? "");
      }
      return;
    }
    if (!isObject(doc)) return;
    const entry: (typeof out)[number] = { doc, line, via, itemName };
    out.push(entry);
    const tooLarge = isResourceSet(doc) ? resourceSetTooLarge(doc) : undefined; // bounds.ts (issue #20)
    if (tooLarge) entry.problems = [{ message: `not all generated objects are verified here (${tooLarge})`, at: ["spec"] }];
    else if (isResourceSet(doc)) {
      const set = renderResourceSet(doc);
      const name = `ResourceSet ${String(field(doc, "metadata", "namespace") ?? "")}/${String(field(doc, "metadata", "name"))}`;
      for (const o of set.objects) visit(o, line, name);
      // The objects it generates could be anything: not verifying them is a finding, not a note.
      if (set.unverified) entry.problems = [{ message: `not all generated objects are verified here (${set.unverified})`, at: ["spec"] }];
    }
  };
  visit(parsed.doc, parsed.line);
  return { objects: out, notes };
}

// ---------------------------------------------------------------------------------------------------
// Paths mode

/**
 * A mapping key that was itself a mapping (`name: {{ .Values.x }}` reads as one): js-yaml names it
 * "[object Object]"; Kubernetes' YAML reader refuses such a document, so the text is a template, not YAML.
 * Walks each node once (aliases share nodes), at most 100,000 of them.
 */
export function hasObjectKey(doc: unknown): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [doc];
  while (stack.length && seen.size < 100_000) {
    const v = stack.pop();
    if (v === null || typeof v !== "object" || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) for (const c of v) stack.push(c);
    else
      for (const [k, child] of Object.entries(v)) {
        if (k === "[object Object]") return true;
        stack.push(child);
      }
  }
  return false;
}

/** An object whose line is found when first asked for. */
export function lazyLine(o: Omit<CheckedObject, "line">, line: () => number): CheckedObject {
  let cached: number | undefined;
  return Object.defineProperty(o, "line", { get: () => (cached ??= line()), enumerable: true }) as CheckedObject;
}
