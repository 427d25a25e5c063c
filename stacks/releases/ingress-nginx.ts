// Infrastructure release from a Helm repository (not Git): the ingress controller the remla chart's
// Ingress (ingressClassName nginx) needs. The chart version is pinned.
import { helmRelease, helmRepository, type BuildContext, type HelmRelease, type HelmRepository } from "../../infra/render/objects.ts";

export const INGRESS_NGINX_CHART_VERSION = "4.12.1";

/** The subset of the ingress-nginx chart's values this repository sets. */
export interface IngressNginxValues {
  controller: {
    replicaCount: number;
    service: { type: "LoadBalancer" | "NodePort" | "ClusterIP" };
    metrics: { enabled: boolean };
  };
}

export const INGRESS_NGINX_DEFAULTS: IngressNginxValues = {
  controller: { replicaCount: 1, service: { type: "LoadBalancer" }, metrics: { enabled: false } },
};

export function ingressNginx(args: { values: IngressNginxValues }, ctx: BuildContext): [HelmRepository, HelmRelease] {
  const source = helmRepository({ name: "ingress-nginx", url: "https://kubernetes.github.io/ingress-nginx" }, ctx);
  const release = helmRelease(
    {
      name: "ingress-nginx",
      targetNamespace: "ingress-nginx",
      chart: { helmRepository: source, chart: "ingress-nginx", version: INGRESS_NGINX_CHART_VERSION },
      values: { ...args.values },
    },
    ctx,
  );
  return [source, release];
}
