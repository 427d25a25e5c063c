// What the prod environment deploys (Pulumi.prod.yaml → cluster/prod): the same components as dev,
// every chart pinned to a release tag, more replicas, and no hard-coded credentials.
import type { EnvironmentDefinition } from "../releases/index.ts";
import promotedImages from "./promoted/prod.ts";

export default {
  remlaRef: { tag: "remla-chart-1.5.0" },
  remlaNamespace: "remla",
  // The production LAN's range reserved for LoadBalancer Services.
  addressPool: { name: "prod-pool", addresses: ["10.20.30.200-10.20.30.219"] },
  ingressIP: "10.20.30.201",
  gatewayIP: "10.20.30.200",
  // The next two free addresses of the pool, in the team's order (Grafana before Prometheus).
  grafanaIP: "10.20.30.202",
  prometheusIP: "10.20.30.203",
  // No cluster-admin login account in production: sign in with a token of your own RBAC.
  dashboard: { host: "dashboard.remla.example.com", adminUser: false },
  metallb: { controller: { resources: { requests: { cpu: "100m", memory: "100Mi" } } } },
  ingressNginx: {
    controller: {
      replicaCount: 2,
      metrics: { enabled: true, serviceMonitor: { enabled: true } },
      resources: { requests: { cpu: "200m", memory: "256Mi" } },
    },
  },
  istio: {
    istiod: { resources: { requests: { cpu: "500m", memory: "1Gi" } }, autoscaleMin: 2, replicaCount: 2 },
    gateway: { autoscaling: { minReplicas: 2, maxReplicas: 5 } },
  },
  monitoring: {
    prometheus: { prometheusSpec: { retention: "15d", replicas: 2, resources: { requests: { cpu: "500m", memory: "2Gi" } } } },
    alertmanager: { alertmanagerSpec: { replicas: 2 } },
  },
  // No image automation in production: the image tags dev runs arrive by `npm run promote -- dev prod`
  // (docs/operations.md "Promote dev → prod") and a reviewed pull request.
  promotedImages,
  remla: {
    appFrontend: { replicas: 2 },
    appService: { replicas: 3, configData: { IS_PRODUCTION: "true" } },
    modelService: { replicas: 2 },
  },
} satisfies EnvironmentDefinition;
