// Where a finding of graph mode is written: the source files a build read, parsed once per run, and the document,
// patch or Flux spec field that set the value a rule looks at (kustomize output carries no line numbers).
import { readdirSync, readFileSync, statSync, type Dirent } from "node:fs";
import { join, resolve } from "node:path";
import { YamlLimitError } from "../../infra/yaml.ts";
import { kustomizationFile } from "../flux/kustomize/generator.ts";
import { objectsOf } from "../objects.ts";
import { field, text } from "../rules/model.ts";
import { describeParseError, lineOfField, parseDocuments, type ParsedDocument } from "../yaml.ts";

export const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A file's parsed documents, read once per run; or why its YAML is refused (an alias bomb, infra/yaml.ts). */
export class Files {
  private cache = new Map<string, { source: string; docs: ParsedDocument[] } | { refused: string } | null>();
  private read(file: string) {
    if (!this.cache.has(file)) {
      try {
        const source = readFileSync(file, "utf8");
        this.cache.set(file, { source, docs: parseDocuments(source) });
      } catch (e) {
        this.cache.set(file, e instanceof YamlLimitError ? { refused: describeParseError(e) } : null);
      }
    }
    return this.cache.get(file) ?? undefined;
  }
  get(file: string) {
    const read = this.read(file);
    return read && "docs" in read ? read : undefined;
  }
  refused(file: string): string | undefined {
    const read = this.read(file);
    return read && "refused" in read ? read.refused : undefined;
  }
}

/** The YAML and JSON files at or below `paths` (files and folders), each once. */
export function yamlFilesAt(paths: string[]): string[] {
  const out = new Set<string>();
  const isYaml = (f: string) => /\.(ya?ml|json)$/i.test(f);
  for (const p of paths) {
    const stat = statSync(p, { throwIfNoEntry: false });
    if (stat?.isFile() && isYaml(p)) out.add(p);
    else if (stat?.isDirectory()) {
      for (const e of readdirSync(p, { recursive: true, withFileTypes: true }) as Dirent[]) {
        if (e.isFile() && isYaml(e.name)) out.add(join(e.parentPath, e.name));
      }
    }
  }
  return [...out];
}

/** Where a document sits in a file: the document (or List item) of that kind whose name matches. */
export function findDocument(
  files: Files,
  file: string,
  kind: string,
  name: string,
): { doc: unknown; line: number; source: string } | undefined {
  const parsed = files.get(file);
  if (!parsed) return undefined;
  let fallback: { doc: unknown; line: number; source: string } | undefined;
  let partial: { doc: unknown; line: number; source: string } | undefined;
  for (const d of parsed.docs) {
    const found = objectsOf(d, parsed.source).objects;
    for (const o of found) {
      if (o.via || o.doc.kind !== kind) continue;
      const n = String(field(o.doc, "metadata", "name"));
      // The same name first; a prefixed/suffixed or substituted one only when none is the same.
      if (n === name) return { doc: o.doc, line: o.line, source: parsed.source };
      if (name.includes(n) || n.includes("${")) partial ??= { doc: o.doc, line: o.line, source: parsed.source };
      fallback ??= { doc: o.doc, line: o.line, source: parsed.source };
    }
  }
  return partial ?? fallback;
}

/** Patches that may have set a field: inline (in a kustomization or a Flux spec) or patch files. */
export interface PatchSource {
  file: string;
  line: number;
  docs: unknown[];
  /** For a patch file: where each document starts and its text. */
  parsed?: { source: string; docs: ParsedDocument[] };
}

export function patchDocs(patch: string): unknown[] {
  try {
    return parseDocuments(patch).map((d) => d.doc);
  } catch {
    return [];
  }
}

/** The patches of the kustomizations a build reads, starting at `dir` (bounded walk over resources/components). */
export function patchesUnder(files: Files, dir: string, seen = new Set<string>()): PatchSource[] {
  const file = kustomizationFile(dir);
  if (!file || seen.has(file) || seen.size > 200) return [];
  seen.add(file);
  const k = files.get(file);
  const doc = k?.docs[0]?.doc;
  if (!k || !doc) return [];
  const out: PatchSource[] = [];
  const kLine = lineOfField(k.source, 1, ["patches"]);
  for (const p of [...asArray(field(doc, "patches")), ...asArray(field(doc, "patchesJson6902"))]) {
    const inline = text(field(p, "patch"));
    const path = text(field(p, "path"));
    if (inline) out.push({ file, line: kLine, docs: patchDocs(inline) });
    if (path) {
      const f = resolve(dir, path);
      const parsed = files.get(f);
      if (parsed) out.push({ file: f, line: 1, docs: parsed.docs.map((d) => d.doc), parsed });
    }
  }
  for (const p of asArray(field(doc, "patchesStrategicMerge"))) {
    if (typeof p !== "string") continue;
    const f = resolve(dir, p);
    const parsed = files.get(f);
    if (parsed) out.push({ file: f, line: 1, docs: parsed.docs.map((d) => d.doc), parsed });
  }
  for (const r of [...asArray(field(doc, "resources")), ...asArray(field(doc, "components"))]) {
    if (typeof r === "string" && !r.includes("://")) out.push(...patchesUnder(files, resolve(dir, r), seen));
  }
  return out;
}

/** Does a patch document set `path` to `value` (strategic merge) or an op write it (JSON 6902)? */
export function patchSets(doc: unknown, kind: string, path: string[], value: unknown): boolean {
  if (Array.isArray(doc)) {
    const pointer = `/${path.join("/")}`;
    return doc.some((op) => (field(op, "op") === "add" || field(op, "op") === "replace") && field(op, "path") === pointer);
  }
  if (field(doc, "kind") !== undefined && field(doc, "kind") !== kind) return false;
  const v = field(doc, ...path);
  return v !== undefined && (same(v, value) || value === undefined);
}

export function locateInFile(files: Files, file: string, line: number, path: string[]): number {
  const parsed = files.get(file);
  return parsed ? lineOfField(parsed.source, line, path) : line;
}
