// What the install checks look at: every object the cluster would hold for one environment — the
// Git objects of cluster/<env>, what each HelmRelease renders (real Helm, infra/helm/release.ts) and
// what Pulumi creates — each with the install layer it arrives in and who applies it.
import type { Manifest } from "../helm/release.ts";

export type { Manifest };

export interface ClusterObject {
  manifest: Manifest;
  /**
   * Index of the install layer that applies it (cluster/<env> Kustomizations in dependsOn order);
   * -1: exists before any layer (Pulumi's Flux install, Kubernetes itself).
   */
  layer: number;
  /** Who applies it: "Pulumi", "cluster/<env>/<file>" or "HelmRelease <namespace>/<name>". */
  origin: string;
  /** A Helm hook (Job etc.) that Helm runs around the install rather than keeping. */
  hook?: boolean;
}

export interface ClusterView {
  /** The stack's name (dev, prod, …). */
  environment: string;
  /** `kubernetes.version` of the stack. */
  kubeVersion: string;
  /** Names of the install layers (Flux Kustomizations), in order. */
  layers: string[];
  objects: ClusterObject[];
}

/** One thing the cluster would refuse or never get right; `object` names it as `Kind namespace/name (origin)`. */
export interface Finding {
  check: string;
  object: string;
  message: string;
}

export type Check = (view: ClusterView) => Finding[];
