// Issue #11: every bypass and false alarm found on real repositories, as a small fixture under
// fixtures/<case>/ (a repository root with its Pulumi.<env>.yaml), run through `npm run policy` in
// graph mode (kubectl kustomize, as kustomize-controller builds) and, where it applies, paths mode.
// Each asserts the exact findings and the exit code. kubectl must be installed: a missing kubectl fails
// these tests, it never skips them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../policies/cli.ts";
import { normalizeUrl, urlUnder } from "../../policies/urls.ts";
import { substitute } from "../../policies/flux/envsubst.ts";
import { ROOT } from "../support/paths.ts";

const FIXTURES = join(ROOT, "test", "policies", "fixtures");
const CONFIG = join(FIXTURES, "policy.json");

interface Run {
  code: number;
  findings: string[];
  errors: string[];
  notes: string[];
}

async function policy(root: string, ...args: string[]): Promise<Run> {
  let out = "";
  let err = "";
  const code = await main(["--format", "json", "--config", CONFIG, "--root", root, ...args], {
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  assert.equal(err, "", "json output: nothing on stderr");
  const r = JSON.parse(out) as {
    findings: { file: string; line: number; level: string; rule: string; kind: string; namespace?: string; name: string }[];
    errors: { file: string; message: string }[];
    notes: { file: string; message: string }[];
  };
  return {
    code,
    findings: r.findings
      .map((f) => `${f.file}:${f.line} ${f.level} ${f.rule} ${f.kind} ${f.namespace ? `${f.namespace}/` : ""}${f.name}`)
      .sort(),
    errors: r.errors.map((e) => `${e.file}: ${e.message}`),
    notes: r.notes.map((n) => `${n.file}: ${n.message}`),
  };
}

const graph = (fixture: string) => policy(join(FIXTURES, fixture));
const paths = (fixture: string, ...p: string[]) => policy(join(FIXTURES, fixture), ...(p.length ? p : ["."]));

test("a Flux Kustomization in cluster/<env> that applies another folder: that folder is checked", async () => {
  const r = await graph("follow-path");
  assert.deepEqual(r.findings, ["apps/secret.yaml:1 mandatory no-plaintext-secrets Secret web/token"]);
  assert.equal(r.code, 1);
});

test("List items, .json files, kustomize and Flux Kustomization patches are checked as kustomize applies them", async () => {
  const r = await graph("kustomize-inputs");
  assert.deepEqual(r.findings, [
    // the Flux Kustomization's spec.patches replaced the URL: the finding points at that patch
    "cluster/dev/apps.yaml:13 mandatory git-source-allowed GitRepository flux-system/app",
    // cluster/dev/linked.yaml is a symlink: never in Flux's artifact, never applied (fixtures symlinked-*)
    "cluster/dev/list.yaml:7 mandatory no-plaintext-secrets Secret web/from-list",
    "cluster/dev/repo.json:1 mandatory git-source-allowed GitRepository flux-system/json",
    // the kustomize patch wrote the plaintext value over a ${TOKEN} placeholder: the finding points at the patch
    "cluster/dev/secret-patch.yaml:6 mandatory no-plaintext-secrets Secret web/patched",
  ]);
  assert.equal(r.code, 1);
});

test("paths mode: List items, .json and symlinks inside the tree are read; a patch file is never an object", async () => {
  const r = await paths("kustomize-inputs", ".");
  assert.deepEqual(r.findings, [
    // outside every environment's folder no GitHub owner applies: only configured prefixes are allowed
    "apps/repo.yaml:1 mandatory git-source-allowed GitRepository flux-system/app",
    "cluster/dev/linked.yaml:1 mandatory git-source-allowed OCIRepository flux-system/linked",
    "cluster/dev/list.yaml:7 mandatory no-plaintext-secrets Secret web/from-list",
    "cluster/dev/repo.json:1 mandatory git-source-allowed GitRepository flux-system/json",
    // shared/linked.yaml is the same file as the symlink: read once
  ]);
  // the symlink leads out of cluster/ (to shared/): not followed when only cluster/ is checked
  const inner = await paths("kustomize-inputs", "cluster");
  assert.deepEqual(inner.findings, [
    "cluster/dev/list.yaml:7 mandatory no-plaintext-secrets Secret web/from-list",
    "cluster/dev/repo.json:1 mandatory git-source-allowed GitRepository flux-system/json",
  ]);
  assert.deepEqual(inner.notes, ["cluster/dev/linked.yaml: symlink leads outside the checked tree: not followed"]);
});

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

test("an environment label that is a path never reads a file as the stack config", async () => {
  const r = await paths("env-label", "apps");
  // the attacker's cluster/dev/zz/owner.yaml says github:owner evil; it is not read: evil stays disallowed
  assert.deepEqual(r.findings, ["apps/repo.yaml:1 mandatory git-source-allowed GitRepository flux-system/app"]);
  assert.equal(r.code, 1);
});

test("production comes from the stack config: an unlabelled branch-following GitRepository applied for prod is caught", async () => {
  const r = await graph("prod-no-label");
  assert.deepEqual(r.findings, ["apps/prod/repo.yaml:1 mandatory git-ref-pinned GitRepository flux-system/app"]);
  assert.equal(r.code, 1);
});

test("a kustomize patch that looks like a partial HelmRelease is not a release from no source", async () => {
  for (const r of [await graph("patch-fragment"), await paths("patch-fragment")]) {
    assert.deepEqual(r.findings, []);
    assert.equal(r.code, 0);
  }
});

test("Secrets of ${VAR} placeholders, op:// references or no data pass; secretGenerator literals do not", async () => {
  const g = await graph("secrets");
  assert.deepEqual(g.findings, ["cluster/dev/kustomization.yaml:1 mandatory no-plaintext-secrets Secret web/generated-cf85kd65mm"]);
  const p = await paths("secrets", "cluster");
  assert.deepEqual(p.findings, ["cluster/dev/kustomization.yaml:1 mandatory no-plaintext-secrets Kustomization (unnamed)"]);
});

test("remediation: defaults from a Flux Kustomization's patches, retries -1 and RetryOnFailure all pass", async () => {
  const r = await graph("remediation");
  assert.deepEqual(r.findings, []);
  assert.equal(r.code, 0);
});

test("chartRef to a HelmChart built from a GitRepository is Git-sourced", async () => {
  const r = await graph("chartref-helmchart");
  assert.deepEqual(r.findings, []);
});

test("the environment comes from the path relative to the root, not from an absolute path's cluster/<x>/", async (t) => {
  // The checkout itself lives under .../cluster/prod/: only cluster/dev inside it counts.
  const r = await paths("abs-path/cluster/prod/checkout", "cluster");
  assert.deepEqual(r.findings, []);
  // Moved under a folder without that name, nothing changes.
  const copy = mkdtempSync(join(tmpdir(), "policy-abs-"));
  t.after(() => rmSync(copy, { recursive: true, force: true }));
  cpSync(join(FIXTURES, "abs-path", "cluster", "prod", "checkout"), copy, { recursive: true });
  assert.deepEqual((await policy(copy, "cluster")).findings, []);
});

test("valid YAML that is not a Kubernetes object never makes the run exit 2, nor hides findings", async () => {
  for (const r of [await graph("non-k8s-yaml"), await paths("non-k8s-yaml")]) {
    assert.deepEqual(r.findings, ["cluster/dev/secret.yaml:1 mandatory no-plaintext-secrets Secret web/token"]);
    assert.deepEqual(r.errors, []);
    assert.equal(r.code, 1);
  }
});

test("chart-version-pinned wants an exact version: mandatory in production, advisory elsewhere", async () => {
  const prod = await graph("versions-prod");
  assert.deepEqual(prod.findings, [
    "cluster/prod/charts.yaml:10 mandatory chart-version-pinned HelmRelease flux-system/range",
    "cluster/prod/charts.yaml:28 mandatory chart-version-pinned HelmRelease flux-system/star",
    "cluster/prod/charts.yaml:46 mandatory chart-version-pinned OCIRepository flux-system/prometheus",
    "cluster/prod/charts.yaml:46 mandatory git-source-allowed OCIRepository flux-system/prometheus",
  ]);
  const dev = await graph("versions-dev");
  assert.deepEqual(dev.findings, [
    "cluster/dev/charts.yaml:10 advisory chart-version-pinned HelmRelease flux-system/range",
    "cluster/dev/charts.yaml:28 advisory chart-version-pinned HelmRelease flux-system/star",
    "cluster/dev/charts.yaml:46 advisory chart-version-pinned OCIRepository flux-system/prometheus",
    "cluster/dev/charts.yaml:46 mandatory git-source-allowed OCIRepository flux-system/prometheus",
  ]);
});

test("a ResourceSet's resources are checked, and the Kustomizations it generates are followed", async () => {
  const expected = [
    "cluster/dev/rset.yaml:1 mandatory no-plaintext-secrets Secret flux-system/team1-token",
    "cluster/dev/rset.yaml:1 mandatory no-plaintext-secrets Secret flux-system/team2-token",
    "tenants/team1/repo.yaml:1 mandatory git-source-allowed GitRepository flux-system/team1",
    "tenants/team2/repo.yaml:1 mandatory git-source-allowed GitRepository flux-system/team2",
  ];
  assert.deepEqual((await graph("resourceset")).findings, expected);
  assert.deepEqual((await paths("resourceset")).findings, expected);
});

test("a folder Flux cannot build is exit 2 naming the Kustomization, with kustomize's reason", async () => {
  const r = await graph("env-label"); // cluster/dev holds a file that is not a Kubernetes object: Flux fails too
  assert.equal(r.code, 2);
  assert.equal(r.errors.length, 1);
  assert.equal(
    r.errors[0],
    "Pulumi.dev.yaml: Kustomization flux-system/flux-system: kustomize build of ./cluster/dev fails: accumulating resources: " +
      "accumulation err='accumulating resources from 'cluster/dev/zz/owner.yaml': missing Resource metadata': " +
      "must build at directory: 'cluster/dev/zz/owner.yaml': file is not directory",
  );
});

test("--exclude and .policyignore leave files out of paths mode; graph mode refuses --exclude", async (t) => {
  const r = await paths("non-k8s-yaml", "--exclude", "cluster/dev/secret.yaml", ".");
  assert.deepEqual(r.findings, []);
  assert.equal(r.code, 0);
  const copy = mkdtempSync(join(tmpdir(), "policy-ignore-"));
  t.after(() => rmSync(copy, { recursive: true, force: true }));
  cpSync(join(FIXTURES, "non-k8s-yaml"), copy, { recursive: true });
  writeFileSync(join(copy, ".policyignore"), "# not ours\ncluster/dev/secret.yaml\n");
  assert.deepEqual((await policy(copy, ".")).findings, []);
  let err = "";
  const code = await main(["--root", copy, "--exclude", "x"], { out: () => {}, err: (e) => (err += e) });
  assert.equal(code, 2);
  assert.equal(err, "policy: --exclude applies to PATHS; graph mode checks all that Flux applies\n");
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

test("post-build substitution: nested defaults, escapes, unknown variables", () => {
  const opts = { vars: { APP: "web" }, keepUnknown: false };
  assert.equal(substitute("${CLAIM:-${APP}}-data", opts), "web-data");
  assert.equal(substitute("$${APP} ${MISSING}", opts), "${APP} ");
  assert.equal(substitute("${MISSING}", { ...opts, keepUnknown: true }), "${MISSING}");
});

// ---------------------------------------------------------------------------------------------------
// Issue #11 review: bypasses found after the rebuild, one fixture each.

test("a fake sops.mac does not make a plaintext Secret encrypted; real SOPS ciphertexts pass", async () => {
  for (const r of [await graph("sops-fake"), await paths("sops-fake")]) {
    assert.deepEqual(r.findings, ["cluster/dev/secrets.yaml:2 mandatory no-plaintext-secrets Secret web/faked"]);
    assert.equal(r.code, 1);
  }
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

test("Git cannot redefine the sync: the flux-system GitRepository or Kustomization in Git is a mandatory finding", async () => {
  const r = await graph("sync-redefined");
  assert.deepEqual(r.findings, [
    "cluster/dev/sync.yaml:15 mandatory sync-not-in-git Kustomization flux-system/flux-system",
    "cluster/dev/sync.yaml:2 mandatory sync-not-in-git GitRepository flux-system/flux-system",
  ]);
  assert.equal(r.code, 1);
});

test("an object applied by two Flux Kustomizations is a mandatory finding naming both", async () => {
  const r = await graph("applied-twice");
  assert.deepEqual(r.findings, [
    "b/objects.yaml:1 mandatory content-verified ConfigMap web/shared",
    "b/objects.yaml:10 mandatory content-verified GitRepository flux-system/mirror",
  ]);
  assert.equal(r.code, 1);
  const messages = await findingMessages("applied-twice");
  assert.ok(messages.every((m) => m.includes("applied by Kustomization flux-system/a and by Kustomization flux-system/b")));
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

test("graph mode builds Flux's artifact: a symlinked or source-ignored kustomization.yaml is not there", async () => {
  const r = await graph("artifact");
  assert.deepEqual(r.findings, [
    "ignored/evil.yaml:1 mandatory git-source-allowed HelmRepository flux-system/evil-ignored",
    "linked/evil.yaml:1 mandatory git-source-allowed HelmRepository flux-system/evil",
  ]);
  assert.equal(r.code, 1);
});

test("post-build substitution reaches mapping keys: colliding or unknown keys are mandatory findings", async () => {
  const r = await graph("substitute-keys");
  assert.deepEqual(r.findings, [
    "sub/repo.yaml:2 mandatory content-verified GitRepository flux-system/sneaky",
    // the last key wins, as in Flux: the evil URL is what is checked
    "sub/repo.yaml:2 mandatory git-source-allowed GitRepository flux-system/sneaky",
    "unknown/repo.yaml:2 mandatory content-verified GitRepository flux-system/unknown",
  ]);
  assert.equal(r.code, 1);
});

test("substituteFrom: optional and absent adds no variables; required and absent counts as unset", async () => {
  const r = await graph("optional-substitute-from");
  assert.deepEqual(r.findings, [
    "optional/repo.yaml:2 mandatory git-ref-pinned GitRepository flux-system/optional",
    "required/repo.yaml:2 mandatory git-ref-pinned GitRepository flux-system/required",
  ]);
  assert.deepEqual(r.notes, [
    "cluster/prod/apps.yaml: Kustomization flux-system/required: substituteFrom ConfigMap/cluster-vars is not in Git: a value that uses one of its variables counts as unset here",
  ]);
  assert.equal(r.code, 1);
});

test("remote bases are sources: checked by git-source-allowed, refused with noRemoteBases, one clear line offline", async () => {
  const r = await graph("remote-bases");
  assert.deepEqual(r.findings, [
    // dev: only the base outside the owner's prefix; prod (noRemoteBases): both
    "remote/kustomization.yaml:1 mandatory git-source-allowed Kustomization remote/kustomization.yaml",
    "remote/kustomization.yaml:1 mandatory git-source-allowed Kustomization remote/kustomization.yaml",
    "remote/kustomization.yaml:1 mandatory git-source-allowed Kustomization remote/kustomization.yaml",
  ]);
  const why =
    "Kustomization flux-system/remote: kustomize build of ./remote fails: resources https://github.com/evil/x//deploy?ref=v1 " +
    "(remote/kustomization.yaml) is a remote base, which cannot be fetched here: this path is not verified";
  assert.deepEqual(r.errors, [`cluster/dev/apps.yaml: ${why}`, `cluster/prod/apps.yaml: ${why}`]);
  assert.equal(r.code, 2);
  const messages = await findingMessages("remote-bases");
  assert.equal(messages.filter((m) => m.includes("flux.multitenancy.noRemoteBases")).length, 2);
  assert.equal(messages.filter((m) => m.includes("github.com/acme/base")).length, 1);
});

test("a build that reads a file outside the repository stops the run with one line (Flux refuses it)", async () => {
  const r = await graph("outside-root/repo");
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.errors, [
    "cluster/dev/apps.yaml: Kustomization flux-system/o: kustomize build of ./o fails: resources ../../outside/evil.yaml " +
      "(o/kustomization.yaml) is outside the repository: Flux builds inside its source artifact and refuses it",
  ]);
  assert.equal(r.code, 2);
});

test("a ResourceSet whose objects cannot be rendered here is a mandatory finding, in both modes", async () => {
  for (const r of [await graph("resourceset-unrendered"), await paths("resourceset-unrendered")]) {
    assert.deepEqual(r.findings, ["cluster/dev/rset.yaml:2 mandatory content-verified ResourceSet flux-system/tenants"]);
    assert.equal(r.code, 1);
  }
});

test("kustomize's multi-line reason comes out on one line", async () => {
  const r = await graph("build-error");
  assert.deepEqual(r.errors, [
    "Pulumi.dev.yaml: Kustomization flux-system/flux-system: kustomize build of ./cluster/dev fails: " +
      'map[string]interface {}(nil): yaml: unmarshal errors: line 11: mapping key "a" already defined at line 10',
  ]);
  assert.equal(r.code, 2);
});

async function findingMessages(fixture: string): Promise<string[]> {
  let out = "";
  await main(["--format", "json", "--config", CONFIG, "--root", join(FIXTURES, fixture)], { out: (t) => (out += t), err: () => {} });
  return (JSON.parse(out) as { findings: { message: string }[] }).findings.map((f) => f.message);
}
