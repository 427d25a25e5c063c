// One table of passing and failing inputs per rule, run through both front ends (test/policy-rules.test.ts
// through the YAML checker, test/analyzer.test.ts through the real policy pack process). Every object starts
// from a base that satisfies every rule, so a case must produce exactly the findings it names.
import { FLUX2_CHART, chartVersionFor, defaultFluxFor } from "../../infra/flux/versions.ts";
import { kubernetesType } from "../../policies/rules/model.ts";
import type { Origin } from "../../policies/rules/model.ts";

export const OWNER = "acme";
export const FLUX_INSTALL = "flux-gitops:flux:FluxInstall";

export interface Case {
  title: string;
  rule: string;
  /** Front ends where `rule` must fire; on the other front end(s) nothing may fire. */
  fires: Origin[];
  env?: string;
  /** Pulumi type for non-Kubernetes resources; Kubernetes objects derive it from apiVersion/kind. */
  type?: string;
  /** Pulumi resource name (defaults to metadata.name). */
  name?: string;
  /** Type of the Pulumi parent component (the URN type chain). */
  parentType?: string;
  props: Record<string, unknown>;
  /** Policy config (--policy-pack-config / --config shape) in force for this case. */
  config?: Record<string, unknown>;
  /** Expected level of the finding (default: the rule's default). */
  level?: "advisory" | "mandatory";
  /** Other rules that fire on the YAML front end too (a sync object committed to Git draws sync-not-in-git). */
  alsoInGit?: string[];
}

function meta(name: string, env: string, namespace = "flux-system") {
  return {
    name,
    namespace,
    labels: { "flux-gitops.io/environment": env, "flux-gitops.io/production": String(env === "prod") },
    annotations: { "flux-gitops.io/repository": `github.com/${OWNER}/gitops`, "flux-gitops.io/path": `cluster/${env}` },
  };
}

const gitRepository = (spec: Record<string, unknown>, env = "dev", name = "app") => ({
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "GitRepository",
  metadata: meta(name, env),
  spec: { interval: "5m", url: `https://github.com/${OWNER}/app`, ref: { branch: "main" }, ...spec },
});

const helmRelease = (spec: Record<string, unknown>, env = "dev") => ({
  apiVersion: "helm.toolkit.fluxcd.io/v2",
  kind: "HelmRelease",
  metadata: meta("app", env),
  spec: {
    interval: "10m",
    chart: { spec: { chart: "charts/app", sourceRef: { kind: "GitRepository", name: "app" }, reconcileStrategy: "Revision" } },
    upgrade: { remediation: { retries: 3, strategy: "rollback" } },
    ...spec,
  },
});

const fromHelmRepository = (version?: string) => ({
  chart: {
    spec: {
      chart: "ingress-nginx",
      ...(version === undefined ? {} : { version }),
      sourceRef: { kind: "HelmRepository", name: "ingress-nginx" },
    },
  },
});

const ociRepository = (ref: Record<string, unknown>, env = "prod") => ({
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "OCIRepository",
  metadata: meta("podinfo", env),
  spec: { interval: "10m", url: "oci://ghcr.io/stefanprodan/charts/podinfo", ref },
});

const INGRESS_NGINX = {
  kind: "HelmRepository",
  namespace: "flux-system",
  name: "ingress-nginx",
  url: "https://kubernetes.github.io/ingress-nginx",
};

const helmRepository = (url: string) => ({
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "HelmRepository",
  metadata: meta("ingress-nginx", "dev"),
  spec: { interval: "10m", url },
});

/** Allows the OCIRepository cases' URL, so only the rule under test speaks. */
const OCI_ALLOWED = { "git-source-allowed": { allowedPrefixes: ["oci://ghcr.io/stefanprodan/charts"] } };

const syncKustomization = (spec: Record<string, unknown>, env = "dev") => ({
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
  metadata: meta("flux-system", env),
  spec: { interval: "10m", path: `./cluster/${env}`, prune: true, sourceRef: { kind: "GitRepository", name: "flux-system" }, ...spec },
});

const deployment = (namespace: string) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: meta("web", "dev", namespace),
  spec: {
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
  },
});

const secret = (extra: Record<string, unknown>) => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: meta("token", "dev"),
  type: "Opaque",
  ...extra,
});

const resourceSet = (spec: Record<string, unknown>) => ({
  apiVersion: "fluxcd.controlplane.io/v1",
  kind: "ResourceSet",
  metadata: meta("tenants", "dev"),
  spec: {
    ...spec,
    resources: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "team-<< inputs.team >>", namespace: "web" } }],
  },
});

const helmChartResource = { chart: "nginx", namespace: "web", repositoryOpts: { repo: "https://charts.example.com" } };

export const cases: Case[] = [
  // no-direct-helm
  {
    title: "a Helm v3 Release in the stack",
    rule: "no-direct-helm",
    fires: ["pulumi"],
    type: "kubernetes:helm.sh/v3:Release",
    name: "nginx",
    props: helmChartResource,
  },
  {
    title: "a Helm v4 Chart in the stack",
    rule: "no-direct-helm",
    fires: ["pulumi"],
    type: "kubernetes:helm.sh/v4:Chart",
    name: "nginx",
    props: helmChartResource,
  },
  {
    title: "the Flux install's own Helm release",
    rule: "no-direct-helm",
    fires: [],
    type: "kubernetes:helm.sh/v3:Release",
    name: "flux2",
    parentType: FLUX_INSTALL,
    props: {
      name: "flux2",
      chart: FLUX2_CHART.name,
      version: chartVersionFor(defaultFluxFor("1.32.4")!),
      repositoryOpts: { repo: FLUX2_CHART.repo },
      namespace: "flux-system",
    },
  },
  {
    title: "an allow-listed Helm release",
    rule: "no-direct-helm",
    fires: [],
    type: "kubernetes:helm.sh/v3:Release",
    name: "nginx",
    props: helmChartResource,
    config: { "no-direct-helm": { allowedNames: ["nginx"] } },
  },
  // no-direct-workloads
  { title: "a Deployment outside flux-system (fine in Git)", rule: "no-direct-workloads", fires: ["pulumi"], props: deployment("web") },
  { title: "a Deployment in flux-system", rule: "no-direct-workloads", fires: [], props: deployment("flux-system") },
  {
    title: "a yaml/v2 ConfigGroup applied by Pulumi",
    rule: "no-direct-workloads",
    fires: ["pulumi"],
    type: "kubernetes:yaml/v2:ConfigGroup",
    name: "apps",
    props: { files: ["apps/*.yaml"] },
  },
  {
    title: "a kustomize Directory inside the Flux install (a parent exempts nothing)",
    rule: "no-direct-workloads",
    fires: ["pulumi"],
    type: "kubernetes:kustomize/v2:Directory",
    name: "crds",
    parentType: FLUX_INSTALL,
    props: { directory: "./flux" },
  },
  {
    title: "a Deployment whose workload rule is disabled",
    rule: "no-direct-workloads",
    fires: [],
    props: deployment("web"),
    config: { "no-direct-workloads": "disabled" },
  },
  // helmrelease-git-sourced
  { title: "a HelmRelease from a GitRepository", rule: "helmrelease-git-sourced", fires: [], props: helmRelease({}) },
  {
    title: "a HelmRelease from a HelmRepository",
    rule: "helmrelease-git-sourced",
    fires: ["pulumi", "git"],
    props: helmRelease(fromHelmRepository("4.11.3")),
  },
  {
    title: "a HelmRelease using chartRef",
    rule: "helmrelease-git-sourced",
    fires: ["pulumi", "git"],
    props: helmRelease({ chart: undefined, chartRef: { kind: "OCIRepository", name: "podinfo" } }),
  },
  {
    title: "an allow-listed HelmRepository source",
    rule: "helmrelease-git-sourced",
    fires: [],
    props: helmRelease(fromHelmRepository("4.11.3")),
    config: { "helmrelease-git-sourced": { allowedSources: ["HelmRepository/flux-system/ingress-nginx"] } },
  },
  {
    title: "a HelmRepository source downgraded to advisory",
    rule: "helmrelease-git-sourced",
    fires: ["pulumi", "git"],
    level: "advisory",
    props: helmRelease(fromHelmRepository("4.11.3")),
    config: { "helmrelease-git-sourced": { enforcementLevel: "advisory" } },
  },
  // git-source-allowed
  { title: "a GitRepository of the stack's GitHub owner", rule: "git-source-allowed", fires: [], props: gitRepository({}) },
  {
    title: "a GitRepository over plain http",
    rule: "git-source-allowed",
    fires: ["pulumi", "git"],
    props: gitRepository({ url: `http://github.com/${OWNER}/app` }),
  },
  ...([true, "true", 1] as const).map((insecure): Case => ({
    // Anything but false/unset is read as plain http (fail closed); the API server refuses a non-boolean anyway.
    title: `a Bucket with insecure ${JSON.stringify(insecure)} is plain http, allowed prefix or not`,
    rule: "git-source-allowed",
    fires: ["pulumi", "git"],
    props: {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "Bucket",
      metadata: meta("assets", "dev"),
      spec: { interval: "10m", endpoint: "s3.example.com", bucketName: "assets", insecure },
    },
    config: { "git-source-allowed": { allowedPrefixes: ["https://s3.example.com", "http://s3.example.com"] } },
  })),
  {
    title: "a Bucket with insecure false in an allowed prefix",
    rule: "git-source-allowed",
    fires: [],
    props: {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "Bucket",
      metadata: meta("assets", "dev"),
      spec: { interval: "10m", endpoint: "s3.example.com", bucketName: "assets", insecure: false },
    },
    config: { "git-source-allowed": { allowedPrefixes: ["https://s3.example.com"] } },
  },
  {
    title: "a GitRepository of another owner",
    rule: "git-source-allowed",
    fires: ["pulumi", "git"],
    props: gitRepository({ url: "https://github.com/evil/app" }),
  },
  {
    title: "an ssh GitRepository without secretRef",
    rule: "git-source-allowed",
    fires: ["pulumi", "git"],
    props: gitRepository({ url: `ssh://git@github.com/${OWNER}/app` }),
  },
  {
    title: "an ssh GitRepository with secretRef",
    rule: "git-source-allowed",
    fires: [],
    props: gitRepository({ url: `ssh://git@github.com/${OWNER}/app`, secretRef: { name: "flux-system" } }),
  },
  {
    title: "an allow-listed prefix",
    rule: "git-source-allowed",
    fires: [],
    props: gitRepository({ url: "https://gitlab.com/acme/app" }),
    config: { "git-source-allowed": { allowedPrefixes: ["https://gitlab.com/acme/"] } },
  },
  // git-ref-pinned
  { title: "a GitRepository without ref", rule: "git-ref-pinned", fires: ["pulumi", "git"], props: gitRepository({ ref: undefined }) },
  { title: "a branch outside production", rule: "git-ref-pinned", fires: [], props: gitRepository({}) },
  { title: "a branch in production", rule: "git-ref-pinned", fires: ["pulumi", "git"], env: "prod", props: gitRepository({}, "prod") },
  {
    title: "a tag in production",
    rule: "git-ref-pinned",
    fires: [],
    env: "prod",
    props: gitRepository({ ref: { tag: "app-1.5.0" } }, "prod"),
  },
  {
    title: "the flux-system sync repository on its branch in production",
    rule: "git-ref-pinned",
    fires: [],
    env: "prod",
    props: gitRepository({ url: `ssh://git@github.com/${OWNER}/gitops`, secretRef: { name: "flux-system" } }, "prod", "flux-system"),
    alsoInGit: ["sync-not-in-git"],
  },
  {
    title: "a branch in an environment configured as production",
    rule: "git-ref-pinned",
    fires: ["pulumi", "git"],
    props: gitRepository({}),
    config: { "git-ref-pinned": { productionEnvironments: ["dev"] } },
  },
  // chart-version-pinned
  {
    title: "a HelmRepository chart with version *",
    rule: "chart-version-pinned",
    fires: ["pulumi", "git"],
    env: "prod",
    props: helmRelease(fromHelmRepository("*"), "prod"),
    config: { "helmrelease-git-sourced": { allowedSources: ["HelmRepository/flux-system/ingress-nginx"] } },
  },
  {
    title: "a HelmRepository chart with version * outside production (advisory there)",
    rule: "chart-version-pinned",
    fires: ["pulumi", "git"],
    level: "advisory",
    props: helmRelease(fromHelmRepository("*")),
    config: { "helmrelease-git-sourced": { allowedSources: ["HelmRepository/flux-system/ingress-nginx"] } },
  },
  {
    title: "a HelmRepository chart without version",
    rule: "chart-version-pinned",
    fires: ["pulumi", "git"],
    env: "prod",
    props: helmRelease(fromHelmRepository(), "prod"),
    config: { "helmrelease-git-sourced": { allowedSources: ["HelmRepository/flux-system/ingress-nginx"] } },
  },
  {
    title: "a HelmRepository chart with a version",
    rule: "chart-version-pinned",
    fires: [],
    props: helmRelease(fromHelmRepository("4.11.3")),
    config: { "helmrelease-git-sourced": { allowedSources: ["HelmRepository/flux-system/ingress-nginx"] } },
  },
  {
    title: "a HelmRepository chart with a range in production",
    rule: "chart-version-pinned",
    fires: ["pulumi", "git"],
    env: "prod",
    props: helmRelease(fromHelmRepository(">=1.0.0"), "prod"),
    config: { "helmrelease-git-sourced": { allowedSources: ["HelmRepository/flux-system/ingress-nginx"] } },
  },
  {
    title: "an OCIRepository on latest",
    rule: "chart-version-pinned",
    fires: ["pulumi", "git"],
    env: "prod",
    props: ociRepository({ tag: "latest" }),
    config: OCI_ALLOWED,
  },
  {
    title: "an OCIRepository on a semver range (69.x)",
    rule: "chart-version-pinned",
    fires: ["pulumi", "git"],
    env: "prod",
    props: ociRepository({ semver: "69.x" }),
    config: OCI_ALLOWED,
  },
  {
    title: "an OCIRepository on an exact semver",
    rule: "chart-version-pinned",
    fires: [],
    env: "prod",
    props: ociRepository({ semver: "6.7.1" }),
    config: OCI_ALLOWED,
  },
  {
    title: "an OCIRepository pinned by digest",
    rule: "chart-version-pinned",
    fires: [],
    env: "prod",
    props: ociRepository({ digest: "sha256:0123456789abcdef" }),
    config: OCI_ALLOWED,
  },
  // sync-path-matches-env / sync-prunes
  {
    title: "the dev sync pointing at cluster/prod",
    rule: "sync-path-matches-env",
    fires: ["pulumi", "git"],
    props: syncKustomization({ path: "./cluster/prod" }),
    alsoInGit: ["sync-not-in-git"],
  },
  {
    title: "the dev sync pointing at cluster/dev",
    rule: "sync-path-matches-env",
    fires: [],
    props: syncKustomization({}),
    alsoInGit: ["sync-not-in-git"],
  },
  {
    title: "a sync path template from config",
    rule: "sync-path-matches-env",
    fires: [],
    props: syncKustomization({ path: "./clusters/dev/apps" }),
    alsoInGit: ["sync-not-in-git"],
    config: { "sync-path-matches-env": { pathTemplate: "./clusters/{env}/apps" } },
  },
  {
    title: "the sync with prune",
    rule: "sync-prunes",
    fires: [],
    props: syncKustomization({ prune: true }),
    alsoInGit: ["sync-not-in-git"],
  },
  {
    title: "the sync without prune",
    rule: "sync-prunes",
    fires: ["pulumi", "git"],
    props: syncKustomization({ prune: false }),
    alsoInGit: ["sync-not-in-git"],
  },
  {
    title: "the sync without prune, made mandatory",
    rule: "sync-prunes",
    fires: ["pulumi", "git"],
    level: "mandatory",
    props: syncKustomization({ prune: false }),
    alsoInGit: ["sync-not-in-git"],
    config: { "sync-prunes": "mandatory" },
  },
  // deploy-key-read-only
  {
    title: "a deploy key with write access",
    rule: "deploy-key-read-only",
    fires: ["pulumi"],
    type: "github:index/repositoryDeployKey:RepositoryDeployKey",
    name: "deploy-key",
    props: { key: "ssh-ed25519 AAAA", readOnly: false, repository: "gitops", title: "dev" },
  },
  {
    title: "a read-only deploy key",
    rule: "deploy-key-read-only",
    fires: [],
    type: "github:index/repositoryDeployKey:RepositoryDeployKey",
    name: "deploy-key",
    props: { key: "ssh-ed25519 AAAA", readOnly: true, repository: "gitops", title: "dev" },
  },
  // readOnly as the GitHub provider reads it (policies/rules/model.ts providerBool): the strings and numbers it
  // weak-decodes to false are write keys, the ones it decodes to true are read-only, anything else is refused.
  ...(
    [
      ["false", "the string"],
      ["0", "the string"],
      ["f", "the string"],
      ["", "the empty string"],
      [0, "the number"],
      [0.5, "the number"],
    ] as const
  ).map(([readOnly, what]): Case => ({
    title: `a deploy key whose readOnly is ${what} ${JSON.stringify(readOnly)} (the provider reads false)`,
    rule: "deploy-key-read-only",
    fires: ["pulumi"],
    type: "github:index/repositoryDeployKey:RepositoryDeployKey",
    name: "deploy-key",
    props: { key: "ssh-ed25519 AAAA", readOnly, repository: "gitops", title: "dev" },
  })),
  ...(["true", "1", "T", 1] as const).map((readOnly): Case => ({
    title: `a deploy key whose readOnly is ${JSON.stringify(readOnly)} (the provider reads true)`,
    rule: "deploy-key-read-only",
    fires: [],
    type: "github:index/repositoryDeployKey:RepositoryDeployKey",
    name: "deploy-key",
    props: { key: "ssh-ed25519 AAAA", readOnly, repository: "gitops", title: "dev" },
  })),
  ...(["no", "yes", 2, -1, null, ["false"], { value: false }] as const).map((readOnly): Case => ({
    title: `a deploy key whose readOnly is ${JSON.stringify(readOnly)}, no boolean the provider reads`,
    rule: "deploy-key-read-only",
    fires: ["pulumi"],
    type: "github:index/repositoryDeployKey:RepositoryDeployKey",
    name: "deploy-key",
    props: { key: "ssh-ed25519 AAAA", readOnly, repository: "gitops", title: "dev" },
  })),
  {
    // Only its name and a parent's type: no stack config turns automation on, and a real key sits deeper
    // (test/policies/deploy-key.test.ts checks the real one through cmd/run).
    title: "a write key named like the automation's, under a bare ImageAutomationAccess parent",
    rule: "deploy-key-read-only",
    fires: ["pulumi"],
    type: "github:index/repositoryDeployKey:RepositoryDeployKey",
    name: "automation-deploy-key",
    parentType: "flux-gitops:flux:ImageAutomationAccess",
    props: { key: "ssh-ed25519 AAAA", readOnly: false, repository: "gitops", title: "dev image automation" },
  },
  // interval-bounds
  { title: "a 10s interval", rule: "interval-bounds", fires: ["pulumi", "git"], props: gitRepository({ interval: "10s" }) },
  {
    title: "an interval that is no duration",
    rule: "interval-bounds",
    fires: ["pulumi", "git"],
    props: gitRepository({ interval: "soon" }),
  },
  {
    title: "a 10s interval within configured bounds",
    rule: "interval-bounds",
    fires: [],
    props: gitRepository({ interval: "10s" }),
    config: { "interval-bounds": { min: "5s" } },
  },
  // no-plaintext-secrets
  {
    title: "a plaintext Secret (Pulumi keeps it as a secret, fine there)",
    rule: "no-plaintext-secrets",
    fires: ["git"],
    props: secret({ stringData: { token: "hunter2" } }),
  },
  {
    title: "a SOPS-encrypted Secret",
    rule: "no-plaintext-secrets",
    fires: [],
    props: secret({
      stringData: { token: "ENC[AES256_GCM,data:YWJj,iv:aXY=,tag:dGFn,type:str]" },
      sops: { mac: "ENC[AES256_GCM,data:eHl6,iv:aXY=,tag:dGFn,type:str]", version: "3.9.0" },
    }),
  },
  {
    title: "a plaintext Secret behind a fake sops.mac",
    rule: "no-plaintext-secrets",
    fires: ["git"],
    props: secret({
      stringData: { token: "hunter2", other: "ENC[AES256_GCM,data:YWJj,iv:aXY=,tag:dGFn,type:str]" },
      sops: { mac: "ENC[AES256_GCM,data:eHl6,iv:aXY=,tag:dGFn,type:str]", version: "3.9.0" },
    }),
  },
  // sync-not-in-git
  {
    title: "the sync GitRepository committed to Git",
    rule: "sync-not-in-git",
    fires: ["git"],
    props: gitRepository(
      { url: `ssh://git@github.com/${OWNER}/gitops`, ref: { branch: "evil" }, secretRef: { name: "flux-system" } },
      "dev",
      "flux-system",
    ),
  },
  {
    title: "the image automation's Secret committed to Git",
    rule: "sync-not-in-git",
    fires: ["git"],
    props: { ...secret({}), metadata: meta("flux-system-automation", "dev") },
  },
  {
    title: "a GitRepository named flux-system outside the Flux namespace",
    rule: "sync-not-in-git",
    fires: [],
    props: {
      ...gitRepository({ url: `ssh://git@github.com/${OWNER}/gitops`, secretRef: { name: "x" } }),
      metadata: meta("flux-system", "dev", "web"),
    },
  },
  // content-verified
  {
    title: "a ResourceSet whose inputs come from the cluster",
    rule: "content-verified",
    fires: ["git"],
    props: resourceSet({ inputsFrom: [{ kind: "ConfigMap", name: "inputs" }] }),
  },
  {
    title: "a ResourceSet with inline inputs",
    rule: "content-verified",
    fires: [],
    props: resourceSet({ inputs: [{ team: "a" }] }),
  },
  // helmrelease-remediation
  { title: "a HelmRelease with upgrade retries and rollback", rule: "helmrelease-remediation", fires: [], props: helmRelease({}) },
  {
    title: "a HelmRelease without upgrade remediation",
    rule: "helmrelease-remediation",
    fires: ["pulumi", "git"],
    props: helmRelease({ upgrade: undefined }),
  },
  {
    title: "a HelmRelease with too few retries for config",
    rule: "helmrelease-remediation",
    fires: ["pulumi", "git"],
    props: helmRelease({}),
    config: { "helmrelease-remediation": { minRetries: 5 } },
  },
  // Issue #11: bypasses and false alarms, through both front ends where the rule applies there.
  {
    title: "a Deployment created with {parent: FluxInstall} (a parent exempts nothing)",
    rule: "no-direct-workloads",
    fires: ["pulumi"],
    parentType: FLUX_INSTALL,
    props: deployment("web"),
  },
  {
    title: "a ReplicationController outside flux-system",
    rule: "no-direct-workloads",
    fires: ["pulumi"],
    props: { ...deployment("web"), apiVersion: "v1", kind: "ReplicationController" },
  },
  {
    title: "a DeploymentPatch outside flux-system",
    rule: "no-direct-workloads",
    fires: ["pulumi"],
    type: "kubernetes:apps/v1:DeploymentPatch",
    name: "web",
    props: { metadata: { name: "web", namespace: "web" }, spec: { replicas: 0 } },
  },
  {
    title: "a helm.v3.Release named flux2 under FluxInstall from an attacker's chart repository",
    rule: "no-direct-helm",
    fires: ["pulumi"],
    type: "kubernetes:helm.sh/v3:Release",
    name: "flux2",
    parentType: FLUX_INSTALL,
    // Everything the pinned install has, but the chart repository: only the repository makes it fire.
    props: {
      name: "flux2",
      chart: FLUX2_CHART.name,
      version: chartVersionFor(defaultFluxFor("1.32.4")!),
      repositoryOpts: { repo: "https://evil.example.com/charts" },
    },
  },
  {
    title: "a GitRepository escaping the owner with ..",
    rule: "git-source-allowed",
    fires: ["pulumi", "git"],
    props: gitRepository({ url: `https://github.com/${OWNER}/../evil` }),
  },
  {
    title: "a GitRepository of an owner whose name extends the allowed one",
    rule: "git-source-allowed",
    fires: ["pulumi", "git"],
    props: gitRepository({ url: `https://github.com/${OWNER}-evil/app` }),
  },
  {
    title: "a HelmRepository on a URL nobody allowed",
    rule: "git-source-allowed",
    fires: ["pulumi", "git"],
    props: helmRepository("https://charts.evil.example.com"),
  },
  {
    title: "a HelmRepository trusted by identity and URL",
    rule: "git-source-allowed",
    fires: [],
    props: helmRepository("https://kubernetes.github.io/ingress-nginx/"),
    config: { "git-source-allowed": { allowedSources: [INGRESS_NGINX] } },
  },
  {
    title: "a HelmRepository with a trusted identity on another URL",
    rule: "git-source-allowed",
    fires: ["pulumi", "git"],
    props: helmRepository("https://kubernetes.github.io.evil.example.com/ingress-nginx"),
    config: { "git-source-allowed": { allowedSources: [INGRESS_NGINX] } },
  },
  {
    title: "a HelmRelease from an allowed name in another namespace",
    rule: "helmrelease-git-sourced",
    fires: ["pulumi", "git"],
    props: helmRelease({
      chart: {
        spec: {
          chart: "ingress-nginx",
          version: "4.11.3",
          sourceRef: { kind: "HelmRepository", name: "ingress-nginx", namespace: "evil" },
        },
      },
    }),
    config: { "helmrelease-git-sourced": { allowedSources: [INGRESS_NGINX] } },
  },
  {
    title: "a HelmRelease with unlimited retries (-1)",
    rule: "helmrelease-remediation",
    fires: [],
    props: helmRelease({ upgrade: { remediation: { retries: -1 } } }),
  },
  {
    title: "a HelmRelease with upgrade strategy RetryOnFailure",
    rule: "helmrelease-remediation",
    fires: [],
    props: helmRelease({ upgrade: { strategy: { name: "RetryOnFailure" } } }),
  },
  {
    title: "a Secret of ${VAR} placeholders",
    rule: "no-plaintext-secrets",
    fires: [],
    props: secret({ stringData: { token: "${TOKEN}", url: "${SCHEME}://${HOST}" } }),
  },
  {
    title: "a Secret of op:// references",
    rule: "no-plaintext-secrets",
    fires: [],
    props: secret({ stringData: { token: "op://vault/item/token" } }),
  },
  { title: "a Secret without data", rule: "no-plaintext-secrets", fires: [], props: secret({}) },
  {
    title: "a Secret whose base64 data is a real value",
    rule: "no-plaintext-secrets",
    fires: ["git"],
    props: secret({ data: { token: Buffer.from("hunter2").toString("base64") } }),
  },
];

/** Pulumi type of a case's resource. */
export function caseType(c: Case): string {
  return c.type ?? kubernetesType(String(c.props.apiVersion), String(c.props.kind));
}

export function caseName(c: Case): string {
  return c.name ?? String((c.props.metadata as { name: string }).name);
}

/** Drops keys whose value is undefined (how the cases delete a field from a base object). */
export function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
