// Paths mode: loose files read the way kustomize reads them (Lists, .json, symlinks inside the tree), what is
// skipped (not YAML, templates, --exclude, .policyignore) and what never stops a run.
// Fixtures: test/policies/fixtures/<case>/ (a repository root with its Pulumi.<env>.yaml), run through `npm run policy`
// (test/support/policy-harness.ts); kubectl and Helm must be installed: a missing one fails these tests, never skips them.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../policies/cli.ts";
import { test } from "node:test";
import { tmpdir } from "node:os";
import { FIXTURES, graph, paths, policy } from "../support/policy-harness.ts";

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

test("valid YAML that is not a Kubernetes object never makes the run exit 2, nor hides findings", async () => {
  for (const r of [await graph("non-k8s-yaml"), await paths("non-k8s-yaml")]) {
    assert.deepEqual(r.findings, ["cluster/dev/secret.yaml:1 mandatory no-plaintext-secrets Secret web/token"]);
    assert.deepEqual(r.errors, []);
    assert.equal(r.code, 1);
  }
});

test("--exclude and .policyignore leave files out of paths mode; graph mode refuses --exclude", async (t) => {
  const r = await paths("non-k8s-yaml", "--exclude", "cluster/dev/secret.yaml", ".");
  assert.deepEqual(r.findings, []);
  assert.equal(r.code, 0);
  const copy = mkdtempSync(join(tmpdir(), "policy-ignore-"));
  t.after(() => rmSync(copy, { recursive: true, force: true }));
  cpSync(join(FIXTURES, "non-k8s-yaml"), copy, { recursive: true });
  writeFileSync(join(copy, ".policyignore"), "# not ours\ncluster/dev/secret.yaml\n");
  assert.deepEqual((await policy(copy, ["."])).findings, []);
  let err = "";
  const code = await main(["--root", copy, "--exclude", "x"], { out: () => {}, err: (e) => (err += e) });
  assert.equal(code, 2);
  assert.equal(err, "policy: --exclude applies to PATHS; graph mode checks all that Flux applies\n");
});

test("paths mode skips a file as a template only when it is not YAML: a {{ }} in a comment or string skips nothing", async () => {
  const r = await paths("i20-paths-template", "apps");
  assert.deepEqual(r.findings, ["apps/release.yaml:2 mandatory helmrelease-git-sourced HelmRelease web/app"]);
  assert.equal(r.code, 1);
});
