// Installs the Flux controllers and CRDs into the Flux namespace at a pinned version.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { StackConfig } from "../config/index.ts";
import { FLUX2_CHART, FLUX_OPERATOR_CHART, chartVersionFor } from "../flux/versions.ts";
import { flux2ChartValues, tolerations } from "../flux/chart-values.ts";
import { fluxInstanceManifest, INSTANCE_NAME } from "../flux/instance.ts";
import { FLUX_INSTALL_TYPE } from "../contract.ts";
import type { SyncTarget } from "../flux/sync.ts";
import type { Metadata } from "../metadata.ts";

export interface FluxInstallArgs {
  flux: StackConfig["flux"];
  metadata: Metadata;
  /** The flux-system sync, for strategies that create it themselves (operator). */
  sync: SyncTarget;
  /** Deploy key fingerprint: a new key asks Flux to fetch again at once. */
  keyFingerprint: pulumi.Input<string>;
}

interface Installed {
  /** Resources that must exist before any Flux custom resource. */
  ready: pulumi.Resource[];
  /** The strategy creates the flux-system GitRepository and Kustomization itself. */
  ownsSyncObjects: boolean;
}

/**
 * An install strategy creates, under `parent`, whatever puts the controllers and CRDs into the
 * namespace.
 */
type InstallStrategy = (parent: FluxInstall, namespace: k8s.core.v1.Namespace, args: FluxInstallArgs) => Installed;

/** Helm settings shared by both charts: wait for readiness, undo a failed upgrade. */
const HELM_RELEASE = { skipAwait: false, atomic: true, cleanupOnFail: true, timeout: 600, maxHistory: 10 } as const;

const helmChart: InstallStrategy = (parent, namespace, { flux }) => {
  const release = new k8s.helm.v3.Release(
    "flux2",
    {
      name: "flux2",
      chart: FLUX2_CHART.name,
      version: chartVersionFor(flux.version),
      repositoryOpts: { repo: FLUX2_CHART.repo },
      namespace: namespace.metadata.name,
      values: flux2ChartValues(flux),
      ...HELM_RELEASE,
    },
    { parent, retainOnDelete: flux.keepOnDestroy },
  );
  return { ready: [release], ownsSyncObjects: false };
};

/** The flux-operator chart, then a FluxInstance that installs Flux and the flux-system sync. */
const fluxOperator: InstallStrategy = (parent, namespace, { flux, metadata: meta, sync, keyFingerprint }) => {
  const operator = new k8s.helm.v3.Release(
    "flux-operator",
    {
      name: "flux-operator",
      chart: FLUX_OPERATOR_CHART.url,
      version: flux.operator.chartVersion,
      namespace: namespace.metadata.name,
      values: { installCRDs: true, tolerations: tolerations(flux) },
      ...HELM_RELEASE,
    },
    { parent, retainOnDelete: flux.keepOnDestroy },
  );
  // On destroy the instance goes first, while the operator still runs its finalizer (which removes
  // Flux but takes the finalizers off Flux's objects, so workloads stay).
  const manifest = (requestedAt: string) => fluxInstanceManifest({ flux, sync, metadata: meta, requestedAt });
  const { apiVersion, kind, metadata } = manifest("");
  const instance = new k8s.apiextensions.CustomResource(
    INSTANCE_NAME,
    { apiVersion, kind, metadata, spec: pulumi.output(keyFingerprint).apply((fp) => manifest(fp).spec) },
    { parent, dependsOn: [operator], retainOnDelete: flux.keepOnDestroy },
  );
  return { ready: [operator, instance], ownsSyncObjects: true };
};

const STRATEGIES: Record<StackConfig["flux"]["install"], InstallStrategy> = {
  helm: helmChart,
  operator: fluxOperator,
};

export class FluxInstall extends pulumi.ComponentResource {
  readonly namespace: pulumi.Output<string>;
  /** The namespace's name as configured (known before the namespace exists). */
  readonly namespaceName: string;
  readonly version: string;
  /** Resources every Flux custom resource must wait for (the CRDs and controllers). */
  readonly ready: pulumi.Resource[];
  /** The install creates the flux-system GitRepository and Kustomization (operator strategy). */
  readonly ownsSyncObjects: boolean;

  constructor(name: string, args: FluxInstallArgs, opts?: pulumi.ComponentResourceOptions) {
    super(FLUX_INSTALL_TYPE, name, {}, opts);
    const ns = new k8s.core.v1.Namespace(
      args.flux.namespace,
      { metadata: { name: args.flux.namespace, labels: args.metadata.labels } },
      { parent: this, retainOnDelete: args.flux.keepOnDestroy },
    );
    ({ ready: this.ready, ownsSyncObjects: this.ownsSyncObjects } = STRATEGIES[args.flux.install](this, ns, args));
    this.namespace = ns.metadata.name;
    this.namespaceName = args.flux.namespace;
    this.version = args.flux.version;
    this.registerOutputs({ namespace: this.namespace, version: this.version });
  }
}
