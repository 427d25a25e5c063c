// The cluster one environment would become, built from what Flux reads: cluster/<env> as
// kustomize-controller builds it (`kubectl kustomize`, each install layer's folder), every HelmRelease
// rendered with real Helm as helm-controller would install it (infra/helm/release.ts), and what
// Pulumi creates before any of it. The install checks (infra/verify/checks) run over the result.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse, parseAllDocuments } from "yaml";
import type { StackConfig } from "../config/index.ts";
import { SYNC_NAME } from "../contract.ts";
import { UserError } from "../errors.ts";
import type { HelmMajor } from "../helm/binary.ts";
import { renderRelease, type Manifest, type RenderedRelease, type ValuesReference } from "../helm/release.ts";
import { asRecord } from "./checks/common.ts";
import type { ClusterObject, ClusterView } from "./model.ts";
import { pulumiObjects } from "./pulumi.ts";

const run = promisify(execFile);

/** cluster/<env> cannot be read the way Flux would read it; one line. */
export class ViewError extends UserError {
  override name = "ViewError";
}

export interface ViewOptions {
  /** Repository root (the folder holding cluster/). */
  root: string;
  /** Helm major to render with: default the one the stack's Flux version's helm-controller links. */
  helm: HelmMajor;
  /** Kubernetes version of the cluster: default `kubernetes.version` of the stack. */
  kubeVersion: string;
  /** The chart cache folder (default: the repository's charts/). */
  cacheDir?: string;
}

export interface EnvironmentView extends ClusterView {
  releases: RenderedRelease[];
}

const idOf = (o: Manifest) => `${o.metadata?.namespace ?? "default"}/${o.metadata?.name ?? ""}`;
const isFlux = (o: Manifest, kind: string, group: string) => o.kind === kind && (o.apiVersion ?? "").startsWith(`${group}/`);

/** `kubectl kustomize <dir>`: what kustomize-controller applies from a folder with a kustomization.yaml. */
async function build(dir: string, label: string): Promise<Manifest[]> {
  let stdout: string;
  try {
    ({ stdout } = await run(process.env.KUBECTL || "kubectl", ["kustomize", dir], { maxBuffer: 256 * 1024 * 1024 }));
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    if (err.code === "ENOENT")
      throw new ViewError(`${label}: kubectl is not on PATH (needed for \`kubectl kustomize\`, as kustomize-controller builds)`);
    throw new ViewError(`${label}: kustomize build fails: ${(err.stderr || err.message).split("\n").filter(Boolean).join(" ")}`);
  }
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as unknown)
    .filter((v): v is Manifest => v !== null && typeof v === "object" && !Array.isArray(v));
}

/** The Flux Kustomizations of the sync folder in dependsOn order: the install layers. */
function layersOf(rootObjects: Manifest[], cfg: StackConfig, label: string): Manifest[] {
  const ns = cfg.flux.namespace;
  const layers = rootObjects.filter((o) => isFlux(o, "Kustomization", "kustomize.toolkit.fluxcd.io"));
  for (const k of layers) {
    const spec = asRecord(k.spec);
    const src = asRecord(spec.sourceRef);
    if (
      src.kind !== "GitRepository" ||
      src.name !== SYNC_NAME ||
      (src.namespace ?? k.metadata?.namespace) !== ns ||
      k.metadata?.namespace !== ns
    ) {
      throw new ViewError(
        `${label}: Kustomization ${idOf(k)} does not build from the sync GitRepository ${ns}/${SYNC_NAME}; what it applies cannot be told here`,
      );
    }
    for (const field of ["targetNamespace", "namePrefix", "nameSuffix", "patches", "components", "images", "postBuild"]) {
      if (spec[field] !== undefined)
        throw new ViewError(`${label}: Kustomization ${idOf(k)} sets spec.${field}, which this view does not imitate`);
    }
  }
  const ordered: Manifest[] = [];
  const placed = new Set<string>();
  while (ordered.length < layers.length) {
    const next = layers.find(
      (k) =>
        !placed.has(idOf(k)) &&
        ((asRecord(k.spec).dependsOn as { name: string; namespace?: string }[] | undefined) ?? []).every((d) =>
          placed.has(`${d.namespace ?? ns}/${d.name}`),
        ),
    );
    if (!next) throw new ViewError(`${label}: the layers' dependsOn do not form an order (a cycle, or a Kustomization that is not in Git)`);
    ordered.push(next);
    placed.add(idOf(next));
  }
  return ordered;
}

/** `group/version` and `group/version/Kind` of every CRD among `objects`: what Helm's `--api-versions` gets. */
function crdApiVersions(objects: Manifest[]): string[] {
  const out: string[] = [];
  for (const o of objects) {
    if (o.kind !== "CustomResourceDefinition") continue;
    const spec = asRecord(o.spec);
    const kind = String(asRecord(spec.names).kind);
    for (const v of Array.isArray(spec.versions) ? spec.versions : []) {
      const version = asRecord(v);
      if (version.served === false) continue;
      out.push(`${String(spec.group)}/${String(version.name)}`, `${String(spec.group)}/${String(version.name)}/${kind}`);
    }
  }
  return out;
}

/**
 * Kubernetes' cluster-scoped kinds (`kubectl api-resources --namespaced=false` on 1.32, built-in groups):
 * Helm applies every other kind of a release without `metadata.namespace` into the release namespace.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  "APIService",
  "CertificateSigningRequest",
  "ClusterRole",
  "ClusterRoleBinding",
  "ClusterTrustBundle",
  "ComponentStatus",
  "CSIDriver",
  "CSINode",
  "CustomResourceDefinition",
  "FlowSchema",
  "IngressClass",
  "IPAddress",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "MutatingWebhookConfiguration",
  "Namespace",
  "Node",
  "PersistentVolume",
  "PriorityClass",
  "PriorityLevelConfiguration",
  "RuntimeClass",
  "ServiceCIDR",
  "StorageClass",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ValidatingWebhookConfiguration",
  "VolumeAttachment",
  "DeviceClass",
  "ResourceSlice",
  "VolumeAttributesClass",
]);

/** Gives a namespaced object of a release without one the release namespace, as Helm applies it. */
function inNamespace(o: Manifest, namespace: string, crds: Manifest[]): Manifest {
  if (o.metadata?.namespace !== undefined || o.kind === undefined || CLUSTER_SCOPED_KINDS.has(o.kind)) return o;
  const group = (o.apiVersion ?? "").includes("/") ? o.apiVersion!.split("/")[0] : "";
  const crd = crds.find((c) => asRecord(c.spec).group === group && asRecord(asRecord(c.spec).names).kind === o.kind);
  if (crd && asRecord(crd.spec).scope === "Cluster") return o;
  return { ...o, metadata: { ...o.metadata, namespace } };
}

/** What kustomize-controller applies from Git for one environment: its sync folder, then each layer in order. */
export interface FluxApplied {
  /** The sync folder's objects (the layers' Flux Kustomizations). */
  root: { folder: string; objects: Manifest[] };
  /** Each install layer (a Flux Kustomization of the sync folder) in dependsOn order, with what it applies. */
  layers: { kustomization: Manifest; folder: string; objects: Manifest[] }[];
}

/**
 * The objects Flux applies from Git for environment `cfg.stack` in the checkout at `root`: the sync folder
 * and each layer's folder built with `kubectl kustomize`, as kustomize-controller builds them. `npm run
 * verify` and `npm run diff` both read what Flux applies through this.
 */
export async function fluxApplied(cfg: StackConfig, root: string): Promise<FluxApplied> {
  const folder = cfg.syncPath.folder;
  const rootObjects = await build(join(root, folder), folder);
  const layers: FluxApplied["layers"] = [];
  for (const k of layersOf(rootObjects, cfg, folder)) {
    const path = String(asRecord(k.spec).path).replace(/^(\.\/)+/, "");
    layers.push({ kustomization: k, folder: path, objects: await build(join(root, path), `Kustomization ${idOf(k)} (${path})`) });
  }
  return { root: { folder, objects: rootObjects }, layers };
}

/** The whole environment `cfg.stack` as the cluster would hold it once every layer is Ready. */
export async function environmentView(cfg: StackConfig, options: ViewOptions): Promise<EnvironmentView> {
  const label = cfg.syncPath.folder;
  const applied = await fluxApplied(cfg, options.root);
  const created = pulumiObjects(cfg);
  const objects: ClusterObject[] = created.map((manifest) => ({ manifest, layer: -1, origin: "Pulumi" }));
  objects.push(...applied.root.objects.map((manifest) => ({ manifest, layer: -1, origin: label })));
  const layers = applied.layers.map((l) => l.kustomization);
  const gitObjects: Manifest[][] = [];
  for (const [i, { folder: path, objects: built }] of applied.layers.entries()) {
    gitObjects.push(built);
    objects.push(...built.map((manifest) => ({ manifest, layer: i, origin: path })));
  }
  const sources = gitObjects.flat();
  const valueFrom = (hrNamespace: string) => (ref: ValuesReference) => {
    const made = created.find((o) => o.kind === ref.kind && o.metadata?.name === ref.name && o.metadata.namespace === hrNamespace);
    if (made === undefined) return undefined;
    const key = ref.valuesKey ?? "values.yaml";
    const text = asRecord(made.stringData)[key];
    // A key whose content Pulumi writes (a values document with stand-ins for its secrets) is what Helm gets;
    // a bare secret value put at targetPath gets a stand-in of the same type.
    if (typeof text === "string") return ref.targetPath ? text : parse(text);
    return ref.targetPath ? `(${ref.kind} ${hrNamespace}/${ref.name} key ${key}, set by Pulumi)` : undefined;
  };
  const releases: RenderedRelease[] = [];
  const byId = new Map<string, RenderedRelease>();
  for (const [i, built] of gitObjects.entries()) {
    const before = objects.filter((o) => o.layer < i).map((o) => o.manifest);
    const pending = built.filter((o) => isFlux(o, "HelmRelease", "helm.toolkit.fluxcd.io"));
    // helm-controller installs a release after those it dependsOn: their CRDs exist by then.
    while (pending.length > 0) {
      const at = pending.findIndex((hr) =>
        ((asRecord(hr.spec).dependsOn as { name: string; namespace?: string }[] | undefined) ?? []).every((d) => {
          const id = `${d.namespace ?? hr.metadata?.namespace}/${d.name}`;
          return byId.has(id) || !pending.some((p) => idOf(p) === id);
        }),
      );
      if (at < 0) throw new ViewError(`${label}: the HelmReleases of layer ${layers[i]!.metadata?.name} depend on each other in a cycle`);
      const [hr] = pending.splice(at, 1) as [Manifest];
      const deps = ((asRecord(hr.spec).dependsOn as { name: string; namespace?: string }[] | undefined) ?? [])
        .map((d) => byId.get(`${d.namespace ?? hr.metadata?.namespace}/${d.name}`))
        .filter((r): r is RenderedRelease => r !== undefined);
      const rendered = await renderRelease(hr, sources, {
        kubeVersion: options.kubeVersion,
        helm: options.helm,
        apiVersions: crdApiVersions([...before, ...deps.flatMap((d) => d.objects)]),
        valueFrom: valueFrom(hr.metadata?.namespace ?? "default"),
        cacheDir: options.cacheDir,
      });
      releases.push(rendered);
      byId.set(rendered.id, rendered);
      const origin = `HelmRelease ${rendered.id}`;
      const crds = [...before, ...deps.flatMap((d) => d.objects), ...rendered.objects].filter((o) => o.kind === "CustomResourceDefinition");
      rendered.objects = rendered.objects.map((o) => inNamespace(o, rendered.namespace, crds));
      rendered.hooks = rendered.hooks.map((o) => inNamespace(o, rendered.namespace, crds));
      objects.push(...rendered.objects.map((manifest) => ({ manifest, layer: i, origin })));
      objects.push(...rendered.hooks.map((manifest) => ({ manifest, layer: i, origin, hook: true })));
    }
  }
  return {
    environment: cfg.stack,
    kubeVersion: options.kubeVersion,
    layers: layers.map((k) => k.metadata?.name ?? ""),
    objects,
    releases,
  };
}
