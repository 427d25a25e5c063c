// Everything one environment deploys, as typed objects ready for the renderer: the shared release
// definitions of this folder with the environment's overrides (stacks/environments/<env>.ts), in
// install layers. cluster/<env>/kustomization.yaml lists one Flux Kustomization per layer; each
// points at its subfolder, depends on the layer before and waits until what it applied is healthy,
// so a layer starts only once the CRDs, webhooks and LoadBalancer IPs it needs exist.
import type { StackConfig } from "../../infra/config/index.ts";
import { FluxController } from "../../infra/config/schema.ts";
import { SYNC_NAME } from "../../infra/contract.ts";
import { auditMetadata } from "../../infra/metadata.ts";
import {
  kustomization,
  namespace,
  type BuildContext,
  type Duration,
  type GitRef,
  type GitRepository,
  type Kustomization,
} from "../../infra/render/objects.ts";
import { ConfigError } from "../../infra/config/index.ts";
import type { Environment, Layer, RenderObject } from "../../infra/render/write.ts";
import { CHARTS, chartSources, type ChartName, type ChartPin } from "./charts.ts";
import { DASHBOARD_DEFAULTS, DASHBOARD_NAMESPACE, dashboard, type DashboardValues } from "./dashboard.ts";
import { INGRESS_NGINX_DEFAULTS, ingressNginx, type IngressNginxValues } from "./ingress-nginx.ts";
import { ISTIO_DEFAULTS, ISTIO_NAMESPACE, istioControlPlane, istioGateway, type IstioValues } from "./istio.ts";
import { METALLB_DEFAULTS, METALLB_NAMESPACE, addressPool, metallb, type AddressPool, type MetalLBValues } from "./metallb.ts";
import { MONITORING_DEFAULTS, MONITORING_NAMESPACE, monitoring, type MonitoringValues } from "./monitoring.ts";
import { REMLA_DEFAULTS, REMLA_IMAGES, remla, type RemlaImage, type RemlaValues } from "./remla.ts";
import { automateImages, updateAutomation, type TagPolicy } from "./images.ts";

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** What differs between environments, as typed overrides of the shared release definitions. */
export interface EnvironmentDefinition {
  /** Git ref of the remla chart: dev may follow a branch, prod pins a release tag. */
  remlaRef: GitRef;
  /** Namespace of the app, labelled istio-injection=enabled (the team uses `default`). */
  remlaNamespace: string;
  /** MetalLB's pool; the ingress and gateway IPs below must lie in it. */
  addressPool: AddressPool;
  /** LoadBalancer IP of ingress-nginx (the dashboard's Ingress). */
  ingressIP: string;
  /** LoadBalancer IP of the Istio ingress gateway (the app). */
  gatewayIP: string;
  /** LoadBalancer IP of Grafana (port 80), as the team serves it. */
  grafanaIP: string;
  /** LoadBalancer IP of Prometheus (port 80), as the team serves it. */
  prometheusIP: string;
  dashboard: { host: string; adminUser: boolean };
  metallb?: DeepPartial<MetalLBValues>;
  ingressNginx?: DeepPartial<IngressNginxValues>;
  dashboardValues?: DeepPartial<DashboardValues>;
  istio?: DeepPartial<IstioValues>;
  monitoring?: DeepPartial<MonitoringValues>;
  remla?: DeepPartial<RemlaValues>;
  /**
   * Image automation, applied when Pulumi.<env>.yaml sets `flux-gitops:imageAutomation.enabled` (the
   * switch that also installs the write key): the policy that picks each remla image's next tag. The tag in the definition is the starting value; from then on the
   * automation owns it in cluster/<env> (docs/image-automation.md).
   */
  imagePolicies?: Partial<Record<RemlaImage, TagPolicy>>;
  /**
   * Image values promoted from another environment (`npm run promote -- <from> <to>` writes them to
   * stacks/environments/promoted/<to>.ts); laid over `remla`.
   */
  promotedImages?: DeepPartial<RemlaValues>;
  /**
   * Releases this environment deploys and the others do not (a chart tried in dev first): each is
   * installed in its layer after the shared ones, and its chart's GitRepository is added to this
   * environment only. Default: none.
   */
  releases?: EnvironmentRelease[];
}

/**
 * The install layers, in order: each is a Flux Kustomization in cluster/<env>/kustomization.yaml (the names of
 * fluxcd/flux2-kustomize-helm-example) applying its folder, depending on the layer before and waiting until what
 * it applied is healthy, within its timeout. The one table every layer name, folder and timeout comes from.
 */
export const LAYER_TABLE = [
  {
    name: "infra-controllers",
    path: "infrastructure/controllers",
    timeout: "20m",
    holds: "the namespaces, the chart sources, and the controllers with their CRDs: MetalLB, Istio base and istiod, kube-prometheus-stack",
  },
  {
    name: "infra-configs",
    path: "infrastructure/configs",
    timeout: "5m",
    holds: "MetalLB's address pool (its webhook refuses pools until the controller is ready)",
  },
  {
    name: "infra-ingress",
    path: "infrastructure/ingress",
    timeout: "15m",
    holds: "what needs a LoadBalancer IP from the pool (a Helm install waits for it): ingress-nginx, the Istio gateway, the dashboard",
  },
  { name: "apps", path: "apps", timeout: "15m", holds: "the app (remla)" },
  {
    name: "image-automation",
    path: "automation",
    timeout: "5m",
    // Last, so that a registry scan that fails marks this layer, not the app, as not Ready.
    holds: "image automation, when the stack config turns it on (it installs the image controllers and the write key)",
  },
] as const satisfies readonly { name: string; path: string; timeout: Duration; holds: string }[];

export type LayerName = (typeof LAYER_TABLE)[number]["name"];
/** The layers a release an environment adds can go into (image automation's layer holds only its own objects). */
type ReleaseLayer = Exclude<LayerName, "image-automation">;

/** A release one environment adds to the shared ones (EnvironmentDefinition `releases`). */
export interface EnvironmentRelease {
  /** The chart, by its name in CHARTS (stacks/releases/charts.ts): its source, tag and folder. */
  chart: ChartName;
  /** The layer it installs in: the first whose predecessors provide what it needs (docs/cluster.md). */
  layer: ReleaseLayer;
  /** Namespaces it installs into, created with the others in infra-controllers (none already created). */
  namespaces?: string[];
  /** Its objects (a HelmRelease and what goes with it), built from the chart's GitRepository. */
  build(source: GitRepository, ctx: BuildContext): RenderObject[];
}

/** The charts every environment's shared releases install (their sources are in every environment). */
export const SHARED_CHARTS = [
  "metallb",
  "ingress-nginx",
  "kubernetes-dashboard",
  "istio-base",
  "istiod",
  "istio-gateway",
  "kube-prometheus-stack",
  "remla-chart",
] as const satisfies readonly ChartName[];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `base` with `override` laid over it; nested objects merge, everything else is replaced. */
export function merge<T>(base: T, override: DeepPartial<T> | undefined): T {
  if (!isPlainObject(base) || !isPlainObject(override)) return (override ?? base) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value !== undefined) out[key] = merge(out[key], value as DeepPartial<unknown>);
  }
  return out as T;
}

/** The build context of environment `cfg.stack`: its Flux namespace, audit metadata and release account. */
export function buildContext(cfg: StackConfig): BuildContext {
  const locked = !!cfg.flux.multitenancy.defaultServiceAccount;
  return {
    namespace: cfg.flux.namespace,
    metadata: auditMetadata(cfg),
    // Under the lockdown's --default-service-account, objects in the Flux namespace must name the
    // controller's own account, or they would be applied with the tenant default (no rights).
    serviceAccountName: locked ? FluxController.HelmController : undefined,
    kustomizeServiceAccountName: locked ? FluxController.KustomizeController : undefined,
  };
}

/** The objects of environment `cfg.stack`, rendered to its sync folder (the folder Flux syncs) in the layers of LAYER_TABLE. */
export function environment(cfg: StackConfig, def: EnvironmentDefinition): Environment {
  const ctx = buildContext(cfg);
  const { sources, remlaSource } = environmentSources(cfg.stack, def, ctx);
  const source = (name: string) => sources.get(name)!;
  const istioValues = structuredClone(merge(ISTIO_DEFAULTS, def.istio));
  const app = remlaRelease(def, source(remlaSource), ctx);
  const contents: Record<LayerName, RenderObject[]> = {
    "infra-controllers": [...namespaces(def, ctx), ...sources.values(), ...controllers(def, istioValues, source, ctx)],
    "infra-configs": addressPool(def.addressPool, ctx),
    "infra-ingress": ingress(def, istioValues, source, ctx),
    apps: [app],
    "image-automation": imageAutomation(cfg, def, app, ctx),
  };
  for (const release of def.releases ?? []) contents[release.layer].push(...release.build(source(CHARTS[release.chart].source), ctx));
  return layered(cfg, contents, ctx);
}

/** The chart sources of the environment: the shared charts (remla's at the environment's ref) and the ones it adds. */
function environmentSources(stack: string, def: EnvironmentDefinition, ctx: BuildContext) {
  // A copy: the environment's ref is written into it, never into the shared pin.
  const remlaPin = { ...CHARTS["remla-chart"], ref: def.remlaRef };
  const pins: ChartPin[] = [
    ...SHARED_CHARTS.filter((c) => c !== "remla-chart").map((c) => CHARTS[c]),
    remlaPin,
    ...(def.releases ?? []).map((r) => CHARTS[r.chart]),
  ];
  checkSameSource(pins, stack);
  return { sources: chartSources(pins, ctx), remlaSource: remlaPin.source };
}

/** Every namespace the releases install into (an added release's own ones after the shared ones, each once). */
function namespaces(def: EnvironmentDefinition, ctx: BuildContext): RenderObject[] {
  const shared = [
    namespace({ name: METALLB_NAMESPACE, labels: PRIVILEGED }, ctx),
    namespace({ name: "ingress-nginx" }, ctx),
    namespace({ name: DASHBOARD_NAMESPACE }, ctx),
    namespace({ name: ISTIO_NAMESPACE }, ctx),
    namespace({ name: MONITORING_NAMESPACE }, ctx),
    namespace(
      {
        name: def.remlaNamespace,
        labels: { "istio-injection": "enabled" },
        // Never prune a namespace Kubernetes owns (`default`) if it leaves Git.
        annotations: KUBERNETES_NAMESPACES.includes(def.remlaNamespace) ? { "kustomize.toolkit.fluxcd.io/prune": "disabled" } : undefined,
      },
      ctx,
    ),
  ];
  const named = new Set(shared.map((n) => n.metadata!.name));
  for (const name of (def.releases ?? []).flatMap((r) => r.namespaces ?? [])) {
    if (!named.has(name)) shared.push(namespace({ name }, ctx));
    named.add(name);
  }
  return shared;
}

type Source = (name: string) => GitRepository;

/** The controllers and their CRDs: MetalLB, Istio base + istiod, kube-prometheus-stack. */
function controllers(def: EnvironmentDefinition, istioValues: IstioValues, source: Source, ctx: BuildContext): RenderObject[] {
  const monitoringValues = structuredClone(merge(MONITORING_DEFAULTS, def.monitoring));
  monitoringValues.grafana.service.loadBalancerIP = def.grafanaIP;
  monitoringValues.prometheus.service.loadBalancerIP = def.prometheusIP;
  const [istioBase, istiod] = istioControlPlane({ values: istioValues.istiod, source: source("istio") }, ctx);
  return [
    metallb({ values: merge(METALLB_DEFAULTS, def.metallb), source: source("metallb") }, ctx),
    istioBase,
    istiod,
    monitoring({ values: monitoringValues, source: source("prometheus-community") }, ctx),
  ];
}

/** What needs a LoadBalancer IP from the pool: ingress-nginx, the Istio gateway, the dashboard. */
function ingress(def: EnvironmentDefinition, istioValues: IstioValues, source: Source, ctx: BuildContext): RenderObject[] {
  const nginxValues = structuredClone(merge(INGRESS_NGINX_DEFAULTS, def.ingressNginx));
  nginxValues.controller.service.loadBalancerIP = def.ingressIP;
  const nginx = ingressNginx({ values: nginxValues, source: source("ingress-nginx") }, ctx);
  const gatewayValues = istioValues.gateway;
  gatewayValues.service.loadBalancerIP = def.gatewayIP;
  const dashboardValues = structuredClone(merge(DASHBOARD_DEFAULTS, def.dashboardValues));
  dashboardValues.app.ingress.hosts = [def.dashboard.host];
  return [
    nginx,
    istioGateway({ values: gatewayValues, source: source("istio") }, ctx),
    ...dashboard(
      { values: dashboardValues, source: source("kubernetes-dashboard"), dependsOn: [nginx], adminUser: def.dashboard.adminUser },
      ctx,
    ),
  ];
}

function remlaRelease(def: EnvironmentDefinition, source: GitRepository, ctx: BuildContext) {
  return remla(
    {
      values: merge(merge(REMLA_DEFAULTS, def.remla), def.promotedImages),
      source,
      namespace: def.remlaNamespace,
      // Always: nothing reads the chart's plaintext Secret (Alertmanager's password comes from the
      // Pulumi-created Secret through valuesFrom, stacks/releases/monitoring.ts).
      dropChartSmtpSecret: true,
    },
    ctx,
  );
}

/** Image automation's objects (they need only Flux's own image controllers); none unless the stack config turns it on. */
function imageAutomation(cfg: StackConfig, def: EnvironmentDefinition, app: ReturnType<typeof remla>, ctx: BuildContext): RenderObject[] {
  const automated = automateImages(
    { release: app, setters: REMLA_IMAGES, policies: cfg.imageAutomation.enabled ? (def.imagePolicies ?? {}) : {} },
    { scanInterval: cfg.imageAutomation.scanInterval as Duration, registrySecret: cfg.imageAutomation.registry !== undefined },
    ctx,
  );
  return automated.length > 0 ? [...automated, updateAutomation(cfg, ctx)] : [];
}

/**
 * The layers of LAYER_TABLE that hold something, each with its Flux Kustomization applying its folder from the
 * flux-system GitRepository Pulumi creates (the repository this folder is in), after the layer before.
 */
function layered(cfg: StackConfig, contents: Record<LayerName, RenderObject[]>, ctx: BuildContext): Environment {
  const sync = { kind: "GitRepository" as const, metadata: { name: SYNC_NAME, namespace: cfg.flux.namespace } };
  const used = LAYER_TABLE.filter((l) => contents[l.name].length > 0 || l.name !== "image-automation");
  const kustomizations: Kustomization[] = [];
  for (const layer of used) {
    kustomizations.push(
      kustomization(
        {
          name: layer.name,
          source: sync,
          path: `${cfg.syncPath.flux}/${layer.path}`,
          dependsOn: kustomizations.slice(-1),
          wait: true,
          timeout: layer.timeout,
          retryInterval: "1m",
        },
        ctx,
      ),
    );
  }
  const layers: Layer[] = used.map((l) => ({ path: l.path, objects: contents[l.name] }));
  return { name: cfg.stack, dir: cfg.syncPath.folder, objects: kustomizations, layers };
}

/**
 * Charts of one repository share one GitRepository (one name): a chart an environment adds must name the
 * same URL and ref as the others of its source, or one of them would be fetched from the wrong place.
 */
function checkSameSource(pins: ChartPin[], stack: string): void {
  for (const pin of pins) {
    const first = pins.find((p) => p.source === pin.source)!;
    if (first.url !== pin.url || JSON.stringify(first.ref) !== JSON.stringify(pin.ref)) {
      throw new ConfigError(
        `stacks/environments/${stack}.ts: chart source '${pin.source}' is ${first.url} ${JSON.stringify(first.ref)} for one chart and ${pin.url} ${JSON.stringify(pin.ref)} for another; give the chart its own source name in CHARTS`,
      );
    }
  }
}

/** MetalLB's speakers need host networking and NET_RAW: the labels of metallb-native.yaml's namespace. */
const PRIVILEGED = {
  "pod-security.kubernetes.io/enforce": "privileged",
  "pod-security.kubernetes.io/audit": "privileged",
  "pod-security.kubernetes.io/warn": "privileged",
};

const KUBERNETES_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];
