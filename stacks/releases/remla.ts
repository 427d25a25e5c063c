// The team's application: chart k8s/remla-chart of github.com/remla25-team3/operation. The value
// names below are the chart's own, typed from k8s/remla-chart/values.yaml at tag remla-chart-1.5.0,
// and only those a template reads: `replicaCount`, `modelService.persistence`, `serviceMonitor.path`
// / `interval` / `prometheusRelease`, `apiIngress` and the `kube-prometheus-stack` block are read by
// no template (the chart has no dependencies), so they are not set.
//
// The chart renders Istio Gateway/VirtualService/DestinationRule objects and a PrometheusRule
// unconditionally, and ServiceMonitors when serviceMonitor.enabled: it installs only after Istio's
// and prometheus-operator's CRDs (stacks/releases/crds.ts).
import { helmRelease, type BuildContext, type GitRepository, type HelmRelease } from "../../infra/render/objects.ts";
import { CHARTS } from "./charts.ts";
import type { ImageSetter } from "./images.ts";

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
  modelService: ComponentValues;
  /**
   * Envoy rate limiting. Its global-limit EnvoyFilters (hard-coded in istio-system) select
   * `istio: ingressgateway`, which the `istio-ingress` gateway does not carry (`istio: ingress`).
   */
  rateLimiting: { enabled: boolean };
  /** Host of the Istio Gateway and VirtualService. */
  appIngress: { hostname: string };
  /** ServiceMonitors for app-service and model-service, and the Grafana dashboard ConfigMap. */
  serviceMonitor: { enabled: boolean };
}

/** The team's values (operation@main k8s/remla-chart/values.yaml image tags). */
export const REMLA_DEFAULTS: RemlaValues = {
  appFrontend: { image: { repository: "ghcr.io/remla25-team3/app-frontend", tag: "v1.5.1", tagCanary: "v1.3.3-canary" }, replicas: 1 },
  appService: {
    image: { repository: "ghcr.io/remla25-team3/app-service", tag: "v1.6.0" },
    replicas: 1,
    configData: { IS_PRODUCTION: "false", LOG_LEVEL: "info" },
  },
  modelService: { image: { repository: "ghcr.io/remla25-team3/model-service", tag: "v0.5.0" }, replicas: 1 },
  rateLimiting: { enabled: false },
  appIngress: { hostname: "frontend.local" },
  serviceMonitor: { enabled: true },
};

/** The team's images (built by their CI, semver tags), by the name of their ImageRepository and ImagePolicy. */
export type RemlaImage = "app-frontend" | "app-service" | "model-service";

/** Which value of the chart each image's tag is: what image automation rewrites (stacks/releases/images.ts). */
export const REMLA_IMAGES: Record<RemlaImage, ImageSetter<RemlaValues>> = {
  "app-frontend": { image: REMLA_DEFAULTS.appFrontend.image.repository, value: ["appFrontend", "image", "tag"], holds: "tag" },
  "app-service": { image: REMLA_DEFAULTS.appService.image.repository, value: ["appService", "image", "tag"], holds: "tag" },
  "model-service": { image: REMLA_DEFAULTS.modelService.image.repository, value: ["modelService", "image", "tag"], holds: "tag" },
};

/** The Secret templates/alert-manager-secret.yaml renders with a hard-coded SMTP password (no value can change it). */
export const CHART_SMTP_SECRET = "alertmanager-smtp-password";

export interface RemlaArgs {
  values: RemlaValues;
  source: GitRepository;
  /** Namespace of the app; labelled istio-injection=enabled. */
  namespace: string;
  /**
   * Drop the chart's hard-coded SMTP Secret from what Helm applies (a post-render `$patch: delete`),
   * so no environment serves that literal; Alertmanager reads the password from the Pulumi-created
   * Secret instead (docs/cluster.md "The SMTP password").
   */
  dropChartSmtpSecret: boolean;
}

/** The remla HelmRelease's name: the release `npm run promote` copies image values between environments. */
export const REMLA_RELEASE = "remla-app";

export function remla(args: RemlaArgs, ctx: BuildContext): HelmRelease {
  return helmRelease(
    {
      name: REMLA_RELEASE,
      targetNamespace: args.namespace,
      chart: { git: args.source, path: CHARTS["remla-chart"].path },
      values: { ...args.values },
      patches: args.dropChartSmtpSecret
        ? [
            {
              target: { kind: "Secret", name: CHART_SMTP_SECRET },
              patch: `$patch: delete\napiVersion: v1\nkind: Secret\nmetadata:\n  name: ${CHART_SMTP_SECRET}\n`,
            },
          ]
        : undefined,
    },
    ctx,
  );
}
