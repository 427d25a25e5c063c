// Sources by identity and URL: what each kind of source (and each installer) pulls from, URLs compared
// normalised, lookups only within the Flux API group of the kind.
// Fixtures: test/policies/fixtures/<case>/ (a repository root with its Pulumi.<env>.yaml), run through `npm run policy`
// (test/support/policy-harness.ts); kubectl and Helm must be installed: a missing one fails these tests, never skips them.
import assert from "node:assert/strict";
import { join } from "node:path";
import { normalizeUrl, urlUnder } from "../../policies/urls.ts";
import { test } from "node:test";
import { FIXTURES, graph, paths } from "../support/policy-harness.ts";

test("OCIRepository, Bucket and HelmRepository URLs are checked; .. cannot climb out of an allowed owner", async () => {
  const r = await graph("source-urls");
  assert.deepEqual(r.findings, [
    "cluster/dev/sources.yaml:1 mandatory git-source-allowed OCIRepository flux-system/oci",
    "cluster/dev/sources.yaml:12 mandatory git-source-allowed Bucket flux-system/bucket",
    "cluster/dev/sources.yaml:22 mandatory git-source-allowed HelmRepository flux-system/charts",
    "cluster/dev/sources.yaml:31 mandatory git-source-allowed GitRepository flux-system/dotdot",
  ]);
  assert.equal(r.code, 1);
});

test("an allowed source is trusted by Kind/namespace/name and URL; the exemption does not waive the version", async () => {
  const r = await graph("identity");
  assert.deepEqual(r.findings, [
    "cluster/dev/release.yaml:1 mandatory git-source-allowed HelmRepository evil/ingress-nginx",
    "cluster/dev/release.yaml:10 advisory chart-version-pinned HelmRelease evil/ingress-nginx",
    "cluster/dev/release.yaml:10 mandatory helmrelease-git-sourced HelmRelease evil/ingress-nginx",
  ]);
});

test("a kustomize patch that looks like a partial HelmRelease is not a release from no source", async () => {
  for (const r of [await graph("patch-fragment"), await paths("patch-fragment")]) {
    assert.deepEqual(r.findings, []);
    assert.equal(r.code, 0);
  }
});

test("chartRef to a HelmChart built from a GitRepository is Git-sourced", async () => {
  const r = await graph("chartref-helmchart");
  assert.deepEqual(r.findings, []);
});

test("URLs are normalised before matching: dots, userinfo, host case, ports, path boundaries", () => {
  assert.equal(normalizeUrl("https://github.com/acme/../evil"), "https://github.com/evil");
  assert.equal(normalizeUrl("ssh://git@GitHub.com:22/Acme/App.git"), "ssh://github.com/acme/app");
  assert.equal(normalizeUrl("git@github.com:acme/app"), "ssh://github.com/acme/app");
  assert.equal(normalizeUrl("oci://ghcr.io/acme/%2e%2e/evil"), "oci://ghcr.io/evil");
  assert.ok(urlUnder("https://u:p@github.com/acme/app", "https://github.com/acme/"));
  assert.ok(!urlUnder("https://github.com/acme-evil/app", "https://github.com/acme"));
  assert.ok(!urlUnder("https://github.com/acme/../evil/app", "https://github.com/acme/"));
});

test("URLs: a trailing-dot host is the same host; encoded / or % in a path is never allowed", () => {
  assert.equal(normalizeUrl("https://github.com./istio/x"), "https://github.com/istio/x");
  assert.ok(urlUnder("https://GitHub.com./istio/x", "https://github.com/istio/"));
  for (const evil of [
    "https://github.com/istio%2f..%2f..%2fevil/x",
    "https://github.com/istio/%252e%252e/evil",
    "oci://ghcr.io/istio%2Fx",
  ]) {
    assert.equal(normalizeUrl(evil), undefined, evil);
    assert.ok(!urlUnder(evil, "https://github.com/istio/"), evil);
  }
});

test("ref.name comes first (Flux's order): a branch name is followed only when it is the sync branch", async () => {
  const r = await graph("git-ref-name");
  assert.deepEqual(r.findings, [
    // prod: the mirror's content (refs/heads/evil) is not verified, and neither ref is pinned
    "cluster/prod/mirror.yaml:14 mandatory content-verified Kustomization flux-system/c",
    "cluster/prod/mirror.yaml:2 mandatory git-ref-pinned GitRepository flux-system/mirror",
    "cluster/prod/pinned.yaml:2 mandatory git-ref-pinned GitRepository flux-system/other",
    // dev: ref.name refs/heads/main is this repository: followed and checked
    "same/secret.yaml:1 mandatory no-plaintext-secrets Secret web/from-same",
  ]);
  // dev: apps/ (on refs/heads/evil) is not claimed as checked: a note says so
  assert.deepEqual(r.notes, [
    "cluster/dev/mirror.yaml: Kustomization flux-system/c applies ./apps from GitRepository flux-system/mirror (https://github.com/acme/gitops): its URL is checked as a source, its content is not verified here",
  ]);
  assert.equal(r.code, 1);
});

test("a GitRepository of this repository with recurseSubmodules is not this repository: a finding, in dev too", async () => {
  const r = await graph("submodules");
  assert.deepEqual(r.findings, ["cluster/dev/apps.yaml:17 mandatory content-verified Kustomization flux-system/apps"]);
  assert.ok(r.messages[0]!.includes("recurseSubmodules"));
  assert.equal(r.code, 1);
});

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
  const text = r.described.join("\n");
  assert.match(text, /from-missing-repo: .*GitRepository\/flux-system\/missing, which is not in Git/);
  assert.match(text, /other: .*from GitRepository flux-system\/lookalike, which is not among the checked objects/);
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
  const text = r.described.join("\n");
  assert.match(text, /gcp-evil: Bucket flux-system\/gcp-evil pulls from https:\/\/storage\.googleapis\.com\/evil-bucket/);
  assert.match(text, /\(FluxInstance sync \(GitRepository\)\) pulls from https:\/\/github\.com\/evil\/fleet/);
  assert.match(text, /\(FluxInstance distribution\) pulls from oci:\/\/ghcr\.io\/evil\/flux-operator-manifests:latest/);
  assert.doesNotMatch(text, /gcp-allowed|generic-allowed|controller images/);
  assert.equal(r.code, 1);
});
