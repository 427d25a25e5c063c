// Typed builders for the Flux objects an environment deploys. Each returns a model instance from
// @kubernetes-models (types and `.validate()` generated from the real CRD schemas) with the defaults
// most releases want, so a stack definition states only what is specific to it.
import { HelmRelease } from "@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2";
import { Kustomization } from "@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1";
import { GitRepository, HelmRepository, OCIRepository } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1";
import { Namespace } from "kubernetes-models/v1";
import { RenderError } from "./write.ts";

export { GitRepository, HelmRelease, HelmRepository, Kustomization, Namespace, OCIRepository };

/** Namespace the Flux controllers watch; every Flux object we render lives here. */
export const FLUX_NAMESPACE = "flux-system";

/** A Go duration as Flux accepts it, e.g. "10m", "1h30m", "30s". */
export type Duration = `${number}${"ms" | "s" | "m" | "h"}${string}`;

export const DEFAULT_INTERVAL: Duration = "10m";
export const DEFAULT_RETRIES = 3;

export interface ObjectInput {
  name: string;
  /** Defaults to flux-system. */
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  interval?: Duration;
}

/** Anything with a name and namespace: a built object, or a reference to one. */
export interface Named {
  metadata?: { name?: string; namespace?: string };
}

function objectMeta(input: ObjectInput) {
  return {
    name: input.name,
    namespace: input.namespace ?? FLUX_NAMESPACE,
    labels: input.labels,
    annotations: input.annotations,
  };
}

function ref(obj: Named & { kind?: string }): { name: string; namespace?: string } {
  const name = obj.metadata?.name;
  // A definition mistake, not a crash: the render CLI prints it as one line.
  if (!name) throw new RenderError(`a ${obj.kind ?? "referenced object"} that a definition refers to has no metadata.name`);
  return { name, namespace: obj.metadata?.namespace };
}

export type GitRef = { branch: string } | { tag: string } | { semver: string } | { commit: string };

export function gitRepository(input: ObjectInput & { url: string; ref: GitRef; ignore?: string }): GitRepository {
  return new GitRepository({
    metadata: objectMeta(input),
    spec: { interval: input.interval ?? DEFAULT_INTERVAL, url: input.url, ref: input.ref, ignore: input.ignore },
  });
}

export function helmRepository(input: ObjectInput & { url: string; type?: "default" | "oci" }): HelmRepository {
  return new HelmRepository({
    metadata: objectMeta(input),
    spec: { interval: input.interval ?? DEFAULT_INTERVAL, url: input.url, type: input.type },
  });
}

export type OCIRef = { tag: string } | { semver: string } | { digest: string };

export function ociRepository(input: ObjectInput & { url: string; ref: OCIRef }): OCIRepository {
  return new OCIRepository({
    metadata: objectMeta(input),
    spec: { interval: input.interval ?? DEFAULT_INTERVAL, url: input.url, ref: input.ref },
  });
}

export function namespace(input: Omit<ObjectInput, "namespace" | "interval">): Namespace {
  return new Namespace({ metadata: { name: input.name, labels: input.labels, annotations: input.annotations } });
}

export function kustomization(
  input: ObjectInput & {
    source: GitRepository | OCIRepository;
    path: string;
    prune?: boolean;
    targetNamespace?: string;
    dependsOn?: Kustomization[];
  },
): Kustomization {
  return new Kustomization({
    metadata: objectMeta(input),
    spec: {
      interval: input.interval ?? DEFAULT_INTERVAL,
      sourceRef: { kind: input.source.kind, ...ref(input.source) },
      path: input.path,
      prune: input.prune ?? true,
      targetNamespace: input.targetNamespace,
      dependsOn: input.dependsOn?.map(ref),
    },
  });
}

/** Where the chart comes from. Git charts redeploy on every new commit (reconcileStrategy Revision). */
export type ChartSource =
  { git: GitRepository; path: string } | { helmRepository: HelmRepository; chart: string; version: string } | { oci: OCIRepository };

export interface HelmReleaseInput extends ObjectInput {
  chart: ChartSource;
  /** Namespace the chart's resources go to; created on install if missing. */
  targetNamespace: string;
  values?: Record<string, unknown>;
  /** Releases that must be ready first. */
  dependsOn?: HelmRelease[];
  /** Install and upgrade retries before remediation gives up. */
  retries?: number;
  timeout?: Duration;
}

function chartSpec(source: ChartSource) {
  if ("git" in source) {
    return {
      chart: {
        spec: {
          chart: source.path,
          sourceRef: { kind: "GitRepository" as const, ...ref(source.git) },
          reconcileStrategy: "Revision" as const,
        },
      },
    };
  }
  if ("helmRepository" in source) {
    return {
      chart: {
        spec: {
          chart: source.chart,
          version: source.version,
          sourceRef: { kind: "HelmRepository" as const, ...ref(source.helmRepository) },
        },
      },
    };
  }
  return { chartRef: { kind: "OCIRepository" as const, ...ref(source.oci) } };
}

export function helmRelease(input: HelmReleaseInput): HelmRelease {
  const retries = input.retries ?? DEFAULT_RETRIES;
  return new HelmRelease({
    metadata: objectMeta(input),
    spec: {
      interval: input.interval ?? DEFAULT_INTERVAL,
      timeout: input.timeout,
      // Without this Flux names the Helm release "<targetNamespace>-<name>".
      releaseName: input.name,
      targetNamespace: input.targetNamespace,
      ...chartSpec(input.chart),
      dependsOn: input.dependsOn?.map(ref),
      install: { createNamespace: true, remediation: { retries } },
      upgrade: { cleanupOnFail: true, remediation: { retries, strategy: "rollback" } },
      driftDetection: { mode: "enabled" },
      values: input.values,
    },
  });
}
