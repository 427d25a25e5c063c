// The docs stay true where a test can tell: every link and anchor resolves, every document has a table of
// contents of its sections, every command a reader is told to run exists and takes the flags it is given,
// and the stack files' comments point at sections that exist.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "../support/paths.ts";
import { runInProcess } from "../support/in-process.ts";

const DOCS = ["README.md", ...readdirSync(join(ROOT, "docs")).map((f) => `docs/${f}`)].filter((f) => f.endsWith(".md"));
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

/** Markdown outside fenced code blocks. */
function prose(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1\s*$/gm, "");
}

/**
 * The anchor GitHub gives a heading (github-slugger, which github.com uses): lower case, every character
 * that is not a letter, mark, digit, space, `-` or `_` dropped, each space a `-`; a repeated heading gets `-1`, `-2`, ….
 */
export function slug(heading: string): string {
  return heading
    .replace(/`/g, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\- _]/gu, "")
    .replace(/ /g, "-");
}

function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(read(file)).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(m[1]!.trim());
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

test("slug: the anchors GitHub makes of this repository's kind of headings", () => {
  assert.equal(slug("`npm run render` and `npm run render -- --check`"), "npm-run-render-and-npm-run-render------check");
  assert.equal(slug("Promote dev → prod"), "promote-dev--prod");
  assert.equal(slug("Notifications (commit status, Slack, Teams, webhook)"), "notifications-commit-status-slack-teams-webhook");
  assert.equal(slug("Upgrades and `pulumi destroy`, per install strategy"), "upgrades-and-pulumi-destroy-per-install-strategy");
});

/** `file#anchor` must exist; `from` is the file that links. */
function checkTarget(from: string, target: string, problems: string[]): void {
  const [path, anchor] = target.split("#") as [string, string | undefined];
  const file = path === "" ? from : relative(ROOT, resolve(dirname(join(ROOT, from)), path));
  if (!existsSync(join(ROOT, file))) return void problems.push(`${from}: ${target}: no file ${file}`);
  if (anchor !== undefined && file.endsWith(".md") && !anchors(file).has(anchor))
    problems.push(`${from}: ${target}: no section #${anchor} in ${file}`);
}

test("every relative link in README.md and docs/ reaches an existing file and section", () => {
  const problems: string[] = [];
  for (const file of DOCS)
    for (const m of prose(read(file)).matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
      checkTarget(file, target, problems);
    }
  assert.deepEqual(problems, []);
});

test("every document with sections opens with a table of contents listing each one, in order", () => {
  const problems: string[] = [];
  for (const file of DOCS.filter((f) => f !== "README.md")) {
    const text = prose(read(file));
    const sections = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1]!.trim()).filter((h) => h !== "Contents");
    if (sections.length < 3) continue;
    const toc = /^## Contents\n\n((?:- \[.*\]\(#.*\)\n)+)/m.exec(text);
    if (!toc) {
      problems.push(`${file}: no "## Contents" list`);
      continue;
    }
    const listed = [...toc[1]!.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
    if (JSON.stringify(listed) !== JSON.stringify(sections.map(slug)))
      problems.push(`${file}: Contents lists ${listed.join(", ")}; sections are ${sections.map(slug).join(", ")}`);
  }
  assert.deepEqual(problems, []);
});

test("the stack files' and sources' comments point at sections that exist", () => {
  const problems: string[] = [];
  const files = readdirSync(ROOT).filter((f) => /^Pulumi\..*ya?ml$/.test(f));
  for (const file of files) {
    const text = read(file);
    for (const m of text.matchAll(/\b((?:docs\/)?[\w-]+\.md)(#[\w-]+)?/g)) {
      const target = m[1]!.startsWith("docs/") || m[1] === "README.md" ? m[1]! : `docs/${m[1]}`;
      checkTarget(file, `${target}${m[2] ?? ""}`, problems);
    }
    for (const m of text.matchAll(/README "([^"]+)"/g))
      if (!anchors("README.md").has(slug(m[1]!))) problems.push(`${file}: README has no section "${m[1]}"`);
  }
  assert.deepEqual(problems, []);
});

/** Commands of ```sh blocks (comments and prompts dropped, `a && b` split) and of inline code spans that start like one. */
function commands(file: string): string[] {
  const text = read(file);
  const out: string[] = [];
  for (const m of text.matchAll(/^```(?:sh|bash|shell)\n([\s\S]*?)^```$/gm))
    for (const raw of m[1]!.split("\n"))
      out.push(
        raw
          .replace(/\s+#.*$/, "")
          .replace(/^\$ /, "")
          .trim(),
      );
  for (const m of prose(text).matchAll(/`(npm run [^`]+)`/g)) out.push(m[1]!.replace(/\s+/g, " "));
  return out.flatMap((line) => line.split("&&").map((c) => c.trim())).filter((c) => c && !c.startsWith("#") && !/[[|]/.test(c)); // a synopsis (npm run x [-- a | b]) is not a command
}

const SCRIPTS = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
/** The CLI module behind an npm script that runs one through infra/launch.mjs. */
const cliOf = (script: string) => /infra\/launch\.mjs (\S+\.ts)/.exec(SCRIPTS[script] ?? "")?.[1];
/** Commands the docs show for a real cluster, GitHub or the Pulumi CLI, which this machine has not. */
const ELSEWHERE = /^(pulumi|flux|kubectl|helm|gh|git|cp|mv|cat|export|curl|ssh-keygen|sops|age-keygen)\b/;

/** One problem line for `command`, or nothing when it would run. */
async function checkCommand(command: string): Promise<string | undefined> {
  const npm = /^npm (run|test|ci)\b(?: (\S+))?(?: -- (.*))?$/.exec(command);
  if (npm) {
    if (npm[1] !== "run") return undefined;
    const script = npm[2]!;
    if (!(script in SCRIPTS)) return `no npm script ${script}`;
    const cli = cliOf(script);
    if (!cli) return undefined;
    const args = (npm[3] ?? "").split(/\s+/).filter(Boolean);
    const { main } = (await import(pathToFileURL(join(ROOT, cli)).href)) as { main(argv: string[], io?: unknown): Promise<number> };
    // --help stops after the flags are parsed: an unknown flag or a missing value still fails, nothing runs.
    const r = await runInProcess(main, [...args.map((a) => a.replace(/^<.*>$/, "placeholder")), "--help"]);
    return r.code === 0 ? undefined : r.stderr.trim();
  }
  const node = /^(bash \.ci\/node|node) (.*)$/.exec(command);
  if (node) {
    if (node[1] === "node") return "plain node is the machine's (Node 20 fails): use bash .ci/node";
    const missing = node[2]!.split(/\s+/).filter((a) => /\.(ts|mjs|js)$/.test(a) && !existsSync(join(ROOT, a)));
    return missing.length > 0 ? `no file ${missing.join(", ")}` : undefined;
  }
  const bash = /^bash (\S+)/.exec(command);
  if (bash) return existsSync(join(ROOT, bash[1]!)) ? undefined : `no file ${bash[1]}`;
  if (ELSEWHERE.test(command)) return undefined;
  return "a command this test does not know: check it here or add it to ELSEWHERE";
}

test("every command the docs give exists: npm scripts with flags their CLI takes, files the command names", async () => {
  const problems: string[] = [];
  // The guides' commands are run for real, step by step, by test/docs/guides.test.ts and test/docs/guide-*.test.ts.
  for (const file of DOCS.filter((f) => !f.startsWith("docs/guide-")))
    for (const command of commands(file)) {
      const problem = await checkCommand(command);
      if (problem) problems.push(`${file}: \`${command}\`: ${problem}`);
    }
  assert.deepEqual(problems, []);
});

test("the command check fails what a reader could not run", async () => {
  assert.match((await checkCommand("npm run render -- --chek"))!, /unknown option '--chek'/i);
  assert.equal(await checkCommand("npm run nothing"), "no npm script nothing");
  assert.match((await checkCommand("node --test test/render/cli.test.ts"))!, /plain node/);
  assert.equal(await checkCommand("bash .ci/node --test test/none.test.ts"), "no file test/none.test.ts");
  assert.equal(await checkCommand("npm run policy -- --env prod"), undefined);
});

test("docs/cluster.md draws each environment it shows with exactly the layers its cluster/<env> has", () => {
  const text = read("docs/cluster.md");
  const problems: string[] = [];
  for (const m of text.matchAll(/^### (\S+) \(`cluster\/\1`\)\n\n```mermaid\n([\s\S]*?)^```$/gm)) {
    const env = m[1]!;
    const drawn = [...m[2]!.matchAll(/subgraph \w+\["([\w-]+) \(wait\)"\]/g)].map((s) => s[1]!).sort();
    const file = join(ROOT, "cluster", env, "kustomization.yaml");
    if (!existsSync(file)) {
      problems.push(`docs/cluster.md: ${env}: no cluster/${env}`);
      continue;
    }
    const layers = [...readFileSync(file, "utf8").matchAll(/kustomization_[\w-]+?_([\w-]+)\.yaml/g)].map((l) => l[1]!).sort();
    if (JSON.stringify(drawn) !== JSON.stringify(layers))
      problems.push(`docs/cluster.md: ${env}: draws ${drawn.join(", ")}; cluster/${env} has ${layers.join(", ")}`);
  }
  assert.deepEqual(problems, []);
});
