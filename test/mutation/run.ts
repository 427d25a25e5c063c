// npm run mutation [-- group ...]: mutation testing of the security-critical modules with StrykerJS
// (its command runner over `node --test`). One Stryker run per group, each with the focused tests that
// guard its modules, so a mutant costs seconds, not the whole suite. Prints the score per module and
// every surviving mutant; exits 1 if a module is below the target. Not part of .ci/run (it is slow:
// docs/testing.md, "Mutation testing", says how long).
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");
const TARGET = 85;

/** Module group → the files mutated and the tests run against each mutant. */
export const GROUPS: Record<string, { mutate: string[]; tests: string[] }> = {
  config: {
    mutate: ["infra/config/schema.ts", "infra/config/index.ts"],
    tests: [
      "test/config/config.test.ts",
      "test/config/schema-rules.test.ts",
      "test/config/bad-input.test.ts",
      "test/config/attacks.test.ts",
      "test/config/property.test.ts",
    ],
  },
  secrets: {
    mutate: ["infra/flux/known-hosts.ts", "infra/components/deploy-key.ts", "infra/components/secret.ts", "infra/components/flux-sync.ts"],
    tests: [
      "test/components/known-hosts.test.ts",
      "test/components/deploy-key.test.ts",
      "test/components/stack.test.ts",
      "test/components/lifecycle.test.ts",
      "test/components/operator.test.ts",
    ],
  },
  policies: {
    mutate: ["policies/rules/sources.ts", "policies/rules/stack.ts", "policies/rules/reconcile.ts", "policies/rules/model.ts"],
    tests: [
      "test/policies/rules.test.ts",
      "test/policies/source-prefix.test.ts",
      "test/policies/pack-mapping.test.ts",
      "test/policies/model.test.ts",
      "test/policies/rule-checks.test.ts",
      "test/policies/docs.test.ts",
    ],
  },
  render: {
    mutate: ["infra/render/tree.ts"],
    tests: ["test/render/tree.test.ts", "test/render/write.test.ts", "test/render/attacks.test.ts"],
  },
};

interface Report {
  files: Record<
    string,
    { mutants: { status: string; mutatorName: string; replacement?: string; location: { start: { line: number } } }[] }
  >;
}

function runGroup(name: string): Report {
  const group = GROUPS[name]!;
  const dir = join(ROOT, "reports/mutation");
  mkdirSync(dir, { recursive: true });
  const config = {
    testRunner: "command",
    commandRunner: { command: `${process.execPath} --test --test-concurrency=2 ${group.tests.join(" ")}` },
    coverageAnalysis: "off",
    mutate: group.mutate,
    // Progress goes to stderr (a bar on a terminal, a line per step otherwise); stdout is the table.
    reporters: ["json", process.stderr.isTTY ? "progress" : "progress-append-only"],
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    tempDirName: ".stryker-tmp",
    concurrency: 2,
    timeoutMS: 60000,
    ignorePatterns: ["reports", ".tools", "bench"],
  };
  const file = join(dir, `${name}.stryker.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    [join(ROOT, "node_modules/@stryker-mutator/core/bin/stryker.js"), "run", relative(ROOT, file)],
    {
      cwd: ROOT,
      stdio: ["ignore", process.stderr, "inherit"],
    },
  );
  if (result.status !== 0) throw new Error(`stryker run for ${name} failed (exit ${result.status})`);
  process.stdout.write(`${name}: ${Math.round((Date.now() - started) / 1000)} s\n`);
  return JSON.parse(readFileSync(join(ROOT, config.jsonReporter.fileName), "utf8")) as Report;
}

const groups = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(GROUPS);
const rows: string[] = ["| module | mutants | killed | survived | score |", "|---|---|---|---|---|"];
const survivors: string[] = [];
let below = false;
for (const name of groups) {
  if (!GROUPS[name]) throw new Error(`unknown group ${name}; groups: ${Object.keys(GROUPS).join(", ")}`);
  const report = runGroup(name);
  for (const [path, { mutants }] of Object.entries(report.files)) {
    const counted = mutants.filter((m) => !["Ignored", "CompileError", "RuntimeError"].includes(m.status));
    const killed = counted.filter((m) => m.status === "Killed" || m.status === "Timeout").length;
    const survived = counted.filter((m) => m.status === "Survived" || m.status === "NoCoverage");
    const score = counted.length === 0 ? 100 : (100 * killed) / counted.length;
    below ||= score < TARGET;
    rows.push(`| ${path} | ${counted.length} | ${killed} | ${survived.length} | ${score.toFixed(1)} % |`);
    for (const m of survived) survivors.push(`${path}:${m.location.start.line} ${m.mutatorName} → ${JSON.stringify(m.replacement ?? "")}`);
  }
}
process.stdout.write(`${rows.join("\n")}\n\nsurvivors:\n${survivors.map((s) => `- ${s}`).join("\n") || "(none)"}\n`);
process.exitCode = below ? 1 : 0;
