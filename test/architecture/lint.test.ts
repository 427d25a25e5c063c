// The guardrails `.ci/run` runs over the code (`npm run typecheck`, `npm run lint`) each fail on the dead code they are
// there for, planted in a copy of the repository: an export nothing imports (knip), an unused local and parameter
// (tsc's noUnusedLocals / noUnusedParameters), an if/else whose branches are the same and a condition its types
// decide (typescript-eslint).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ROOT } from "../support/paths.ts";

/** The committed sources (no cluster/ or charts/, which no guardrail reads), with this checkout's node_modules. */
function copy(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "flux-gitops-lint-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" })
    .split("\0")
    .filter((f) => f !== "" && !/^(cluster|charts)\//.test(f));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    try {
      cpSync(join(ROOT, f), join(dir, f));
    } catch {
      // Deleted in the work tree and not yet committed: not part of the sources.
    }
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}

const run = (cwd: string, tool: string, args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, "node_modules", tool), ...args], { cwd, encoding: "utf8", timeout: 120_000 });

test("knip (npm run lint) fails on an export nothing imports, naming it", (t) => {
  const dir = copy(t);
  const clean = run(dir, "knip/bin/knip.js", ["--no-progress"]);
  assert.equal(clean.status, 0, `the copy is clean before anything is planted:\n${clean.stdout}${clean.stderr}`);
  appendFileSync(join(dir, "infra/contract.ts"), "\nexport const PLANTED_DEAD_EXPORT = 1;\n");
  const r = run(dir, "knip/bin/knip.js", ["--no-progress"]);
  assert.notEqual(r.status, 0);
  assert.match(r.stdout, /PLANTED_DEAD_EXPORT\s+infra\/contract\.ts/);
});

test("tsc (npm run typecheck) fails on an unused local and an unused parameter", (t) => {
  const dir = copy(t);
  writeFileSync(
    join(dir, "infra/planted.ts"),
    "export function planted(used: number, unusedParameter: number): number {\n  const unusedLocal = 2;\n  return used;\n}\n",
  );
  writeFileSync(join(dir, "tsconfig.planted.json"), JSON.stringify({ extends: "./tsconfig.json", include: ["infra/planted.ts"] }));
  const r = run(dir, "typescript/bin/tsc", ["-p", "tsconfig.planted.json", "--noEmit"]);
  assert.notEqual(r.status, 0);
  assert.match(r.stdout, /infra\/planted\.ts\(1,\d+\): error TS6133: 'unusedParameter' is declared but its value is never read/);
  assert.match(r.stdout, /infra\/planted\.ts\(2,\d+\): error TS6133: 'unusedLocal' is declared but its value is never read/);
});

test("eslint (npm run lint) fails on branches that decide nothing and on a condition the types decide", (t) => {
  const dir = copy(t);
  writeFileSync(
    join(dir, "infra/planted.ts"),
    [
      "export function planted(flag: boolean, list: string[]): string {",
      "  let out = '';",
      "  if (flag) out = 'a';",
      "  else out = 'a';",
      "  return list ?? out;",
      "}",
      "",
    ].join("\n"),
  );
  const r = run(dir, "eslint/bin/eslint.js", ["infra/planted.ts"]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /3:3\s+error\s+both branches are the same: the condition decides nothing\s+local\/no-equal-branches/);
  assert.match(r.stdout, /5:10\s+error\s+Unnecessary conditional.*@typescript-eslint\/no-unnecessary-condition/);
});
