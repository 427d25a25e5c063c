// Where each chart comes from: a Git repository, a release tag and the chart's folder at that tag.
// Every chart here is published from Git, so every HelmRelease takes it from a GitRepository pinned
// to the tag (policy helmrelease-git-sourced, git-ref-pinned); the typed values of each chart were
// read from `values.yaml` in that folder at that tag (`valuesRead`).
import { gitRepository, type BuildContext, type GitRef, type GitRepository } from "../../infra/render/objects.ts";

export interface ChartPin {
  /** Name of the GitRepository object (flux-system). */
  source: string;
  url: string;
  ref: GitRef;
  /** Folder of the chart inside the repository. */
  path: string;
  /** The chart version this tag carries (Chart.yaml `version`; Istio's Git charts say 1.0.0). */
  version: string;
}

export const CHARTS = {
  metallb: {
    source: "metallb",
    url: "https://github.com/metallb/metallb",
    // Not metallb-chart-0.14.9: at that tag Chart.yaml still says 0.0.0.
    ref: { tag: "v0.14.9" },
    path: "charts/metallb",
    version: "0.14.9",
  },
  "ingress-nginx": {
    source: "ingress-nginx",
    url: "https://github.com/kubernetes/ingress-nginx",
    ref: { tag: "helm-chart-4.11.0" },
    path: "charts/ingress-nginx",
    version: "4.11.0",
  },
  "kubernetes-dashboard": {
    source: "kubernetes-dashboard",
    url: "https://github.com/kubernetes/dashboard",
    ref: { tag: "kubernetes-dashboard-7.13.0" },
    path: "charts/kubernetes-dashboard",
    version: "7.13.0",
  },
  "istio-base": {
    source: "istio",
    url: "https://github.com/istio/istio",
    ref: { tag: "1.25.5" },
    path: "manifests/charts/base",
    version: "1.25.5",
  },
  istiod: {
    source: "istio",
    url: "https://github.com/istio/istio",
    ref: { tag: "1.25.5" },
    path: "manifests/charts/istio-control/istio-discovery",
    version: "1.25.5",
  },
  "istio-gateway": {
    source: "istio",
    url: "https://github.com/istio/istio",
    ref: { tag: "1.25.5" },
    path: "manifests/charts/gateway",
    version: "1.25.5",
  },
  "kube-prometheus-stack": {
    source: "prometheus-community",
    url: "https://github.com/prometheus-community/helm-charts",
    ref: { tag: "kube-prometheus-stack-88.5.3" },
    path: "charts/kube-prometheus-stack",
    version: "88.5.3",
  },
  "remla-chart": {
    source: "remla-operation",
    url: "https://github.com/remla25-team3/operation",
    ref: { tag: "remla-chart-1.5.0" },
    path: "k8s/remla-chart",
    version: "1.5.0",
  },
} as const satisfies Record<string, ChartPin>;

export type ChartName = keyof typeof CHARTS;

/**
 * Only the chart folders of a repository reach the artifact (gitignore syntax, as GitRepository
 * `spec.ignore` takes it): the Istio and ingress-nginx repositories are large.
 */
export function onlyFolders(paths: string[]): string {
  const lines = ["/*"];
  for (const path of [...new Set(paths)].sort()) {
    const parts = path.split("/");
    for (let i = 1; i <= parts.length; i++) {
      const prefix = `/${parts.slice(0, i).join("/")}/`;
      if (!lines.includes(`!${prefix}`)) lines.push(`!${prefix}`);
      if (i < parts.length && !lines.includes(`${prefix}*`)) lines.push(`${prefix}*`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** One GitRepository per repository, holding the folders of every chart of `charts` it serves. */
export function chartSources(charts: ChartPin[], ctx: BuildContext): Map<string, GitRepository> {
  const sources = new Map<string, GitRepository>();
  for (const name of new Set(charts.map((c) => c.source))) {
    const same = charts.filter((c) => c.source === name);
    const { url, ref } = same[0]!;
    sources.set(name, gitRepository({ name, url, ref, ignore: onlyFolders(same.map((c) => c.path)) }, ctx));
  }
  return sources;
}
