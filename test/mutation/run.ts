// npm run mutation [-- group ... [--again] [--no-slow]]: mutation testing of the security-critical modules with StrykerJS
// (its command runner over `node --test`). One Stryker run per group, each with the focused tests that
// guard its modules, so a mutant costs seconds, not the whole suite (plus, for a group with slow tests,
// a second run of those against the first run's survivors only). Prints the score per module and
// every surviving mutant; exits 1 if a module is below the target. Not part of .ci/run (it is slow:
// docs/testing.md, "Mutation testing", says how long).
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { GROUPS } from "./groups.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const TARGET = 85;

interface Mutant {
  status: string;
  mutatorName: string;
  replacement?: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
}
interface Report {
  files: Record<string, { mutants: Mutant[] }>;
}

const UNCOUNTED = ["Ignored", "CompileError", "RuntimeError"];
/** Statuses a mutant that ran against the tests can have. */
const RAN = ["Killed", "Timeout", "Survived"];
/** One argument quoted for the shell Stryker's command runner hands the command to (child_process.exec). */
const shellWord = (arg: string) => (/^[\w./=:-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`);
const testCommand = (tests: string[]) => [process.execPath, "--test", "--test-concurrency=2", ...tests].map(shellWord).join(" ");

/** The number of tests `node --test` runs with these arguments (unmutated): a slow stage must run some. */
function countTests(tests: string[]): number {
  const run = spawnSync(process.execPath, ["--test", "--test-reporter=tap", ...tests], { cwd: ROOT, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`${tests.join(" ")} fails without mutants:\n${run.stdout}${run.stderr}`);
  return Number(/^# tests (\d+)$/m.exec(run.stdout)?.[1] ?? 0);
}
const isSurvivor = (m: Mutant) => m.status === "Survived" || m.status === "NoCoverage";
const key = (file: string, m: Mutant) =>
  `${file}:${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column} ${m.mutatorName} ${m.replacement ?? ""}`;

/** One Stryker run of `tests` against the mutants in `mutate`; returns its JSON report (written to reports/mutation/<report>.json). */
function stryker(report: string, mutate: string[], tests: string[]): Report {
  const dir = join(ROOT, "reports/mutation");
  mkdirSync(dir, { recursive: true });
  const config = {
    testRunner: "command",
    commandRunner: { command: testCommand(tests) },
    coverageAnalysis: "off",
    mutate,
    // Progress goes to stderr (a bar on a terminal, a line per step otherwise); stdout is the table.
    reporters: ["json", process.stderr.isTTY ? "progress" : "progress-append-only"],
    jsonReporter: { fileName: `reports/mutation/${report}.json` },
    tempDirName: ".stryker-tmp",
    concurrency: 2,
    timeoutMS: 60000,
    ignorePatterns: ["reports", ".tools", "bench"],
  };
  const file = join(dir, `${report}.stryker.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  const result = spawnSync(
    process.execPath,
    [join(ROOT, "node_modules/@stryker-mutator/core/bin/stryker.js"), "run", relative(ROOT, file)],
    { cwd: ROOT, stdio: ["ignore", process.stderr, "inherit"] },
  );
  if (result.status !== 0) throw new Error(`stryker run for ${report} failed (exit ${result.status})`);
  return JSON.parse(readFileSync(join(ROOT, config.jsonReporter.fileName), "utf8")) as Report;
}

/**
 * Runs `tests` against the survivors in `report` only (a range per survivor's lines takes every mutant on
 * them; the others found there are ignored) and records each survivor's new status in `report`.
 */
function rerunSurvivors(report: Report, run: string, tests: string[]): void {
  const left = Object.entries(report.files).flatMap(([file, { mutants }]) => mutants.filter(isSurvivor).map((m) => ({ file, m })));
  if (left.length === 0) return;
  const ranges = [...new Set(left.map(({ file, m }) => `${file}:${m.location.start.line}-${m.location.end.line}`))];
  const again = stryker(run, ranges, tests);
  const fate = new Map(Object.entries(again.files).flatMap(([file, { mutants }]) => mutants.map((m) => [key(file, m), m.status] as const)));
  for (const { file, m } of left) {
    const status = fate.get(key(file, m));
    if (status === undefined || !RAN.includes(status)) {
      throw new Error(
        `${run} did not run the survivor ${key(file, m)} (${status ?? "not found"}); has the module changed since the report?`,
      );
    }
    m.status = status;
  }
}

/** One group: every mutant against its tests (or, `again`, only the last report's survivors), then its slow tests against what survives. */
function runGroup(name: string, again: boolean, slow: boolean): Report {
  const group = GROUPS[name]!;
  const started = Date.now();
  const file = join(ROOT, `reports/mutation/${name}.json`);
  let report: Report;
  if (again) {
    report = JSON.parse(readFileSync(file, "utf8")) as Report;
    rerunSurvivors(report, `${name}.again`, group.tests);
  } else {
    report = stryker(name, group.mutate, group.tests);
  }
  for (const [i, stage] of (slow ? (group.slow ?? []) : []).entries()) {
    if (countTests(stage) === 0) throw new Error(`the slow tests of ${name} (${stage.join(" ")}) select no test`);
    rerunSurvivors(report, `${name}.slow${i === 0 ? "" : i + 1}`, stage);
  }
  writeFileSync(file, JSON.stringify(report));
  process.stdout.write(`${name}: ${Math.round((Date.now() - started) / 1000)} s\n`);
  return report;
}

// `--again`: re-run only the survivors of each group's last report, e.g. after adding tests that should kill them.
// `--no-slow`: leave out the slow tests (a quicker run; its score is then a lower bound).
const again = process.argv.includes("--again");
const slow = !process.argv.includes("--no-slow");
const named = process.argv.slice(2).filter((a) => a !== "--again" && a !== "--no-slow");
const groups = named.length > 0 ? named : Object.keys(GROUPS);
const rows: string[] = ["| module | mutants | killed | survived | score |", "|---|---|---|---|---|"];
const survivors: string[] = [];
let below = false;
for (const name of groups) {
  if (!GROUPS[name]) throw new Error(`unknown group ${name}; groups: ${Object.keys(GROUPS).join(", ")}`);
  const report = runGroup(name, again, slow);
  for (const [path, { mutants }] of Object.entries(report.files)) {
    const counted = mutants.filter((m) => !UNCOUNTED.includes(m.status));
    const killed = counted.filter((m) => m.status === "Killed" || m.status === "Timeout").length;
    const survived = counted.filter(isSurvivor);
    const score = counted.length === 0 ? 100 : (100 * killed) / counted.length;
    below ||= score < TARGET;
    rows.push(`| ${path} | ${counted.length} | ${killed} | ${survived.length} | ${score.toFixed(1)} % |`);
    for (const m of survived) survivors.push(`${path}:${m.location.start.line} ${m.mutatorName} → ${JSON.stringify(m.replacement ?? "")}`);
  }
}
process.stdout.write(`${rows.join("\n")}\n\nsurvivors:\n${survivors.map((s) => `- ${s}`).join("\n") || "(none)"}\n`);
process.exitCode = below ? 1 : 0;
