// Follows a guide in docs/ the way a reader does, in a copy of this repository: each fenced block is preceded
// by a hidden comment that says what to do with it, so the page a reader sees is the page the test runs.
//   <!-- test: run -->                          run the sh block with bash -e in the copy
//   <!-- test: write <path> -->                 write the block as the file <path>
//   <!-- test: insert <path> after "<line>" --> insert the block after the one line of <path> that holds <line>
//   <!-- test: skip <why> -->                   a block this machine cannot run (the Pulumi CLI, a cluster)
//   <!-- test: skip <why>; instead: <command> --> … and the shell command that has the same effect here
// A block without a comment, or a comment without a block, is an error: the page and its test cannot drift.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ROOT } from "./paths.ts";
import { copyTestStacks, TEST_DEFINITIONS, TEST_STACKS_DIR } from "./stacks.ts";

export type GuideStep =
  | { kind: "run"; script: string }
  | { kind: "write"; path: string; text: string }
  | { kind: "insert"; path: string; after: string; text: string }
  | { kind: "skip"; why: string; text: string; instead?: string };

/** The steps of `guide` (a path under the repository), in order. */
export function guideSteps(guide: string): GuideStep[] {
  const text = readFileSync(join(ROOT, guide), "utf8");
  const steps: GuideStep[] = [];
  const re = /(?:<!-- test: (.*?) -->\n\n)?^```(\w*)\n([\s\S]*?)^```$/gm;
  for (const m of text.matchAll(re)) {
    const [, directive, , body] = m as unknown as [string, string | undefined, string, string];
    if (directive === undefined) throw new Error(`${guide}: a code block without a <!-- test: … --> comment: ${body.split("\n")[0]}`);
    let d: RegExpExecArray | null;
    if (directive === "run") steps.push({ kind: "run", script: body });
    else if ((d = /^write (\S+)$/.exec(directive))) steps.push({ kind: "write", path: d[1]!, text: body });
    else if ((d = /^insert (\S+) after "((?:[^"\\]|\\.)*)"$/.exec(directive)))
      steps.push({ kind: "insert", path: d[1]!, after: d[2]!.replace(/\\(.)/g, "$1"), text: body });
    else if ((d = /^skip (.+?)(?:; instead: (.+))?$/.exec(directive))) steps.push({ kind: "skip", why: d[1]!, text: body, instead: d[2] });
    else throw new Error(`${guide}: unknown test comment: ${directive}`);
  }
  const comments = [...text.matchAll(/<!-- test: /g)].length;
  if (comments !== steps.length) throw new Error(`${guide}: ${comments} test comments but ${steps.length} directed blocks`);
  return steps;
}

/**
 * A copy of the repository's files (tracked and new, not ignored) as a Git repository of its own; node_modules
 * and .tools linked. The environments in it are the tests' own (test/support/stacks.ts): every Pulumi.<env>.yaml,
 * stacks/environments/ and cluster/ replaced by the team's dev and prod as the tests keep them, cluster/
 * rendered from those, so a guide starts from the same place whatever the user has added or switched on.
 */
export function copyRepository(): string {
  const dir = mkdtempSync(join(tmpdir(), "guide-"));
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" })
    .split("\0")
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    try {
      cpSync(join(ROOT, file), join(dir, file));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e; // deleted in the work tree
    }
  }
  for (const link of ["node_modules", ".tools"]) symlinkSync(join(ROOT, link), join(dir, link));
  for (const f of readdirSync(dir)) if (/^Pulumi\..+\.ya?ml$/.test(f)) rmSync(join(dir, f));
  for (const f of ["stacks/environments", "cluster"]) rmSync(join(dir, f), { recursive: true, force: true });
  copyTestStacks(dir);
  for (const file of TEST_DEFINITIONS) {
    const text = readFileSync(join(TEST_STACKS_DIR, "environments", file), "utf8");
    mkdirSync(dirname(join(dir, "stacks/environments", file)), { recursive: true });
    writeFileSync(
      join(dir, "stacks/environments", file),
      text.replace(/(["'])(?:\.\.\/)+stacks\/releases\//g, (_, q: string) => `${q}${"../".repeat(file.split("/").length)}releases/`),
    );
  }
  const render = spawnSync(process.execPath, [join(dir, "stacks/render.ts")], { cwd: dir, encoding: "utf8" });
  if (render.status !== 0) throw new Error(`render of the tests' environments failed: ${render.stderr}`);
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, env: gitEnv(), stdio: "pipe" });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-qm", "copy of the repository");
  return dir;
}

/** Git and npm without the machine's git config; a fixed author. */
export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "guide",
    GIT_AUTHOR_EMAIL: "guide@example.invalid",
    GIT_COMMITTER_NAME: "guide",
    GIT_COMMITTER_EMAIL: "guide@example.invalid",
    npm_config_update_notifier: "false",
    ...extra,
  };
}

/** Do every step of `guide` in `dir`; a failing step throws with its output. Returns what the runs printed. */
export function followGuide(guide: string, dir: string, env: NodeJS.ProcessEnv = gitEnv()): string {
  let log = "";
  for (const step of guideSteps(guide)) {
    if (step.kind === "skip" && step.instead === undefined) continue;
    if (step.kind === "write") {
      mkdirSync(dirname(join(dir, step.path)), { recursive: true });
      writeFileSync(join(dir, step.path), step.text);
    } else if (step.kind === "insert") {
      const file = join(dir, step.path);
      if (readFileSync(file, "utf8").includes(step.text)) continue; // done before (the user followed the guide): as the reader would, leave it
      const lines = readFileSync(file, "utf8").split("\n");
      const at = lines.flatMap((line, i) => (line.includes(step.after) ? [i] : []));
      if (at.length !== 1) throw new Error(`${guide}: ${step.path} has ${at.length} lines holding "${step.after}", not one`);
      lines.splice(at[0]! + 1, 0, ...step.text.replace(/\n$/, "").split("\n"));
      writeFileSync(file, lines.join("\n"));
    } else {
      const script = step.kind === "run" ? step.script : step.instead!;
      const r = spawnSync("bash", ["-euo", "pipefail", "-c", script], { cwd: dir, env, encoding: "utf8", maxBuffer: 64 << 20 });
      log += r.stdout + r.stderr;
      if (r.status !== 0) throw new Error(`${guide}: step failed (exit ${r.status}):\n${script}\n${r.stdout}${r.stderr}`);
    }
  }
  return log;
}
