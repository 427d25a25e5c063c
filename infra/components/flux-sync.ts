// The flux-system sync: the SSH Secret, the GitRepository and the Kustomization that make Flux
// reconcile `./<syncPath>` of the repository.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { GitRepository, type IGitRepository } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1";
import { Kustomization, type IKustomization } from "@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1";
import type { FluxInstall } from "./flux-install.ts";

export const SYNC_NAME = "flux-system";

/** What Flux syncs: the same for every install strategy. */
export interface SyncTarget {
  /** `ssh://git@<host>/<owner>/<repo>` */
  url: string;
  branch: string;
  /** Folder in the repository, without `./` (e.g. `cluster/dev`). */
  path: string;
  gitInterval: string;
  kustomizationInterval: string;
  timeout: string;
  /** Kustomization health assessment of everything it applies (HelmReleases included). */
  wait: boolean;
  /** Account the flux-system Kustomization applies as (needed under --default-service-account). */
  serviceAccountName?: string;
}

export interface FluxSyncArgs extends SyncTarget {
  install: FluxInstall;
  identity: pulumi.Input<string>;
  identityPub: pulumi.Input<string>;
  knownHosts: string;
  /** The key's registration on GitHub: the Secret gets a key only once GitHub accepts it. */
  keyRegistered: pulumi.Resource;
  /** Deploy key fingerprint: a new key asks Flux to fetch again at once. */
  keyFingerprint: pulumi.Input<string>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Leave the objects in the cluster on `pulumi destroy`. */
  retainOnDelete: boolean;
}

/** The GitRepository and Kustomization manifests, schema-checked against the Flux CRDs. */
export function syncManifests(
  args: SyncTarget & { labels: Record<string, string>; annotations: Record<string, string> },
  namespace: string,
) {
  const metadata = { name: SYNC_NAME, namespace, labels: args.labels, annotations: args.annotations };
  const gitRepository: IGitRepository = {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata,
    spec: { url: args.url, ref: { branch: args.branch }, interval: args.gitInterval, secretRef: { name: SYNC_NAME } },
  };
  const kustomization: IKustomization = {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata,
    spec: {
      interval: args.kustomizationInterval,
      path: `./${args.path}`,
      prune: true,
      timeout: args.timeout,
      ...(args.wait && { wait: true }),
      ...(args.serviceAccountName && { serviceAccountName: args.serviceAccountName }),
      sourceRef: { kind: "GitRepository", name: SYNC_NAME },
    },
  };
  new GitRepository(gitRepository).validate();
  new Kustomization(kustomization).validate();
  return { gitRepository, kustomization };
}

export class FluxSync extends pulumi.ComponentResource {
  readonly secret: k8s.core.v1.Secret;
  /** Absent when the install creates the sync objects itself (operator strategy). */
  readonly gitRepository?: k8s.apiextensions.CustomResource;
  readonly kustomization?: k8s.apiextensions.CustomResource;

  constructor(name: string, args: FluxSyncArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flux-gitops:flux:FluxSync", name, {}, opts);
    const namespace = args.install.namespaceName;
    const { gitRepository, kustomization } = syncManifests(args, namespace);
    // Custom resources need the CRDs and controllers; on destroy this order is reversed, so the
    // sync objects go while the controllers still run their finalizers.
    const crdsReady = args.install.ready;
    const common = { parent: this, retainOnDelete: args.retainOnDelete };

    // Exactly the keys source-controller reads for SSH auth.
    this.secret = new k8s.core.v1.Secret(
      SYNC_NAME,
      {
        // The namespace output makes the Secret wait for the namespace (not for the whole install).
        metadata: { name: SYNC_NAME, namespace: args.install.namespace, labels: args.labels, annotations: args.annotations },
        type: "Opaque",
        stringData: pulumi.secret({
          identity: args.identity,
          "identity.pub": args.identityPub,
          known_hosts: args.knownHosts,
        }),
      },
      // On rotation the new key reaches the cluster only after GitHub has it, so Flux never
      // holds a key GitHub would refuse.
      { ...common, dependsOn: [args.keyRegistered] },
    );
    // The operator strategy's FluxInstance creates these two itself.
    if (!args.install.ownsSyncObjects) {
      this.gitRepository = new k8s.apiextensions.CustomResource(
        `${SYNC_NAME}-git`,
        {
          ...gitRepository,
          metadata: {
            ...gitRepository.metadata,
            // A new deploy key (rotation) asks source-controller to fetch again straight away.
            annotations: pulumi.output(args.keyFingerprint).apply((fp) => ({ ...args.annotations, "reconcile.fluxcd.io/requestedAt": fp })),
          },
        },
        { ...common, dependsOn: [...crdsReady, this.secret] },
      );
      this.kustomization = new k8s.apiextensions.CustomResource(`${SYNC_NAME}-kustomization`, kustomization, {
        ...common,
        dependsOn: [...crdsReady, this.gitRepository],
      });
    }
    this.registerOutputs({});
  }
}
