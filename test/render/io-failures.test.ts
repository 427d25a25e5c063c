// `npm run render` meeting failures of the machine, made real (test/support/io-conditions.ts): a read-only
// output folder, a read-only parent, an unreadable hand-written file, leftover trees it can and cannot
// remove, a name too long, a full disk, and a reader that closes the pipe. Each ends in one line naming the
// path (no stack trace), the run removes what it created (staging folder, lock), and a read-only tree is
// recovered or named. The CLI runs in a child process through the npm script's launcher.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../stacks/render.ts";
import { runInProcess } from "../support/in-process.ts";
import { chmodTree, cliArgv, handOver, inMountNamespace, runUnprivileged, traceLines, unprivilegedDir } from "../support/io-conditions.ts";
import { ROOT } from "../support/paths.ts";
import { copyTestStacks } from "../support/stacks.ts";

/** The tests' own stacks (test/support/stacks.ts) rendered once: what a successful render writes. */
const REFERENCE = mkdtempSync(join(tmpdir(), "render-io-reference-"));
after(() => rmSync(REFERENCE, { recursive: true, force: true }));
copyTestStacks(REFERENCE);
{
  const r = spawnSync(process.execPath, [join(ROOT, "stacks/render.ts"), "--root", REFERENCE], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`render of the tests' stacks failed: ${r.stderr}`);
}

/** A repository root (the tests' stack files and their rendered cluster/) for the unprivileged user, with cluster/dev out of date. */
function repo(t: { after(fn: () => void): void }): string {
  const root = unprivilegedDir(t, "render-io");
  copyTestStacks(root);
  cpSync(join(REFERENCE, "cluster"), join(root, "cluster"), { recursive: true });
  edit(root);
  return root;
}

/** Makes a generated file of cluster/dev stale, so a render must swap in a new tree. */
function edit(root: string): void {
  writeFileSync(
    join(root, "cluster/dev/kustomization.yaml"),
    `${readFileSync(join(REFERENCE, "cluster/dev/kustomization.yaml"), "utf8")}# edited\n`,
  );
}

/** Every readable file below `dir` with its content (what a failed run must leave as it was). */
function snapshot(dir: string, skip: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
    if (skip.includes(f) || lstatSync(join(dir, f)).isDirectory()) continue;
    out[f] = readFileSync(join(dir, f), "utf8");
  }
  return out;
}

const render = (root: string, ...args: string[]) => runUnprivileged("stacks/render.ts", [...args, "--root", root]);

/** The run failed with exactly one line on stderr matching `line`, and no stack trace. */
function oneLine(r: { status: number | null; stderr: string }, line: RegExp): void {
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(traceLines(r.stderr), [], r.stderr);
  assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, line);
}

test("a read-only output folder is rendered into, and so is it by every render after (they crashed at cleanup)", (t) => {
  const root = repo(t);
  handOver(root);
  chmodTree(join(root, "cluster/dev"), 0o555, 0o444);
  for (const round of [1, 2]) {
    if (round === 2) edit(root);
    const r = render(root);
    assert.equal(r.status, 0, `round ${round}: ${r.stderr}`);
    assert.equal(r.stderr, "");
    assert.match(r.stdout, /^wrote cluster\/dev\/kustomization\.yaml$/m);
    assert.deepEqual(readdirSync(join(root, "cluster")).sort(), ["dev", "prod"], `round ${round}: no staging folder or lock left`);
    assert.equal(lstatSync(join(root, "cluster/dev")).mode & 0o777, 0o555, "the folder keeps its mode");
  }
  assert.deepEqual(snapshot(join(root, "cluster")), snapshot(join(REFERENCE, "cluster")));
  assert.equal(render(root, "--check").status, 0);
});

test("a read-only parent folder: one line naming the lock it cannot create, nothing changed", (t) => {
  const root = repo(t);
  handOver(root);
  const before = snapshot(join(root, "cluster"));
  chmodSync(join(root, "cluster"), 0o555);
  oneLine(
    render(root),
    /^render: cannot open cluster\/\.dev\.render-lock: permission denied \(EACCES\) — this user lacks the permission: change the owner or mode \(of it or of its folder\) and run again\n$/,
  );
  assert.deepEqual(readdirSync(join(root, "cluster")).sort(), ["dev", "prod"]);
  assert.deepEqual(snapshot(join(root, "cluster")), before);
});

test("an unreadable hand-written file: one line naming it, the staging folder removed, the folder unchanged; --check too", (t) => {
  const root = repo(t);
  writeFileSync(join(root, "cluster/dev/NOTES.md"), "by hand\n");
  handOver(root);
  const before = snapshot(join(root, "cluster"), ["dev/NOTES.md"]);
  chmodSync(join(root, "cluster/dev/NOTES.md"), 0o000);
  oneLine(
    render(root),
    /^render: cannot open cluster\/dev\/NOTES\.md: permission denied \(EACCES\); cluster\/dev is unchanged; removed cluster\/\.dev\.render-new-[0-9a-f]{12} — /,
  );
  assert.deepEqual(readdirSync(join(root, "cluster")).sort(), ["dev", "prod"], "no staging folder, no lock");
  assert.deepEqual(snapshot(join(root, "cluster"), ["dev/NOTES.md"]), before);
  // An unreadable generated file stops a check (and a render) before anything is written.
  chmodSync(join(root, "cluster/dev/NOTES.md"), 0o644);
  chmodSync(join(root, "cluster/prod/kustomization.yaml"), 0o000);
  for (const args of [["--check"], []])
    oneLine(render(root, ...args), /^render: cannot open cluster\/prod\/kustomization\.yaml: permission denied \(EACCES\) — /);
  assert.deepEqual(readdirSync(join(root, "cluster")).sort(), ["dev", "prod"]);
});

test("a read-only leftover tree is removed; one this user cannot remove is named, with the command that does", (t) => {
  const root = repo(t);
  const leftover = join(root, "cluster/.dev.render-old-0123456789ab");
  mkdirSync(join(leftover, "apps"), { recursive: true });
  writeFileSync(join(leftover, "apps/a.yaml"), "a: 1\n");
  // A symlink in it to a read-only folder outside: the link goes, the folder it names keeps its mode.
  const outside = join(root, "outside");
  mkdirSync(outside);
  writeFileSync(join(outside, "kept.txt"), "kept\n");
  symlinkSync(outside, join(leftover, "apps/link"));
  handOver(root);
  chmodTree(leftover, 0o555, 0o444);
  chmodTree(outside, 0o555, 0o444);
  const r = render(root);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^cleaned up cluster\/\.dev\.render-old-0123456789ab$/m);
  assert.deepEqual(readdirSync(join(root, "cluster")).sort(), ["dev", "prod"]);
  assert.equal(lstatSync(outside).mode & 0o777, 0o555, "never changed through a symlink");
  assert.deepEqual(readdirSync(outside), ["kept.txt"]);
  // A folder in it that its owner cannot even open (mode 000) is never forced: the line says what to do.
  const stuck = join(root, "cluster/.dev.render-new-0123456789ac");
  mkdirSync(join(stuck, "apps"), { recursive: true });
  writeFileSync(join(stuck, "apps/a.yaml"), "a: 1\n");
  handOver(root);
  chmodSync(join(stuck, "apps"), 0o000);
  oneLine(
    render(root),
    // The folder it could not open is named (each folder is emptied through its own descriptor, issue 21).
    /^render: cannot open cluster\/\.dev\.render-new-0123456789ac\/apps: permission denied \(EACCES\); cluster\/\.dev\.render-new-0123456789ac is a leftover of an interrupted render, which this user cannot remove: remove it by hand, as its owner \(chmod -R u\+rwx cluster\/\.dev\.render-new-0123456789ac && rm -rf cluster\/\.dev\.render-new-0123456789ac\), and render again — /,
  );
  assert.deepEqual(readdirSync(join(root, "cluster")).sort(), [".dev.render-new-0123456789ac", "dev", "prod"], "the lock is released");
});

test("a syncPath segment longer than the file system allows: one line (ENAMETOOLONG) from render and --check", async (t) => {
  const root = repo(t);
  const long = `cluster/${"x".repeat(300)}`;
  writeFileSync(join(root, "Pulumi.dev.yaml"), `${readFileSync(join(root, "Pulumi.dev.yaml"), "utf8")}  flux-gitops:syncPath: ${long}\n`);
  for (const args of [[], ["--check"]]) {
    const r = await runInProcess(main, [...args, "--root", root]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert.match(
      r.stderr,
      /^render: cannot look up cluster\/x{32}…\(300 characters\): name too long \(ENAMETOOLONG\) — a name is longer than the file system allows/,
    );
  }
  assert.deepEqual(readdirSync(join(root, "cluster")).sort(), ["dev", "prod"]);
});

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

test("a full disk (a tmpfs of a few pages): each render succeeds or ends in one line, leaving the old tree and no staging folder or lock", (t) => {
  const root = repo(t);
  const src = join(root, "src");
  const out = join(root, "out");
  cpSync(join(root, "cluster"), src, { recursive: true });
  mkdirSync(out);
  const files = Object.keys(snapshot(join(src, "dev"))).length;
  // Pages left free on the disk: none (the lock cannot be written), one (the lock, not the staging tree),
  // a few and about half the tree (the staging tree fails part-way), and room for all.
  const free = [0, 1, 3, Math.floor(files / 2), files + 20];
  const [node, ...launch] = cliArgv("stacks/render.ts", ["--root", root]);
  const script = `
    mount -t tmpfs -o size=1m,mode=0755 tmpfs "$ROOT/cluster"
    for free in $FREE; do
      find "$ROOT/cluster" -mindepth 1 -delete
      cp -a "$SRC/." "$ROOT/cluster/"
      cat /dev/zero > "$ROOT/cluster/.filler" 2>/dev/null || true
      truncate -s "-$((free * 4096))" "$ROOT/cluster/.filler"
      status=0
      "$NODE" ${launch.map((a) => `'${a}'`).join(" ")} > "$OUT/$free.out" 2> "$OUT/$free.err" || status=$?
      echo "$status" > "$OUT/$free.status"
      rm "$ROOT/cluster/.filler"
      ls -A "$ROOT/cluster" > "$OUT/$free.entries"
      (cd "$ROOT/cluster/dev" && find . -type f -printf '%P\\n' | LC_ALL=C sort | while read -r f; do printf '%s %s\\n' "$f" "$(sha256sum < "$f" | cut -d' ' -f1)"; done) > "$OUT/$free.dev"
    done`;
  const run = inMountNamespace(script, { ROOT: root, SRC: src, OUT: out, NODE: node!, FREE: free.join(" ") });
  assert.equal(run.status, 0, run.stderr);
  const hashes = (dir: string) =>
    Object.entries(snapshot(dir))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([f, c]) => `${f} ${sha(c)}\n`)
      .join("");
  const oldTree = hashes(join(src, "dev"));
  const newTree = hashes(join(REFERENCE, "cluster/dev"));
  const outcomes: string[] = [];
  for (const level of free) {
    const status = Number(readFileSync(join(out, `${level}.status`), "utf8"));
    const stderr = readFileSync(join(out, `${level}.err`), "utf8");
    const where = `${level} page(s) free: ${stderr}`;
    assert.equal(readFileSync(join(out, `${level}.entries`), "utf8"), "dev\nprod\n", `${where}: no staging folder or lock is left`);
    if (status === 0) {
      assert.equal(readFileSync(join(out, `${level}.dev`), "utf8"), newTree, where);
      outcomes.push("rendered");
      continue;
    }
    oneLine(
      { status, stderr },
      /^render: cannot (open|write) cluster\/\S+: no space left on device \(ENOSPC\)(; .*)? — free space on the disk and run again\n$/,
    );
    assert.equal(readFileSync(join(out, `${level}.dev`), "utf8"), oldTree, `${where}: the folder keeps its old tree`);
    outcomes.push(
      /removed cluster\/\.dev\.render-new-[0-9a-f]{12}/.test(stderr)
        ? "staging removed"
        : stderr.includes(".dev.render-lock")
          ? "lock"
          : stderr,
    );
  }
  // The levels reach each place a full disk can stop the run: the lock, the staging tree, and success.
  assert.equal(outcomes[0], "lock");
  assert.ok(outcomes.includes("staging removed"), outcomes.join(", "));
  assert.equal(outcomes.at(-1), "rendered");
});

test("render --check | head -1: the first line, then one line on stderr that the reader closed the pipe (no EPIPE trace)", (t) => {
  const root = repo(t);
  // More than a pipe's buffer (64 KiB) of output, so the writer meets the closed pipe whatever the timing.
  const header = readFileSync(join(REFERENCE, "cluster/dev/kustomization.yaml"), "utf8").split("\n")[0];
  for (let i = 0; i < 1000; i++) writeFileSync(join(root, `cluster/dev/${"extra-".repeat(30)}${i}.yaml`), `${header}\n`);
  const argv = cliArgv("stacks/render.ts", ["--check", "--root", root]).map((a) => `'${a}'`);
  const r = spawnSync("bash", ["-c", `${argv.join(" ")} | head -1; echo "exit \${PIPESTATUS[0]}" >&2`], { encoding: "utf8" });
  assert.equal(r.stdout, "stale: cluster/dev/kustomization.yaml (from the objects stacks/environments/dev.ts places in cluster/dev)\n");
  assert.deepEqual(traceLines(r.stderr), [], r.stderr);
  assert.deepEqual(
    r.stderr.trimEnd().split("\n"),
    [
      "render --check: 1001 generated file(s) out of date; run npm run render and commit the result",
      "render: standard output ended early: the reader closed it (EPIPE, e.g. | head); the rest of the output is not shown",
      "exit 1",
    ],
    r.stderr,
  );
  assert.equal(existsSync(join(root, "cluster/.dev.render-lock")), false);
});
