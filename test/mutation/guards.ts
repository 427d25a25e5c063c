// npm run mutation:guards [-- group ... [--module FILE]... [--again] [--stages 0,2]]: the mutations StrykerJS does not make, run beside it
// over the same groups (groups.ts). Stryker's logical-operator mutator swaps `&&` for `||` and back, but never
// drops one side of a guard (`a && s.isDir` → `a`), and it has no bitwise mutator at all (a flag dropped from
// `O_RDONLY | O_NOFOLLOW`). This mutator finds with the TypeScript compiler API:
// - every binary `&&` and `||`: two mutants, the expression replaced by its left side and by its right side
//   (in a chain `a && b && c` each conjunct is dropped once, as each `&&` node is one of these);
// - every binary `|` whose operands are constants (fs and os flag names, numbers): two mutants, one operand
//   dropped each (the flags of an open, a mode);
// applies each mutant to a copy of the repository (tracked files; node_modules and .tools linked), runs the
// group's tests against it (`node --test`, then the group's slow tests against the survivors, as run.ts does)
// and records killed (a test failed or the run passed the timeout) or survived. Prints the per-module table
// and every survivor; reports/mutation/guards-<group>.json keeps the results (a `--module` run replaces only
// that module's). `--again` re-runs only the survivors of the last report (after adding tests meant to kill
// them) and refuses when one is no longer in the module. Exits 1 when a mutant survives.
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import ts from "typescript";
import { GROUPS } from "./groups.ts";

const ROOT = join(import.meta.dirname, "..", "..");

export interface GuardMutant {
  file: string;
  line: number;
  /** The operator whose one side is dropped. */
  mutator: "&&" | "||" | "|";
  original: string;
  replacement: string;
  start: number;
  end: number;
  status?: "Killed" | "Survived";
}

/** A constant operand of a bit-flag `|`: a name (`constants.O_NOFOLLOW`, `O_EXCL`), a number, or a `|` of those. */
function isConstant(node: ts.Expression): boolean {
  if (ts.isParenthesizedExpression(node)) return isConstant(node.expression);
  if (ts.isNumericLiteral(node)) return true;
  if (ts.isIdentifier(node)) return /^[A-Z][A-Z0-9_]*$/.test(node.text);
  if (ts.isPropertyAccessExpression(node)) return /^[A-Z][A-Z0-9_]*$/.test(node.name.text);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.BarToken)
    return isConstant(node.left) && isConstant(node.right);
  return false;
}

/** Every guard and flag mutant of one source text. */
export function guardMutants(file: string, text: string): GuardMutant[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: GuardMutant[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isBinaryExpression(node)) {
      const kind = node.operatorToken.kind;
      const mutator =
        kind === ts.SyntaxKind.AmpersandAmpersandToken
          ? "&&"
          : kind === ts.SyntaxKind.BarBarToken
            ? "||"
            : kind === ts.SyntaxKind.BarToken && isConstant(node)
              ? "|"
              : undefined;
      if (mutator !== undefined) {
        const start = node.getStart(source);
        const line = source.getLineAndCharacterOfPosition(start).line + 1;
        const original = text.slice(start, node.end);
        for (const side of [node.left, node.right]) {
          const replacement = `(${text.slice(side.getStart(source), side.end)})`;
          found.push({ file, line, mutator, original, replacement, start, end: node.end });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** A copy of the repository's tracked files (as they are in the work tree), node_modules and .tools linked. */
export function sandbox(): string {
  const dir = mkdtempSync(join(tmpdir(), "guards-"));
  // Readable by everyone: the tests of failures of the machine run the CLIs as another user (io-conditions.ts).
  chmodSync(dir, 0o755);
  const files = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" })
    .stdout.split("\0")
    .filter((f) => f !== "" && f !== "node_modules" && f !== ".tools");
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    try {
      cpSync(join(ROOT, f), join(dir, f), { verbatimSymlinks: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err; // deleted in the work tree
    }
  }
  for (const link of ["node_modules", ".tools"]) symlinkSync(join(ROOT, link), join(dir, link));
  return dir;
}

/** True when the tests pass in `dir` within `timeout` ms; `show` prints the output of a run that fails. */
function passes(dir: string, tests: string[], timeout: number, show = false): boolean {
  const run = spawnSync(process.execPath, ["--test", "--test-concurrency=1", "--test-reporter=dot", ...tests], {
    cwd: dir,
    encoding: "utf8",
    timeout,
    env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" },
  });
  if (show && run.status !== 0) process.stderr.write(`${run.stdout}${run.stderr}`);
  return run.status === 0;
}

const same = (a: GuardMutant, b: GuardMutant) => a.file === b.file && a.original === b.original && a.replacement === b.replacement;

/** Runs a group's mutants (of `only` modules, or all; `again`: only the last report's survivors) and updates its report. */
function runGroup(name: string, only: string[], again: boolean, pick?: number[]): GuardMutant[] {
  const group = GROUPS[name]!;
  const reportFile = join(ROOT, `reports/mutation/guards-${name}.json`);
  if (again && !existsSync(reportFile)) throw new Error(`${name}: no report to run again (${reportFile})`);
  const last: GuardMutant[] =
    existsSync(reportFile) && (again || only.length > 0) ? (JSON.parse(readFileSync(reportFile, "utf8")) as GuardMutant[]) : [];
  const files = group.mutate.filter((f) => only.length === 0 || only.includes(f));
  const dir = sandbox();
  try {
    const stages = [group.tests, ...(group.slow ?? [])].filter((_, i) => pick === undefined || pick.includes(i));
    // Each stage's timeout: three times what it takes without mutants (a mutant that makes a loop endless is killed).
    const timeouts = stages.map((tests) => {
      const started = Date.now();
      if (!passes(dir, tests, 30 * 60_000, true)) throw new Error(`${name}: ${tests.join(" ")} fail without mutants`);
      return 3 * (Date.now() - started) + 30_000;
    });
    const mutants: GuardMutant[] = [];
    const save = (more: GuardMutant[] = []) => {
      mkdirSync(join(ROOT, "reports/mutation"), { recursive: true });
      const report = [...last.filter((m) => !files.includes(m.file)), ...mutants, ...more];
      writeFileSync(reportFile, JSON.stringify(report, null, 2));
      return report;
    };
    for (const file of files) {
      const text = readFileSync(join(ROOT, file), "utf8");
      const all = guardMutants(file, text);
      let own = all;
      if (again) {
        const left = last.filter((m) => m.file === file && m.status === "Survived");
        for (const m of left) {
          if (!all.some((n) => same(m, n)))
            throw new Error(`${file}:${m.line} ${m.original} → ${m.replacement} is no longer in the module: run the group in full`);
        }
        own = all.filter((n) => left.some((m) => same(m, n)));
        mutants.push(...last.filter((m) => m.file === file && m.status !== "Survived"));
      }
      for (const [i, m] of own.entries()) {
        writeFileSync(join(dir, file), text.slice(0, m.start) + m.replacement + text.slice(m.end));
        m.status = stages.some((tests, i) => !passes(dir, tests, timeouts[i]!)) ? "Killed" : "Survived";
        process.stderr.write(`${name} ${file} ${i + 1}/${own.length}: line ${m.line} ${m.original} → ${m.replacement}: ${m.status}\n`);
        save(own.slice(0, i + 1)); // a long run can be read while it goes on
      }
      writeFileSync(join(dir, file), text);
      mutants.push(...own);
    }
    return save();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const only = args.flatMap((a, i) => (args[i - 1] === "--module" ? [a] : []));
  const again = args.includes("--again");
  // `--stages 0,2`: only these stages (0: the group's tests, 1…: its slow stages), e.g. to leave out a slow one.
  const stages = args.flatMap((a, i) => (args[i - 1] === "--stages" ? [a.split(",").map(Number)] : []))[0];
  const named = args.filter((a, i) => !["--module", "--again", "--stages"].includes(a) && !["--module", "--stages"].includes(args[i - 1]!));
  const groups = named.length > 0 ? named : Object.keys(GROUPS);
  const rows = ["| module | guard mutants | killed | survived |", "|---|---|---|---|"];
  const survivors: string[] = [];
  for (const name of groups) {
    if (!GROUPS[name]) throw new Error(`unknown group ${name}; groups: ${Object.keys(GROUPS).join(", ")}`);
    const mutants = runGroup(name, only, again, stages);
    for (const file of new Set(mutants.map((m) => m.file))) {
      const own = mutants.filter((m) => m.file === file);
      const left = own.filter((m) => m.status === "Survived");
      rows.push(`| ${file} | ${own.length} | ${own.length - left.length} | ${left.length} |`);
      survivors.push(...left.map((m) => `${file}:${m.line} ${m.original} → ${m.replacement}`));
    }
  }
  process.stdout.write(`${rows.join("\n")}\n\nsurvivors:\n${survivors.map((s) => `- ${s}`).join("\n") || "(none)"}\n`);
  process.exitCode = survivors.length > 0 ? 1 : 0;
}
