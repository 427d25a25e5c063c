// Renders typed objects into `cluster/<env>/`: one YAML file per object plus a kustomization.yaml, all
// carrying a generated-file header. Everything is validated before the first byte is written; only files
// with the header are ever replaced or removed, so hand-written files beside them are safe. The files
// reach the disk through infra/render/tree.ts, which swaps in a whole environment folder at once.
import yaml from "js-yaml";
import { isLabelPath } from "../grammar/kubernetes.ts";
import { isSopsEncrypted } from "../sops.ts";
import { RenderError } from "./errors.ts";
import { valueMarkers, writeMarkers, type ValueMarker } from "./markers.ts";
import { keepOwnedValues, refuseDroppedOwnedValues, type OwnedValueOptions } from "./ownership.ts";
import { checkTrees, HEADER_MARKER, writeTrees, type CheckReport, type Tree, type WriteReport } from "./tree.ts";
import { violations, type Validatable } from "./validate.ts";

export { HEADER_MARKER };
export type { CheckReport, WriteReport } from "./tree.ts";

export const HEADER = `${HEADER_MARKER} (npm run render) from the definitions in stacks/. Do not edit by hand.\n`;
export const KUSTOMIZATION_FILE = "kustomization.yaml";

export interface RenderObject extends Validatable {
  kind: string;
  toJSON(): unknown;
}

/** A subfolder of the environment's folder with its own kustomization.yaml, applied by its own Flux Kustomization. */
export interface Layer {
  /** Relative to the environment's folder, `/`-separated, e.g. `infrastructure/controllers`. */
  path: string;
  objects: RenderObject[];
}

export interface Environment {
  name: string;
  /** Output folder relative to the repository root, e.g. `cluster/dev`. */
  dir: string;
  /** The objects of the folder itself (for a layered environment: the Flux Kustomizations of its layers). */
  objects: RenderObject[];
  /** Subfolders, each with its own kustomization.yaml; not listed in the folder's own kustomization.yaml. */
  layers?: Layer[];
}

/** Stable, machine-independent YAML: sorted keys, no line folding, no anchors. */
export function toYaml(doc: unknown): string {
  return yaml.dump(doc, { sortKeys: true, lineWidth: -1, noRefs: true });
}

// Order of the resources in kustomization.yaml: namespaces, then sources and secrets, then what uses them.
const KIND_RANK: Record<string, number> = {
  Namespace: 0,
  Secret: 1,
  GitRepository: 1,
  HelmRepository: 1,
  OCIRepository: 1,
};

function objectRef(obj: RenderObject): string {
  const { name = "<unnamed>", namespace } = obj.metadata ?? {};
  return `${obj.kind} ${namespace ? `${namespace}/` : ""}${name}`;
}

/** `<kind>_<namespace>_<name>.yaml`; `_` never occurs in Kubernetes names, so names cannot collide. */
export function fileName(obj: RenderObject): string {
  const { name = "", namespace } = obj.metadata ?? {};
  return `${[obj.kind.toLowerCase(), namespace, name].filter(Boolean).join("_")}.yaml`;
}

/** One object's file: the header, its YAML, and Flux's setter marker on each value image automation owns. */
function serialise(obj: RenderObject, doc: Record<string, unknown>, where: string): string {
  let content: string;
  try {
    content = HEADER + toYaml(doc);
  } catch (err) {
    if (!(err instanceof yaml.YAMLException)) throw err;
    throw new RenderError(`${where}: ${objectRef(obj)} cannot be written as YAML: ${err.reason}`);
  }
  return writeMarkers(content, valueMarkers(obj), `${where}: ${objectRef(obj)}`);
}

/** A planned environment: its files, and the values image automation owns in each (by the same path). */
interface Planned {
  files: Map<string, string>;
  markers: Map<string, readonly ValueMarker[]>;
}

/** The files of one folder (name → content, kustomization.yaml last), after validating every object. */
function planFolder(where: string, objects: RenderObject[]): Planned {
  const docs: { file: string; rank: number; content: string }[] = [];
  const markers = new Map<string, readonly ValueMarker[]>();
  const seen = new Set<string>();
  for (const obj of objects) {
    const problems = violations(obj);
    if (problems.length > 0) {
      throw new RenderError(`${where}: ${objectRef(obj)}: ${problems.map((p) => `${p.field} ${p.message}`).join("; ")}`);
    }
    const doc = obj.toJSON() as Record<string, unknown>;
    if (obj.kind === "Secret" && !isSopsEncrypted(doc)) {
      throw new RenderError(
        `${where}: ${objectRef(obj)} is a plaintext Secret; encrypt it with SOPS first (plaintext Secrets are never written to the repository)`,
      );
    }
    const file = fileName(obj);
    if (seen.has(file) || file === KUSTOMIZATION_FILE) {
      throw new RenderError(`${where}: ${objectRef(obj)} is defined twice (both render to ${file})`);
    }
    seen.add(file);
    const content = serialise(obj, doc, where);
    if (valueMarkers(obj).length > 0) markers.set(file, valueMarkers(obj));
    docs.push({ file, rank: KIND_RANK[obj.kind] ?? 2, content });
  }
  docs.sort((a, b) => a.rank - b.rank || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const files = new Map(docs.map((d) => [d.file, d.content]));
  const kustomization = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources: docs.map((d) => d.file),
  };
  files.set(KUSTOMIZATION_FILE, HEADER + toYaml(kustomization));
  return { files, markers };
}

/**
 * The files of one environment (path relative to its folder → content), after validating every object:
 * the folder's own files, then each layer's under `<layer path>/`.
 */
export function planEnvironment(env: Environment): Map<string, string> {
  return planWithMarkers(env).files;
}

function planWithMarkers(env: Environment): Planned {
  const where = `environment "${env.name}"`;
  const { files, markers } = planFolder(where, env.objects);
  const paths = new Set<string>();
  for (const layer of env.layers ?? []) {
    if (!isLabelPath(layer.path)) {
      throw new RenderError(
        `${where}: layer ${JSON.stringify(layer.path)} must be a relative folder of lower-case names, e.g. infrastructure/controllers`,
      );
    }
    const clash = [...paths].find((p) => p === layer.path || p.startsWith(`${layer.path}/`) || layer.path.startsWith(`${p}/`));
    if (clash !== undefined) throw new RenderError(`${where}: layers "${clash}" and "${layer.path}" overlap; give each its own folder`);
    paths.add(layer.path);
    const folder = planFolder(`${where}, layer ${layer.path}`, layer.objects);
    for (const [file, content] of folder.files) files.set(`${layer.path}/${file}`, content);
    for (const [file, marked] of folder.markers) markers.set(`${layer.path}/${file}`, marked);
  }
  return { files, markers };
}

export interface RenderOptions extends OwnedValueOptions {
  /**
   * The folders are what Flux applies (cluster/<env>): a hand-written YAML file in one that no kustomization
   * includes is an error (infra/included.ts). The render CLI sets it.
   */
  refuseUnapplied?: boolean;
  /** checkEnvironments: report the content of each stale file on disk and as rendered (`changes`), for a diff. */
  changes?: boolean;
}

/** Writes nothing; lists generated files that differ, are missing or should no longer exist, and leftovers. */
export function checkEnvironments(root: string, envs: Environment[], options: RenderOptions = {}): CheckReport {
  return checkTrees(
    root,
    envs.map((env) => tree(env, options)),
    { changes: options.changes },
  );
}

/** Brings every environment folder up to date; files already identical are left untouched. */
export function writeEnvironments(root: string, envs: Environment[], options: RenderOptions = {}): WriteReport {
  return writeTrees(
    root,
    envs.map((env) => tree(env, options)),
  );
}

/**
 * Validates an environment and plans its files (throws RenderError before anything is written). A value
 * image automation owns (it carries the setter marker the definitions place) keeps the automation's
 * value from the file on disk, so render neither flags nor undoes its commits; a value it owned that the
 * definitions no longer mark is not replaced silently (ownership.ts).
 */
function tree(env: Environment, options: RenderOptions): Tree {
  const { files, markers } = planWithMarkers(env);
  return {
    name: env.name,
    dir: env.dir,
    files,
    fluxFolder: options.refuseUnapplied,
    settle(onDisk) {
      for (const [file, current] of onDisk) {
        const content = files.get(file);
        const where = `${env.dir}/${file}`;
        if (content === undefined) refuseDroppedOwnedValues(where, current, undefined, options);
        else files.set(file, keepOwnedValues(content, current, markers.get(file) ?? [], where, options));
      }
    },
  };
}
