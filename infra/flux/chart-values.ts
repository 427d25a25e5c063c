// Values for the fluxcd-community `flux2` chart, derived from the typed Flux settings.
import type { StackConfig } from "../config/index.ts";

type FluxSettings = StackConfig["flux"];

/** Chart value key of each controller. */
export const CHART_KEYS = {
  "source-controller": "sourceController",
  "kustomize-controller": "kustomizeController",
  "helm-controller": "helmController",
  "notification-controller": "notificationController",
  "image-reflector-controller": "imageReflectionController",
  "image-automation-controller": "imageAutomationController",
  "source-watcher": "sourceWatcher",
} as const;

export type Controller = keyof typeof CHART_KEYS;

/** Controllers that take --no-cross-namespace-refs in the multi-tenancy lockdown. */
const CROSS_NAMESPACE_REFS: readonly Controller[] = [
  "kustomize-controller",
  "helm-controller",
  "notification-controller",
  "image-reflector-controller",
  "image-automation-controller",
];

/** Extra container arguments the multi-tenancy lockdown gives one controller. */
export function lockdownArgs(flux: FluxSettings, controller: Controller): string[] {
  const { noCrossNamespaceRefs, noRemoteBases, defaultServiceAccount } = flux.multitenancy;
  const args: string[] = [];
  if (noCrossNamespaceRefs && CROSS_NAMESPACE_REFS.includes(controller)) args.push("--no-cross-namespace-refs=true");
  if (noRemoteBases && controller === "kustomize-controller") args.push("--no-remote-bases=true");
  if (defaultServiceAccount && (controller === "kustomize-controller" || controller === "helm-controller")) {
    args.push(`--default-service-account=${defaultServiceAccount}`);
  }
  return args;
}

/** Tolerations for `--toleration-keys`: tolerate any taint with one of these keys. */
export function tolerations(flux: FluxSettings): { key: string; operator: "Exists" }[] {
  return flux.tolerationKeys.map((key) => ({ key, operator: "Exists" }));
}

export function enabledControllers(flux: FluxSettings): Set<Controller> {
  return new Set<Controller>([...flux.components, ...flux.componentsExtra]);
}

export function flux2ChartValues(flux: FluxSettings): Record<string, unknown> {
  const enabled = enabledControllers(flux);
  const values: Record<string, unknown> = {
    installCRDs: true,
    clusterDomain: flux.clusterDomain,
    logLevel: flux.logLevel,
    watchAllNamespaces: flux.watchAllNamespaces,
    // The chart's `policies` are the NetworkPolicies `flux install --network-policy` creates.
    policies: { create: flux.networkPolicy },
    imagePullSecrets: flux.imagePullSecret ? [{ name: flux.imagePullSecret }] : [],
  };
  // The controllers and the chart's pre-install hook Job (`flux check --pre`, the flux-cli image,
  // templates/pre-install-job.yaml of flux2 2.18.3) schedule alike: same registry, tolerations and
  // node selector. Otherwise a private registry or tainted nodes fail the atomic install.
  const scheduling = { tolerations: tolerations(flux), nodeSelector: {} };
  for (const [controller, key] of Object.entries(CHART_KEYS) as [Controller, string][]) {
    values[key] = {
      create: enabled.has(controller),
      image: `${flux.registry}/${controller}`,
      ...scheduling,
      container: { additionalArgs: lockdownArgs(flux, controller) },
    };
  }
  values.cli = { image: `${flux.registry}/flux-cli`, ...scheduling };
  return values;
}
