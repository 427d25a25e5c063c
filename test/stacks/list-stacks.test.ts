// npm run stacks: the environments come from one place (Pulumi.<env>.yaml with its definition), in deploy
// order; the workflow's matrices are its output (test/policies/docs.test.ts), so a new stack needs no edit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listStacks } from "../../infra/config/index.ts";
import { main, stacksInDeployOrder } from "../../stacks/list-stacks.ts";
import { runInProcess } from "../support/in-process.ts";
import { ROOT } from "../support/paths.ts";
import { copyTestStacks, testStackFile } from "../support/stacks.ts";

function project(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), "list-stacks-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  copyTestStacks(root);
  mkdirSync(join(root, "stacks", "environments"), { recursive: true });
  for (const env of ["dev", "prod", "staging"]) writeFileSync(join(root, "stacks", "environments", `${env}.ts`), "export default {};\n");
  return root;
}

test("a new staging stack (non-production) deploys after dev and before prod, with no other edit", async (t) => {
  const root = project(t);
  writeFileSync(
    join(root, "Pulumi.staging.yaml"),
    readFileSync(testStackFile("dev"), "utf8").replace("kubernetes:context: dev", "kubernetes:context: staging"),
  );
  assert.deepEqual(stacksInDeployOrder(root), ["dev", "staging", "prod"]);
  const r = await runInProcess(main, ["--json", "--root", root]);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, '["dev","staging","prod"]\n', ""]);
});

test("a stack file without a definition, or one that does not parse, is one line and exit 1", async (t) => {
  const root = project(t);
  writeFileSync(join(root, "Pulumi.qa.yaml"), readFileSync(testStackFile("dev"), "utf8"));
  let r = await runInProcess(main, ["--root", root]);
  assert.deepEqual(
    [r.code, r.stdout, r.stderr],
    [1, "", `stacks: ${join(root, "Pulumi.qa.yaml")}: stack "qa" has no release definition; add stacks/environments/qa.ts\n`],
  );
  writeFileSync(join(root, "stacks", "environments", "qa.ts"), "export default {};\n");
  writeFileSync(join(root, "Pulumi.qa.yaml"), "config:\n  flux-gitops:production: maybe\n");
  r = await runInProcess(main, ["--root", root]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^stacks: [^\n]*Pulumi\.qa\.yaml: flux-gitops:[^\n]+\n$/);
});

test("this repository's stacks: every Pulumi.<env>.yaml is listed once, each with its definition", () => {
  assert.deepEqual([...stacksInDeployOrder(ROOT)].sort(), listStacks(ROOT));
});
