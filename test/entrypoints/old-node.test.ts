// The entry points (program, policy pack, package) started with a Node.js older than 22.18, exactly as the CLI would start them with that node
// first on PATH: one line saying what to install, a non-zero exit, and nothing else attempted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cliPolicyPackCommand } from "../support/analyzer-client.ts";
import { FakeEngine, runUnderCmdRun } from "../support/engine.ts";
import { findOldNode } from "../support/old-node.ts";
import { languageHostPluginCommand } from "../support/plugin.ts";

const old = findOldNode();

function expectedLine(version: string): RegExp {
  const v = version.replaceAll(".", "\\.");
  return new RegExp(
    `^flux-gitops needs Node\\.js >= 22\\.18 \\(found v${v}; Pulumi runs the first node on PATH\\): install Node 22\\.18\\+ or 24 \\(e\\.g\\. nvm install 24\\) and put it first on PATH$`,
  );
}

test(`program through cmd/run with Node ${old.version}: one line, non-zero exit`, async (t) => {
  t.diagnostic(`old node: ${old.source}`);
  const r = await runUnderCmdRun({ stack: "dev", dryRun: true, node: old.node, nodeArgs: old.nodeArgs });
  assert.notEqual(r.code, 0, `exit ${r.code}`);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `exactly one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, expectedLine(old.version));
  assert.equal(r.stdout, "");
  assert.deepEqual(
    r.engine.logs.filter((l) => l.severity === "error"),
    [],
    "nothing more reported through the engine",
  );
  assert.deepEqual(
    r.engine.registrations.map((x) => x.type),
    ["pulumi:pulumi:Stack"],
    "no resource of the program registered",
  );
});

test(`policy pack through cmd/run-policy-pack with Node ${old.version}: one line, non-zero exit, no port`, async (t) => {
  t.diagnostic(`old node: ${old.source}`);
  const engine = await FakeEngine.start({ project: "flux-gitops", stack: "dev", dryRun: true });
  try {
    const { command, args, cwd, env } = cliPolicyPackCommand({
      stack: "dev",
      engineAddress: engine.engineAddress,
      node: old.node,
      nodeArgs: old.nodeArgs,
    });
    const child = spawnSync(command, args, { cwd, env, encoding: "utf8", timeout: 60_000 });
    assert.notEqual(child.status, 0, `exit ${child.status}`);
    assert.equal(child.stdout, "", "no port printed: the CLI reports the pack failed to start");
    const lines = child.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, `exactly one line on stderr, got:\n${child.stderr}`);
    assert.match(lines[0]!, expectedLine(old.version));
  } finally {
    await engine.close();
  }
});

test(`package through cmd/run-plugin with Node ${old.version}: one line, non-zero exit, no port`, async (t) => {
  t.diagnostic(`old node: ${old.source}`);
  const engine = await FakeEngine.start({ project: "flux-gitops", stack: "dev", dryRun: true });
  try {
    const { command, args, cwd, env } = languageHostPluginCommand({
      engineAddress: engine.engineAddress,
      node: old.node,
      nodeArgs: old.nodeArgs,
    });
    const child = spawnSync(command, args, { cwd, env, encoding: "utf8", timeout: 60_000 });
    assert.notEqual(child.status, 0, `exit ${child.status}`);
    assert.equal(child.stdout, "", "no port printed: the CLI reports the plugin failed to start");
    const lines = child.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, `exactly one line on stderr, got:\n${child.stderr}`);
    assert.match(lines[0]!, expectedLine(old.version));
  } finally {
    await engine.close();
  }
});
