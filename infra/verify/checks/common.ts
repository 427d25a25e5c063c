// What the install checks share: reading objects that may be malformed (every accessor tolerates a
// missing or non-object field), naming an object in a finding, the pod specs of workloads, and the
// lookups of built-in and Flux model classes.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { ClusterObject, ClusterView, Finding, Manifest } from "../model.ts";

export type Rec = Record<string, unknown>;

export const isRecord = (v: unknown): v is Rec => v !== null && typeof v === "object" && !Array.isArray(v);
export const asRecord = (v: unknown): Rec => (isRecord(v) ? v : {});
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

export const kindOf = (m: Manifest): string => str(m.kind) ?? "<no kind>";
export const nameOf = (m: Manifest): string | undefined => str(asRecord(m.metadata).name);
export const namespaceOf = (m: Manifest): string | undefined => str(asRecord(m.metadata).namespace);

/** `Kind namespace/name (origin)`, or `Kind name (origin)` for an object without a namespace. */
export function describe(o: ClusterObject): string {
  const m = isRecord(o.manifest) ? o.manifest : ({} as Manifest);
  const ns = namespaceOf(m);
  const name = nameOf(m) ?? "<no name>";
  return `${kindOf(m)} ${ns === undefined ? name : `${ns}/${name}`} (${o.origin}${o.hook ? ", hook" : ""})`;
}

export const finding = (check: string, o: ClusterObject, message: string): Finding => ({ check, object: describe(o), message });

/** `[group, version]` of an apiVersion (`v1` is the core group ""), or undefined when it is not a string of that shape. */
export function groupVersion(apiVersion: unknown): [string, string] | undefined {
  if (typeof apiVersion !== "string" || apiVersion === "") return undefined;
  const parts = apiVersion.split("/");
  if (parts.length === 1) return ["", parts[0]!];
  if (parts.length === 2 && parts[0] !== "" && parts[1] !== "") return [parts[0]!, parts[1]!];
  return undefined;
}

export const isFluxGroup = (group: string): boolean => group.endsWith(".toolkit.fluxcd.io");

/** The objects of the view whose manifests are objects at all (the others are reported by the schema check). */
export const objectsOf = (view: ClusterView): ClusterObject[] =>
  asArray(view.objects).filter((o): o is ClusterObject => isRecord(o) && isRecord(o.manifest));

export interface PodTemplate {
  /** Where the pod spec sits in the object, e.g. `spec.template.spec`. */
  path: string;
  spec: Rec;
}

/** Kinds whose objects carry pod templates, and the path to the pod spec. */
export const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

const BUILTIN_WORKLOAD_GROUPS: Readonly<Record<string, string>> = {
  Pod: "",
  Deployment: "apps",
  StatefulSet: "apps",
  DaemonSet: "apps",
  ReplicaSet: "apps",
  Job: "batch",
  CronJob: "batch",
};

/** Whether `m` is a built-in workload (by kind and group). */
export function isWorkload(m: Manifest): boolean {
  const kind = str(m.kind);
  const gv = groupVersion(m.apiVersion);
  return kind !== undefined && Object.hasOwn(BUILTIN_WORKLOAD_GROUPS, kind) && gv !== undefined && gv[0] === BUILTIN_WORKLOAD_GROUPS[kind];
}

/** The pod spec of a workload, or a message saying why it cannot be read (fail closed). */
export function podSpecOf(m: Manifest): PodTemplate | { problem: string } {
  const path = POD_SPEC_PATHS[str(m.kind) ?? ""];
  if (path === undefined) return { problem: "is not a workload" };
  let at: unknown = m;
  for (const [i, key] of path.entries()) {
    at = asRecord(at)[key];
    if (!isRecord(at)) return { problem: `${path.slice(0, i + 1).join(".")} is not an object, so its pods cannot be told` };
  }
  return { path: path.join("."), spec: at as Rec };
}

export interface Container {
  /** e.g. `containers[0]` or `initContainers[1]`. */
  where: string;
  container: Rec;
}

/** Every container, init container and ephemeral container of a pod spec; a non-object entry is a problem. */
export function containersOf(spec: Rec): { containers: Container[]; problems: string[] } {
  const containers: Container[] = [];
  const problems: string[] = [];
  for (const field of ["initContainers", "containers", "ephemeralContainers"]) {
    const list = spec[field];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      problems.push(`${field} is not a list`);
      continue;
    }
    list.forEach((c, i) => {
      if (isRecord(c)) containers.push({ where: `${field}[${i}]`, container: c });
      else problems.push(`${field}[${i}] is not an object`);
    });
  }
  return { containers, problems };
}

/** Whether a Deployment in the view runs Istio's control plane (image `…/pilot:<tag>`): istiod. */
export function hasIstiod(view: ClusterView): boolean {
  return objectsOf(view).some((o) => {
    if (o.manifest.kind !== "Deployment" || !isWorkload(o.manifest)) return false;
    const pod = podSpecOf(o.manifest);
    if ("problem" in pod) return false;
    return containersOf(pod.spec).containers.some((c) => /(^|\/)pilot(:|@)/.test(str(c.container.image) ?? ""));
  });
}

const require = createRequire(import.meta.url);
const SEGMENT = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
const VERSION = /^v[0-9]+([a-z]+[0-9]+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

/** A model class of `kubernetes-models` or `@kubernetes-models/flux-cd`: its validate() throws a ValidationError. */
export interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data: unknown): { validate(): void };
}

const models = new Map<string, ModelClass | undefined>();

/**
 * The model class for `apiVersion`/`kind` from `kubernetes-models` (built-in kinds) or, for a
 * `*.toolkit.fluxcd.io` group, `@kubernetes-models/flux-cd`; undefined when the package has none.
 * Loaded one module per kind on first use (`require` of the ES module, synchronous) and cached.
 */
export function modelFor(apiVersion: unknown, kind: unknown): ModelClass | undefined {
  const gv = groupVersion(apiVersion);
  if (gv === undefined || typeof kind !== "string" || !KIND.test(kind)) return undefined;
  const [group, version] = gv;
  if ((group !== "" && !SEGMENT.test(group)) || !VERSION.test(version)) return undefined;
  const key = `${group}/${version}/${kind}`;
  if (models.has(key)) return models.get(key);
  const specifier = isFluxGroup(group)
    ? `@kubernetes-models/flux-cd/${group}/${version}/${kind}`
    : `kubernetes-models/${group === "" ? "" : `${group}/`}${version}/${kind}`;
  let model: ModelClass | undefined;
  try {
    const mod = require(fileURLToPath(import.meta.resolve(specifier))) as Record<string, unknown>;
    const cls = mod[kind] as ModelClass | undefined;
    // Only top-level kinds: `DeploymentSpec` etc. are classes too, without apiVersion and kind.
    if (typeof cls === "function" && cls.kind === kind && cls.apiVersion === (group === "" ? version : `${group}/${version}`)) model = cls;
  } catch {
    model = undefined;
  }
  models.set(key, model);
  return model;
}

/** The CRDs of the view that provide `group`'s `kind`, with where they come from. */
export function crdsFor(view: ClusterView, group: string, kind: string): ClusterObject[] {
  return objectsOf(view).filter((o) => {
    if (o.manifest.kind !== "CustomResourceDefinition" || groupVersion(o.manifest.apiVersion)?.[0] !== "apiextensions.k8s.io") return false;
    const spec = asRecord(o.manifest.spec);
    return spec.group === group && asRecord(spec.names).kind === kind;
  });
}
