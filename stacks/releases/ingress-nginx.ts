// ingress-nginx (chart kubernetes/ingress-nginx@helm-chart-4.11.0:charts/ingress-nginx; values typed
// from its values.yaml): the ingress controller behind the dashboard's Ingress, at a fixed LoadBalancer IP.
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

/** The subset of the ingress-nginx chart's values this repository sets. */
export interface IngressNginxValues {
  controller: {
    replicaCount: number;
    /** The IngressClass object the chart creates (`ingressClassName: nginx` in Ingresses). */
    ingressClassResource: { name: string; default: boolean };
    /** Passed as --ingress-class (legacy annotation). */
    ingressClass: string;
    service: { type: "LoadBalancer" | "NodePort" | "ClusterIP"; loadBalancerIP: string };
    metrics: { enabled: boolean; serviceMonitor: { enabled: boolean } };
    resources?: Resources;
  };
}

export const INGRESS_NGINX_DEFAULTS: IngressNginxValues = {
  controller: {
    replicaCount: 1,
    ingressClassResource: { name: "nginx", default: false },
    ingressClass: "nginx",
    service: { type: "LoadBalancer", loadBalancerIP: "" },
    metrics: { enabled: false, serviceMonitor: { enabled: false } },
  },
};

/**
 * The chart's admission webhook gets its CA from a hook Job, not from Helm: `ingress-nginx-admission-patch`
 * (kube-webhook-certgen `patch --webhook-name=ingress-nginx-admission --patch-mutating=false
 * --patch-failure-policy=Fail`, kubernetes/ingress-nginx@helm-chart-4.11.0:charts/ingress-nginx/templates/admission-webhooks/job-patch/job-patchWebhook.yaml)
 * writes caBundle and failurePolicy after every install/upgrade.
 */
export const INGRESS_NGINX_DRIFT_IGNORE: DriftIgnoreRule[] = [
  {
    paths: [...webhookPaths(1, "clientConfig/caBundle"), ...webhookPaths(1, "failurePolicy")],
    target: { kind: "ValidatingWebhookConfiguration", name: "ingress-nginx-admission" },
    reason: "the admission-patch hook Job (kube-webhook-certgen) patches caBundle and failurePolicy",
  },
];

export function ingressNginx(args: { values: IngressNginxValues; source: GitRepository }, ctx: BuildContext): HelmRelease {
  return helmRelease(
    {
      name: "ingress-nginx",
      targetNamespace: "ingress-nginx",
      chart: { git: args.source, path: CHARTS["ingress-nginx"].path },
      driftIgnore: INGRESS_NGINX_DRIFT_IGNORE,
      values: { ...args.values },
    },
    ctx,
  );
}
