// Graph mode: what Flux applies for one environment. Starts at the path of the environment's flux-system
// Kustomization (the stack's syncPath: Pulumi creates that Kustomization, it is not in Git), builds it the
// way kustomize-controller does (./flux/kustomize.ts), substitutes post-build variables where their values are
// known, renders ResourceSets, and follows every Flux Kustomization whose source is this repository.
// Content of other sources is checked as a source (its URL, by the rules) and noted as not verified.
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, type Dirent } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix, relative, resolve, sep } from "node:path";
import { SYNC_NAME } from "../infra/contract.ts";
import { unincludedFiles, unincludedMessage } from "../infra/included.ts";
import { copyArtifact } from "./flux/artifact.ts";
import { type CheckResult, display, emptyResult } from "./result.ts";
import { type CheckedObject, type EnvironmentContext, runRules } from "./runner.ts";
import { objectsOf } from "./objects.ts";
import { substituteObject } from "./flux/envsubst.ts";
import { type SubstituteRef, findRef, gitIndex, substituteRefs } from "./flux/substitute-from.ts";
import {
  BuildError,
  type BuildInput,
  type FluxBuildSpec,
  buildInputs,
  fluxBuildSpec,
  kustomizationFile,
  kustomizeBuild,
} from "./flux/kustomize.ts";
import type { RuleSetting } from "./config.ts";
import { field, text, type Problem } from "./rules/model.ts";
import { stackFileLookup, type StackView } from "./stacks.ts";
import { isThisRepository, unresolvedSource } from "./references.ts";
import { YamlLimitError } from "../infra/yaml.ts";
import { describeParseError, lineOfField, parseDocuments, type ParsedDocument } from "./yaml.ts";

export interface GraphOptions {
  root: string;
  /** Builds run at once (kubectl processes); default 4. */
  concurrency?: number;
}

interface FluxNode {
  name: string;
  namespace: string;
  spec: Record<string, unknown>;
  /** Where the Flux Kustomization is written (absolute), and its line. */
  file: string;
  line: number;
  /** The checked object of this Kustomization (none for the sync Kustomization Pulumi creates). */
  object?: CheckedObject;
  /** The cluster its parent applied it to ("" for the local one); see clusterOf. */
  cluster?: string;
}

const FLUX_KUSTOMIZE_GROUP = "kustomize.toolkit.fluxcd.io/";
const SUBSTITUTE = "kustomize.toolkit.fluxcd.io/substitute";

/** A file's parsed documents, read once per run; or why its YAML is refused (an alias bomb, infra/yaml.ts). */
class Files {
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
function yamlFilesAt(paths: string[]): string[] {
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

/** `securejoin(root, path)`: a path can never leave the repository. */
function inRepo(root: string, path: string): string {
  return join(root, posix.normalize(`/${path}`));
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Where a document sits in a file: the document (or List item) of that kind whose name matches. */
function findDocument(files: Files, file: string, kind: string, name: string): { doc: unknown; line: number; source: string } | undefined {
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
interface PatchSource {
  file: string;
  line: number;
  docs: unknown[];
  /** For a patch file: where each document starts and its text. */
  parsed?: { source: string; docs: ParsedDocument[] };
}

function patchDocs(patch: string): unknown[] {
  try {
    return parseDocuments(patch).map((d) => d.doc);
  } catch {
    return [];
  }
}

/** The patches of the kustomizations a build reads, starting at `dir` (bounded walk over resources/components). */
function patchesUnder(files: Files, dir: string, seen = new Set<string>()): PatchSource[] {
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
function patchSets(doc: unknown, kind: string, path: string[], value: unknown): boolean {
  if (Array.isArray(doc)) {
    const pointer = `/${path.join("/")}`;
    return doc.some((op) => (field(op, "op") === "add" || field(op, "op") === "replace") && field(op, "path") === pointer);
  }
  if (field(doc, "kind") !== undefined && field(doc, "kind") !== kind) return false;
  const v = field(doc, ...path);
  return v !== undefined && (same(v, value) || value === undefined);
}

/** Builds and checks the graph of one environment. */
export async function checkEnvironment(env: string, settings: RuleSetting[], options: GraphOptions): Promise<CheckResult> {
  const root = resolve(options.root);
  const result = emptyResult();
  const lookup = stackFileLookup(root);
  const view = lookup(env);
  const stackFile = join(root, `Pulumi.${env}.yaml`);
  if (!view.facts) {
    result.errors.push({ file: display(stackFile, root), message: view.error ?? "no flux-gitops config" });
    return result;
  }
  const facts = view.facts;
  const context: EnvironmentContext = { environment: env, stack: facts, githubOwner: view.githubOwner };
  const files = new Files();
  const workDir = mkdtempSync(join(tmpdir(), "policy-graph-"));
  const objects: CheckedObject[] = [];
  const builtDocs: Record<string, unknown>[] = [];
  const visited = new Set<string>();
  // Builds read the artifact Flux would build from (no symlinks, .sourceignore applied), never the tree.
  const artifact = join(workDir, "artifact");
  const real = (file: string) => (file.startsWith(artifact + sep) ? join(root, relative(artifact, file)) : file);
  try {
    copyArtifact(root, artifact);
    const appliedBy = new WeakMap<object, string>();
    const parentOf = new Map<string, string | undefined>();
    const ancestors = (label: string) => {
      const out = new Set<string>();
      for (let p = parentOf.get(label); p !== undefined && !out.has(p); p = parentOf.get(p)) out.add(p);
      return out;
    };
    const inGit = gitIndex(artifact);
    let level: FluxNode[] = [
      {
        name: SYNC_NAME,
        namespace: facts.fluxNamespace,
        spec: { path: facts.sync.flux, sourceRef: { kind: "GitRepository", name: SYNC_NAME } },
        file: stackFile,
        line: 1,
      },
    ];
    let pending: FluxNode[] = [];
    // Kustomizations whose substituteFrom objects are not built yet wait until nothing else can be built.
    let waiting: FluxNode[] = [];
    const deferred = new Set<string>();
    const limit = options.concurrency ?? 4;
    while (level.length) {
      const next: FluxNode[] = [];
      for (let i = 0; i < level.length; i += limit) {
        const batch = level.slice(i, i + limit);
        const built = await Promise.all(
          batch.map((node) => buildNode(node, artifact, workDir, files, context, builtDocs, result, { appliedBy, ancestors, inGit })),
        );
        built.forEach((b) => {
          for (const o of b.objects) appliedBy.set(o.doc, appliers.get(o) ?? "");
          for (const c of b.children) parentOf.set(`Kustomization ${c.namespace}/${c.name}`, c.object ? appliers.get(c.object) : undefined);
          objects.push(...b.objects);
          builtDocs.push(...b.objects.map((o) => o.doc));
          next.push(...b.children);
        });
      }
      // Follow children whose source is this repository; a child may name a GitRepository built later.
      const candidates = [...pending, ...next];
      pending = [];
      level = [];
      for (const child of candidates) {
        const key = `${child.namespace}/${child.name}`;
        if (visited.has(key)) continue;
        const decision = sourceOf(child, facts.fluxNamespace, view, builtDocs);
        if (decision === "follow") {
          if (!deferred.has(key) && substituteRefs(child.spec).some((r) => !findRef(builtDocs, r, child.namespace))) {
            deferred.add(key);
            waiting.push(child);
            continue;
          }
          visited.add(key);
          level.push(child);
        } else if (decision === "unknown") pending.push(child);
        else if (typeof decision === "object" && child.object) {
          (child.object.problems ??= []).push({
            message: decision.finding.replace(/^Kustomization \S+ /, "it "),
            at: ["spec", "sourceRef"],
          });
        } else if (typeof decision === "object") notVerified(child, decision.finding, facts.production, result);
        else notVerified(child, decision, facts.production, result);
      }
      if (level.length === 0 && waiting.length) {
        for (const child of waiting) visited.add(`${child.namespace}/${child.name}`);
        [level, waiting] = [waiting, []];
        continue;
      }
      if (level.length === 0 && pending.length) {
        for (const child of pending) {
          const ref = sourceRef(child);
          const message = `Kustomization ${child.namespace}/${child.name} applies ${String(child.spec.path ?? "./")} from ${ref.kind} ${ref.namespace}/${ref.name}, which is not among the checked objects: its content is not verified here`;
          // A reference that resolves to nothing in Git: its URL and content are unknown, in every environment.
          if (child.object) unresolvedSource(child.object, message.replace(`Kustomization ${child.namespace}/${child.name} `, ""));
          else notVerified(child, message, facts.production, result);
        }
        pending = [];
      }
    }
    // Charts the graph installs from Git, rendered with real Helm: the rules run over what they render.
    // (Loaded when needed: Helm and its YAML library stay out of paths mode's start-up.)
    if (objects.some((o) => o.doc.kind === "HelmRelease")) {
      const { renderCharts } = await import("./charts.ts");
      objects.push(...(await renderCharts(objects, { artifact, view, env: context, production: facts.production, result, appliers })));
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  appliedTwice(objects);
  for (const file of notApplied(root, facts.sync.folder))
    result.errors.push({ file, message: unincludedMessage(file).slice(file.length + 2) });
  for (const o of objects) o.file = real(o.file);
  result.counts.objects += objects.length;
  result.counts.files += new Set(objects.map((o) => o.file)).size;
  result.findings.push(...runRules(objects, settings, (f) => display(real(f), root), true));
  for (const n of result.notes) n.file = display(real(n.file), root);
  for (const e of result.errors) e.file = display(real(e.file), root);
  return result;
}

/**
 * The files of the sync folder (repository-relative) that no kustomization Flux applies includes: they sit
 * in cluster/<env> but are never applied (infra/render/included.ts, the renderer's check). Symlinks are
 * not followed; a missing folder holds none.
 */
function notApplied(root: string, folder: string): string[] {
  const files = new Map<string, () => string>();
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(join(root, folder, dir), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const rel = dir === "" ? e.name : `${dir}/${e.name}`;
      if (e.isDirectory() && e.name !== ".git" && e.name !== "node_modules") walk(rel);
      else if (e.isFile() && !lstatSync(join(root, folder, rel)).isSymbolicLink())
        files.set(rel, () => readFileSync(join(root, folder, rel), "utf8"));
    }
  };
  walk("");
  return unincludedFiles(folder, files).map((f) => `${folder}/${f}`);
}

/**
 * Content Flux applies that is not checked here: a note, and in production a content-verified finding on
 * the Kustomization (production must not run what nobody checked).
 */
function notVerified(node: FluxNode, message: string, production: boolean, result: CheckResult): void {
  if (production && node.object) {
    const what = message.replace(`Kustomization ${node.namespace}/${node.name} `, "");
    (node.object.problems ??= []).push({ message: `in production it ${what}`, at: ["spec", "sourceRef"] });
  } else result.notes.push({ file: node.file, line: node.line, message });
}

/** Group, kind, namespace and name: what the API server keys an object by. */
function identityOf(doc: Record<string, unknown>): string {
  const apiVersion = String(doc.apiVersion);
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
  return `${group}/${String(doc.kind)}/${String(field(doc, "metadata", "namespace") ?? "")}/${String(field(doc, "metadata", "name"))}`;
}

/** An object applied by two Flux Kustomizations (or ResourceSets): whichever applies last wins. */
function appliedTwice(objects: CheckedObject[]): void {
  const first = new Map<string, { by: string; o: CheckedObject }>();
  for (const o of objects) {
    const by = appliers.get(o);
    if (by === undefined) continue;
    const id = `${clusters.get(o) ?? ""}|${identityOf(o.doc)}`;
    const seen = first.get(id);
    // Two clusters (spec.kubeConfig) hold two objects: the hub-and-spoke layout applies one path to each.
    if (seen === undefined) first.set(id, { by, o });
    else if (seen.by !== by) {
      (o.problems ??= []).push({
        message: `applied by ${seen.by} and by ${by}: Flux applies both and the last one wins, so what runs is not what either says; keep one definition`,
      });
    }
  }
}

/** Which Flux Kustomization (or ResourceSet) applies each checked object. */
const appliers = new WeakMap<CheckedObject, string>();
/** The cluster each checked object is applied to ("" for the local one). */
const clusters = new WeakMap<CheckedObject, string>();

/**
 * The cluster a Kustomization applies to: its parent's, then its own `spec.kubeConfig` (a Secret or
 * ConfigMap reference, in the Kustomization's namespace) when it sets one.
 */
function clusterOf(node: FluxNode): string {
  const kubeConfig = node.spec.kubeConfig;
  const own = kubeConfig === undefined || kubeConfig === null ? "" : `${node.namespace}:${JSON.stringify(kubeConfig)}`;
  return [node.cluster ?? "", own].filter((c) => c !== "").join(" > ");
}

function sourceRef(node: FluxNode): { kind: string; name: string; namespace: string } {
  const ref = node.spec.sourceRef;
  return {
    kind: text(field(ref, "kind")) ?? "GitRepository",
    name: text(field(ref, "name")) ?? "",
    namespace: text(field(ref, "namespace")) ?? node.namespace,
  };
}

/**
 * "follow", "unknown" (source not seen yet), the note that says why the content is not verified, or a
 * finding when what the source pulls is not even checked as a source (submodules).
 */
function sourceOf(node: FluxNode, fluxNamespace: string, view: StackView, built: Record<string, unknown>[]): string | { finding: string } {
  const ref = sourceRef(node);
  if (ref.kind === "GitRepository" && ref.name === SYNC_NAME && ref.namespace === fluxNamespace) return "follow";
  const source = built.find(
    (d) =>
      d.kind === ref.kind &&
      String(d.apiVersion).startsWith("source.toolkit.fluxcd.io/") &&
      field(d, "metadata", "name") === ref.name &&
      (field(d, "metadata", "namespace") ?? node.namespace) === ref.namespace,
  );
  if (!source) return "unknown";
  const url = text(field(source, "spec", "url")) ?? text(field(source, "spec", "endpoint")) ?? "?";
  if (ref.kind === "GitRepository" && isThisRepository(source, view)) return "follow";
  if (ref.kind === "GitRepository" && field(source, "spec", "recurseSubmodules") === true) {
    // recurseSubmodules: source-controller clones every submodule .gitmodules names, from any URL, into the
    // artifact (v1.8.2 gitrepository_controller.go passes RecurseSubmodules to the clone): not this repository.
    return {
      finding:
        `Kustomization ${node.namespace}/${node.name} applies ${String(node.spec.path ?? "./")} from GitRepository ` +
        `${ref.namespace}/${ref.name} (${url}) with recurseSubmodules: Flux also pulls every submodule its .gitmodules names, ` +
        "from any URL, and that content is not verified here; drop recurseSubmodules or vendor the submodules",
    };
  }
  return (
    `Kustomization ${node.namespace}/${node.name} applies ${String(node.spec.path ?? "./")} from ${ref.kind} ` +
    `${ref.namespace}/${ref.name} (${url}): its URL is checked as a source, its content is not verified here`
  );
}

interface Built {
  objects: CheckedObject[];
  children: FluxNode[];
}

async function buildNode(
  node: FluxNode,
  root: string,
  workDir: string,
  files: Files,
  env: EnvironmentContext,
  builtSoFar: Record<string, unknown>[],
  result: CheckResult,
  refs: SubstituteLookup,
): Promise<Built> {
  const path = text(node.spec.path) ?? "./";
  const dir = inRepo(root, path);
  const label = `Kustomization ${node.namespace}/${node.name}`;
  if (!existsSync(dir)) {
    result.errors.push({ file: node.file, message: `${label}: path ${path} not found in the repository (Flux would fail to build it)` });
    return { objects: [], children: [] };
  }
  let spec: FluxBuildSpec;
  try {
    spec = fluxBuildSpec(node.spec);
  } catch (e) {
    if (!(e instanceof BuildError)) throw e;
    result.errors.push({ file: node.file, message: `${label}: kustomize build of ${path} fails: ${e.message}` });
    return { objects: [], children: [] };
  }
  // What the build would fetch or read from outside the artifact: checked before (never by) kubectl.
  const inputs = buildInputs(dir, spec.components ?? [], root);
  const remoteBases = remoteBaseObjects(inputs.remote, root, env, label);
  const refused = inputs.outside[0];
  const remote = inputs.remote[0];
  if (refused || remote) {
    const message = refused
      ? `${refused.key} ${refused.entry} (${posix.normalize(relative(root, refused.file).split(sep).join("/"))}) is outside the repository: Flux builds inside its source artifact and refuses it`
      : `${remote!.key} ${remote!.entry} (${relative(root, remote!.file).split(sep).join("/")}) is a remote base, which cannot be fetched here: this path is not verified`;
    result.errors.push({ file: node.file, message: `${label}: kustomize build of ${path} fails: ${message}` });
    return { objects: remoteBases, children: [] };
  }
  // A YAML file kustomize reads whose aliases expand past the limits would make kubectl expand them (a
  // hang): refused before the build, naming the file.
  for (const file of yamlFilesAt([dir, ...inputs.local])) {
    const refused = files.refused(file);
    if (refused !== undefined) {
      result.errors.push({ file, message: `${refused} (${label} builds it with kustomize)` });
      return { objects: [], children: [] };
    }
  }
  let built;
  try {
    built = await kustomizeBuild(dir, spec, workDir, root);
  } catch (e) {
    if (!(e instanceof BuildError)) throw e;
    result.errors.push({ file: node.file, message: `${label}: kustomize build of ${path} fails: ${e.message}` });
    return { objects: [], children: [] };
  }
  const substituteProblems: Problem[] = [];
  const substitute = substitution(node, builtSoFar, result, refs, substituteProblems);
  if (substituteProblems.length && node.object) (node.object.problems ??= []).push(...substituteProblems);
  const patches = patchesUnder(files, dir);
  const fluxPatches: PatchSource[] = spec.patches!.map((p) => ({
    file: node.file,
    line: node.file.endsWith(".yaml") ? locateInFile(files, node.file, node.line, ["spec", "patches"]) : node.line,
    docs: patchDocs(text(field(p, "patch")) ?? ""),
  }));
  const objects: CheckedObject[] = [];
  const children: FluxNode[] = [];
  const cluster = clusterOf(node);
  for (const b of built) {
    const disabled =
      field(b.doc, "metadata", "labels", SUBSTITUTE) === "disabled" || field(b.doc, "metadata", "annotations", SUBSTITUTE) === "disabled";
    const problems: Problem[] = [];
    const doc = substitute && !disabled ? (substituteObject(b.doc, substitute, problems) as Record<string, unknown>) : b.doc;
    const kind = String(doc.kind);
    const name = String(field(doc, "metadata", "name"));
    const file = b.file ?? node.file;
    const at = b.file ? findDocument(files, b.file, kind, name) : undefined;
    const line = at?.line ?? node.line;
    const locate = (fieldPath: string[]) => {
      const value = field(doc, ...fieldPath);
      if (at && same(field(at.doc, ...fieldPath), value)) return { file, line };
      for (const p of [...fluxPatches, ...patches].reverse()) {
        const i = p.docs.findIndex((d) => patchSets(d, kind, fieldPath, value));
        if (i < 0) continue;
        const startLine = p.parsed?.docs[i]?.line ?? p.line;
        return { file: p.file, line: p.parsed ? lineOfField(p.parsed.source, startLine, fieldPath) : p.line };
      }
      return undefined;
    };
    const sets = objectsOf({ doc, line }, "");
    for (const o of sets.objects) {
      const own = o.via ? o.problems : [...problems, ...(o.problems ?? [])];
      const checked: CheckedObject = {
        doc: o.doc,
        file,
        line,
        env,
        locate: o.via ? undefined : locate,
        problems: own?.length ? own : undefined,
      };
      appliers.set(checked, o.via ?? label);
      clusters.set(checked, cluster);
      objects.push(checked);
      if (String(o.doc.apiVersion).startsWith(FLUX_KUSTOMIZE_GROUP) && o.doc.kind === "Kustomization") {
        children.push({
          name: String(field(o.doc, "metadata", "name")),
          namespace: text(field(o.doc, "metadata", "namespace")) ?? "default",
          spec: (field(o.doc, "spec") ?? {}) as Record<string, unknown>,
          file,
          line,
          object: checked,
          cluster,
        });
      }
    }
    result.notes.push(...sets.notes);
  }
  return { objects: [...remoteBases, ...objects], children };
}

/**
 * The remote bases of a build as subjects for git-source-allowed: one kustomize Kustomization per file,
 * holding only its remote entries (so nothing else in the file is checked twice).
 */
function remoteBaseObjects(remote: BuildInput[], root: string, env: EnvironmentContext, label: string): CheckedObject[] {
  const byFile = new Map<string, BuildInput[]>();
  for (const r of remote) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  return [...byFile].map(([file, entries]) => {
    const doc: Record<string, unknown> = {
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      metadata: { name: relative(root, file).split(sep).join("/") },
    };
    for (const e of entries) doc[e.key] = [...((doc[e.key] as string[] | undefined) ?? []), e.entry];
    let source = "";
    try {
      source = readFileSync(file, "utf8");
    } catch {
      // line 1
    }
    const line = source ? lineOfField(source, 1, [entries[0]!.key]) : 1;
    const checked: CheckedObject = { doc, file, line, env };
    appliers.set(checked, `${label} (remote base)`);
    return checked;
  });
}

function locateInFile(files: Files, file: string, line: number, path: string[]): number {
  const parsed = files.get(file);
  return parsed ? lineOfField(parsed.source, line, path) : line;
}

interface SubstituteLookup {
  /** Which Kustomization (label) applied a built object. */
  appliedBy: WeakMap<object, string>;
  /** The Kustomizations that applied this one, its parent first: what they applied exists before it. */
  ancestors: (label: string) => Set<string>;
  /** The artifact file that holds a ConfigMap or Secret, when the graph has not built it. */
  inGit: (ref: SubstituteRef, namespace: string) => string | undefined;
}

/**
 * The variables of a Kustomization's postBuild, or undefined when Flux would substitute nothing
 * (fluxcd/pkg kustomize/v1.27.1 kustomize_varsub.go SubstituteVariables: only when there are variables;
 * newlines are removed from every value). An optional substituteFrom object that Flux may or may not find
 * (applied by a Kustomization this one does not depend on, or in Git but not applied before it) is a
 * problem on the Kustomization: what Flux substitutes is not one known value.
 */
function substitution(
  node: FluxNode,
  builtSoFar: Record<string, unknown>[],
  result: CheckResult,
  refs: SubstituteLookup,
  problems: Problem[],
): { vars: Record<string, string>; keepUnknown: boolean } | undefined {
  const postBuild = node.spec.postBuild;
  if (postBuild === undefined || postBuild === null) return undefined;
  const vars: Record<string, string> = {};
  let keepUnknown = false;
  const label = `Kustomization ${node.namespace}/${node.name}`;
  const before = refs.ancestors(`Kustomization ${node.namespace}/${node.name}`);
  const dependsOn = new Set(
    asArray(node.spec.dependsOn).map(
      (d) => `Kustomization ${text(field(d, "namespace")) ?? node.namespace}/${text(field(d, "name")) ?? ""}`,
    ),
  );
  for (const ref of substituteRefs(node.spec)) {
    const { kind, name } = ref;
    const obj = findRef(builtSoFar, ref, node.namespace);
    const data = obj ? (field(obj, "data") as Record<string, unknown> | undefined) : undefined;
    if (!obj) {
      const file = ref.optional ? refs.inGit(ref, node.namespace) : undefined;
      if (file) {
        keepUnknown = true;
        problems.push({
          message:
            `substituteFrom ${kind}/${name} is optional and in Git (${file.split(sep).slice(-2).join("/")}), but not applied before ` +
            `${label}: Flux substitutes with or without it depending on what the cluster holds, so its variables count as unset here`,
          at: ["spec", "postBuild", "substituteFrom"],
        });
        continue;
      }
      // Optional and absent: Flux skips it (LoadVariables), it adds no variables.
      // Required: it must exist in the cluster, with values not known here.
      if (ref.optional) continue;
      keepUnknown = true;
      result.notes.push({
        file: node.file,
        line: node.line,
        message: `${label}: substituteFrom ${kind}/${name} is not in Git: a value that uses one of its variables counts as unset here`,
      });
      continue;
    }
    const by = refs.appliedBy.get(obj);
    if (ref.optional && by && !before.has(by) && !dependsOn.has(by)) {
      problems.push({
        message:
          `substituteFrom ${kind}/${name} is optional and applied by ${by}, which ${label} does not depend on (spec.dependsOn): ` +
          "Flux may substitute before it exists, with none of its variables; only the values with it are checked here",
        at: ["spec", "postBuild", "substituteFrom"],
      });
    }
    for (const [k, v] of Object.entries(data ?? {})) {
      if (typeof v === "string") vars[k] = (kind === "Secret" ? Buffer.from(v, "base64").toString("utf8") : v).replace(/\n/g, "");
    }
    for (const [k, v] of Object.entries((field(obj, "stringData") as Record<string, unknown> | undefined) ?? {})) {
      if (typeof v === "string") vars[k] = v.replace(/\n/g, "");
    }
  }
  for (const [k, v] of Object.entries((field(postBuild, "substitute") as Record<string, unknown> | undefined) ?? {})) {
    vars[k] = String(v).replace(/\n/g, "");
  }
  if (Object.keys(vars).length === 0 && !keepUnknown && field(postBuild, "substituteStrategy") !== "Always") return undefined;
  return { vars, keepUnknown };
}
