// What the dev environment deploys (Pulumi.dev.yaml → cluster/dev): the team's cluster as
// remla25-team3/operation provisions it today (provisioning/finalization.yml, vars/all.yml).
import type { EnvironmentDefinition } from "../releases/index.ts";

export default {
  // A tag, as in prod: the chart cache (charts/) holds every chart Flux installs at a locked tag, so the
  // test renders exactly what dev installs; a branch would change under it. New image tags still reach
  // dev without a hand edit (image automation below); a new chart version is a tag bump here.
  remlaRef: { tag: "remla-chart-1.5.0" },
  remlaNamespace: "default",
  addressPool: { name: "remla-pool", addresses: ["192.168.56.90-192.168.56.99"] },
  ingressIP: "192.168.56.91",
  gatewayIP: "192.168.56.90",
  // The team's README serves Grafana on http://192.168.56.92/ and Prometheus on http://192.168.56.93/
  // (loadBalancerIPs in operation@0f72b6d:k8s/remla-chart/values.yaml).
  grafanaIP: "192.168.56.92",
  prometheusIP: "192.168.56.93",
  dashboard: { host: "dashboard.local", adminUser: true },
  // The team's monitoring values (provisioning/monitoring-alerting.yml before it was removed): no
  // admission webhooks, and so no operator TLS (its Secret is made only by the webhooks' Job).
  monitoring: { prometheusOperator: { admissionWebhooks: { enabled: false }, tls: { enabled: false } } },
  remla: { appService: { configData: { LOG_LEVEL: "debug" } } },
  // New tags of the team's images reach dev without a hand edit (Pulumi.dev.yaml enables the automation).
  // Ranges start at the tags operation@main runs, so the automation never downgrades; app-frontend and
  // app-service take every 1.x minor and patch; model-service is 0.x, where a minor may break the API
  // app-service calls, so only its patches. Pre-release tags (v1.3.3-canary) never match a range.
  imagePolicies: {
    "app-frontend": { semver: ">=1.5.1 <2.0.0" },
    "app-service": { semver: ">=1.6.0 <2.0.0" },
    "model-service": { semver: ">=0.5.0 <0.6.0" },
  },
} satisfies EnvironmentDefinition;
