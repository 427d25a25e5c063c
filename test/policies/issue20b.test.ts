// Issue #20 (identity, charts, installers, ResourceSets, paths mode, false alarms): each bypass and false
// alarm as a small fixture under fixtures/i20-<case>/ (a repository root with its Pulumi.<env>.yaml), run
// through `npm run policy` in graph mode (kubectl kustomize, as kustomize-controller builds) or paths mode,
// asserting the exact findings and the exit code. Every fixture here failed on main before the change.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../policies/cli.ts";
import { ROOT } from "../support/paths.ts";

const FIXTURES = join(ROOT, "test", "policies", "fixtures");
const CONFIG = join(FIXTURES, "policy.json");

interface Run {
  code: number;
  findings: string[];
  messages: string[];
  errors: string[];
  notes: string[];
}

async function policy(root: string, args: string[], config = CONFIG): Promise<Run> {
  let out = "";
  let err = "";
  const code = await main(["--format", "json", "--config", config, "--root", root, ...args], {
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  const r = JSON.parse(out) as {
    findings: {
      file: string;
      line: number;
      level: string;
      rule: string;
      kind: string;
      namespace?: string;
      name: string;
      message: string;
    }[];
    errors: { file: string; message: string }[];
    notes: { file: string; message: string }[];
  };
  const id = (f: (typeof r.findings)[number]) =>
    `${f.file}:${f.line} ${f.level} ${f.rule} ${f.kind} ${f.namespace ? `${f.namespace}/` : ""}${f.name}`;
  return {
    code,
    findings: r.findings.map(id).sort(),
    messages: r.findings.map((f) => `${id(f)}: ${f.message}`).sort(),
    errors: r.errors.map((e) => `${e.file}: ${e.message}`),
    notes: r.notes.map((n) => `${n.file}: ${n.message}`),
  };
}

const graph = (fixture: string, config?: string) => policy(join(FIXTURES, fixture), [], config);
const paths = (fixture: string, ...p: string[]) => policy(join(FIXTURES, fixture), p.length ? p : ["."]);

test("identity carries the API group; a reference that resolves to nothing in Git is a finding", async () => {
  const r = await graph("i20-identity");
  assert.deepEqual(r.findings, [
    // chartRef HelmChart/app: only a helm.cattle.io HelmChart has that name, which is no Flux HelmChart
    "cluster/dev/releases.yaml:14 mandatory helmrelease-git-sourced HelmRelease flux-system/from-lookalike-chart",
    // the k3s HelmChart itself installs a chart from a Helm repository, around Flux
    "cluster/dev/releases.yaml:2 mandatory git-source-allowed HelmChart flux-system/app",
    "cluster/dev/releases.yaml:2 mandatory helmrelease-git-sourced HelmChart flux-system/app",
    // sourceRef GitRepository/missing is not in Git
    "cluster/dev/releases.yaml:29 mandatory helmrelease-git-sourced HelmRelease flux-system/from-missing-repo",
    // allowed by identity and URL, but not in Git: its URL cannot be checked
    "cluster/dev/releases.yaml:47 mandatory helmrelease-git-sourced HelmRelease flux-system/ingress-nginx",
    // the only GitRepository "lookalike" is of group source.evil.io: never followed as this repository
    "cluster/dev/releases.yaml:76 mandatory content-verified Kustomization flux-system/other",
  ]);
  const text = r.messages.join("\n");
  assert.match(text, /from-missing-repo: .*GitRepository\/flux-system\/missing, which is not in Git/);
  assert.match(text, /other: .*from GitRepository flux-system\/lookalike, which is not among the checked objects/);
  assert.equal(r.code, 1);
});

test("a secretGenerator file that is wholly SOPS encrypted is no plaintext; a sops block beside plaintext is", async () => {
  const r = await graph("i20-sops-generator");
  assert.deepEqual(r.findings, ["cluster/dev/kustomization.yaml:1 mandatory no-plaintext-secrets Secret web/half-b64cmk9468"]);
  assert.equal(r.code, 1);
});

test("one path applied to two clusters (spec.kubeConfig) is not applied twice; twice to one cluster is; each finding once", async () => {
  const r = await graph("i20-hub-spoke");
  assert.deepEqual(r.findings, [
    "spoke/objects.yaml:1 mandatory content-verified ConfigMap web/settings",
    "spoke/objects.yaml:10 mandatory content-verified GitRepository flux-system/elsewhere",
    "spoke/objects.yaml:10 mandatory git-source-allowed GitRepository flux-system/elsewhere",
  ]);
  assert.match(r.messages[0]!, /applied by Kustomization flux-system\/spoke-a and by Kustomization flux-system\/spoke-a-again/);
  assert.equal(r.code, 1);
});

test("paths mode skips a file as a template only when it is not YAML: a {{ }} in a comment or string skips nothing", async () => {
  const r = await paths("i20-paths-template", "apps");
  assert.deepEqual(r.findings, ["apps/release.yaml:2 mandatory helmrelease-git-sourced HelmRelease web/app"]);
  assert.equal(r.code, 1);
});

test("installers: FluxInstance, k3s HelmChart, Argo CD and Buckets per provider are held to the allowed sources", async () => {
  const r = await graph("i20-installers", join(FIXTURES, "i20-installers", "policy.json"));
  assert.deepEqual(r.findings, [
    "cluster/dev/argo.yaml:1 mandatory git-source-allowed Application argocd/git-app",
    "cluster/dev/argo.yaml:14 mandatory git-source-allowed Application argocd/helm-app",
    "cluster/dev/argo.yaml:14 mandatory helmrelease-git-sourced Application argocd/helm-app",
    "cluster/dev/argo.yaml:30 mandatory git-source-allowed ApplicationSet argocd/fleet",
    // provider gcp: spec.endpoint (an allowed host) is never read; gs://evil-bucket is fetched
    "cluster/dev/buckets.yaml:2 mandatory git-source-allowed Bucket flux-system/gcp-evil",
    // provider azure: the endpoint is the account URL
    "cluster/dev/buckets.yaml:24 mandatory git-source-allowed Bucket flux-system/azure-evil",
    // distribution.artifact and sync.url; the registry ghcr.io/acme/flux is under oci://ghcr.io/acme
    "cluster/dev/flux-instance.yaml:2 mandatory git-source-allowed FluxInstance flux-system/flux",
    "cluster/dev/flux-instance.yaml:2 mandatory git-source-allowed FluxInstance flux-system/flux",
    "cluster/dev/flux-instance.yaml:2 mandatory sync-not-in-git FluxInstance flux-system/flux",
    "cluster/dev/k3s.yaml:12 mandatory git-source-allowed HelmChart kube-system/from-url",
    "cluster/dev/k3s.yaml:12 mandatory helmrelease-git-sourced HelmChart kube-system/from-url",
    "cluster/dev/k3s.yaml:2 mandatory git-source-allowed HelmChart kube-system/traefik",
    "cluster/dev/k3s.yaml:2 mandatory helmrelease-git-sourced HelmChart kube-system/traefik",
    "cluster/dev/k3s.yaml:20 mandatory helmrelease-git-sourced HelmChart kube-system/inline",
  ]);
  const text = r.messages.join("\n");
  assert.match(text, /gcp-evil: Bucket flux-system\/gcp-evil pulls from https:\/\/storage\.googleapis\.com\/evil-bucket/);
  assert.match(text, /\(FluxInstance sync \(GitRepository\)\) pulls from https:\/\/github\.com\/evil\/fleet/);
  assert.match(text, /\(FluxInstance distribution\) pulls from oci:\/\/ghcr\.io\/evil\/flux-operator-manifests:latest/);
  assert.doesNotMatch(text, /gcp-allowed|generic-allowed|controller images/);
  assert.equal(r.code, 1);
});

test("a ResourceSet input that prints YAML structure (a newline adds a sourceRef, the last wins) fails closed, in both modes", async () => {
  for (const r of [await graph("i20-resourceset-inject"), await paths("i20-resourceset-inject")]) {
    // the inert set (name, URL through quote) renders and its GitRepository passes
    assert.deepEqual(r.findings, ["cluster/dev/rset.yaml:3 mandatory content-verified ResourceSet flux-system/apps"]);
    assert.match(r.messages[0]!, /<< inputs\.chart >> prints "charts\/app\\n {6}sourceRef:/);
    assert.equal(r.code, 1);
  }
});

test("charts the graph installs from Git are rendered with real Helm; the rules run over what they render", async () => {
  const r = await graph("i20-charts", join(FIXTURES, "i20-charts", "policy.json"));
  assert.deepEqual(r.findings, [
    // charts/installer renders a HelmRepository and a HelmRelease from it: helm-controller installs both
    "cluster/dev/releases.yaml:1 mandatory git-source-allowed HelmRepository flux-system/evil",
    "cluster/dev/releases.yaml:1 mandatory helmrelease-git-sourced HelmRelease flux-system/installer-payload",
    // charts/broken: what cannot be rendered fails closed, through chartRef HelmChart too
    "cluster/dev/releases.yaml:124 mandatory content-verified HelmRelease flux-system/broken-by-ref",
    // charts/with-dep: source-controller downloads its dependency from a Helm repository; Helm cannot render it here
    "cluster/dev/releases.yaml:18 mandatory content-verified HelmRelease flux-system/with-dep",
    "cluster/dev/releases.yaml:18 mandatory git-source-allowed HelmRepository flux-system/dependency payload of chart charts/with-dep of this repository",
    "cluster/dev/releases.yaml:35 mandatory content-verified HelmRelease flux-system/broken",
    // metallb from the chart cache renders and passes
  ]);
  const text = r.messages.join("\n");
  assert.match(text, /broken: .*its chart is not rendered here.*this chart refuses to render/);
  assert.match(text, /with-dep: .*its chart is not rendered here/);
  assert.match(text, /dependency payload of chart charts\/with-dep of this repository pulls from https:\/\/charts\.evil\.example/);
  assert.deepEqual(r.notes, [
    "cluster/dev/releases.yaml: HelmRelease flux-system/elsewhere installs chart charts/app from GitRepository flux-system/metallb-next (https://github.com/metallb/metallb): its URL is checked as a source, the chart's content is not verified here",
  ]);
  assert.equal(r.code, 1);
});

test("substituteFrom resolves only to a core ConfigMap: a look-alike of another group gives no values", async () => {
  const r = await graph("i20-substitute-group");
  // ${TAG} comes from a ConfigMap that is not in Git: unset, so the production GitRepository has no pin
  assert.deepEqual(r.findings, ["apps/repo.yaml:1 mandatory git-ref-pinned GitRepository flux-system/app"]);
  assert.deepEqual(r.notes, [
    "cluster/prod/apps.yaml: Kustomization flux-system/apps: substituteFrom ConfigMap/vars is not in Git: a value that uses one of its variables counts as unset here",
  ]);
  assert.equal(r.code, 1);
});

test("in production a chart from another repository that the chart cache does not hold is a finding, not a note", async () => {
  const r = await graph("i20-charts-prod");
  assert.deepEqual(r.findings, ["cluster/prod/release.yaml:2 mandatory content-verified HelmRelease flux-system/app"]);
  assert.match(r.messages[0]!, /in production it installs chart charts\/app from GitRepository flux-system\/app/);
  assert.deepEqual(r.notes, []);
  assert.equal(r.code, 1);
});
