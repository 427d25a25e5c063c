// The team's application: chart k8s/remla-chart of github.com/remla25-team3/operation, fetched through
// its own GitRepository. The value names below are the chart's own (k8s/remla-chart/values.yaml).
import {
  gitRepository,
  helmRelease,
  type BuildContext,
  type GitRef,
  type HelmRelease,
  type GitRepository,
} from "../../infra/render/objects.ts";

export const REMLA_REPOSITORY = "https://github.com/remla25-team3/operation";
export const REMLA_CHART_PATH = "k8s/remla-chart";

export interface ImageValues {
  repository: string;
  tag: string;
  pullPolicy?: "Always" | "IfNotPresent" | "Never";
}

export interface ComponentValues {
  image: ImageValues;
  replicas: number;
}

/** The subset of the chart's values this repository sets. */
export interface RemlaValues {
  appFrontend: ComponentValues & { image: { tagCanary?: string } };
  appService: ComponentValues & {
    /** Becomes the app-service ConfigMap. */
    configData: { IS_PRODUCTION: "true" | "false"; LOG_LEVEL: "debug" | "info" | "warning" | "error" };
  };
  modelService: ComponentValues & { persistence: { enabled: boolean; size: `${number}${"Mi" | "Gi"}` } };
  /** Envoy rate limiting in front of the app (needs Istio). */
  rateLimiting: { enabled: boolean };
  appIngress: { hostname: string };
  serviceMonitor: { enabled: boolean };
}

export const REMLA_DEFAULTS: RemlaValues = {
  appFrontend: { image: { repository: "ghcr.io/remla25-team3/app-frontend", tag: "v1.5.1" }, replicas: 1 },
  appService: {
    image: { repository: "ghcr.io/remla25-team3/app-service", tag: "v1.5.0" },
    replicas: 1,
    configData: { IS_PRODUCTION: "false", LOG_LEVEL: "info" },
  },
  modelService: {
    image: { repository: "ghcr.io/remla25-team3/model-service", tag: "v0.5.0" },
    replicas: 1,
    persistence: { enabled: false, size: "1Gi" },
  },
  rateLimiting: { enabled: false },
  appIngress: { hostname: "remla.local" },
  serviceMonitor: { enabled: false },
};

export interface RemlaArgs {
  /** Branch to follow (dev) or tag to pin (prod). */
  ref: GitRef;
  values: RemlaValues;
  dependsOn: HelmRelease[];
}

export function remla(args: RemlaArgs, ctx: BuildContext): [GitRepository, HelmRelease] {
  const source = gitRepository({ name: "remla-operation", url: REMLA_REPOSITORY, ref: args.ref }, ctx);
  const release = helmRelease(
    {
      name: "remla",
      targetNamespace: "remla",
      chart: { git: source, path: REMLA_CHART_PATH },
      dependsOn: args.dependsOn,
      values: { ...args.values },
    },
    ctx,
  );
  return [source, release];
}
