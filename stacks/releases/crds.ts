// Which CRD groups each chart we install brings, and which it renders objects of (so which must be
// installed first), as read from the charts at the pinned tags (stacks/releases/charts.ts). The
// install-order test (test/stacks/flux-apply.test.ts) checks the rendered cluster/<env> against it.
import type { ChartName } from "./charts.ts";

export interface ChartCrds {
  /** CRD groups the chart installs (crds/ folder or CRD templates). */
  provides: readonly string[];
  /** CRD groups of objects the chart renders with the values we set. */
  needs: readonly string[];
  /** Charts whose webhooks or controllers must be ready before this one installs. */
  after?: readonly { chart: ChartName; why: string }[];
}

export const CHART_CRDS: Readonly<Record<ChartName, ChartCrds>> = {
  // charts/crds/templates/crds.yaml (templated, gated by crds.enabled); monitoring objects only with prometheus.* toggles (off).
  metallb: { provides: ["metallb.io"], needs: [] },
  // No CRDs; controller.metrics.serviceMonitor.enabled renders a ServiceMonitor (prod turns it on).
  "ingress-nginx": { provides: [], needs: ["monitoring.coreos.com"] },
  // The kong subchart's crds/ folder; the Ingress it renders is rejected while ingress-nginx's webhook is down.
  "kubernetes-dashboard": {
    provides: ["configuration.konghq.com"],
    needs: [],
    after: [{ chart: "ingress-nginx", why: "its validating webhook rejects every Ingress until the controller is ready" }],
  },
  // templates/crds.yaml renders files/crd-all.gen.yaml.
  "istio-base": { provides: ["extensions.istio.io", "networking.istio.io", "security.istio.io", "telemetry.istio.io"], needs: [] },
  istiod: { provides: [], needs: [], after: [{ chart: "istio-base", why: "istiod watches the Istio CRDs base installs" }] },
  // Pods with `image: auto` are filled in by istiod's injection webhook.
  "istio-gateway": { provides: [], needs: [], after: [{ chart: "istiod", why: "its pods need istiod's sidecar-injector webhook" }] },
  // crds/ folder of the crds subchart; the chart's own Prometheus/Alertmanager/ServiceMonitors need them.
  "kube-prometheus-stack": { provides: ["monitoring.coreos.com"], needs: ["monitoring.coreos.com"] },
  // templates/istio-config.yaml (Gateway, VirtualService, DestinationRule), rate-limiting.yaml (EnvoyFilter),
  // custom-alert.yaml (PrometheusRule), servicemonitor.yaml (ServiceMonitor).
  "remla-chart": { provides: [], needs: ["networking.istio.io", "monitoring.coreos.com"] },
};

/** API groups that exist before anything in cluster/<env> is applied: Kubernetes' own and Flux's (installed by Pulumi). */
export const PREINSTALLED_GROUPS: readonly string[] = [
  "",
  "apps",
  "batch",
  "networking.k8s.io",
  "policy",
  "rbac.authorization.k8s.io",
  "source.toolkit.fluxcd.io",
  "kustomize.toolkit.fluxcd.io",
  "helm.toolkit.fluxcd.io",
  "notification.toolkit.fluxcd.io",
  "image.toolkit.fluxcd.io",
];
