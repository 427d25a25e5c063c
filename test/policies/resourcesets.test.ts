// ResourceSets: their resources checked and their Kustomizations followed; what cannot be rendered exactly is a
// finding, in both modes.
// Fixtures: test/policies/fixtures/<case>/ (a repository root with its Pulumi.<env>.yaml), run through `npm run policy`
// (test/support/policy-harness.ts); kubectl and Helm must be installed: a missing one fails these tests, never skips them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { graph, paths } from "../support/policy-harness.ts";

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

test("a ResourceSet whose objects cannot be rendered here is a mandatory finding, in both modes", async () => {
  for (const r of [await graph("resourceset-unrendered"), await paths("resourceset-unrendered")]) {
    assert.deepEqual(r.findings, ["cluster/dev/rset.yaml:2 mandatory content-verified ResourceSet flux-system/tenants"]);
    assert.equal(r.code, 1);
  }
});

test("a ResourceSet input that prints YAML structure (a newline adds a sourceRef, the last wins) fails closed, in both modes", async () => {
  for (const r of [await graph("i20-resourceset-inject"), await paths("i20-resourceset-inject")]) {
    // the inert set (name, URL through quote) renders and its GitRepository passes
    assert.deepEqual(r.findings, ["cluster/dev/rset.yaml:3 mandatory content-verified ResourceSet flux-system/apps"]);
    assert.match(r.described[0]!, /<< inputs\.chart >> prints "charts\/app\\n {6}sourceRef:/);
    assert.equal(r.code, 1);
  }
});
