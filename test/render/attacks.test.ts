// The renderer attacked as a hostile contributor would (issue #13): output folders and files that are
// symlinks out of the repository, a symlink planted under a temp-file name, and a render killed at every
// point of its work (a real child process, SIGKILL). Each must leave everything outside the output folder
// untouched and the output folder holding the complete old or the complete new set of files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
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
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { checkEnvironments, HEADER, planEnvironment, writeEnvironments } from "../../infra/render/write.ts";
import { fixtureEnvironment, type Variant } from "../support/render-child.ts";
import { ROOT } from "../support/paths.ts";
import { copyTestStacks } from "../support/stacks.ts";

function tempDir(t: { after(fn: () => void): void }, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Every entry below `dir`, symlinks as `-> target`, without following any link. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      const key = relative(dir, path);
      if (entry.isSymbolicLink()) out[key] = `-> ${readlinkSync(path)}`;
      else if (entry.isDirectory()) walk(path);
      else out[key] = readFileSync(path, "utf8");
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

const NEW = planEnvironment(fixtureEnvironment("new"));

test("an output folder that is a symlink out of the repository is refused; nothing outside is written or deleted", (t) => {
  const root = tempDir(t, "attack-root-");
  const outside = tempDir(t, "attack-outside-");
  writeFileSync(join(outside, "victim.yaml"), `${HEADER}kind: ConfigMap\n`);
  writeFileSync(join(outside, "precious.txt"), "keep me\n");
  const before = snapshot(outside);
  mkdirSync(join(root, "cluster"));
  symlinkSync(outside, join(root, "cluster/dev"));
  for (const run of [writeEnvironments, checkEnvironments]) {
    assert.throws(() => run(root, [fixtureEnvironment("new")]), {
      name: "RenderError",
      message: new RegExp(`^cluster/dev resolves to ${outside}, outside the repository`),
    });
  }
  assert.deepEqual(snapshot(outside), before);
});

test("an output folder reached through a symlinked parent is refused", (t) => {
  const root = tempDir(t, "attack-root-");
  const outside = tempDir(t, "attack-outside-");
  symlinkSync(outside, join(root, "cluster"));
  assert.throws(() => writeEnvironments(root, [fixtureEnvironment("new")]), { name: "RenderError", message: /outside the repository/ });
  assert.deepEqual(readdirSync(outside), []);
});

test("a symlink planted under a temp-file name is never written through", (t) => {
  const root = tempDir(t, "attack-root-");
  const outside = tempDir(t, "attack-outside-");
  writeEnvironments(root, [fixtureEnvironment("old")]);
  const dir = join(root, "cluster/dev");
  // The temp names the renderer used (`<file>.<pid>.tmp`), each pointing at a file outside.
  for (const file of NEW.keys()) {
    writeFileSync(join(outside, file), "outside, not the renderer's\n");
    symlinkSync(join(outside, file), join(dir, `${file}.${process.pid}.tmp`));
    symlinkSync(join(outside, `new-${file}`), join(dir, `${file}.${process.pid}.tmp.dangling`));
  }
  const before = snapshot(outside);
  writeEnvironments(root, [fixtureEnvironment("new")]);
  assert.deepEqual(snapshot(outside), before, "nothing outside the repository changed or appeared");
  for (const [file, content] of NEW) assert.equal(readFileSync(join(dir, file), "utf8"), content, file);
});

test("generated-looking symlinks inside the output folder are not followed: in the way they are refused, else kept as they are", (t) => {
  const root = tempDir(t, "attack-root-");
  const outside = tempDir(t, "attack-outside-");
  writeEnvironments(root, [fixtureEnvironment("old")]);
  const dir = join(root, "cluster/dev");
  writeFileSync(join(outside, "victim.yaml"), `${HEADER}kind: ConfigMap\n`);
  // A link beside the generated files, to a file that carries the header: not generated, so kept.
  symlinkSync(join(outside, "victim.yaml"), join(dir, "linked.yaml"));
  writeEnvironments(root, [fixtureEnvironment("new")]);
  assert.equal(readlinkSync(join(dir, "linked.yaml")), join(outside, "victim.yaml"));
  assert.deepEqual(checkEnvironments(root, [fixtureEnvironment("new")]).extra, []);
  // A link where a generated file goes: refused, not read, not replaced.
  rmSync(join(dir, "kustomization.yaml"));
  symlinkSync(join(outside, "victim.yaml"), join(dir, "kustomization.yaml"));
  assert.throws(() => writeEnvironments(root, [fixtureEnvironment("new")]), {
    name: "RenderError",
    message: /^cluster\/dev\/kustomization\.yaml is not a generated file/,
  });
  assert.ok(lstatSync(join(dir, "kustomization.yaml")).isSymbolicLink());
  assert.equal(readFileSync(join(outside, "victim.yaml"), "utf8"), `${HEADER}kind: ConfigMap\n`);
});

function renderChild(root: string, variant: Variant, killAt: number) {
  const result = spawnSync(
    process.execPath,
    ["--import", join(ROOT, "test/support/kill-at.ts"), join(ROOT, "test/support/render-child.ts"), root, variant],
    { encoding: "utf8", env: { ...process.env, FLUX_GITOPS_KILL_AT: String(killAt) } },
  );
  return { signal: result.signal, status: result.status, stderr: result.stderr };
}

/** The generated files in a folder (those with the header), by path. */
function generated(dir: string): Map<string, string> {
  const tree = snapshot(dir);
  return new Map(Object.entries(tree).filter(([f, c]) => f.endsWith(".yaml") && c.startsWith(HEADER)));
}

/** The renderer's own staging folders, named exactly as it names them (a look-alike is not one). */
const STAGING = /^\.dev\.render-(new|ready|old)-[0-9a-f]{12}$/;
const LOCK = ".dev.render-lock";

/**
 * Where the environment's files are after a kill: cluster/dev, or when it is gone, the one complete tree
 * the next run takes back (a ready tree, else an old one; the scenarios below never leave two of a kind).
 */
function current(root: string): string {
  const dir = join(root, "cluster/dev");
  if (existsSync(dir)) return dir;
  const staged = readdirSync(join(root, "cluster")).filter((f) => STAGING.test(f));
  for (const stage of ["ready", "old"]) {
    const found = staged.filter((f) => f.startsWith(`.dev.render-${stage}-`));
    assert.ok(found.length <= 1, `cluster/dev is gone and there are several ${stage} trees: ${found.join(", ")}`);
    if (found.length === 1) return join(root, "cluster", found[0]!);
  }
  assert.fail(`cluster/dev is gone and nothing can take its place: ${readdirSync(join(root, "cluster")).join(", ")}`);
}

interface KillScenario {
  from: Variant;
  to: Variant;
  /** Hand-written files put in the folder after the first render (path below it → content). */
  handWritten: Record<string, string>;
  /** Makes the leftovers the kill loop starts from, after the first render and the hand-written files. */
  leftovers?(root: string): void;
}

/**
 * Kills a render from `from` to `to` before each of its changes to the file system in turn, then checks
 * that the folder (or the tree that takes its place) holds the complete old or new set with every
 * hand-written file, that --check reports every leftover and the lock, that write refuses while the lock
 * is there, and that once it is removed the next run finishes with nothing left over.
 */
function killAtEveryPoint(t: { after(fn: () => void): void }, scenario: KillScenario): number {
  const root = tempDir(t, "attack-kill-");
  const dir = join(root, "cluster/dev");
  const before = planEnvironment(fixtureEnvironment(scenario.from));
  const after = planEnvironment(fixtureEnvironment(scenario.to));
  const target = () => [fixtureEnvironment(scenario.to)];
  const fresh = () => {
    rmSync(join(root, "cluster"), { recursive: true, force: true });
    writeEnvironments(root, [fixtureEnvironment(scenario.from)]);
    for (const [file, content] of Object.entries(scenario.handWritten)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), content);
    }
    scenario.leftovers?.(root);
  };
  fresh();
  const full = renderChild(root, scenario.to, 0);
  assert.equal(full.status, 0, full.stderr);
  const points = Number(/fs-changes: (\d+)/.exec(full.stderr)?.[1]);
  assert.ok(points >= 4, `a render from ${scenario.from} to ${scenario.to} makes several changes (${points})`);
  for (let at = 1; at <= points; at++) {
    const label = `${scenario.from} → ${scenario.to}, killed before change ${at} of ${points}`;
    fresh();
    const killed = renderChild(root, scenario.to, at);
    assert.equal(killed.signal, "SIGKILL", label);
    const shown = current(root);
    const now = generated(shown);
    const same = (want: Map<string, string>) => now.size === want.size && [...want].every(([f, c]) => now.get(f) === c);
    assert.ok(same(before) || same(after), `${label}: ${relative(root, shown)} holds ${JSON.stringify([...now.keys()])}`);
    for (const [file, content] of Object.entries(scenario.handWritten))
      assert.equal(readFileSync(join(shown, file), "utf8"), content, `${label}: ${file}`);

    const report = checkEnvironments(root, target());
    const siblings = readdirSync(join(root, "cluster"));
    const tmp = existsSync(dir) ? Object.keys(snapshot(dir)).filter((f) => f.endsWith(".tmp")) : [];
    assert.deepEqual(
      report.leftovers,
      [...siblings.filter((f) => STAGING.test(f)).map((f) => `cluster/${f}`), ...tmp.map((f) => `cluster/dev/${f}`)].sort(),
      `${label}: --check reports every leftover`,
    );
    assert.deepEqual(
      report.missingFolders,
      existsSync(dir) ? undefined : [{ dir: "cluster/dev", restoreFrom: relative(root, shown) }],
      label,
    );
    const locked = siblings.includes(LOCK);
    assert.deepEqual(report.locked, locked ? [`cluster/${LOCK}`] : undefined, `${label}: --check reports the lock`);
    if (locked) {
      const state = snapshot(join(root, "cluster"));
      assert.throws(() => writeEnvironments(root, target()), {
        name: "RenderError",
        message: new RegExp(
          `^cluster/\\.dev\\.render-lock exists: a render of cluster/dev is under way(?: \\(pid \\d+\\))? or was killed; if none is running, remove it \\(rm cluster/\\.dev\\.render-lock\\) and render again$`,
        ),
      });
      assert.deepEqual(snapshot(join(root, "cluster")), state, `${label}: a refused write changes nothing`);
      rmSync(join(root, "cluster", LOCK)); // what the message tells the user to do
    }
    writeEnvironments(root, target());
    assert.deepEqual(readdirSync(join(root, "cluster")), ["dev"], `${label}: the next run cleans up`);
    assert.deepEqual(generated(dir), after, label);
    for (const [file, content] of Object.entries(scenario.handWritten))
      assert.equal(readFileSync(join(dir, file), "utf8"), content, `${label}: ${file} after the next run`);
    assert.deepEqual(checkEnvironments(root, target()), { stale: [], missing: [], extra: [], leftovers: [] }, label);
  }
  return points;
}

const FLAT_HAND_WRITTEN = { "notes.md": "by hand\n", "extra.yaml": "# by hand\nkind: ConfigMap\n" };
const LAYERED_HAND_WRITTEN = {
  "NOTES.md": "by hand\n",
  "infrastructure/controllers/README.md": "controllers, by hand\n",
  // In a layer the new version drops: the folder stays for it.
  "infrastructure/configs/keep.yaml": "# by hand\nkind: ConfigMap\n",
  "apps/extra/values.txt": "nested, by hand\n",
};

test("a render killed at any point leaves the complete old or the complete new set; the next check reports and the next run cleans leftovers", (t) => {
  killAtEveryPoint(t, { from: "old", to: "new", handWritten: FLAT_HAND_WRITTEN });
});

test("a layered environment (files in nested subfolders) killed at any point: old or new set, hand-written files in every layer kept", (t) => {
  const points = killAtEveryPoint(t, { from: "layered-old", to: "layered-new", handWritten: LAYERED_HAND_WRITTEN });
  assert.ok(points > 20, `the layered render makes many changes (${points})`);
});

const hex = (c: string) => c.repeat(12);

test("a render killed at any point while it cleans up an earlier run's leftovers loses nothing", (t) => {
  killAtEveryPoint(t, {
    from: "layered-old",
    to: "layered-new",
    handWritten: LAYERED_HAND_WRITTEN,
    leftovers(root) {
      // A half-built staging folder, a complete ready tree of an older plan, an old tree, a temp file.
      mkdirSync(join(root, `cluster/.dev.render-new-${hex("1")}/apps`), { recursive: true });
      writeFileSync(join(root, `cluster/.dev.render-new-${hex("1")}/apps/remla.yaml`), `${HEADER}half`);
      mkdirSync(join(root, `cluster/.dev.render-ready-${hex("2")}`));
      writeFileSync(join(root, `cluster/.dev.render-ready-${hex("2")}/kustomization.yaml`), HEADER);
      mkdirSync(join(root, `cluster/.dev.render-old-${hex("3")}`));
      writeFileSync(join(root, "cluster/dev/apps/kustomization.yaml.4242.tmp"), `${HEADER}half`);
    },
  });
});

test("a render killed at any point while it takes back a folder that exists only as an old tree loses nothing", (t) => {
  killAtEveryPoint(t, {
    from: "layered-old",
    to: "layered-new",
    handWritten: LAYERED_HAND_WRITTEN,
    leftovers(root) {
      // Killed between `folder → old` and `ready → folder`, and the ready tree lost since.
      renameSync(join(root, "cluster/dev"), join(root, `cluster/.dev.render-old-${hex("a")}`));
      mkdirSync(join(root, `cluster/.dev.render-new-${hex("b")}`));
    },
  });
});

test("render --check reports leftovers of an interrupted render and render cleans them up", (t) => {
  const root = tempDir(t, "attack-cli-");
  copyTestStacks(root);
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, "stacks/render.ts"), "--root", root, ...args], { encoding: "utf8" });
  assert.equal(cli().status, 0);
  mkdirSync(join(root, "cluster/.dev.render-new-0a1b2c3d4e5f"));
  writeFileSync(join(root, "cluster/.dev.render-new-0a1b2c3d4e5f/kustomization.yaml"), HEADER);
  writeFileSync(join(root, "cluster/prod/kustomization.yaml.4242.tmp"), `${HEADER}half`);
  const check = cli("--check");
  assert.equal(check.status, 1);
  assert.equal(check.stdout, "leftover: cluster/.dev.render-new-0a1b2c3d4e5f\nleftover: cluster/prod/kustomization.yaml.4242.tmp\n");
  assert.equal(check.stderr, "render --check: 2 leftover(s) of an interrupted render; run npm run render and commit the result\n");
  const write = cli();
  assert.equal(write.status, 0, write.stderr);
  assert.match(
    write.stdout,
    /^cleaned up cluster\/\.dev\.render-new-0a1b2c3d4e5f\ncleaned up cluster\/prod\/kustomization\.yaml\.4242\.tmp\n/,
  );
  assert.deepEqual(readdirSync(join(root, "cluster")), ["dev", "prod"]);
  assert.equal(cli("--check").status, 0);
});

test("npm run render takes back the real dev environment that exists only as an old tree, and says so in --check (review repro)", (t) => {
  const root = tempDir(t, "attack-cli-");
  copyTestStacks(root);
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, "stacks/render.ts"), "--root", root, ...args], { encoding: "utf8" });
  assert.equal(cli().status, 0);
  const dev = join(root, "cluster/dev");
  assert.ok(
    readdirSync(dev, { withFileTypes: true }).some((e) => e.isDirectory()),
    "the real dev environment has layers",
  );
  const rendered = snapshot(dev);
  writeFileSync(join(dev, "NOTES.md"), "notes\n");
  const old = "cluster/.dev.render-old-aaaaaaaaaaaa";
  renameSync(dev, join(root, old));
  const check = cli("--check");
  assert.equal(check.status, 1);
  assert.equal(check.stdout, `missing folder: cluster/dev (npm run render restores it from ${old})\nleftover: ${old}\n`);
  assert.equal(
    check.stderr,
    "render --check: 1 missing folder(s), 1 leftover(s) of an interrupted render; run npm run render and commit the result\n",
  );
  const write = cli();
  assert.equal(write.status, 0, write.stderr);
  assert.match(write.stdout, new RegExp(`^cleaned up ${old.replace(/\./g, "\\.")}\n`));
  assert.equal(readFileSync(join(dev, "NOTES.md"), "utf8"), "notes\n");
  assert.deepEqual(snapshot(dev), { ...rendered, "NOTES.md": "notes\n" });
  assert.equal(cli("--check").status, 0);
  // A lock left by a killed render: --check names it, render refuses in one line until it is removed.
  writeFileSync(join(root, "cluster/.prod.render-lock"), "4242\n");
  const locked = cli("--check");
  assert.equal(locked.status, 1);
  assert.equal(
    locked.stdout,
    "locked: cluster/.prod.render-lock (a render is under way or was killed; if none is running: rm cluster/.prod.render-lock)\n",
  );
  const refused = cli();
  assert.equal(refused.status, 1);
  assert.equal(
    refused.stderr,
    "render: cluster/.prod.render-lock exists: a render of cluster/prod is under way (pid 4242) or was killed; if none is running, remove it (rm cluster/.prod.render-lock) and render again\n",
  );
  assert.equal(refused.stdout, "");
});
