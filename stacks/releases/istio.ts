// Istio 1.25.5 from istio/istio@1.25.5 (values typed from each chart's values.yaml at that tag):
// base (the CRDs) → istiod → the istio/gateway chart as `istio-ingress`. The Helm charts have no
// `minimal` profile (`profile: minimal` fails to render); istioctl's minimal profile is exactly
// base + istiod, so that is what is installed, with the team's istiod memory request.
// Not 1.25.2: Helm 4 (Flux 2.8's helm-controller) refuses that gateway chart's own values.schema.json
// ("additional properties 'service', 'autoscaling' ... not allowed"); fixed in 1.25.5 (istio/istio#57354).
import {
  helmRelease,
  webhookPaths,
  type BuildContext,
  type DriftIgnoreRule,
  type GitRepository,
  type HelmRelease,
} from "../../infra/render/objects.ts";
import { CHARTS } from "./charts.ts";
import type { Resources } from "./metallb.ts";

export const ISTIO_NAMESPACE = "istio-system";

/** The subset of the istiod chart's values this repository sets (pilot settings are top-level in this chart). */
export interface IstiodValues {
  /** The Git charts default to gcr.io/istio-testing:latest (dev builds); releases are docker.io/istio:<version>. */
  global: { hub: string; tag: string };
  resources: Resources;
  autoscaleEnabled: boolean;
  autoscaleMin: number;
  replicaCount: number;
}

export interface GatewayPort {
  name: string;
  port: number;
  targetPort: number;
  protocol: "TCP";
}

/** The subset of the gateway chart's values this repository sets (its values.schema.json forbids unknown keys). */
export interface GatewayValues {
  service: { type: "LoadBalancer" | "NodePort" | "ClusterIP"; loadBalancerIP: string; ports: GatewayPort[] };
  autoscaling: { enabled: boolean; minReplicas: number; maxReplicas: number };
}

export interface IstioValues {
  istiod: IstiodValues;
  gateway: GatewayValues;
}

export const ISTIO_DEFAULTS: IstioValues = {
  istiod: {
    global: { hub: "docker.io/istio", tag: CHARTS.istiod.version },
    // `istioctl install --set components.pilot.k8s.resources.requests.memory=512Mi`
    resources: { requests: { cpu: "500m", memory: "512Mi" } },
    autoscaleEnabled: true,
    autoscaleMin: 1,
    replicaCount: 1,
  },
  gateway: {
    service: {
      type: "LoadBalancer",
      loadBalancerIP: "",
      ports: [
        { name: "status-port", port: 15021, targetPort: 15021, protocol: "TCP" },
        { name: "http", port: 80, targetPort: 80, protocol: "TCP" },
        { name: "https", port: 443, targetPort: 8443, protocol: "TCP" },
      ],
    },
    autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 5 },
  },
};

/**
 * istiod's webhook controllers rewrite the webhook configurations of its revision (label
 * `istio.io/rev: default`, which both charts put on them): they inject istiod's CA into every webhook
 * (istio/istio@1.25.5:pkg/webhooks/webhookpatch.go for the injector, pkg/webhooks/validation/controller/controller.go
 * for validation) and switch the validating webhooks' `failurePolicy` from the chart's `Ignore` to `Fail`
 * once istiod serves them (controller.go sets caBundle and failurePolicy on every webhook of the
 * configuration). Correcting these would turn validation back to Ignore, and istiod would flip it again.
 */
const validatorRule = (name: string): DriftIgnoreRule => ({
  paths: [...webhookPaths(1, "failurePolicy"), ...webhookPaths(1, "clientConfig/caBundle")],
  target: { kind: "ValidatingWebhookConfiguration", name },
  reason: "istiod's validation controller sets failurePolicy Fail once ready and injects its CA",
});

export const ISTIO_BASE_DRIFT_IGNORE: DriftIgnoreRule[] = [validatorRule("istiod-default-validator")];

export const ISTIOD_DRIFT_IGNORE: DriftIgnoreRule[] = [
  validatorRule("istio-validator-istio-system"),
  {
    // Four injection webhooks: rev.namespace, rev.object, namespace, object.
    paths: webhookPaths(4, "clientConfig/caBundle"),
    target: { kind: "MutatingWebhookConfiguration", name: "istio-sidecar-injector" },
    reason: "istiod's webhook patcher injects its CA into the sidecar injector",
  },
];

/** [base, istiod] for the controllers layer; istiod after base (it needs the CRDs base renders). */
export function istioControlPlane(args: { values: IstiodValues; source: GitRepository }, ctx: BuildContext): [HelmRelease, HelmRelease] {
  const base = helmRelease(
    {
      name: "istio-base",
      targetNamespace: ISTIO_NAMESPACE,
      chart: { git: args.source, path: CHARTS["istio-base"].path },
      driftIgnore: ISTIO_BASE_DRIFT_IGNORE,
    },
    ctx,
  );
  const istiod = helmRelease(
    {
      name: "istiod",
      targetNamespace: ISTIO_NAMESPACE,
      chart: { git: args.source, path: CHARTS.istiod.path },
      dependsOn: [base],
      driftIgnore: ISTIOD_DRIFT_IGNORE,
      values: { ...args.values },
    },
    ctx,
  );
  return [base, istiod];
}

/**
 * The ingress gateway, release `istio-ingress` in istio-system: its pods get labels
 * `app: istio-ingress, istio: ingress`, which the remla chart's Gateway selects. Its pods are
 * injected by istiod's webhook, so it goes in a layer after istiod.
 */
export function istioGateway(args: { values: GatewayValues; source: GitRepository }, ctx: BuildContext): HelmRelease {
  return helmRelease(
    {
      name: "istio-ingress",
      targetNamespace: ISTIO_NAMESPACE,
      chart: { git: args.source, path: CHARTS["istio-gateway"].path },
      values: { ...args.values },
    },
    ctx,
  );
}
