// What the dev environment deploys (Pulumi.dev.yaml → cluster/dev): the team's cluster as
// remla25-team3/operation provisions it today (provisioning/finalization.yml, vars/all.yml).
import type { EnvironmentDefinition } from "../releases/index.ts";

export default {
  // Dev follows the chart on main (a branch is allowed outside production).
  remlaRef: { branch: "main" },
  remlaNamespace: "default",
  addressPool: { name: "remla-pool", addresses: ["192.168.56.90-192.168.56.99"] },
  ingressIP: "192.168.56.91",
  gatewayIP: "192.168.56.90",
  dashboard: { host: "dashboard.local", adminUser: true },
  // The team's monitoring values (provisioning/monitoring-alerting.yml before it was removed).
  monitoring: { prometheusOperator: { admissionWebhooks: { enabled: false } } },
  remla: { appService: { configData: { LOG_LEVEL: "debug" } } },
} satisfies EnvironmentDefinition;
