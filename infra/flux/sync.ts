// What Flux syncs (the same for every install strategy) and the flux-system GitRepository and
// Kustomization that express it, schema-checked against the Flux CRDs.
import { GitRepository, type IGitRepository } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1";
import { Kustomization, type IKustomization } from "@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1";
import { SYNC_NAME, type SyncPath } from "../contract.ts";
import type { Metadata } from "../metadata.ts";

export interface SyncTarget {
  /** `ssh://git@<host>/<owner>/<repo>` */
  url: string;
  branch: string;
  path: SyncPath;
  gitInterval: string;
  kustomizationInterval: string;
  timeout: string;
  /** Kustomization health assessment of everything it applies (HelmReleases included). */
  wait: boolean;
  /** Account the flux-system Kustomization applies as (needed under --default-service-account). */
  serviceAccountName?: string;
}

/** The spec of a GitRepository of the sync repository (its URL, branch and interval), authenticated with Secret `secret`. */
export function syncRepositorySpec(target: SyncTarget, secret: string): IGitRepository["spec"] {
  return { url: target.url, ref: { branch: target.branch }, interval: target.gitInterval, secretRef: { name: secret } };
}

/** The flux-system GitRepository and Kustomization manifests in `namespace`. */
export function syncManifests(target: SyncTarget, namespace: string, { labels, annotations }: Metadata) {
  const metadata = { name: SYNC_NAME, namespace, labels, annotations };
  const gitRepository: IGitRepository = {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata,
    spec: syncRepositorySpec(target, SYNC_NAME),
  };
  const kustomization: IKustomization = {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata,
    spec: {
      interval: target.kustomizationInterval,
      path: target.path.flux,
      prune: true,
      timeout: target.timeout,
      ...(target.wait && { wait: true }),
      ...(target.serviceAccountName && { serviceAccountName: target.serviceAccountName }),
      sourceRef: { kind: "GitRepository", name: SYNC_NAME },
    },
  };
  new GitRepository(gitRepository).validate();
  new Kustomization(kustomization).validate();
  return { gitRepository, kustomization };
}
