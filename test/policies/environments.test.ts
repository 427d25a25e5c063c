// Which environment an object is checked for: the stack's sync folder, the path relative to the root, a label
// only when it names a stack; production from the stack config; the sync itself never in Git.
// Fixtures: test/policies/fixtures/<case>/ (a repository root with its Pulumi.<env>.yaml), run through `npm run policy`
// (test/support/policy-harness.ts); kubectl and Helm must be installed: a missing one fails these tests, never skips them.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tmpdir } from "node:os";
import { FIXTURES, graph, paths, policy } from "../support/policy-harness.ts";

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

test("the environment comes from the path relative to the root, not from an absolute path's cluster/<x>/", async (t) => {
  // The checkout itself lives under .../cluster/prod/: only cluster/dev inside it counts.
  const r = await paths("abs-path/cluster/prod/checkout", "cluster");
  assert.deepEqual(r.findings, []);
  // Moved under a folder without that name, nothing changes.
  const copy = mkdtempSync(join(tmpdir(), "policy-abs-"));
  t.after(() => rmSync(copy, { recursive: true, force: true }));
  cpSync(join(FIXTURES, "abs-path", "cluster", "prod", "checkout"), copy, { recursive: true });
  assert.deepEqual((await policy(copy, ["cluster"])).findings, []);
});

test("Git cannot redefine the sync: the flux-system GitRepository or Kustomization in Git is a mandatory finding", async () => {
  const r = await graph("sync-redefined");
  assert.deepEqual(r.findings, [
    "cluster/dev/sync.yaml:15 mandatory sync-not-in-git Kustomization flux-system/flux-system",
    "cluster/dev/sync.yaml:2 mandatory sync-not-in-git GitRepository flux-system/flux-system",
  ]);
  assert.equal(r.code, 1);
});
