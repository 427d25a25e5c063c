// Paths mode: files under folders that are not an environment (or given one by one), read the way kustomize would
// read them, each object run through the rules with the environment its folder (or label) names.
import { readFileSync, readdirSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, matchesGlob, relative, resolve, sep } from "node:path";
import { LABELS, defaultSyncFolder } from "../infra/contract.ts";
import { field } from "./rules/model.ts";
import type { RuleSetting } from "./config.ts";
import { describeParseError, isGoTemplate, parseDocuments, type ParsedDocument } from "./yaml.ts";
import { KUSTOMIZATION_FILES } from "./flux/kustomize/generator.ts";
import { isDnsLabel } from "../infra/grammar/kubernetes.ts";
import { stackFileLookup, type StackLookup } from "./stacks.ts";
import { display, emptyResult, type CheckResult, type Finding, type InputError, type Note } from "./result.ts";
import { runRules, type CheckedObject, type EnvironmentContext } from "./runner.ts";
import { hasObjectKey, itemLine, lazyLine, objectsOf } from "./objects.ts";

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
