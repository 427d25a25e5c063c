// infra/launch.mjs, the launcher the npm scripts `render` and `policy` go through: a tool started through
// it sees the same argv and gives the same output and exit code as under plain `node`, and a repeated run
// takes the stripped TypeScript from the compile cache instead of loading the type stripper again.
// The process boundary is the point here, so these tests spawn node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../support/paths.ts";

const LAUNCH = join(ROOT, "infra/launch.mjs");

/** Runs node with `env` laid over this process's environment (an undefined value removes the variable). */
function node(args: string[], env: Record<string, string | undefined> = {}) {
  const merged = { ...process.env, ...env };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", env: merged });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("a tool started through the launcher behaves as under node: argv, output, exit code", () => {
  for (const args of [["--frobnicate"], ["--root", "/nonexistent/checkout"]]) {
    const direct = node([join(ROOT, "stacks/render.ts"), ...args]);
    const launched = node([LAUNCH, "stacks/render.ts", ...args]);
    assert.deepEqual(launched, direct, args.join(" "));
  }
  const help = node([LAUNCH, "policies/cli.ts", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: npm run policy/);
});

test("the launcher without a script prints its usage and exits 2", () => {
  assert.deepEqual(node([LAUNCH]), { code: 2, stdout: "", stderr: "usage: node infra/launch.mjs <script.ts> [args...]\n" });
});

test("the npm scripts render and policy go through the launcher", async () => {
  const { scripts } = (await import("../../package.json", { with: { type: "json" } })).default as { scripts: Record<string, string> };
  assert.equal(scripts.render, "bash .ci/node infra/launch.mjs stacks/render.ts");
  assert.equal(scripts.policy, "bash .ci/node infra/launch.mjs policies/cli.ts");
});

test("a second run takes the stripped TypeScript from the compile cache, so the type stripper is not loaded", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "launch-cache-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const probe = join(dir, "probe.cjs");
  writeFileSync(
    probe,
    `process.on("exit", () => process.stderr.write("stripper loaded: " + process.moduleLoadList.some((m) => m.includes("amaro")) + "\\n"));\n`,
  );
  // The launcher's own default: the OS temp folder (TMPDIR here), not a cache switched on from outside.
  const env = { TMPDIR: dir, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined };
  const run = () => node(["--require", probe, LAUNCH, "stacks/render.ts", "--help"], env);
  const first = run();
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stderr, "stripper loaded: true\n");
  assert.ok(readdirSync(join(dir, "node-compile-cache")).length > 0, "the cache folder is filled");
  const second = run();
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stderr, "stripper loaded: false\n");
});
