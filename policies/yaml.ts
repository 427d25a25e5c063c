// Reading YAML the way a repository holds it: Kubernetes objects beside app configs with custom tags
// (`!env_var X`), Helm/Go templates (`{{ .Values.x }}`) and JSON. Unknown tags are read leniently (the
// tagged value as if untagged); Go templates are recognised and skipped, never parsed as YAML.
import yaml from "js-yaml";
import { assertBounded, YamlLimitError } from "../infra/yaml.ts";

export interface ParsedDocument {
  doc: unknown;
  /** 1-based line where the document's content starts. */
  line: number;
}

/** Text that is a Go/Helm template rather than YAML (`{{ ... }}` actions). */
export function isGoTemplate(source: string): boolean {
  return /\{\{-?\s*(?:[.$]|if\b|range\b|with\b|define\b|include\b|template\b|end\b|else\b|toYaml\b|\/\*)/.test(source);
}

const UNKNOWN_TAG = /^unknown tag !<(.+)>$/;
const MAX_TAGS = 32;

function lenientSchema(tags: string[]): yaml.Schema {
  const types = tags.flatMap((tag) =>
    (["scalar", "sequence", "mapping"] as const).map((kind) => new yaml.Type(tag, { kind, construct: (data: unknown) => data })),
  );
  return yaml.DEFAULT_SCHEMA.extend(types);
}

/**
 * Every document of a YAML (or JSON) text with the line its content starts on. Unknown tags are read as
 * untagged values; other syntax errors throw yaml.YAMLException, a value past the alias and size limits YamlLimitError.
 */
export function parseDocuments(source: string, withLines = true): ParsedDocument[] {
  const tags: string[] = [];
  for (;;) {
    const lines: number[] = [];
    let depth = 0;
    try {
      const docs = yaml.loadAll(source, undefined, {
        schema: tags.length ? lenientSchema(tags) : yaml.DEFAULT_SCHEMA,
        ...(withLines
          ? {
              listener(event: yaml.EventType, state: yaml.State) {
                if (event === "open") {
                  if (depth++ === 0) lines.push(state.line + 1);
                } else depth--;
              },
            }
          : {}),
      });
      // Bounded before any rule, patch or substitution walks a document (infra/yaml.ts: alias bombs).
      assertBounded(docs);
      return docs.map((doc, i) => ({ doc, line: lines[i] ?? 1 }));
    } catch (e) {
      const tag = e instanceof yaml.YAMLException ? UNKNOWN_TAG.exec(e.reason)?.[1] : undefined;
      if (tag === undefined || tags.includes(tag) || tags.length >= MAX_TAGS) throw e;
      tags.push(tag);
    }
  }
}

/** One line describing why a text is not YAML. */
export function describeParseError(e: unknown): string {
  if (e instanceof yaml.YAMLException) return `line ${e.mark.line + 1}: invalid YAML: ${e.reason}`;
  if (e instanceof RangeError) return "invalid YAML: nested too deeply to read";
  if (e instanceof YamlLimitError) return `refused: ${e.message}`;
  return `invalid YAML: ${e instanceof Error ? e.message : String(e)}`;
}

/**
 * The 1-based line of `path` (a key path such as spec.chart.spec.version) inside the document that starts
 * at `docLine`, found by indentation; block style only, else the document's own line.
 */
export function lineOfField(source: string, docLine: number, path: string[]): number {
  const lines = source.split("\n");
  let indent = -1;
  let at = docLine - 1;
  let found = docLine;
  for (const key of path) {
    let hit = -1;
    for (let i = at; i < lines.length; i++) {
      const line = lines[i]!;
      if (/^---/.test(line) && i > docLine - 1) return found;
      const m = /^(\s*)(?:- )?["']?([^"':#]+)["']?\s*:(?:\s|$)/.exec(line);
      if (!m) continue;
      const ind = m[1]!.length;
      if (ind <= indent) return found;
      if (m[2]!.trim() === key && ind > indent) {
        hit = i;
        indent = ind;
        break;
      }
    }
    if (hit < 0) return found;
    found = hit + 1;
    at = hit + 1;
  }
  return found;
}
