// What differs between environments, as typed overrides of the shared release definitions.
// Add an environment here when you add a Pulumi.<stack>.yaml.
import type { GitRef } from "../../infra/render/objects.ts";
import type { IngressNginxValues } from "./ingress-nginx.ts";
import type { RemlaValues } from "./remla.ts";

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export interface EnvironmentReleases {
  /** Git ref of the remla chart: dev follows a branch, prod pins a release tag. */
  remlaRef: GitRef;
  remla?: DeepPartial<RemlaValues>;
  ingressNginx?: DeepPartial<IngressNginxValues>;
}

export const ENVIRONMENTS: Record<string, EnvironmentReleases> = {
  dev: {
    remlaRef: { branch: "main" },
    remla: {
      appService: { configData: { LOG_LEVEL: "debug" } },
      appIngress: { hostname: "dev.remla.local" },
    },
  },
  prod: {
    remlaRef: { tag: "remla-chart-1.5.0" },
    remla: {
      appFrontend: { replicas: 2 },
      appService: { replicas: 3, configData: { IS_PRODUCTION: "true" } },
      modelService: { replicas: 2, persistence: { enabled: true } },
      rateLimiting: { enabled: true },
      serviceMonitor: { enabled: true },
    },
    ingressNginx: { controller: { replicaCount: 2, metrics: { enabled: true } } },
  },
};
