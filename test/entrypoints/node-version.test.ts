// The one Node.js version check (infra/node-version.cjs) that every entry point and .ci/node-env use.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ROOT } from "../support/paths.ts";

const { MINIMUM, nodeProblem } = createRequire(import.meta.url)("../../infra/node-version.cjs") as {
  MINIMUM: [number, number];
  nodeProblem(version?: string): string | undefined;
};

test("the boundary: 22.18 and later run, 22.17 and earlier get the one line", () => {
  for (const ok of ["22.18.0", "22.20.1", "23.0.0", "24.22.3", "30.1.0"]) assert.equal(nodeProblem(ok), undefined, ok);
  for (const old of ["22.17.9", "22.0.0", "20.20.2", "18.19.0"]) {
    assert.equal(
      nodeProblem(old),
      `flux-gitops needs Node.js >= 22.18 (found v${old}; Pulumi runs the first node on PATH): install Node 22.18+ or 24 (e.g. nvm install 24) and put it first on PATH`,
    );
  }
});

test("package.json's engines says the same minimum", () => {
  const { engines } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
  assert.equal(engines.node, `>=${MINIMUM.join(".")}`);
});

test("run as a script (what .ci/node-env does): exit 0 on this node, 1 on an older one, nothing printed", () => {
  const script = join(ROOT, "infra/node-version.cjs");
  const now = spawnSync(process.execPath, [script], { encoding: "utf8" });
  assert.deepEqual([now.status, now.stdout, now.stderr], [0, "", ""]);
  const old = spawnSync(process.execPath, ["--require", join(ROOT, "test/support/pretend-old-node.cjs"), script], { encoding: "utf8" });
  assert.deepEqual([old.status, old.stdout, old.stderr], [1, "", ""]);
});
