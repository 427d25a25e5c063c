// Typed builders for the Flux objects an environment deploys. Each returns a model instance from
// @kubernetes-models (types and `.validate()` generated from the real CRD schemas) with the defaults
// most releases want, so a stack definition states only what is specific to it.
// One module per kind, not the group barrels (each barrel loads every type of its API group).
import { HelmRelease } from "@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2/HelmRelease";
import { Kustomization } from "@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization";
import { GitRepository } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository";
import { HelmRepository } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/HelmRepository";
import { OCIRepository } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/OCIRepository";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { DEFAULT_FLUX_NAMESPACE } from "../contract.ts";
import type { Metadata } from "../metadata.ts";
import type { ValuesReference } from "../helm/release.ts";
import { RenderError } from "./errors.ts";
import { traced } from "./origin.ts";

export type { ValuesReference };

export { ClusterRoleBinding, GitRepository, HelmRelease, HelmRepository, Kustomization, Namespace, OCIRepository, ServiceAccount };

/**
 * What every object of one environment gets when it is built: the Flux namespace (where every Flux
 * object lives unless a definition says otherwise), the audit labels and annotations (they win over
 * any a definition sets), and the account HelmReleases apply as under the multi-tenancy lockdown.
 */
export interface BuildContext {
  namespace: string;
  metadata?: Metadata;
  serviceAccountName?: string;
  /** The account layer Kustomizations apply as under the lockdown (kustomize-controller). */
  kustomizeServiceAccountName?: string;
}

/** The context of objects built outside an environment (tests, examples): the default namespace, no labels. */
export const DEFAULT_CONTEXT: BuildContext = { namespace: DEFAULT_FLUX_NAMESPACE };

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

export function objectMeta(input: Omit<ObjectInput, "interval">, ctx: BuildContext, namespaced = true) {
  const labels = ctx.metadata ? { ...input.labels, ...ctx.metadata.labels } : input.labels;
  const annotations = ctx.metadata ? { ...input.annotations, ...ctx.metadata.annotations } : input.annotations;
  return { name: input.name, ...(namespaced && { namespace: input.namespace ?? ctx.namespace }), labels, annotations };
}

function ref(obj: Named & { kind?: string }): { name: string; namespace?: string } {
  const name = obj.metadata?.name;
  // A definition mistake, not a crash: the render CLI prints it as one line.
  if (!name) throw new RenderError(`a ${obj.kind ?? "referenced object"} that a definition refers to has no metadata.name`);
  return { name, namespace: obj.metadata?.namespace };
}

export type GitRef = { branch: string } | { tag: string } | { semver: string } | { commit: string };

export function gitRepository(input: ObjectInput & { url: string; ref: GitRef; ignore?: string }, ctx = DEFAULT_CONTEXT): GitRepository {
  return traced(
    new GitRepository({
      metadata: objectMeta(input, ctx),
      spec: { interval: input.interval ?? DEFAULT_INTERVAL, url: input.url, ref: input.ref, ignore: input.ignore },
    }),
  );
}

export function helmRepository(input: ObjectInput & { url: string; type?: "default" | "oci" }, ctx = DEFAULT_CONTEXT): HelmRepository {
  return traced(
    new HelmRepository({
      metadata: objectMeta(input, ctx),
      spec: { interval: input.interval ?? DEFAULT_INTERVAL, url: input.url, type: input.type },
    }),
  );
}

export type OCIRef = { tag: string } | { semver: string } | { digest: string };

export function ociRepository(input: ObjectInput & { url: string; ref: OCIRef }, ctx = DEFAULT_CONTEXT): OCIRepository {
  return traced(
    new OCIRepository({
      metadata: objectMeta(input, ctx),
      spec: { interval: input.interval ?? DEFAULT_INTERVAL, url: input.url, ref: input.ref },
    }),
  );
}

export function namespace(input: Omit<ObjectInput, "namespace" | "interval">, ctx = DEFAULT_CONTEXT): Namespace {
  return traced(new Namespace({ metadata: objectMeta(input, ctx, false) }));
}

/** What a Flux Kustomization waits for before it counts as Ready (and so before its dependents start). */
export interface HealthCheck {
  apiVersion?: string;
  kind: string;
  name: string;
  namespace?: string;
}

export function kustomization(
  input: ObjectInput & {
    /** The source object, or a reference to one that exists already (e.g. the flux-system GitRepository). */
    source: { kind: "GitRepository" | "OCIRepository"; metadata?: { name?: string; namespace?: string } };
    path: string;
    prune?: boolean;
    targetNamespace?: string;
    dependsOn?: Kustomization[];
    /** Ready only once everything it applied is healthy (HelmReleases Ready, Deployments rolled out). */
    wait?: boolean;
    healthChecks?: HealthCheck[];
    timeout?: Duration;
    retryInterval?: Duration;
    /** Decrypt SOPS-encrypted Secrets of this path with the key in Secret `secretName` (Flux namespace). */
    sopsKeySecret?: string;
  },
  ctx = DEFAULT_CONTEXT,
): Kustomization {
  return traced(
    new Kustomization({
      metadata: objectMeta(input, ctx),
      spec: {
        interval: input.interval ?? DEFAULT_INTERVAL,
        retryInterval: input.retryInterval,
        timeout: input.timeout,
        sourceRef: { kind: input.source.kind, ...ref(input.source) },
        path: input.path,
        prune: input.prune ?? true,
        wait: input.wait,
        healthChecks: input.healthChecks,
        targetNamespace: input.targetNamespace,
        serviceAccountName: ctx.kustomizeServiceAccountName,
        decryption: input.sopsKeySecret ? { provider: "sops", secretRef: { name: input.sopsKeySecret } } : undefined,
        dependsOn: input.dependsOn?.map(ref),
      },
    }),
  );
}

export function serviceAccount(input: Omit<ObjectInput, "interval"> & { namespace: string }, ctx = DEFAULT_CONTEXT): ServiceAccount {
  return traced(new ServiceAccount({ metadata: objectMeta(input, ctx) }));
}

/** Binds `clusterRole` cluster-wide to the service accounts `subjects`. */
export function clusterRoleBinding(
  input: Omit<ObjectInput, "namespace" | "interval"> & { clusterRole: string; subjects: ServiceAccount[] },
  ctx = DEFAULT_CONTEXT,
): ClusterRoleBinding {
  return traced(
    new ClusterRoleBinding({
      metadata: objectMeta(input, ctx, false),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: input.clusterRole },
      subjects: input.subjects.map((sa) => ({ kind: "ServiceAccount", ...ref(sa) }) as { kind: string; name: string; namespace?: string }),
    }),
  );
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
  /**
   * How Helm treats CRDs in the chart's `crds/` folders (helm-controller: install default Create,
   * upgrade default Skip). CreateReplace keeps them in step with the chart.
   */
  crds?: "Skip" | "Create" | "CreateReplace";
  /** Kustomize patches applied to the rendered chart (e.g. `$patch: delete` of an object the chart hard-codes). */
  patches?: { target: { kind: string; name?: string; namespace?: string }; patch: string }[];
  /**
   * Where Helm keeps the release (its `sh.helm.release.v1.<name>.v<n>` Secrets). Defaults to the target
   * namespace: where `helm install -n <ns>` put the team's releases, so helm-controller finds the running
   * release and upgrades it in place instead of installing a second one beside it (docs/operations.md
   * "Take over the running cluster").
   */
  storageNamespace?: string;
  /**
   * Fields that running controllers rewrite after Helm applied them: drift detection leaves them alone
   * (`spec.driftDetection.ignore`). Each rule says why, with its upstream source.
   */
  driftIgnore?: DriftIgnoreRule[];
  /** Values read from Secrets/ConfigMaps in the HelmRelease's own namespace, merged over `values`. */
  valuesFrom?: ValuesReference[];
}

/** One `spec.driftDetection.ignore` rule: JSON pointers (RFC 6901, no wildcards) in the objects `target` selects. */
export interface DriftIgnoreRule {
  paths: string[];
  /** Selector fields are regular expressions (helm-controller docs/spec/v2/helmreleases.md "Ignore rules"). */
  target?: { group?: string; version?: string; kind?: string; name?: string; namespace?: string };
  /** Which controller rewrites these fields, and the upstream source that says so. Not rendered. */
  reason: string;
}

/** JSON pointers to `field` (e.g. `clientConfig/caBundle`) in each of the first `count` webhooks of a webhook configuration. */
export function webhookPaths(count: number, field: string): string[] {
  return Array.from({ length: count }, (_, i) => `/webhooks/${i}/${field}`);
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

export function helmRelease(input: HelmReleaseInput, ctx = DEFAULT_CONTEXT): HelmRelease {
  const retries = input.retries ?? DEFAULT_RETRIES;
  const ignore = input.driftIgnore?.map(({ paths, target }) => ({ paths, ...(target && { target }) }));
  return traced(
    new HelmRelease({
      metadata: objectMeta(input, ctx),
      spec: {
        interval: input.interval ?? DEFAULT_INTERVAL,
        timeout: input.timeout,
        // Without this Flux names the Helm release "<targetNamespace>-<name>".
        releaseName: input.name,
        // Under the lockdown's --default-service-account, releases must name an account with rights.
        serviceAccountName: ctx.serviceAccountName,
        targetNamespace: input.targetNamespace,
        storageNamespace: input.storageNamespace ?? input.targetNamespace,
        ...chartSpec(input.chart),
        dependsOn: input.dependsOn?.map(ref),
        // disableTakeOwnership: false is helm-controller's default (>= v1.2.0; Flux 2.7.5 ships v1.4.5, 2.8.5
        // v1.5.3), stated so that it stays: objects the team created outside Helm (the MetalLB manifest,
        // istioctl) are adopted by the release instead of failing the install (docs/operations.md).
        install: { createNamespace: true, crds: input.crds, disableTakeOwnership: false, remediation: { retries } },
        upgrade: {
          cleanupOnFail: true,
          crds: input.crds,
          disableTakeOwnership: false,
          remediation: { retries, strategy: "rollback" },
        },
        driftDetection: { mode: "enabled", ...(ignore?.length && { ignore }) },
        postRenderers: input.patches && [{ kustomize: { patches: input.patches } }],
        values: input.values,
        valuesFrom: input.valuesFrom,
      },
    }),
  );
}
