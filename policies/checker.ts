// YAML front end, shared by both modes: turns objects (from files or from a kustomize build) into rule
// subjects, runs the rules, and says where each finding is. Paths mode (checkPaths) lives here too: files
// under folders that are not an environment, read the way kustomize would read them.
import { readFileSync, readdirSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, matchesGlob, relative, resolve, sep } from "node:path";
import { LABELS, defaultSyncFolder } from "../infra/contract.ts";
import { field, fluxGroup, kubernetesType, parseKubernetesType } from "./rules/model.ts";
import type { Problem, Subject } from "./rules/model.ts";
import type { RuleSetting } from "./config.ts";
import type { StackFacts } from "../infra/contract.ts";
import { describeParseError, isGoTemplate, parseDocuments, type ParsedDocument } from "./yaml.ts";
import { isResourceSet, renderResourceSet } from "./resourceset.ts";
import { KUSTOMIZATION_FILES } from "./kustomize.ts";
import { resourceSetTooLarge } from "./bounds.ts";
import { isDnsLabel } from "../infra/grammar/kubernetes.ts";
import { stackFileLookup, type StackLookup } from "./stacks.ts";

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

/** What is known of the environment an object is applied in. */
export interface EnvironmentContext {
  environment?: string;
  stack?: StackFacts;
  githubOwner?: string;
}

/** An object to check and where it is written. */
export interface CheckedObject {
  doc: Record<string, unknown>;
  /** Absolute path of the file. */
  file: string;
  line: number;
  /** Finds the line of a field (or of the patch that set it); default: the object's line. */
  locate?: (path: string[]) => { file: string; line: number } | undefined;
  env: EnvironmentContext;
  /** What the front end could not verify about the object (content-verified reports them). */
  problems?: Problem[];
  /** The HelmRelease whose chart rendered the object (graph mode): chart output, not a file in Git. */
  renderedBy?: string;
}

/** A Kubernetes object: apiVersion and kind (a missing or odd name is the object's problem, not a reason to skip it). */
export function isObject(doc: unknown): doc is Record<string, unknown> {
  return (
    typeof field(doc, "apiVersion") === "string" &&
    field(doc, "apiVersion") !== "" &&
    typeof field(doc, "kind") === "string" &&
    field(doc, "kind") !== ""
  );
}

function subjectOf(o: CheckedObject, lookup: Subject["lookup"], complete: boolean): Subject {
  const doc = o.doc;
  const apiVersion = typeof doc.apiVersion === "string" ? doc.apiVersion : "kustomize.config.k8s.io/v1beta1";
  const kind = typeof doc.kind === "string" ? doc.kind : "Kustomization";
  const name = field(doc, "metadata", "name");
  const namespace = field(doc, "metadata", "namespace");
  return {
    type: kubernetesType(apiVersion, kind),
    name: typeof name === "string" ? name : "(unnamed)",
    namespace: typeof namespace === "string" ? namespace : undefined,
    props: doc,
    origin: "git",
    ancestors: [],
    environment: o.env.environment,
    githubOwner: o.env.stack?.githubOwner ?? o.env.githubOwner,
    stack: o.env.stack,
    lookup,
    complete,
    renderedBy: o.renderedBy,
    problems: o.problems,
  };
}

const identity = (kind: string, namespace: string | undefined, name: string) => `${kind}/${namespace ?? ""}/${name}`;

/** Runs the rules over a set of objects that are applied together (one environment, or one paths run). */
export function runRules(
  objects: CheckedObject[],
  settings: RuleSetting[],
  display: (file: string) => string,
  /** The objects are all that is applied (graph mode): a reference none of them resolves is not in Git. */
  complete = false,
): Finding[] {
  const active = settings.filter((s) => s.level !== "disabled" && s.rule.origins.includes("git") && s.rule.kind === "resource");
  const byIdentity = new Map<string, Subject>();
  const subjects = objects.map((o) => subjectOf(o, (kind, namespace, name) => byIdentity.get(identity(kind, namespace, name)), complete));
  for (const s of subjects) {
    // References name Flux kinds: only an object of the kind's Flux API group resolves one.
    const t = parseKubernetesType(s.type);
    if (t && fluxGroup(t.kind) === t.group) byIdentity.set(identity(t.kind, s.namespace, s.name), s);
  }
  const findings: Finding[] = [];
  // One object applied twice (two Kustomizations, two clusters) is one finding, not two of the same.
  const reported = new Set<string>();
  subjects.forEach((subject, i) => {
    const o = objects[i]!;
    const kind = parseKubernetesType(subject.type)?.kind ?? subject.type;
    for (const { rule, level, config } of active) {
      if (rule.kind !== "resource") continue;
      rule.check(subject, config, (message, at, lowered) => {
        const where = (at && o.locate?.(at)) || { file: o.file, line: o.line };
        const key = JSON.stringify([where.file, where.line, rule.name, kind, subject.namespace, subject.name, message, lowered ?? level]);
        if (reported.has(key)) return;
        reported.add(key);
        findings.push({
          file: display(where.file),
          line: where.line,
          level: (lowered ?? level) as Finding["level"],
          rule: rule.name,
          kind,
          namespace: subject.namespace,
          name: subject.name,
          message,
          ...(o.env.environment && o.env.stack ? { environment: o.env.environment } : {}),
        });
      });
    }
  });
  return findings;
}

/** Line of a List item: the line of its `name:` after the list's own line. */
function itemLine(source: string, from: number, name: unknown): number {
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

export interface PathsOptions {
  /** Repository root: environments are found from paths relative to it and its Pulumi.<env>.yaml files. */
  root: string;
  /** Globs (relative to the root) of files and folders to leave out. */
  exclude?: string[];
}

const READABLE = /\.(ya?ml|json)$/i;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Every .yaml/.yml/.json file under the paths; symlinks inside the scanned tree followed once, never outside it;
 * `.git` and `node_modules` folders never walked.
 */
export function collectFiles(paths: string[], options: PathsOptions): { files: string[]; errors: InputError[]; notes: Note[] } {
  const files = new Set<string>();
  const errors: InputError[] = [];
  const notes: Note[] = [];
  const excluded = (path: string) => {
    const r = relative(options.root, path).split(sep).join("/");
    return (options.exclude ?? []).some((g) => matchesGlob(r, g) || matchesGlob(r, `${g}/**`) || matchesGlob(basename(path), g));
  };
  for (const top of paths) {
    const start = resolve(options.root, top);
    let realTop: string;
    try {
      realTop = realpathSync(start);
    } catch (e) {
      errors.push({ file: top, message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` });
      continue;
    }
    const seen = new Set<string>();
    const visit = (path: string, real: string) => {
      if (seen.has(real) || excluded(path)) return;
      seen.add(real);
      const st = statSync(real);
      if (st.isDirectory()) {
        for (const entry of readdirSync(real, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
          // Never the VCS's store or installed packages: neither is anything Flux applies.
          if (entry.name === ".git" || entry.name === "node_modules") continue;
          const child = join(path, entry.name);
          let target = join(real, entry.name);
          if (entry.isSymbolicLink()) {
            try {
              target = realpathSync(target);
            } catch {
              notes.push({ file: child, line: 0, message: "symlink to nothing: not followed" });
              continue;
            }
            if (target !== realTop && !target.startsWith(realTop + sep)) {
              notes.push({ file: child, line: 0, message: "symlink leads outside the checked tree: not followed" });
              continue;
            }
          }
          if (entry.isDirectory() || entry.isSymbolicLink() || READABLE.test(entry.name) || KUSTOMIZATION_FILES.includes(entry.name)) {
            visit(child, target);
          }
        }
      } else if (st.isFile() && (READABLE.test(path) || KUSTOMIZATION_FILES.includes(basename(path)) || path === start)) {
        files.add(path);
      }
    };
    visit(start, realTop);
  }
  return { files: [...files].sort(), errors, notes };
}

/** Files a kustomization names as patches or generator inputs: never objects of their own. */
function notObjectFiles(kustomization: string, doc: unknown): string[] {
  const dir = dirname(kustomization);
  const out: string[] = [];
  const add = (p: unknown) => {
    if (typeof p === "string") out.push(resolve(dir, p.replace(/^[^=]*=/, "")));
  };
  for (const p of asArray(field(doc, "patches"))) add(field(p, "path"));
  for (const p of asArray(field(doc, "patchesJson6902"))) add(field(p, "path"));
  for (const p of asArray(field(doc, "patchesStrategicMerge"))) add(p);
  for (const key of ["configMapGenerator", "secretGenerator"]) {
    for (const g of asArray(field(doc, key))) {
      for (const f of asArray(field(g, "files"))) add(f);
      for (const f of asArray(field(g, "envs"))) add(f);
      add(field(g, "env"));
    }
  }
  return out;
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function readText(file: string): string {
  const bytes = readFileSync(file);
  const source = bytes.toString("utf8");
  if (source.includes("\uFFFD")) utf8.decode(bytes); // throws TypeError unless the U+FFFD was really in the file
  return source;
}

function readError(e: unknown): string {
  return e instanceof TypeError ? "not UTF-8 text" : `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
}

/** Inside a local Helm chart (a Chart.yaml above, within the root): templates and values, not manifests. */
function inHelmChart(file: string, root: string): boolean {
  for (let d = dirname(file); d.startsWith(root) && d !== dirname(d); d = dirname(d)) {
    try {
      if (statSync(join(d, "Chart.yaml")).isFile()) return true;
    } catch {
      // no chart here
    }
    if (d === root) break;
  }
  return false;
}

/** Paths mode: the rules over every object in the files under `paths`. */
export function checkPaths(paths: string[], settings: RuleSetting[], options: PathsOptions): CheckResult {
  const result = emptyResult();
  const root = resolve(options.root);
  const { files, errors, notes } = collectFiles(paths, { ...options, root });
  result.errors.push(...errors);
  result.notes.push(...notes);
  const stackOf = stackFileLookup(root);
  const sources = new Map<string, string>();
  const skip = new Set<string>();
  // Kustomization files first: the patches and generator inputs they name are not objects.
  for (const file of files) {
    if (!KUSTOMIZATION_FILES.includes(basename(file))) continue;
    try {
      const text = readText(file);
      sources.set(file, text);
      for (const p of parseDocuments(text)) for (const f of notObjectFiles(file, p.doc)) skip.add(f);
    } catch {
      // reported below
    }
  }
  const objects: CheckedObject[] = [];
  for (const file of files) {
    result.counts.files++;
    let source = sources.get(file);
    try {
      source ??= readText(file);
    } catch (e) {
      result.errors.push({ file, message: readError(e) });
      continue;
    }
    if (skip.has(file)) continue;
    const read = readObjects(file, source, root, stackOf);
    if (read.error) result.errors.push(read.error);
    result.notes.push(...read.notes);
    result.counts.templates += read.template ? 1 : 0;
    result.counts.skipped += read.skipped;
    for (const o of read.objects) {
      if (KUSTOMIZATION_FILES.includes(basename(file))) for (const f of notObjectFiles(file, o.doc)) skip.add(f);
      objects.push(o);
    }
  }
  result.counts.objects += objects.length;
  result.findings.push(...runRules(objects, settings, (f) => display(f, root)));
  result.notes.forEach((n) => (n.file = display(n.file, root)));
  result.errors.forEach((e) => (e.file = display(e.file, root)));
  return result;
}

/** The objects one file holds, or why it holds none. */
export function readObjects(
  file: string,
  source: string,
  root: string,
  stackOf: StackLookup,
): { objects: CheckedObject[]; notes: Note[]; error?: InputError; template: boolean; skipped: number } {
  const out = { objects: [] as CheckedObject[], notes: [] as Note[], template: false, skipped: 0 };
  // A file is skipped as a template only when it is not YAML: a `{{ }}` in a comment or a quoted string
  // skips nothing (kustomize-controller applies the file as it reads).
  let docs: ParsedDocument[];
  try {
    docs = parseDocuments(source, false);
    if (isGoTemplate(source) && docs.some((d) => hasObjectKey(d.doc))) return { ...out, template: true };
  } catch (e) {
    if (isGoTemplate(source)) return { ...out, template: true };
    // Only a file Flux would apply can stop the run: not JSON (never generated into a build), not a chart's file.
    if (/\.json$/i.test(file) || inHelmChart(file, root))
      return { ...out, notes: [{ file, line: 0, message: `not read: ${describeParseError(e)}` }] };
    return { ...out, error: { file, message: describeParseError(e) } };
  }
  // Lines cost a second, listening parse: only objects with a finding ask for theirs.
  let withLines: ParsedDocument[] | undefined;
  const env = environmentOf(file, root, stackOf);
  const isKustomization = KUSTOMIZATION_FILES.includes(basename(file));
  docs.forEach((parsed, i) => {
    const docLine = () => (withLines ??= parseDocuments(source))[i]?.line ?? 1;
    if (isKustomization && parsed.doc !== null && typeof parsed.doc === "object" && !Array.isArray(parsed.doc)) {
      out.objects.push(lazyLine({ doc: parsed.doc as Record<string, unknown>, file, env: env(parsed.doc) }, docLine));
      return;
    }
    const found = objectsOf(parsed, source);
    out.notes.push(...found.notes);
    if (found.objects.length === 0 && parsed.doc !== null && parsed.doc !== undefined) out.skipped++;
    for (const o of found.objects) {
      const line = () => (o.itemName === undefined ? docLine() : itemLine(source, docLine(), o.itemName));
      out.objects.push(lazyLine({ doc: o.doc, file, env: env(o.doc), problems: o.problems }, line));
    }
  });
  return out;
}

/**
 * A mapping key that was itself a mapping (`name: {{ .Values.x }}` reads as one): js-yaml names it
 * "[object Object]"; Kubernetes' YAML reader refuses such a document, so the text is a template, not YAML.
 * Walks each node once (aliases share nodes), at most 100,000 of them.
 */
function hasObjectKey(doc: unknown): boolean {
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
function lazyLine(o: Omit<CheckedObject, "line">, line: () => number): CheckedObject {
  let cached: number | undefined;
  return Object.defineProperty(o, "line", { get: () => (cached ??= line()), enumerable: true }) as CheckedObject;
}

/** Checks one file's text on its own (paths mode, one file). */
export function checkSource(
  file: string,
  source: string,
  settings: RuleSetting[],
  root: string,
): { findings: Finding[]; error?: InputError } {
  const read = readObjects(resolve(root, file), source, resolve(root), stackFileLookup(resolve(root)));
  const error = read.error && { ...read.error, file: display(read.error.file, root) };
  return { findings: runRules(read.objects, settings, (f) => display(f, root)), error };
}

/** Paths shown relative to the root when inside it. */
export function display(file: string, root: string): string {
  const r = relative(root, resolve(root, file));
  return r.startsWith("..") || r === "" ? file : r.split(sep).join("/");
}

/**
 * The environment of an object in paths mode: the stack whose sync folder holds the file (path relative
 * to the root, never an absolute path's segments); else the environment label when it names a stack that
 * has a stack file. A label never overrides the folder and never relaxes a rule.
 */
function environmentOf(file: string, root: string, stackOf: StackLookup): (doc: unknown) => EnvironmentContext {
  const relPath = relative(root, file).split(sep).join("/");
  const byPath = stackOf.stacks().find((s) => {
    const folder = stackOf(s).facts?.sync.folder ?? defaultSyncFolder(s);
    return relPath === folder || relPath.startsWith(`${folder}/`);
  });
  return (doc) => {
    const labelled = field(doc, "metadata", "labels", LABELS.environment);
    const env =
      byPath ?? (typeof labelled === "string" && isDnsLabel(labelled) && stackOf.stacks().includes(labelled) ? labelled : undefined);
    if (env === undefined) return {};
    const view = stackOf(env);
    return { environment: env, stack: view.facts, githubOwner: view.githubOwner };
  };
}

export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}  ${f.level}  ${f.rule}  ${f.kind} ${f.namespace ? `${f.namespace}/` : ""}${f.name}  ${f.message}`;
}
