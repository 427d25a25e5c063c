// Plaintext secrets in Git: placeholders, op:// references and SOPS ciphertext pass; literals and fake SOPS
// metadata do not.
// Fixtures: test/policies/fixtures/<case>/ (a repository root with its Pulumi.<env>.yaml), run through `npm run policy`
// (test/support/policy-harness.ts); kubectl and Helm must be installed: a missing one fails these tests, never skips them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { graph, paths } from "../support/policy-harness.ts";

test("Secrets of ${VAR} placeholders, op:// references or no data pass; secretGenerator literals do not", async () => {
  const g = await graph("secrets");
  assert.deepEqual(g.findings, ["cluster/dev/kustomization.yaml:1 mandatory no-plaintext-secrets Secret web/generated-cf85kd65mm"]);
  const p = await paths("secrets", "cluster");
  assert.deepEqual(p.findings, ["cluster/dev/kustomization.yaml:1 mandatory no-plaintext-secrets Kustomization (unnamed)"]);
});

test("a fake sops.mac does not make a plaintext Secret encrypted; real SOPS ciphertexts pass", async () => {
  for (const r of [await graph("sops-fake"), await paths("sops-fake")]) {
    assert.deepEqual(r.findings, ["cluster/dev/secrets.yaml:2 mandatory no-plaintext-secrets Secret web/faked"]);
    assert.equal(r.code, 1);
  }
});

test("a secretGenerator file that is wholly SOPS encrypted is no plaintext; a sops block beside plaintext is", async () => {
  const r = await graph("i20-sops-generator");
  assert.deepEqual(r.findings, ["cluster/dev/kustomization.yaml:1 mandatory no-plaintext-secrets Secret web/half-b64cmk9468"]);
  assert.equal(r.code, 1);
});
