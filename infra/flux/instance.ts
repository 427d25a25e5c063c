// The `operator` install strategy's FluxInstance: the same typed Flux settings and the same sync
// (repository, branch, path, Secret, intervals) as the `helm` strategy, expressed as a
// `fluxcd.controlplane.io/v1` FluxInstance that the Flux Operator reconciles.
//
// @kubernetes-models/flux-cd has no Flux Operator types, so the fields used here are typed below
// from the operator's API (api/v1/fluxinstance_types.go), and nothing else is set.
import type { StackConfig } from "../config/index.ts";
import { enabledControllers, lockdownArgs, tolerations, type Controller } from "./chart-values.ts";
import { INSTANCE_NAME, SYNC_NAME } from "../contract.ts";
import type { Metadata } from "../metadata.ts";
import type { SyncTarget } from "./sync.ts";
import { requestReconcile } from "./git-auth.ts";

type FluxSettings = StackConfig["flux"];

export { INSTANCE_NAME } from "../contract.ts";

export interface KustomizePatch {
  target: { kind: string; name?: string };
  /** A JSON6902 op list or a strategic-merge patch, as YAML/JSON text. */
  patch: string;
}

export interface FluxInstance {
  apiVersion: "fluxcd.controlplane.io/v1";
  kind: "FluxInstance";
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    distribution: { version: string; registry: string; imagePullSecret?: string };
    components: Controller[];
    cluster: { type: "kubernetes"; domain: string; networkPolicy: boolean; multitenant: boolean };
    commonMetadata: { labels: Record<string, string>; annotations: Record<string, string> };
    kustomize: { patches: KustomizePatch[] };
    wait: boolean;
    sync: { kind: "GitRepository"; name: string; url: string; ref: string; path: string; pullSecret: string; interval: string };
  };
}

const ARGS_PATH = "/spec/template/spec/containers/0/args/-";

/** Controller flags the helm strategy sets through chart values, as patches on the Deployments. */
function controllerPatches(flux: FluxSettings): KustomizePatch[] {
  const patches: KustomizePatch[] = [];
  for (const controller of enabledControllers(flux)) {
    // The operator renders --log-level=info and --watch-all-namespaces=true; a later flag wins.
    const args = [
      ...(flux.logLevel !== "info" ? [`--log-level=${flux.logLevel}`] : []),
      ...(flux.watchAllNamespaces ? [] : ["--watch-all-namespaces=false"]),
      ...lockdownArgs(flux, controller),
    ];
    if (args.length > 0) {
      patches.push({
        target: { kind: "Deployment", name: controller },
        patch: JSON.stringify(args.map((value) => ({ op: "add", path: ARGS_PATH, value }))),
      });
    }
  }
  if (flux.tolerationKeys.length > 0) {
    patches.push({
      target: { kind: "Deployment" },
      patch: JSON.stringify([{ op: "add", path: "/spec/template/spec/tolerations", value: tolerations(flux) }]),
    });
  }
  return patches;
}

/** The operator's sync Kustomization has a fixed 10m interval and no timeout: set ours. */
function syncPatches(sync: SyncTarget, requestedAt: string): KustomizePatch[] {
  return [
    {
      target: { kind: "Kustomization", name: SYNC_NAME },
      patch: JSON.stringify({
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: SYNC_NAME },
        spec: {
          interval: sync.kustomizationInterval,
          timeout: sync.timeout,
          ...(sync.wait && { wait: true }),
          ...(sync.serviceAccountName && { serviceAccountName: sync.serviceAccountName }),
        },
      }),
    },
    {
      // As with the helm strategy: a new deploy key asks source-controller to fetch at once.
      target: { kind: "GitRepository", name: SYNC_NAME },
      patch: JSON.stringify({
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        metadata: { name: SYNC_NAME, annotations: requestReconcile(undefined, requestedAt) },
      }),
    },
  ];
}

export interface FluxInstanceOptions {
  flux: FluxSettings;
  sync: SyncTarget;
  metadata: Metadata;
  /** Asks source-controller to fetch the sync repository again when it changes (the deploy key's fingerprint). */
  requestedAt: string;
}

export function fluxInstanceManifest({ flux, sync, metadata, requestedAt }: FluxInstanceOptions): FluxInstance {
  return {
    apiVersion: "fluxcd.controlplane.io/v1",
    kind: "FluxInstance",
    metadata: {
      name: INSTANCE_NAME,
      namespace: flux.namespace,
      labels: metadata.labels,
      // Pulumi waits until the operator reports the instance Ready (controllers and CRDs up, first
      // sync applied), so Flux custom resources created after it find their CRDs.
      annotations: { ...metadata.annotations, "pulumi.com/waitFor": "condition=Ready" },
    },
    spec: {
      // The exact pinned version: no automatic patch upgrades behind Pulumi's back.
      distribution: {
        version: flux.version,
        registry: flux.registry,
        ...(flux.imagePullSecret && { imagePullSecret: flux.imagePullSecret }),
      },
      components: [...enabledControllers(flux)],
      // The lockdown flags come from the same lockdownArgs as the helm strategy (patches below),
      // not from the operator's all-or-nothing `multitenant` profile.
      cluster: { type: "kubernetes", domain: flux.clusterDomain, networkPolicy: flux.networkPolicy, multitenant: false },
      commonMetadata: metadata,
      kustomize: { patches: [...controllerPatches(flux), ...syncPatches(sync, requestedAt)] },
      wait: true,
      sync: {
        kind: "GitRepository",
        name: SYNC_NAME,
        url: sync.url,
        ref: `refs/heads/${sync.branch}`,
        path: sync.path.flux,
        pullSecret: SYNC_NAME,
        interval: sync.gitInterval,
      },
    },
  };
}
