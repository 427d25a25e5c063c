// Objects besides Flux's sources that make a cluster fetch and install something, and where from. The
// rules hold every such URL to the same allow-list as Flux's sources (git-source-allowed) and every chart
// such an object installs to the same test as a HelmRelease's (helmrelease-git-sourced).
//
// Read from upstream:
// - Bucket: fluxcd/source-controller v1.8.5 internal/controller/bucket_controller.go createBucketProvider
//   and internal/bucket/{gcp/gcp.go,azure/blob.go,minio/minio.go}: provider `gcp` never reads
//   spec.endpoint (the Google client talks to storage.googleapis.com, bucket spec.bucketName); `azure` takes
//   spec.endpoint as the account URL (azblob.NewClient*(obj.Spec.Endpoint)), container spec.bucketName;
//   `generic`/`aws` (and no provider) give spec.endpoint to minio.New as host[:port], https unless
//   spec.insecure.
// - FluxInstance: controlplaneio-fluxcd/flux-operator v0.49.0 (the operator version the project pins,
//   infra/flux/versions.ts) api/v1/fluxinstance_types.go: spec.distribution.registry (controller images),
//   spec.distribution.artifact (oci:// manifests), spec.sync {kind, url, ref, provider} (the sync source it
//   creates; for a Bucket, url is the endpoint and ref the bucket name).
// - k3s/RKE2 HelmChart (helm.cattle.io/v1, k3s-io/helm-controller): spec.repo (Helm repository URL),
//   spec.chart (a chart name in spec.repo, or itself a URL to a chart archive or oci:// reference),
//   spec.chartContent (a base64 chart archive inline).
// - Argo CD Application (argoproj.io/v1alpha1): spec.source.repoURL and spec.sources[].repoURL (a Git
//   repository, or a Helm repository when `chart` is set); ApplicationSet: the same under spec.template.spec,
//   and the Git generators' repoURL.
import { field, parseKubernetesType, text, type Subject } from "./model.ts";

/** One URL an object makes the cluster fetch from. */
export interface InstalledSource {
  url: string | undefined;
  /** The field that holds it. */
  at: string[];
  /** A Git repository (the stack owner's GitHub prefix applies) rather than a Helm/OCI/object store. */
  git: boolean;
  /** What fetches it, for the message: "FluxInstance sync", "Argo CD Application source", ... */
  what: string;
}

/** One chart an object installs without a Flux HelmRelease from Git. */
export interface InstalledChart {
  at: string[];
  /** Where the chart comes from, for the message. */
  from: string;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The URL source-controller fetches a Bucket from, per provider (see the header). */
export function bucketUrl(spec: unknown): string | undefined {
  const bucket = text(field(spec, "bucketName")) ?? "";
  const provider = text(field(spec, "provider")) ?? "generic";
  if (provider === "gcp") return `https://storage.googleapis.com/${bucket}`;
  const endpoint = text(field(spec, "endpoint"));
  if (endpoint === undefined) return undefined;
  if (provider === "azure") return `${endpoint.replace(/\/+$/, "")}/${bucket}`;
  // Only an unset or boolean false `insecure` is https; anything else counts as plain http (fail closed: the
  // CRD types it boolean, so the API server refuses a string, and a rule must not read "true" as https).
  const insecure = field(spec, "insecure");
  const scheme = insecure === undefined || insecure === false ? "https" : "http";
  return `${/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `${scheme}://${endpoint}`}/${bucket}`;
}

function groupKind(s: Subject): string | undefined {
  const t = parseKubernetesType(s.type);
  return t ? `${t.group}/${t.kind}` : undefined;
}

/** An OCI registry written without a scheme (`ghcr.io/fluxcd`) is fetched over OCI. */
const oci = (registry: string | undefined) => (registry === undefined || registry.includes("://") ? registry : `oci://${registry}`);

/** Argo CD sources: `source` and `sources[]` of an Application spec. */
function argoSources(spec: unknown, at: string[], what: string): { sources: InstalledSource[]; charts: InstalledChart[] } {
  const sources: InstalledSource[] = [];
  const charts: InstalledChart[] = [];
  const one = (src: unknown, path: string[]) => {
    if (src === undefined || src === null) return;
    const url = text(field(src, "repoURL"));
    const chart = text(field(src, "chart"));
    sources.push({
      url: chart !== undefined && url !== undefined ? oci(url) : url,
      at: [...path, "repoURL"],
      git: chart === undefined,
      what,
    });
    if (chart !== undefined) charts.push({ at: [...path, "chart"], from: `chart ${chart} of the Helm repository ${url ?? "(none)"}` });
  };
  one(field(spec, "source"), [...at, "source"]);
  asList(field(spec, "sources")).forEach((src, i) => one(src, [...at, "sources", String(i)]));
  return { sources, charts };
}

/** The URLs an object that is not a Flux source makes the cluster fetch from (none for other objects). */
export function installedSources(s: Subject): InstalledSource[] {
  const spec = field(s.props, "spec");
  switch (groupKind(s)) {
    case "fluxcd.controlplane.io/FluxInstance": {
      // The operator strategy's own FluxInstance (registered by the stack, from its config) is the install
      // itself; one in Git replaces it (sync-not-in-git) and is held to the allowed sources.
      if (s.origin === "pulumi") return [];
      const out: InstalledSource[] = [
        {
          url: oci(text(field(spec, "distribution", "registry"))),
          at: ["spec", "distribution", "registry"],
          git: false,
          what: "FluxInstance controller images",
        },
      ];
      const artifact = text(field(spec, "distribution", "artifact"));
      if (artifact !== undefined)
        out.push({ url: artifact, at: ["spec", "distribution", "artifact"], git: false, what: "FluxInstance distribution" });
      const sync = field(spec, "sync");
      if (sync !== undefined && sync !== null) {
        const kind = text(field(sync, "kind"));
        const url =
          kind === "Bucket"
            ? bucketUrl({ endpoint: field(sync, "url"), bucketName: field(sync, "ref"), provider: field(sync, "provider") })
            : text(field(sync, "url"));
        out.push({ url, at: ["spec", "sync", "url"], git: kind === "GitRepository", what: `FluxInstance sync (${kind ?? "no kind"})` });
      }
      return out;
    }
    case "helm.cattle.io/HelmChart": {
      const out: InstalledSource[] = [];
      const repo = text(field(spec, "repo"));
      const chart = text(field(spec, "chart"));
      if (repo !== undefined) out.push({ url: repo, at: ["spec", "repo"], git: false, what: "HelmChart (helm.cattle.io) repository" });
      if (chart !== undefined && chart.includes("://"))
        out.push({ url: chart, at: ["spec", "chart"], git: false, what: "HelmChart (helm.cattle.io) chart" });
      return out;
    }
    case "argoproj.io/Application":
      return argoSources(spec, ["spec"], "Argo CD Application").sources;
    case "argoproj.io/ApplicationSet": {
      const out = argoSources(field(spec, "template", "spec"), ["spec", "template", "spec"], "Argo CD ApplicationSet").sources;
      asList(field(spec, "generators")).forEach((g, i) => {
        const git = field(g, "git");
        if (git !== undefined) {
          out.push({
            url: text(field(git, "repoURL")),
            at: ["spec", "generators", String(i), "git", "repoURL"],
            git: true,
            what: "Argo CD ApplicationSet Git generator",
          });
        }
      });
      return out;
    }
    default:
      return [];
  }
}

/** The charts an object installs outside Flux (a k3s/RKE2 HelmChart, an Argo CD Helm source). */
export function installedCharts(s: Subject): InstalledChart[] {
  const spec = field(s.props, "spec");
  switch (groupKind(s)) {
    case "helm.cattle.io/HelmChart": {
      if (field(spec, "chartContent") !== undefined)
        return [{ at: ["spec", "chartContent"], from: "an inline chart archive (spec.chartContent) that is not rendered here" }];
      const repo = text(field(spec, "repo"));
      return [
        { at: ["spec", "chart"], from: `chart ${text(field(spec, "chart")) ?? "(none)"}${repo ? ` of the Helm repository ${repo}` : ""}` },
      ];
    }
    case "argoproj.io/Application":
      return argoSources(spec, ["spec"], "").charts;
    case "argoproj.io/ApplicationSet":
      return argoSources(field(spec, "template", "spec"), ["spec", "template", "spec"], "").charts;
    default:
      return [];
  }
}
