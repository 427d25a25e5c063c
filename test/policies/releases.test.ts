// HelmRelease rules on fixture repositories: remediation as Flux defaults it, chart versions pinned exactly.
// Fixtures: test/policies/fixtures/<case>/ (a repository root with its Pulumi.<env>.yaml), run through `npm run policy`
// (test/support/policy-harness.ts); kubectl and Helm must be installed: a missing one fails these tests, never skips them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { graph } from "../support/policy-harness.ts";

test("remediation: defaults from a Flux Kustomization's patches, retries -1 and RetryOnFailure all pass", async () => {
  const r = await graph("remediation");
  assert.deepEqual(r.findings, []);
  assert.equal(r.code, 0);
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
