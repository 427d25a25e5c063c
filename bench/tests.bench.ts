// npm run bench:tests — what makes `npm test` slow: every test file in a process of its own (`node --test <file>`,
// two at a time and with one Helm render cache and one compile cache, as `npm test` runs them, .ci/test), with its wall time, CPU time (user + system, children included) and
// test count, slowest first; then the floor measured in the same run (`node --test` of an empty test file,
// three times, the median) and each file's ratio to it. Not a test: it prints. `-- <glob>` narrows the files.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, globSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ROOT } from "../test/support/paths.ts";

const pattern = process.argv[2] ?? "test/**/*.test.ts";
// As `npm test` runs them (.ci/test): one Helm render cache for the whole run.
const renders = mkdtempSync(join(tmpdir(), "test-times-renders-"));
process.env.FLUX_GITOPS_HELM_RENDER_CACHE = join(renders, "helm");
process.env.NODE_COMPILE_CACHE = join(renders, "node");
const files = globSync(pattern, { cwd: ROOT }).sort();
const CONCURRENCY = 2;

interface Run {
  file: string;
  seconds: number;
  cpu: number;
  tests: number;
  failed: number;
}

function run(file: string): Promise<Run> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    // bash's `time -p` reports the child's CPU (user + sys, its own children included).
    const child = spawn(
      "bash",
      ["-c", 'TIMEFORMAT="cpu %U %S"; time "$@"', "bash", process.execPath, "--test", "--test-reporter=tap", file],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (err += d));
    child.on("error", reject);
    child.on("close", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const [, user = "0", sys = "0"] = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(err) ?? [];
      const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, "m").exec(out)?.[1] ?? 0);
      resolve({
        file: relative(ROOT, join(ROOT, file)),
        seconds,
        cpu: Number(user) + Number(sys),
        tests: count("pass"),
        failed: count("fail"),
      });
    });
  });
}

async function pool(items: string[]): Promise<Run[]> {
  const results: Run[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) results.push(await run(items[next++]!));
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

const work = mkdtempSync(join(tmpdir(), "test-times-"));
const empty = join(work, "empty.test.ts");
writeFileSync(empty, 'import { test } from "node:test";\ntest("nothing", () => {});\n');
const floors = [];
for (let i = 0; i < 3; i++) floors.push((await run(empty)).seconds);
const floor = floors.sort((a, b) => a - b)[1]!;
rmSync(work, { recursive: true, force: true });

const started = Date.now();
const runs = (await pool(files)).sort((a, b) => b.seconds - a.seconds);
const wall = (Date.now() - started) / 1000;
console.log(`| wall s | cpu s | × floor | tests | file |\n| ---: | ---: | ---: | ---: | --- |`);
for (const r of runs) {
  console.log(
    `| ${r.seconds.toFixed(1)} | ${r.cpu.toFixed(1)} | ${(r.seconds / floor).toFixed(0)} | ${r.tests}${r.failed ? ` (${r.failed} failed)` : ""} | ${r.file} |`,
  );
}
const sum = (k: "seconds" | "cpu" | "tests") => runs.reduce((n, r) => n + r[k], 0);
rmSync(renders, { recursive: true, force: true });
console.log(
  `\n${runs.length} files, ${sum("tests")} tests; wall ${wall.toFixed(0)} s at ${CONCURRENCY} at a time (per-file wall sum ${sum("seconds").toFixed(0)} s, CPU ${sum("cpu").toFixed(0)} s); floor (an empty test file) ${floor.toFixed(2)} s`,
);
