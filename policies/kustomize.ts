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
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";
import yaml from "js-yaml";
import { UserError } from "../infra/errors.ts";

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

function run(command: string, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile(command, args, { maxBuffer: 256 * 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === "ENOENT") {
        fail(new MissingKustomizeError(`${command} not found: ${HOW_TO_GET}`));
      } else if (error) {
        const line = stderr.split("\n").find((l) => l.trim() !== "") ?? error.message;
        fail(new BuildError(line.replace(/^E\d+ [\d:.]+\s+\d+ run\.go:\d+\] /, "").trim()));
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
  const parsed = yaml.load(origin) as { path?: string; configuredIn?: string } | null;
  const path = parsed?.path ?? parsed?.configuredIn;
  return path ? resolve(overlay, path) : overlay;
}

/**
 * Builds `dir` with the Flux spec laid over it. Throws BuildError (Flux would fail too) or
 * MissingKustomizeError.
 */
export async function kustomizeBuild(dir: string, spec: FluxBuildSpec, workDir: string): Promise<BuiltObject[]> {
  const overlay = writeOverlay(dir, spec, workDir);
  const kubectl = process.env.KUBECTL || "kubectl";
  const args =
    basename(kubectl) === "kustomize"
      ? ["build", "--load-restrictor", "LoadRestrictionsNone", overlay]
      : ["kustomize", "--load-restrictor", "LoadRestrictionsNone", overlay];
  const out = await run(kubectl, args);
  const objects: BuiltObject[] = [];
  for (const doc of yaml.loadAll(out)) {
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) continue;
    const d = doc as Record<string, unknown>;
    const file = takeOrigin(d, overlay);
    objects.push({ doc: d, file: file.startsWith(overlay + sep) || file === overlay ? undefined : file });
  }
  return objects;
}
