// What the prod environment deploys (Pulumi.prod.yaml → cluster/prod): the shared releases with these overrides.
import type { EnvironmentDefinition } from "../releases/index.ts";

export default {
  remlaRef: { tag: "remla-chart-1.5.0" },
  remla: {
    appFrontend: { replicas: 2 },
    appService: { replicas: 3, configData: { IS_PRODUCTION: "true" } },
    modelService: { replicas: 2, persistence: { enabled: true } },
    rateLimiting: { enabled: true },
    serviceMonitor: { enabled: true },
  },
  ingressNginx: { controller: { replicaCount: 2, metrics: { enabled: true } } },
} satisfies EnvironmentDefinition;
