// Bounds on what hostile input can make large or slow: alias bombs, ResourceSet products, a build's time and
// memory. Each ends in one line and exit 2, or a finding, never a hang.
// Fixtures: test/policies/fixtures/<case>/ (a repository root with its Pulumi.<env>.yaml), run through `npm run policy`
// (test/support/policy-harness.ts); kubectl and Helm must be installed: a missing one fails these tests, never skips them.
import assert from "node:assert/strict";
import { assertBoundedExpansion, BoundError } from "../../policies/bounds.ts";
import { join } from "node:path";
import { kustomizeBuild } from "../../policies/flux/kustomize.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { parseDocuments } from "../../policies/yaml.ts";
import { test } from "node:test";
import { tmpdir } from "node:os";
import { FIXTURES, graph, policy } from "../support/policy-harness.ts";

test("a YAML alias bomb in a Kustomization path: one line and exit 2 within seconds", async () => {
  const started = Date.now();
  const r = await graph("alias-bomb");
  assert.equal(r.code, 2);
  assert.equal(r.errors.length, 1);
  // Refused before kubectl reads it: every YAML file a build reads is bounded first (infra/yaml.ts).
  assert.equal(
    r.errors[0]!,
    "cluster/dev/bomb.yaml: refused: YAML expands to more than 1000000 nodes through aliases (an alias bomb?) (Kustomization flux-system/flux-system builds it with kustomize)",
  );
  assert.ok(!r.errors[0]!.includes("\n"));
  assert.ok(Date.now() - started < 60_000, "bounded");
  // paths mode reads it with the expansion bound
  const p = await policy(join(FIXTURES, "alias-bomb"), ["."]);
  assert.equal(p.code, 2);
  assert.deepEqual(p.errors, ["cluster/dev/bomb.yaml: refused: YAML expands to more than 1000000 nodes through aliases (an alias bomb?)"]);
});

test("a 1.5 KB alias bomb in a ResourceSet: one line and exit 2 in paths mode and in graph mode", async () => {
  const p = await policy(join(FIXTURES, "alias-bomb-resourceset"), ["."]);
  assert.equal(p.code, 2);
  assert.deepEqual(p.errors, ["cluster/dev/rset.yaml: refused: YAML expands to more than 1000000 nodes through aliases (an alias bomb?)"]);
  const g = await graph("alias-bomb-resourceset");
  assert.equal(g.code, 2);
  assert.equal(g.errors.length, 1);
});

test("an alias bomb in the kustomization file Flux's fields are written into is refused before it is expanded", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "bomb-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const levels = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++)
    levels.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(",")}]`,
    );
  writeFileSync(join(dir, "kustomization.yaml"), `resources: [a.yaml]\nopenapi:\n  ${levels.join("\n  ")}\n`);
  await assert.rejects(kustomizeBuild(dir, { namePrefix: "x-" }, join(dir, "work"), dir), (e: Error) => {
    assert.equal(e.name, "BuildError");
    assert.match(e.message, /^kustomization\.yaml: YAML aliases expand this document to more than 1,000,000 nodes/);
    return true;
  });
});

test("a build under too small a POLICY_BUILD_MEMORY is stopped with one line", async (t) => {
  const saved = process.env.POLICY_BUILD_MEMORY;
  process.env.POLICY_BUILD_MEMORY = "8";
  t.after(() => (saved === undefined ? delete process.env.POLICY_BUILD_MEMORY : (process.env.POLICY_BUILD_MEMORY = saved)));
  const r = await graph("component-patch");
  assert.equal(r.code, 2);
  assert.equal(r.errors.length, 1);
  // kubectl cannot map its heap in 8 MiB: it dies of SIGSEGV before it prints anything.
  assert.match(r.errors[0]!, /kustomize build of \S+ fails: the build was killed by SIGSEGV under POLICY_BUILD_MEMORY 8 MiB: not checked$/);
  assert.ok(!r.errors[0]!.includes("\n"));
});

test("a build that runs too long is stopped at POLICY_BUILD_TIMEOUT with one line", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "slow-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const kubectl = join(dir, "kubectl");
  writeFileSync(kubectl, "#!/bin/sh\nsleep 30\n", { mode: 0o755 });
  const saved = { KUBECTL: process.env.KUBECTL, POLICY_BUILD_TIMEOUT: process.env.POLICY_BUILD_TIMEOUT };
  process.env.KUBECTL = kubectl;
  process.env.POLICY_BUILD_TIMEOUT = "1";
  t.after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  const started = Date.now();
  const r = await graph("follow-path");
  assert.equal(r.code, 2);
  assert.deepEqual(r.errors, [
    "Pulumi.dev.yaml: Kustomization flux-system/flux-system: kustomize build of ./cluster/dev fails: the build took longer than 1 s (POLICY_BUILD_TIMEOUT) and was stopped: not checked",
  ]);
  assert.ok(Date.now() - started < 15_000);
});

test("a ResourceSet whose input sets × resources are too many to render is a finding, not a minute-long render", async () => {
  for (const r of [await graph("resourceset-product"), await policy(join(FIXTURES, "resourceset-product"), ["."])]) {
    assert.deepEqual(r.findings, ["cluster/dev/rset.yaml:2 mandatory content-verified ResourceSet flux-system/product"]);
    assert.match(r.messages[0]!, /renders more than 5,000,000 nodes from 2000 input sets/);
    assert.equal(r.code, 1);
  }
});

test("the expansion bound counts aliases as a walk would, shared objects once", () => {
  const [bomb] = parseDocuments(
    "a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n",
    false,
  );
  assert.doesNotThrow(() => assertBoundedExpansion(bomb!.doc)); // 1,000 leaves
  assert.throws(() => assertBoundedExpansion(bomb!.doc, 500), BoundError);
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  assert.throws(() => assertBoundedExpansion(cyclic), BoundError);
});
