// Charts the graph installs from Git, rendered with real Helm, the rules run over what they render.
// Fixtures: test/policies/fixtures/<case>/ (a repository root with its Pulumi.<env>.yaml), run through `npm run policy`
// (test/support/policy-harness.ts); kubectl and Helm must be installed: a missing one fails these tests, never skips them.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { FIXTURES, graph } from "../support/policy-harness.ts";

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
  const text = r.described.join("\n");
  assert.match(text, /broken: .*its chart is not rendered here.*this chart refuses to render/);
  assert.match(text, /with-dep: .*its chart is not rendered here/);
  assert.match(text, /dependency payload of chart charts\/with-dep of this repository pulls from https:\/\/charts\.evil\.example/);
  assert.deepEqual(r.notes, [
    "cluster/dev/releases.yaml: HelmRelease flux-system/elsewhere installs chart charts/app from GitRepository flux-system/metallb-next (https://github.com/metallb/metallb): its URL is checked as a source, the chart's content is not verified here",
  ]);
  assert.equal(r.code, 1);
});

test("in production a chart from another repository that the chart cache does not hold is a finding, not a note", async () => {
  const r = await graph("i20-charts-prod");
  assert.deepEqual(r.findings, ["cluster/prod/release.yaml:2 mandatory content-verified HelmRelease flux-system/app"]);
  assert.match(r.described[0]!, /in production it installs chart charts\/app from GitRepository flux-system\/app/);
  assert.deepEqual(r.notes, []);
  assert.equal(r.code, 1);
});
