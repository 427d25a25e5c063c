// Builds one Flux Kustomization's path the way kustomize-controller does (v1.9.x, fluxcd/pkg kustomize):
// a kustomization.yaml is generated when the folder has none (every .yaml/.yml file, sub-folders with
// their own kustomization as one resource each), the Flux spec fields (targetNamespace, namePrefix,
// nameSuffix, patches, components, images) are laid over it, and `kubectl kustomize` builds it with
// LoadRestrictionsNone and no plugins (no Helm, no exec). The overlay is written to a temporary folder,
// never into the repository; origin annotations map each built object back to its file.
//
// Why kubectl: its embedded kustomize (v5) is the same kustomize/api Flux builds with, kubectl is on every
// machine that talks to a cluster (and on this project's CI image), and it needs no plugin setup. The
// standalone `kustomize` binary would do the same; KUBECTL may name either (`kustomize build` is used then).
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import yaml from "js-yaml";
import { UserError } from "../infra/errors.ts";
import { loadAllBounded, loadBounded } from "../infra/yaml.ts";
import { isRemoteEntry } from "./urls.ts";

export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
const ORIGIN = "config.kubernetes.io/origin";

/** The fields of a Flux Kustomization's spec that change what kustomize builds. */
export interface FluxBuildSpec {
  targetNamespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  patches?: unknown[];
  components?: string[];
  ignoreMissingComponents?: boolean;
  images?: unknown[];
}

export interface BuiltObject {
  doc: Record<string, unknown>;
  /** Absolute path of the file the object came from (or of the kustomization that generated it); none: the Flux spec. */
  file?: string;
}

/** The build failed the way kustomize-controller's would: Flux would not apply this path. */
export class BuildError extends Error {
  override name = "BuildError";
}

/** kubectl (or kustomize) is missing: graph mode cannot work, say how to get it. */
export class MissingKustomizeError extends UserError {
  override name = "MissingKustomizeError";
  override readonly exitCode = 2;
}

export function kustomizationFile(dir: string): string | undefined {
  for (const name of KUSTOMIZATION_FILES) {
    const file = join(dir, name);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** What kustomize-controller generates for a folder without a kustomization file. */
function generatedResources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(d, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const st = statSync(path);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue;
        }
      }
      if (isDir) {
        if (kustomizationFile(path)) out.push(path);
        else walk(path);
      } else if (isFile && /\.ya?ml$/.test(entry.name)) out.push(path);
    }
  };
  walk(dir);
  return out;
}

const rel = (from: string, to: string) => relative(from, to).split(sep).join("/") || ".";

let workCounter = 0;

/** Writes the overlay kustomization for `dir` with the Flux fields; returns its folder. */
function writeOverlay(dir: string, spec: FluxBuildSpec, workDir: string): string {
  const overlay = join(workDir, `k${++workCounter}`);
  mkdirSync(overlay, { recursive: true });
  const resources = kustomizationFile(dir) ? [rel(overlay, dir)] : generatedResources(dir).map((p) => rel(overlay, p));
  const components = (spec.components ?? [])
    .map((c) => resolve(dir, c))
    .filter((c) => !spec.ignoreMissingComponents || existsSync(c))
    .map((c) => rel(overlay, c));
  const k: Record<string, unknown> = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources,
    buildMetadata: ["originAnnotations"],
  };
  if (resources.length === 0) k.namespace = "_placeholder";
  if (spec.targetNamespace) k.namespace = spec.targetNamespace;
  if (spec.namePrefix) k.namePrefix = spec.namePrefix;
  if (spec.nameSuffix) k.nameSuffix = spec.nameSuffix;
  if (spec.patches?.length) k.patches = spec.patches;
  if (components.length) k.components = components;
  if (spec.images?.length) k.images = spec.images;
  writeFileSync(join(overlay, "kustomization.yaml"), yaml.dump(k));
  return overlay;
}

const HOW_TO_GET =
  "graph mode builds with `kubectl kustomize` as kustomize-controller does: install kubectl " +
  "(https://kubernetes.io/docs/tasks/tools/) or set KUBECTL to its path, or check folders with `npm run policy -- PATHS`";

/**
 * The reason of a failed build on one line: klog's `"command failed" err="…"` unquoted, or its multi-line
 * form (`err=<`, tab-indented lines, ` >`) joined; otherwise the first line kubectl printed.
 */
export function reason(stderr: string): string | undefined {
  const lines = stderr.split("\n");
  const at = lines.findIndex((l) => /"command failed" err=/.test(l));
  if (at >= 0) {
    const rest = lines[at]!.slice(lines[at]!.indexOf("err=") + 4);
    if (rest.trim() === "<") {
      const block: string[] = [];
      for (const l of lines.slice(at + 1)) {
        if (l.trim() === ">") break;
        if (l.trim() !== "") block.push(l.trim());
      }
      return block.join(" ");
    }
    try {
      return JSON.parse(rest.trim()) as string;
    } catch {
      return rest.trim();
    }
  }
  return lines
    .find((l) => l.trim() !== "")
    ?.replace(/^E\d+ [\d:.]+\s+\d+ \w+\.go:\d+\] /, "")
    .trim();
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile(command, args, { maxBuffer: 256 * 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === "ENOENT") {
        fail(new MissingKustomizeError(`${command} not found: ${HOW_TO_GET}`));
      } else if (error) {
        fail(new BuildError(reason(stderr) ?? error.message));
      } else done(stdout);
    });
  });
}

/** Maps the origin annotation back to a file and removes it (and an annotations map it leaves empty). */
function takeOrigin(doc: Record<string, unknown>, overlay: string): string {
  const meta = doc.metadata as Record<string, unknown> | undefined;
  const annotations = meta?.annotations as Record<string, string> | undefined;
  const origin = annotations?.[ORIGIN];
  if (annotations === undefined || origin === undefined) return overlay;
  delete annotations[ORIGIN];
  if (Object.keys(annotations).length === 0) delete meta!.annotations;
  const parsed = loadBounded(origin) as { path?: string; configuredIn?: string } | null;
  const path = parsed?.path ?? parsed?.configuredIn;
  return path ? resolve(overlay, path) : overlay;
}

/**
 * Builds `dir` with the Flux spec laid over it. Throws BuildError (Flux would fail too) or
 * MissingKustomizeError.
 */
export async function kustomizeBuild(dir: string, spec: FluxBuildSpec, workDir: string, root?: string): Promise<BuiltObject[]> {
  const overlay = writeOverlay(dir, spec, workDir);
  const kubectl = process.env.KUBECTL || "kubectl";
  const args =
    basename(kubectl) === "kustomize"
      ? ["build", "--load-restrictor", "LoadRestrictionsNone", overlay]
      : ["kustomize", "--load-restrictor", "LoadRestrictionsNone", overlay];
  let out: string;
  try {
    out = await run(kubectl, args);
  } catch (e) {
    // Paths in kustomize's reason relative to the repository, not to the temporary copy.
    if (e instanceof BuildError && root)
      throw new BuildError(
        e.message
          .split(`${rel(overlay, root)}/`)
          .join("")
          .split(`${root}${sep}`)
          .join(""),
      );
    throw e;
  }
  const objects: BuiltObject[] = [];
  for (const doc of loadAllBounded(out)) {
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) continue;
    const d = doc as Record<string, unknown>;
    const file = takeOrigin(d, overlay);
    objects.push({ doc: d, file: file.startsWith(overlay + sep) || file === overlay ? undefined : file });
  }
  return objects;
}

/** Where a build reads something the checker must look at before building. */
export interface BuildInput {
  /** The entry as written (`resources: [<entry>]`, a patch path, a generator file). */
  entry: string;
  /** Absolute path of the kustomization file that names it. */
  file: string;
  /** The kustomization key that names it. */
  key: string;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** Every path a kustomization file names, with the key that names it; `key=path` generator files split. */
function pathsOf(doc: Record<string, unknown>): { entry: string; key: string; tree: boolean }[] {
  const out: { entry: string; key: string; tree: boolean }[] = [];
  const add = (v: unknown, key: string, tree = false) => {
    const s = str(v);
    if (s) out.push({ entry: s, key, tree });
  };
  for (const key of ["resources", "components", "bases"]) for (const r of asList(doc[key])) add(r, key, true);
  for (const key of ["crds", "configurations", "patchesStrategicMerge", "generators", "transformers", "validators"]) {
    for (const r of asList(doc[key])) add(r, key);
  }
  for (const key of ["patches", "patchesJson6902", "replacements"]) {
    for (const p of asList(doc[key])) add((p as Record<string, unknown> | null)?.path, key);
  }
  for (const key of ["configMapGenerator", "secretGenerator"]) {
    for (const g of asList(doc[key]) as (Record<string, unknown> | null)[]) {
      for (const f of asList(g?.files)) if (typeof f === "string") add(f.replace(/^[^=]*=/, ""), key);
      for (const f of asList(g?.envs)) add(f, key);
      add(g?.env, key);
    }
  }
  add((doc.openapi as Record<string, unknown> | null | undefined)?.path, "openapi");
  return out;
}

/**
 * What a build of `dir` (with the Flux spec's components) reads that Flux would not build offline or at all:
 * remote entries (fetched over the network) and paths that resolve outside `root` (Flux builds on a file
 * system confined to the artifact, fluxcd/pkg kustomize/filesys fs_secure.go, and refuses them).
 */
export function buildInputs(
  dir: string,
  components: string[],
  root: string,
): { remote: BuildInput[]; outside: BuildInput[]; local: string[] } {
  const remote: BuildInput[] = [];
  const outside: BuildInput[] = [];
  /** Every file or folder inside `root` a kustomization names (what kustomize will read besides `dir`). */
  const local: string[] = [];
  const seen = new Set<string>();
  const inside = (p: string) => p === root || p.startsWith(root + sep);
  const visitDir = (d: string) => {
    const file = kustomizationFile(d);
    if (file) visitFile(file);
    else if (existsSync(d) && statSync(d).isDirectory()) {
      for (const r of generatedResources(d)) if (kustomizationFile(r)) visitFile(kustomizationFile(r)!);
    }
  };
  const visitFile = (file: string) => {
    if (seen.has(file) || seen.size > 500) return;
    seen.add(file);
    let docs: unknown[];
    try {
      docs = loadAllBounded(readFileSync(file, "utf8"));
    } catch {
      return; // kustomize reports it
    }
    const doc = docs[0];
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return;
    const base = dirname(file);
    for (const { entry, key, tree } of pathsOf(doc as Record<string, unknown>)) {
      const localPath = resolve(base, entry);
      if (tree && !existsSync(localPath) && isRemoteEntry(entry)) remote.push({ entry, file, key });
      else if (!inside(localPath)) outside.push({ entry, file, key });
      else {
        local.push(localPath);
        if (tree && existsSync(localPath) && statSync(localPath).isDirectory()) visitDir(localPath);
      }
    }
  };
  visitDir(dir);
  for (const c of components) {
    const localPath = resolve(dir, c);
    if (!inside(localPath)) outside.push({ entry: c, file: dir, key: "spec.components" });
    else {
      local.push(localPath);
      visitDir(localPath);
    }
  }
  return { remote, outside, local };
}
