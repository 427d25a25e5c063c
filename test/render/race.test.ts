// The write path against a racing attacker (issue 21): while renders run, another process swaps `cluster` and
// `cluster/<env>` for symlinks out of the repository and back, as fast as it can. Whatever the interleaving,
// nothing outside the repository may be written or deleted, and a render that cannot finish says so in one
// line (a UserError: the CLIs print it without a stack trace).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { UserError } from "../../infra/errors.ts";
import { HEADER_MARKER, writeTrees, type Tree } from "../../infra/render/tree.ts";

const RENDERS = 50;

/** Every entry below `dir` with its content (symlinks as `-> target`), without following any link. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      const key = relative(dir, path);
      if (entry.isSymbolicLink()) out[key] = `-> ${readlinkSync(path)}`;
      else if (entry.isDirectory()) {
        out[`${key}/`] = "folder";
        walk(path);
      } else out[key] = readFileSync(path, "utf8");
    }
  };
  walk(dir);
  return out;
}

/**
 * The attacker: a process of its own (so it runs beside the render, not between its steps) that, until killed,
 * moves `cluster` (or `cluster/dev`) aside, puts a symlink to the outside folder in its place, and moves it back.
 * It prints "ready" once it has started swapping.
 */
function startSwapper(root: string, outside: string) {
  const script = `
    const { renameSync, symlinkSync, unlinkSync } = require("node:fs");
    const [root, outside] = process.argv.slice(1);
    const swap = (path, target) => {
      try { renameSync(path, path + ".away"); } catch { return; }
      try { symlinkSync(target, path); } catch {}
      for (let i = 0; i < 200; i++); // let the renderer meet the link
      try { unlinkSync(path); } catch {}
      try { renameSync(path + ".away", path); } catch {}
    };
    let n = 0;
    for (;;) {
      swap(root + "/cluster", outside);
      swap(root + "/cluster/dev", outside + "/dev");
      if (++n === 10) process.stdout.write("ready\\n");
    }`;
  const child = spawn(process.execPath, ["-e", script, root, outside], { stdio: ["ignore", "pipe", "inherit"] });
  const ready = new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  return { ready, stop };
}

const H = `${HEADER_MARKER} — do not edit\n`;
const tree = (round: number): Tree => ({
  name: "dev",
  dir: "cluster/dev",
  files: new Map([
    ["a.yaml", `${H}round: ${round}\n`],
    [`apps/b${round % 3}.yaml`, `${H}b: ${round}\n`],
  ]),
});

test(`${RENDERS} renders while another process swaps cluster and cluster/dev for symlinks out of the repository`, async (t) => {
  const base = mkdtempSync(join(tmpdir(), "flux-gitops-race-"));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const root = join(base, "repo");
  const outside = join(base, "outside");
  // What the symlinks lead to looks like the renderer's own: an output folder with generated files, a hand-written
  // file, and a staging folder's and a lock's names beside it, so a renderer that followed the link would write,
  // replace or remove something here.
  mkdirSync(join(outside, "dev", "apps"), { recursive: true });
  writeFileSync(join(outside, "dev", "a.yaml"), `${H}outside\n`);
  writeFileSync(join(outside, "dev", "apps", "b1.yaml"), `${H}outside\n`);
  writeFileSync(join(outside, "dev", "README.md"), "not the repository's\n");
  writeFileSync(join(outside, "canary"), "untouched\n");
  const before = snapshot(outside);
  mkdirSync(join(root, "cluster"), { recursive: true });
  writeTrees(root, [tree(0)]);

  const swapper = startSwapper(root, outside);
  t.after(swapper.stop);
  await swapper.ready;
  const outcomes = { written: 0, refused: 0 };
  const messages = new Set<string>();
  /** Failures that are not one line the CLIs print as it is (a raw node:fs error, a stack trace). */
  const raw: string[] = [];
  for (let round = 1; round <= RENDERS; round++) {
    try {
      writeTrees(root, [tree(round)]);
      outcomes.written++;
    } catch (err) {
      if (!(err instanceof UserError) || err.message.includes("\n")) raw.push(`render ${round}: ${(err as Error)?.stack ?? String(err)}`);
      outcomes.refused++;
      messages.add((err as Error).message.replace(/[0-9a-f]{12}/g, "…"));
    }
    // A lock left by a refused render is the renderer's own: it names it; the next render needs it gone.
    const lock = join(root, "cluster", ".dev.render-lock");
    if (existsSync(lock) && lstatSync(lock).isFile()) rmSync(lock);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await swapper.stop();
  t.diagnostic(`${outcomes.written} renders written, ${outcomes.refused} refused in one line`);
  for (const m of messages) t.diagnostic(`refused: ${m}`);

  assert.deepEqual(snapshot(outside), before, "nothing outside the repository was written or deleted");
  assert.deepEqual(raw, [], "every refused render said why in one line");
  // Once the attacker stops (it may leave cluster moved aside mid-swap), the repository renders again: the
  // renderer left nothing of its own in the way.
  for (const path of ["cluster/dev", "cluster"]) {
    const away = join(root, `${path}.away`);
    if (existsSync(away)) {
      rmSync(join(root, path), { recursive: true, force: true });
      renameSync(away, join(root, path));
    }
  }
  const lock = join(root, "cluster", ".dev.render-lock");
  if (existsSync(lock)) rmSync(lock);
  writeTrees(root, [tree(RENDERS + 1)]);
  assert.equal(readFileSync(join(root, "cluster/dev/a.yaml"), "utf8"), `${H}round: ${RENDERS + 1}\n`);
});
