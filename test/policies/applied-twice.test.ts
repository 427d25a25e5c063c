// An object two Flux Kustomizations apply to one cluster is a finding (the last apply wins); one path per
// cluster (hub and spoke) is not; each finding once.
// Fixtures: test/policies/fixtures/<case>/ (a repository root with its Pulumi.<env>.yaml), run through `npm run policy`
// (test/support/policy-harness.ts); kubectl and Helm must be installed: a missing one fails these tests, never skips them.
import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../policies/cli.ts";
import { test } from "node:test";
import { CONFIG, FIXTURES, graph } from "../support/policy-harness.ts";

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

test("an object applied twice is reported once per rule (and once as applied twice)", async () => {
  const r = await graph("applied-twice-once");
  assert.deepEqual(r.findings, [
    "shared/secret.yaml:1 mandatory content-verified Secret web/token",
    "shared/secret.yaml:1 mandatory no-plaintext-secrets Secret web/token",
  ]);
  assert.equal(r.code, 1);
});

test("one path applied to two clusters (spec.kubeConfig) is not applied twice; twice to one cluster is; each finding once", async () => {
  const r = await graph("i20-hub-spoke");
  assert.deepEqual(r.findings, [
    "spoke/objects.yaml:1 mandatory content-verified ConfigMap web/settings",
    "spoke/objects.yaml:10 mandatory content-verified GitRepository flux-system/elsewhere",
    "spoke/objects.yaml:10 mandatory git-source-allowed GitRepository flux-system/elsewhere",
  ]);
  assert.match(r.described[0]!, /applied by Kustomization flux-system\/spoke-a and by Kustomization flux-system\/spoke-a-again/);
  assert.equal(r.code, 1);
});

async function findingMessages(fixture: string): Promise<string[]> {
  let out = "";
  await main(["--format", "json", "--config", CONFIG, "--root", join(FIXTURES, fixture)], { out: (t) => (out += t), err: () => {} });
  return (JSON.parse(out) as { findings: { message: string }[] }).findings.map((f) => f.message);
}
