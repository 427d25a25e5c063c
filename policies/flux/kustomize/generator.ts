// Flux's own fields written into a path's kustomization file, or a generated one listing the path's files, as
// fluxcd/pkg kustomize/kustomize_generator.go Generator.WriteFile does (v1.24.0 and v1.27.1; see ../kustomize.ts).
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";
import yaml from "js-yaml";
import { UserError } from "../../../infra/errors.ts";
import { assertBoundedExpansion } from "../../bounds.ts";

export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
export const ORIGIN = "config.kubernetes.io/origin";

/**
 * The fields of a Flux Kustomization's spec that change what kustomize builds. A string field that is
 * present (even empty) replaces the file's own, as unstructured.NestedString's `ok` does in the generator.
 */
export interface FluxBuildSpec {
  targetNamespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  patches?: unknown[];
  components?: string[];
  ignoreMissingComponents?: boolean;
  images?: unknown[];
}

/** The build fields of a Flux Kustomization's spec, as the generator reads them. */
export function fluxBuildSpec(spec: Record<string, unknown>): FluxBuildSpec {
  const str = (key: string) => {
    const v = spec[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw new BuildError(`spec.${key} is not a string`);
    return v;
  };
  const list = (v: unknown) => (Array.isArray(v) ? v : []);
  return {
    targetNamespace: str("targetNamespace"),
    namePrefix: str("namePrefix"),
    nameSuffix: str("nameSuffix"),
    patches: list(spec.patches),
    components: list(spec.components).filter((c): c is string => typeof c === "string"),
    ignoreMissingComponents: spec.ignoreMissingComponents === true,
    images: list(spec.images),
  };
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
export function generatedResources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    // filepath.Walk's order: names sorted by bytes (os.ReadDir)
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)))) {
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

export const rel = (from: string, to: string) => relative(from, to).split(sep).join("/") || ".";

/** kustomize's IsLocalRelativePath (fluxcd/pkg kustomize_generator.go): what spec.components may name. */
export function isLocalRelativePath(path: string): boolean {
  for (const p of ["git::", "gh:", "ssh://", "https://", "http://", "git@", "github.com:", "github.com/"]) {
    if (p.length < path.length && path.slice(0, p.length).toLowerCase() === p) return false;
  }
  return (
    !path.startsWith("/") &&
    !path
      .toLowerCase()
      .replace(/^file:\/\//, "")
      .startsWith("/")
  );
}

export const has = (spec: FluxBuildSpec) =>
  spec.targetNamespace !== undefined ||
  spec.namePrefix !== undefined ||
  spec.nameSuffix !== undefined ||
  !!spec.patches?.length ||
  !!spec.components?.length ||
  !!spec.images?.length;

/**
 * The kustomization file kustomize-controller builds for `dir` (Generator.WriteFile): where it goes and its
 * content, or undefined when Flux would build the file in the folder unchanged (its round trip through
 * kustomize's types changes nothing kustomize reads).
 */
export function generatedKustomization(dir: string, spec: FluxBuildSpec): { file: string; content: Record<string, unknown> } | undefined {
  const existing = kustomizationFile(dir);
  let k: Record<string, unknown>;
  if (existing) {
    let doc: unknown;
    try {
      doc = yaml.load(readFileSync(existing, "utf8"));
      assertBoundedExpansion(doc); // it is written out again, aliases expanded
    } catch (e) {
      throw new BuildError(`${basename(existing)}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    }
    const resources =
      doc !== null && typeof doc === "object" && !Array.isArray(doc) ? (doc as Record<string, unknown>).resources : undefined;
    const noResources = !Array.isArray(resources) || resources.length === 0;
    if (!has(spec) && !noResources) return undefined;
    k = doc !== null && typeof doc === "object" && !Array.isArray(doc) ? { ...(doc as Record<string, unknown>) } : {};
    k.apiVersion ??= "kustomize.config.k8s.io/v1beta1";
    k.kind ??= "Kustomization";
    if (noResources) k.buildMetadata = ["originAnnotations"];
  } else {
    const resources = generatedResources(dir).map((p) => `./${rel(dir, p)}`);
    k = { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization" };
    if (resources.length) k.resources = resources;
    else k.namespace = "_placeholder";
  }
  writeFluxFields(k, spec, dir);
  return { file: existing ?? join(dir, "kustomization.yaml"), content: k };
}

/** Flux's spec fields written into the kustomization `k` (Generator.WriteFile, after the file's own). */
function writeFluxFields(k: Record<string, unknown>, spec: FluxBuildSpec, dir: string): void {
  const set = (key: string, v: string | undefined) => {
    if (v === undefined) return;
    if (v === "")
      delete k[key]; // omitempty: an empty Flux field removes the file's
    else k[key] = v;
  };
  set("namespace", spec.targetNamespace);
  set("namePrefix", spec.namePrefix);
  set("nameSuffix", spec.nameSuffix);
  if (spec.patches?.length) {
    const own = Array.isArray(k.patches) ? k.patches : [];
    k.patches = [
      ...own,
      ...spec.patches.map((p) => {
        const patch = (p ?? {}) as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        if (typeof patch.patch === "string" && patch.patch !== "") out.patch = patch.patch;
        const t = patch.target as Record<string, unknown> | undefined | null;
        if (t && typeof t === "object") {
          const target: Record<string, unknown> = {};
          for (const f of ["group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"]) {
            if (typeof t[f] === "string" && t[f] !== "") target[f] = t[f];
          }
          out.target = target;
        }
        return out;
      }),
    ];
  }
  const components: string[] = [];
  for (const c of spec.components ?? []) {
    if (!isLocalRelativePath(c)) throw new BuildError(`component path '${c}' must be local and relative`);
    if (spec.ignoreMissingComponents && !existsSync(join(dir, c))) continue;
    components.push(c);
  }
  if (components.length) k.components = [...(Array.isArray(k.components) ? k.components : []), ...components];
  if (spec.images?.length) {
    const images = Array.isArray(k.images) ? [...(k.images as unknown[])] : [];
    for (const i of spec.images) {
      const image = (i ?? {}) as Record<string, unknown>;
      const entry: Record<string, unknown> = {};
      for (const f of ["name", "newName", "newTag", "digest"]) if (typeof image[f] === "string" && image[f] !== "") entry[f] = image[f];
      const at = images.findIndex((e) => (e as Record<string, unknown> | null)?.name === (image.name ?? ""));
      if (at >= 0) images[at] = entry;
      else images.push(entry);
    }
    k.images = images;
  }
}

/**
 * Builds that write a generated kustomization into the shared artifact copy hold it alone; builds of a
 * folder as it is share it. (Flux builds each Kustomization in its own copy of the artifact.)
 */
