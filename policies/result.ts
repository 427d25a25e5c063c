// What a check finds and how it is shown: findings, input errors and notes, merged per run and printed one per line.
import { relative, resolve, sep } from "node:path";

export interface Finding {
  file: string;
  line: number;
  level: "advisory" | "mandatory";
  rule: string;
  kind: string;
  namespace?: string;
  name: string;
  message: string;
  /** The environment whose graph the object belongs to (graph mode). */
  environment?: string;
}

export interface InputError {
  file: string;
  message: string;
}

/** Something the run did not verify, and why (content of another source, a generator's runtime inputs). */
export interface Note {
  file: string;
  line: number;
  message: string;
}

export interface CheckResult {
  findings: Finding[];
  errors: InputError[];
  notes: Note[];
  /** Files read, objects checked, Go templates and non-Kubernetes YAML documents skipped. */
  counts: { files: number; objects: number; templates: number; skipped: number };
}

export function emptyResult(): CheckResult {
  return { findings: [], errors: [], notes: [], counts: { files: 0, objects: 0, templates: 0, skipped: 0 } };
}

export function mergeResults(into: CheckResult, from: CheckResult): CheckResult {
  into.findings.push(...from.findings);
  into.errors.push(...from.errors);
  into.notes.push(...from.notes);
  for (const k of Object.keys(into.counts) as (keyof CheckResult["counts"])[]) into.counts[k] += from.counts[k];
  return into;
}

/** Paths shown relative to the root when inside it. */
export function display(file: string, root: string): string {
  const r = relative(root, resolve(root, file));
  return r.startsWith("..") || r === "" ? file : r.split(sep).join("/");
}

export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}  ${f.level}  ${f.rule}  ${f.kind} ${f.namespace ? `${f.namespace}/` : ""}${f.name}  ${f.message}`;
}
