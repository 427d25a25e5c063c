// Installs the Flux controllers and CRDs into the Flux namespace at a pinned version.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { StackConfig } from "../config/index.ts";
import { FLUX2_CHART, chartVersionFor } from "./versions.ts";
import { flux2ChartValues } from "./chart-values.ts";

export interface FluxInstallArgs {
  flux: StackConfig["flux"];
  labels: Record<string, string>;
}

/**
 * An install strategy creates, under `parent`, whatever puts the controllers and CRDs into the
 * namespace, and returns the resources that must exist before any Flux custom resource.
 */
type InstallStrategy = (parent: FluxInstall, namespace: k8s.core.v1.Namespace, args: FluxInstallArgs) => pulumi.Resource[];

const helmChart: InstallStrategy = (parent, namespace, { flux }) => [
  new k8s.helm.v3.Release(
    "flux2",
    {
      name: "flux2",
      chart: FLUX2_CHART.name,
      version: chartVersionFor(flux.version),
      repositoryOpts: { repo: FLUX2_CHART.repo },
      namespace: namespace.metadata.name,
      values: flux2ChartValues(flux),
      // Wait for the controllers to be ready, and undo a failed upgrade instead of leaving it half-done.
      skipAwait: false,
      atomic: true,
      cleanupOnFail: true,
      timeout: 600,
      maxHistory: 10,
    },
    { parent, retainOnDelete: flux.keepOnDestroy },
  ),
];

const STRATEGIES: Record<StackConfig["flux"]["install"], InstallStrategy> = {
  helm: helmChart,
  operator: () => {
    throw new Error("flux-gitops:flux.install 'operator' is not available yet");
  },
};

export class FluxInstall extends pulumi.ComponentResource {
  readonly namespace: pulumi.Output<string>;
  /** The namespace's name as configured (known before the namespace exists). */
  readonly namespaceName: string;
  readonly version: string;
  /** Resources every Flux custom resource must wait for (the CRDs and controllers). */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: FluxInstallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flux-gitops:flux:FluxInstall", name, {}, opts);
    const ns = new k8s.core.v1.Namespace(
      args.flux.namespace,
      { metadata: { name: args.flux.namespace, labels: args.labels } },
      { parent: this, retainOnDelete: args.flux.keepOnDestroy },
    );
    this.ready = STRATEGIES[args.flux.install](this, ns, args);
    this.namespace = ns.metadata.name;
    this.namespaceName = args.flux.namespace;
    this.version = args.flux.version;
    this.registerOutputs({ namespace: this.namespace, version: this.version });
  }
}
