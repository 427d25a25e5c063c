// The write path for a whole environment tree (files in nested subfolders, as
// cluster/<env>/infrastructure/controllers/... and apps/...): generated files replaced as one set,
// hand-written files, links and empty folders carried over, symlinks never followed, bad paths refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
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
import { join } from "node:path";
import { checkTrees, HEADER_MARKER, writeTrees, type Tree } from "../../infra/render/tree.ts";

const H = `${HEADER_MARKER} test\n`;

function tempDir(t: { after(fn: () => void): void }, prefix = "tree-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const tree = (files: Record<string, string>, dir = "cluster/dev"): Tree => ({
  name: "dev",
  dir,
  files: new Map(Object.entries(files).map(([f, c]) => [f, H + c])),
});

const V1 = tree({
  "kustomization.yaml": "resources: [infrastructure, apps]\n",
  "infrastructure/kustomization.yaml": "resources: [controllers]\n",
  "infrastructure/controllers/kustomization.yaml": "resources: [nginx.yaml]\n",
  "infrastructure/controllers/nginx.yaml": "v: 1\n",
  "apps/kustomization.yaml": "resources: [remla.yaml]\n",
  "apps/remla.yaml": "v: 1\n",
});
const V2 = tree({
  "kustomization.yaml": "resources: [apps]\n",
  "apps/kustomization.yaml": "resources: [remla.yaml, web.yaml]\n",
  "apps/remla.yaml": "v: 2\n",
  "apps/web.yaml": "v: 1\n",
});

test("a nested tree is written, replaced as one set, and a dropped subfolder disappears; hand-written entries stay", (t) => {
  const root = tempDir(t);
  const dir = join(root, "cluster/dev");
  assert.deepEqual(writeTrees(root, [V1]).written.length, 6);
  writeFileSync(join(dir, "apps/notes.md"), "by hand\n");
  mkdirSync(join(dir, "infrastructure/controllers/keep"));
  writeFileSync(join(dir, "infrastructure/controllers/keep/extra.yaml"), "# by hand\n");
  mkdirSync(join(dir, "empty"));
  symlinkSync("../shared/x.yaml", join(dir, "apps/link.yaml"));
  const report = writeTrees(root, [V2]);
  assert.deepEqual(report.written, [
    "cluster/dev/kustomization.yaml",
    "cluster/dev/apps/kustomization.yaml",
    "cluster/dev/apps/remla.yaml",
    "cluster/dev/apps/web.yaml",
  ]);
  assert.deepEqual(report.removed, [
    "cluster/dev/infrastructure/controllers/kustomization.yaml",
    "cluster/dev/infrastructure/controllers/nginx.yaml",
    "cluster/dev/infrastructure/kustomization.yaml",
  ]);
  assert.equal(readFileSync(join(dir, "apps/remla.yaml"), "utf8"), `${H}v: 2\n`);
  assert.equal(readFileSync(join(dir, "apps/notes.md"), "utf8"), "by hand\n");
  assert.equal(readFileSync(join(dir, "infrastructure/controllers/keep/extra.yaml"), "utf8"), "# by hand\n");
  assert.deepEqual(readdirSync(join(dir, "infrastructure/controllers")), ["keep"], "generated files gone, hand-written folder kept");
  assert.ok(lstatSync(join(dir, "empty")).isDirectory());
  assert.equal(readlinkSync(join(dir, "apps/link.yaml")), "../shared/x.yaml");
  assert.deepEqual(readdirSync(join(root, "cluster")), ["dev"], "no staging folder left");
  assert.deepEqual(checkTrees(root, [V2]), { stale: [], missing: [], extra: [], leftovers: [] });
  // Nothing changed: the folder is not swapped (a hand-written file's inode stays).
  const inode = lstatSync(join(dir, "apps/notes.md")).ino;
  assert.deepEqual(writeTrees(root, [V2]).written, []);
  assert.equal(lstatSync(join(dir, "apps/notes.md")).ino, inode);
});

test("a file dropped from the tree is dropped from its subfolder; check lists nested paths", (t) => {
  const root = tempDir(t);
  writeTrees(root, [V1]);
  writeFileSync(join(root, "cluster/dev/apps/remla.yaml"), `${H}edited\n`);
  assert.deepEqual(checkTrees(root, [V2]), {
    stale: ["cluster/dev/kustomization.yaml", "cluster/dev/apps/kustomization.yaml", "cluster/dev/apps/remla.yaml"],
    missing: ["cluster/dev/apps/web.yaml"],
    extra: [
      "cluster/dev/infrastructure/controllers/kustomization.yaml",
      "cluster/dev/infrastructure/controllers/nginx.yaml",
      "cluster/dev/infrastructure/kustomization.yaml",
    ],
    leftovers: [],
  });
});

test("a symlinked subfolder in the way of generated files is refused, and what it points to is untouched", (t) => {
  const root = tempDir(t);
  const outside = tempDir(t, "tree-outside-");
  writeFileSync(join(outside, "remla.yaml"), `${H}outside\n`);
  mkdirSync(join(root, "cluster/dev"), { recursive: true });
  symlinkSync(outside, join(root, "cluster/dev/apps"));
  for (const run of [writeTrees, checkTrees]) {
    assert.throws(() => run(root, [V2]), {
      name: "RenderError",
      message:
        "cluster/dev/apps is a hand-written file or symlink where the renderer needs a folder for apps/kustomization.yaml; rename or remove it",
    });
  }
  assert.deepEqual(readdirSync(outside), ["remla.yaml"]);
  assert.equal(readFileSync(join(outside, "remla.yaml"), "utf8"), `${H}outside\n`);
});

test("a hand-written file where a generated file or folder goes is refused before anything is written", (t) => {
  const root = tempDir(t);
  mkdirSync(join(root, "cluster/dev/apps/remla.yaml"), { recursive: true });
  writeFileSync(join(root, "cluster/dev/apps/remla.yaml/mine.txt"), "mine\n");
  assert.throws(() => writeTrees(root, [V2]), {
    message: "cluster/dev/apps/remla.yaml is a folder holding hand-written files; the renderer will not replace it — rename it",
  });
  rmSync(join(root, "cluster/dev/apps"), { recursive: true });
  writeFileSync(join(root, "cluster/dev/apps"), "a file\n");
  assert.throws(() => writeTrees(root, [V2]), {
    message: /^cluster\/dev\/apps is a hand-written file or symlink where the renderer needs a folder/,
  });
  assert.deepEqual(readdirSync(join(root, "cluster")), ["dev"]);
});

test("planned paths that leave the folder, enter .git or hold control characters are refused", (t) => {
  const root = tempDir(t);
  for (const file of [
    "../x.yaml",
    "/abs.yaml",
    "a//b.yaml",
    "./a.yaml",
    ".git/config.yaml",
    "a/.git/b.yaml",
    "a\nb.yaml",
    "a\u0000.yaml",
    "a\\b.yaml",
    "notes.txt",
    "",
  ]) {
    assert.throws(() => writeTrees(root, [{ name: "dev", dir: "cluster/dev", files: new Map([[file, H]]) }]), {
      name: "RenderError",
      message: `environment "dev": file ${JSON.stringify(file)} must be a relative .yaml path below the output folder (no '..', '.git' or control characters)`,
    });
  }
  // Git's own folder in every spelling Windows and macOS open as it, and bidi controls (issue 21: the schema refused
  // these as a syncPath, the writer wrote into them).
  for (const dir of [
    ".git/x",
    "cluster/.git",
    "cluster/\u0007dev",
    "cluster/.GIT",
    "cluster/git~1",
    "cluster/.git.",
    "cluster/.git ",
    "cluster/de\u202ev",
    "cluster/\u0085dev",
  ]) {
    assert.throws(() => writeTrees(root, [tree({}, dir)]), {
      name: "RenderError",
      message: /must not hold control characters or a \.git segment$/,
    });
  }
  // The rest of the schema's folder rule: a dot folder, a backslash, a folder outside cluster/.
  for (const [dir, problem] of [
    ["cluster/.hidden", "must not contain a dot folder (a part starting with '.')"],
    ["cluster\\dev", "must separate folders with '/', not '\\'"],
    ["docs/dev", "must lie below cluster/ (e.g. cluster/dev), the folder meant for output: npm run render replaces the whole folder"],
  ]) {
    assert.throws(() => writeTrees(root, [tree({ "a.yaml": "" }, dir)]), {
      name: "RenderError",
      message: `environment "dev": output folder ${JSON.stringify(dir)} ${problem}`,
    });
  }
  for (const file of ["a/.GIT/b.yaml", "git~1/b.yaml", ".git./b.yaml", "a\u202eb.yaml"]) {
    assert.throws(() => writeTrees(root, [{ name: "dev", dir: "cluster/dev", files: new Map([[file, H]]) }]), {
      name: "RenderError",
      message: `environment "dev": file ${JSON.stringify(file)} must be a relative .yaml path below the output folder (no '..', '.git' or control characters)`,
    });
  }
  assert.throws(() => writeTrees(root, [tree({ "a.yaml": "", "a.yaml/b.yaml": "" })]), {
    message: 'environment "dev": a.yaml is planned both as a file and as the folder of a.yaml/b.yaml',
  });
  assert.throws(() => writeTrees(root, [tree({}, "cluster/dev"), { ...tree({}, "cluster/dev/prod"), name: "prod" }]), {
    message: 'environments "dev" and "prod" render to nested folders cluster/dev and cluster/dev/prod',
  });
  assert.equal(existsSync(join(root, "cluster")), false);
});

test("output folder checks: a file in the way, a symlink inside the repository, a folder that is not below the root", (t) => {
  const root = tempDir(t);
  writeFileSync(join(root, "cluster"), "a file\n");
  const notAFolder = (path: string) => `${path} is not a folder (a file is in the way); change the stack's syncPath or move the file`;
  assert.throws(() => writeTrees(root, [V1]), { name: "RenderError", message: notAFolder("cluster") });
  rmSync(join(root, "cluster"));
  mkdirSync(join(root, "cluster"));
  writeFileSync(join(root, "cluster/dev"), "a file\n");
  assert.throws(() => checkTrees(root, [V1]), { name: "RenderError", message: notAFolder("cluster/dev") });
  rmSync(join(root, "cluster/dev"));
  // A link to the repository root itself, or dangling: inside the repository, but still not followed.
  for (const target of ["..", "../nowhere"]) {
    symlinkSync(target, join(root, "cluster/dev"));
    assert.throws(() => writeTrees(root, [V1]), {
      name: "RenderError",
      message: `cluster/dev is a symlink (to ${target}); the renderer does not follow symlinks, make it a real folder`,
    });
    rmSync(join(root, "cluster/dev"));
  }
  for (const dir of [".", "./", "../elsewhere", "cluster/../.."]) {
    assert.throws(() => checkTrees(root, [tree({}, dir)]), {
      name: "RenderError",
      message: `environment "dev": output folder ${JSON.stringify(dir)} must be a relative path inside the repository, e.g. cluster/dev`,
    });
  }
  assert.deepEqual(readdirSync(join(root, "cluster")), []);
});

test("reports: unchanged files, only-removed files, cleaned leftovers; a first check of an empty repository", (t) => {
  const root = tempDir(t);
  assert.deepEqual(checkTrees(root, [tree({ "a.yaml": "" })]), {
    stale: [],
    missing: ["cluster/dev/a.yaml"],
    extra: [],
    leftovers: [],
    missingFolders: [{ dir: "cluster/dev" }],
  });
  assert.deepEqual(writeTrees(root, [tree({ "a.yaml": "", "b.yaml": "" })]), {
    written: ["cluster/dev/a.yaml", "cluster/dev/b.yaml"],
    removed: [],
    unchanged: [],
    cleaned: [],
  });
  // Only a removal: still swapped in.
  assert.deepEqual(writeTrees(root, [tree({ "a.yaml": "" })]), {
    written: [],
    removed: ["cluster/dev/b.yaml"],
    unchanged: ["cluster/dev/a.yaml"],
    cleaned: [],
  });
  assert.deepEqual(readdirSync(join(root, "cluster/dev")), ["a.yaml"]);
});

const hex = (c: string) => c.repeat(12);

test("leftovers: staging folders and orphan temp files are listed in order, then removed; look-alikes are hand-written", (t) => {
  const root = tempDir(t);
  const dir = join(root, "cluster/dev");
  writeTrees(root, [tree({ "a.yaml": "" })]);
  // Created out of order, so the listing must sort.
  const staged = [`.dev.render-old-${hex("c")}`, `.dev.render-new-${hex("a")}`, `.dev.render-ready-${hex("b")}`];
  for (const name of staged) mkdirSync(join(root, "cluster", name));
  writeFileSync(join(root, `cluster/.dev.render-ready-${hex("b")}/a.yaml`), H);
  writeFileSync(join(dir, "a.yaml.77.tmp"), H);
  writeFileSync(join(dir, "a.yaml.77.tmp.bak"), H); // not the renderer's temp name: hand-written
  writeFileSync(join(dir, "README.md"), `${H}notes\n`); // header, but not .yaml: hand-written
  // Named like staging folders, but not as the renderer names its own: someone else's, never touched.
  const lookAlikes = [
    ".dev.render-old-zzz",
    `.dev.render-old-${hex("a").slice(1)}`,
    `.dev.render-old-${hex("a")}0`,
    `.dev.render-old-${hex("A")}`,
    `.dev.render-old-${hex("a")}.bak`,
    `.dev.render-olds-${hex("a")}`,
    `.dev.render-${hex("a")}`,
    `.dev.render-old-`,
    `.dev.render-lock-${hex("a")}`,
    `.devx.render-old-${hex("a")}`,
    `.de.render-old-${hex("a")}`,
    `x.dev.render-old-${hex("a")}`,
  ];
  for (const name of lookAlikes) {
    mkdirSync(join(root, "cluster", name));
    writeFileSync(join(root, "cluster", name, "README.md"), "someone's\n");
  }
  const leftovers = [...staged.map((f) => `cluster/${f}`), "cluster/dev/a.yaml.77.tmp"].sort();
  assert.deepEqual(checkTrees(root, [tree({ "a.yaml": "" })]), { stale: [], missing: [], extra: [], leftovers });
  assert.deepEqual(writeTrees(root, [tree({ "a.yaml": "" })]).cleaned, leftovers);
  assert.deepEqual(readdirSync(join(root, "cluster")).sort(), ["dev", ...lookAlikes].sort());
  for (const name of lookAlikes) assert.equal(readFileSync(join(root, "cluster", name, "README.md"), "utf8"), "someone's\n", name);
  assert.deepEqual(readdirSync(dir).sort(), ["README.md", "a.yaml", "a.yaml.77.tmp.bak"]);
});

test("an environment folder named like another's staging folder is refused; nothing of it is reported or deleted (review repro)", (t) => {
  const root = tempDir(t);
  const dev = tree({ "a.yaml": "" });
  // As an earlier version let it happen: qa rendered to cluster/.dev.render-old-zzz, then a README added.
  for (const qaDir of ["cluster/.dev.render-old-zzz", `cluster/.dev.render-old-${hex("a")}`]) {
    const qa = { ...tree({ "a.yaml": "qa" }, qaDir), name: "qa" };
    writeTrees(root, [dev]);
    mkdirSync(join(root, qaDir));
    writeFileSync(join(root, qaDir, "a.yaml"), `${H}qa`);
    writeFileSync(join(root, qaDir, "README.md"), "qa's notes\n");
    for (const run of [checkTrees, writeTrees]) {
      assert.throws(() => run(root, [dev, qa]), {
        name: "RenderError",
        message: `environment "qa": output folder ${JSON.stringify(qaDir)} must not have a part named like the renderer's staging folders (${JSON.stringify(qaDir.slice("cluster/".length))}); a render of the folder beside it would take it for a leftover — choose another folder`,
      });
    }
    // A render of dev alone: the look-alike is not a leftover; the exact name is, and is removed — which is
    // why no environment may render there.
    const exact = qaDir.endsWith(hex("a"));
    assert.deepEqual(checkTrees(root, [dev]).leftovers, exact ? [qaDir] : [], qaDir);
    if (!exact) {
      writeTrees(root, [dev]);
      assert.equal(readFileSync(join(root, qaDir, "README.md"), "utf8"), "qa's notes\n", qaDir);
    }
    rmSync(join(root, qaDir), { recursive: true, force: true });
  }
  // Deeper down, and in any case.
  for (const qaDir of [`cluster/.dev.render-new-${hex("a")}/qa`, "cluster/.DEV.RENDER-READY-x", "cluster/.dev.render-lock"]) {
    assert.throws(() => checkTrees(root, [dev, { ...tree({}, qaDir), name: "qa" }]), {
      message: /named like the renderer's staging folders/,
    });
  }
});

test("a folder that exists only as an old tree is taken back with its hand-written files, not deleted (review repro)", (t) => {
  const root = tempDir(t);
  const dir = join(root, "cluster/dev");
  writeTrees(root, [V1]);
  writeFileSync(join(dir, "NOTES.md"), "notes\n");
  writeFileSync(join(dir, "apps/mine.txt"), "mine\n");
  const old = `cluster/.dev.render-old-${hex("a")}`;
  renameSync(dir, join(root, old));
  assert.deepEqual(checkTrees(root, [V2]), {
    stale: ["cluster/dev/kustomization.yaml", "cluster/dev/apps/kustomization.yaml", "cluster/dev/apps/remla.yaml"],
    missing: ["cluster/dev/apps/web.yaml"],
    extra: [
      "cluster/dev/infrastructure/controllers/kustomization.yaml",
      "cluster/dev/infrastructure/controllers/nginx.yaml",
      "cluster/dev/infrastructure/kustomization.yaml",
    ],
    leftovers: [old],
    missingFolders: [{ dir: "cluster/dev", restoreFrom: old }],
  });
  const report = writeTrees(root, [V2]);
  assert.deepEqual(report.cleaned, [old]);
  assert.deepEqual(report.removed.length, 3);
  assert.equal(readFileSync(join(dir, "NOTES.md"), "utf8"), "notes\n");
  assert.equal(readFileSync(join(dir, "apps/mine.txt"), "utf8"), "mine\n");
  assert.deepEqual(readdirSync(join(root, "cluster")), ["dev"]);
  assert.deepEqual(checkTrees(root, [V2]), { stale: [], missing: [], extra: [], leftovers: [] });
  // Unchanged render: taken back all the same, nothing else written.
  renameSync(dir, join(root, old));
  assert.deepEqual(writeTrees(root, [V2]), {
    written: [],
    removed: [],
    unchanged: [...V2.files.keys()].map((f) => `cluster/dev/${f}`),
    cleaned: [old],
  });
  assert.equal(readFileSync(join(dir, "NOTES.md"), "utf8"), "notes\n");
});

/** Waits past the file system's timestamp granularity, so the next rename has a later ctime. */
const tick = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30);

test("a folder that is gone takes back the newest tree: a ready one before an old one, the newest old one of several", (t) => {
  const root = tempDir(t);
  const dir = join(root, "cluster/dev");
  const at = (name: string) => join(root, "cluster", name);
  writeTrees(root, [tree({ "a.yaml": "1" })]);
  writeFileSync(join(dir, "NOTES.md"), "first\n");
  // An older old tree whose random name sorts last, then the folder moved aside: the later move wins.
  mkdirSync(at(`.dev.render-old-${hex("e")}`));
  writeFileSync(at(`.dev.render-old-${hex("e")}/NOTES.md`), "older\n");
  tick();
  renameSync(dir, at(`.dev.render-old-${hex("0")}`));
  assert.deepEqual(checkTrees(root, [tree({ "a.yaml": "2" })]).missingFolders, [
    { dir: "cluster/dev", restoreFrom: `cluster/.dev.render-old-${hex("0")}` },
  ]);
  writeTrees(root, [tree({ "a.yaml": "2" })]);
  assert.equal(readFileSync(join(dir, "NOTES.md"), "utf8"), "first\n");
  assert.deepEqual(readdirSync(join(root, "cluster")), ["dev"]);
  // A ready tree (killed between the two renames) is taken before an old tree, even a newer one.
  renameSync(dir, at(`.dev.render-ready-${hex("0")}`));
  tick();
  mkdirSync(at(`.dev.render-old-${hex("9")}`));
  assert.deepEqual(checkTrees(root, [tree({ "a.yaml": "2" })]).missingFolders, [
    { dir: "cluster/dev", restoreFrom: `cluster/.dev.render-ready-${hex("0")}` },
  ]);
  writeTrees(root, [tree({ "a.yaml": "2" })]);
  assert.equal(readFileSync(join(dir, "NOTES.md"), "utf8"), "first\n");
  assert.deepEqual(readdirSync(join(root, "cluster")), ["dev"]);
});

test("of several old trees the newest is taken back, whichever way their names sort", (t) => {
  for (const [older, newer] of [
    ["0", "e"],
    ["e", "0"],
  ]) {
    const root = tempDir(t);
    const at = (name: string) => join(root, "cluster", name);
    mkdirSync(join(root, "cluster"));
    for (const [c, notes] of [
      [older!, "older\n"],
      [newer!, "newer\n"],
    ]) {
      mkdirSync(at(`.dev.render-old-${hex(c!)}`));
      writeFileSync(at(`.dev.render-old-${hex(c!)}/NOTES.md`), notes!);
      tick();
    }
    assert.deepEqual(checkTrees(root, [tree({ "a.yaml": "1" })]).missingFolders, [
      { dir: "cluster/dev", restoreFrom: `cluster/.dev.render-old-${hex(newer!)}` },
    ]);
    writeTrees(root, [tree({ "a.yaml": "1" })]);
    assert.equal(readFileSync(join(root, "cluster/dev/NOTES.md"), "utf8"), "newer\n", `${older} then ${newer}`);
  }
});

test("the lock names the pid of the render holding it; a lock holding anything but a pid names none", (t) => {
  const root = tempDir(t);
  const lock = join(root, "cluster/.dev.render-lock");
  const held: string[] = [];
  writeTrees(root, [{ ...tree({ "a.yaml": "" }), settle: () => void held.push(readFileSync(lock, "utf8")) }]);
  assert.deepEqual(held, [`${process.pid}\n`]);
  for (const content of ["4242x\n", "x4242\n", "12345678901\n", "\n"]) {
    writeFileSync(lock, content);
    assert.throws(
      () => writeTrees(root, [tree({ "a.yaml": "v2" })]),
      { message: /^cluster\/\.dev\.render-lock exists: a render of cluster\/dev is under way or was killed;/ },
      content,
    );
  }
  writeFileSync(lock, "1234567890\n");
  assert.throws(() => writeTrees(root, [tree({ "a.yaml": "v2" })]), { message: /is under way \(pid 1234567890\) or was killed/ });
});

test("the lock: held for the write, gone after it (also after a refusal); a stale one is reported by check and refused by write", (t) => {
  const root = tempDir(t);
  const lock = join(root, "cluster/.dev.render-lock");
  const seen: boolean[] = [];
  const watching: Tree = { ...tree({ "a.yaml": "" }), settle: () => void seen.push(existsSync(lock)) };
  writeTrees(root, [watching]);
  assert.deepEqual(seen, [true], "the lock is there while the folder is read and written");
  assert.equal(existsSync(lock), false, "and removed at the end");
  assert.deepEqual(checkTrees(root, [watching]), { stale: [], missing: [], extra: [], leftovers: [] });
  assert.deepEqual(seen, [true, false], "check takes no lock");
  // A refusal after the lock is taken still removes it.
  writeFileSync(join(root, "cluster/dev/b.yaml"), "by hand\n");
  assert.throws(() => writeTrees(root, [tree({ "b.yaml": "" })]), { message: /^cluster\/dev\/b\.yaml is not a generated file/ });
  assert.equal(existsSync(lock), false);
  // Another render's lock (or a killed one's): reported, refused, nothing written, the lock left alone.
  writeFileSync(lock, "4242\n");
  const message =
    "cluster/.dev.render-lock exists: a render of cluster/dev is under way (pid 4242) or was killed; if none is running, remove it (rm cluster/.dev.render-lock) and render again";
  assert.deepEqual(checkTrees(root, [tree({ "a.yaml": "v2" })]).locked, ["cluster/.dev.render-lock"]);
  assert.throws(() => writeTrees(root, [tree({ "a.yaml": "v2" })]), { name: "RenderError", message });
  assert.equal(readFileSync(join(root, "cluster/dev/a.yaml"), "utf8"), H);
  assert.equal(readFileSync(lock, "utf8"), "4242\n");
  // Two environments: the second one's lock is refused before the first is written, and the first's lock released.
  const prod = { ...tree({ "a.yaml": "prod" }, "cluster/prod"), name: "prod" };
  rmSync(lock);
  mkdirSync(join(root, "cluster/prod"));
  writeFileSync(join(root, "cluster/.prod.render-lock"), "junk\n");
  assert.throws(() => writeTrees(root, [tree({ "a.yaml": "v2" }), prod]), {
    message:
      "cluster/.prod.render-lock exists: a render of cluster/prod is under way or was killed; if none is running, remove it (rm cluster/.prod.render-lock) and render again",
  });
  assert.equal(readFileSync(join(root, "cluster/dev/a.yaml"), "utf8"), H);
  assert.equal(existsSync(lock), false);
  rmSync(join(root, "cluster/.prod.render-lock"));
  // A symlink planted as the lock is not followed: refused, and its target not created.
  const outside = tempDir(t, "tree-outside-");
  symlinkSync(join(outside, "created"), lock);
  assert.throws(() => writeTrees(root, [tree({ "a.yaml": "v2" })]), { message: /^cluster\/\.dev\.render-lock exists/ });
  assert.deepEqual(readdirSync(outside), []);
  rmSync(lock);
  writeTrees(root, [tree({ "a.yaml": "v2" }), prod]);
  assert.deepEqual(readdirSync(join(root, "cluster")).sort(), ["dev", "prod"]);
});

test("generated files are listed in name order whatever order the folder returns them in", (t) => {
  const root = tempDir(t);
  const dir = join(root, "cluster/dev");
  mkdirSync(dir, { recursive: true });
  for (const name of ["c.yaml", "a.yaml", "d.yaml", "b.yaml"]) writeFileSync(join(dir, name), H);
  assert.deepEqual(checkTrees(root, [tree({})]).extra, [
    "cluster/dev/a.yaml",
    "cluster/dev/b.yaml",
    "cluster/dev/c.yaml",
    "cluster/dev/d.yaml",
  ]);
});

test("the folder keeps its mode, empty hand-written folders may hold generated files, and no file descriptor leaks", (t) => {
  const root = tempDir(t);
  const dir = join(root, "cluster/dev");
  writeTrees(root, [tree({ "a.yaml": "" })]);
  chmodSync(dir, 0o750);
  mkdirSync(join(dir, "apps"));
  const fds = readdirSync("/proc/self/fd").length;
  writeTrees(root, [tree({ "a.yaml": "v2", "apps/x.yaml": "" })]);
  checkTrees(root, [tree({ "a.yaml": "v2", "apps/x.yaml": "" })]);
  assert.equal(readdirSync("/proc/self/fd").length, fds, "every file the renderer opened is closed");
  assert.equal(lstatSync(dir).mode & 0o777, 0o750);
  assert.equal(readFileSync(join(dir, "apps/x.yaml"), "utf8"), H);
});

test("what is neither file, folder nor symlink is refused; nested conflicts name the full path", (t) => {
  const root = tempDir(t);
  const dir = join(root, "cluster/dev");
  mkdirSync(join(dir, "apps"), { recursive: true });
  assert.equal(spawnSync("mkfifo", [join(dir, "apps/pipe.yaml")]).status, 0);
  assert.throws(() => checkTrees(root, [V2]), {
    message: "cluster/dev/apps/pipe.yaml is not a file, folder or symlink; the renderer will not copy it, remove it",
  });
  rmSync(join(dir, "apps/pipe.yaml"));
  writeFileSync(join(dir, "apps/sub"), "by hand\n");
  assert.throws(() => checkTrees(root, [tree({ "apps/sub/x.yaml": "" })]), {
    message:
      "cluster/dev/apps/sub is a hand-written file or symlink where the renderer needs a folder for apps/sub/x.yaml; rename or remove it",
  });
  assert.throws(() => checkTrees(root, [tree({ "x/y.yaml": "", "x/y.yaml/z.yaml": "" })]), {
    message: 'environment "dev": x/y.yaml is planned both as a file and as the folder of x/y.yaml/z.yaml',
  });
});

test("an incomplete staging folder is never taken for the tree; a plan emptied of files empties the folder", (t) => {
  const root = tempDir(t);
  // A first render killed while staging: no cluster/dev yet, a half-built sibling.
  mkdirSync(join(root, "cluster/.dev.render-new-0123456789ab"), { recursive: true });
  writeFileSync(join(root, "cluster/.dev.render-new-0123456789ab/a.yaml"), `${H}`);
  assert.deepEqual(checkTrees(root, [tree({ "a.yaml": "", "b.yaml": "" })]), {
    stale: [],
    missing: ["cluster/dev/a.yaml", "cluster/dev/b.yaml"],
    extra: [],
    leftovers: ["cluster/.dev.render-new-0123456789ab"],
    // A half-built new tree is nothing to restore from.
    missingFolders: [{ dir: "cluster/dev" }],
  });
  writeTrees(root, [tree({ "a.yaml": "" })]);
  assert.deepEqual(writeTrees(root, [tree({})]).removed, ["cluster/dev/a.yaml"]);
  assert.deepEqual(readdirSync(join(root, "cluster")), ["dev"]);
  assert.deepEqual(readdirSync(join(root, "cluster/dev")), []);
});

// Issue 23: the protections each held by a test of their own (the survivors of a mutation run that drops one
// side of a guard or one flag of an open).
test("a staging-named symlink to an outside folder is never taken back as the folder: removed as a leftover, the outside untouched", (t) => {
  const root = tempDir(t);
  const outside = tempDir(t, "tree-outside-");
  writeFileSync(join(outside, "secret.txt"), "secret\n");
  chmodSync(outside, 0o777);
  mkdirSync(join(root, "cluster"));
  for (const stage of ["ready", "old"]) {
    const name = `.dev.render-${stage}-0123456789ab`;
    symlinkSync(outside, join(root, "cluster", name));
    assert.deepEqual(checkTrees(root, [tree({ "a.yaml": "1" })]).missingFolders, [{ dir: "cluster/dev" }], stage);
    assert.deepEqual(writeTrees(root, [tree({ "a.yaml": "1" })]).cleaned, [`cluster/${name}`]);
    const dev = lstatSync(join(root, "cluster/dev"));
    assert.ok(dev.isDirectory() && !dev.isSymbolicLink(), stage);
    assert.notEqual(dev.mode & 0o777, 0o777, stage);
    assert.deepEqual(readdirSync(join(root, "cluster/dev")), ["a.yaml"], stage);
    assert.deepEqual(readdirSync(join(root, "cluster")), ["dev"], stage);
    assert.deepEqual(readdirSync(outside), ["secret.txt"], stage);
    assert.equal(lstatSync(outside).mode & 0o777, 0o777, stage);
    rmSync(join(root, "cluster/dev"), { recursive: true });
  }
});

test("a hand-written file swapped for a symlink while the render runs is not read through (O_NOFOLLOW): one line, the staging folder removed", (t) => {
  const root = tempDir(t);
  const outside = tempDir(t, "tree-outside-");
  writeFileSync(join(outside, "secret"), "secret\n");
  writeTrees(root, [tree({ "a.yaml": "1" })]);
  const notes = join(root, "cluster/dev/NOTES.md");
  writeFileSync(notes, "by hand\n");
  // Between reading the folder (a file) and copying it into the new tree (settle runs in between).
  const racing: Tree = {
    ...tree({ "a.yaml": "2" }),
    settle() {
      rmSync(notes);
      symlinkSync(join(outside, "secret"), notes);
    },
  };
  assert.throws(() => writeTrees(root, [racing]), {
    name: "IoError",
    message:
      /^cannot open cluster\/dev\/NOTES\.md: too many symbolic links encountered \(ELOOP\); cluster\/dev is unchanged; removed cluster\/\.dev\.render-new-[0-9a-f]{12} — a symlink is in the way/,
  });
  assert.deepEqual(readdirSync(join(root, "cluster")), ["dev"]);
  assert.equal(readFileSync(join(root, "cluster/dev/a.yaml"), "utf8"), `${H}1`);
  assert.equal(readlinkSync(notes), join(outside, "secret"));
});

test("a lock that is a symlink to a file naming a pid names no pid: the link is not read through", (t) => {
  const root = tempDir(t);
  const outside = tempDir(t, "tree-outside-");
  writeFileSync(join(outside, "pid"), "4242\n");
  mkdirSync(join(root, "cluster"));
  symlinkSync(join(outside, "pid"), join(root, "cluster/.dev.render-lock"));
  assert.throws(() => writeTrees(root, [tree({ "a.yaml": "1" })]), {
    message:
      "cluster/.dev.render-lock exists: a render of cluster/dev is under way or was killed; if none is running, remove it (rm cluster/.dev.render-lock) and render again",
  });
  assert.equal(readFileSync(join(outside, "pid"), "utf8"), "4242\n");
});

test("a failed write removes the empty folders it made for its lock, and only those", (t) => {
  const root = tempDir(t);
  const refused: Tree = {
    ...tree({ "a.yaml": "1" }, "cluster/envs/dev"),
    settle() {
      throw new Error("refused while planning");
    },
  };
  assert.throws(() => writeTrees(root, [refused]), { message: "refused while planning" });
  assert.deepEqual(readdirSync(root), [], "cluster/envs made and removed again");
  // A folder that was there stays; so does one that a file was put in meanwhile.
  mkdirSync(join(root, "cluster"));
  assert.throws(() => writeTrees(root, [refused]), { message: "refused while planning" });
  assert.deepEqual(readdirSync(root), ["cluster"]);
  assert.deepEqual(readdirSync(join(root, "cluster")), []);
  rmSync(join(root, "cluster"), { recursive: true });
  const filling: Tree = {
    ...refused,
    settle() {
      writeFileSync(join(root, "cluster/README"), "kept\n");
      throw new Error("refused while planning");
    },
  };
  assert.throws(() => writeTrees(root, [filling]), { message: "refused while planning" });
  assert.deepEqual(readdirSync(join(root, "cluster")), ["README"], "cluster/envs (empty once the lock is gone) removed, cluster kept");
});

test("a temp-file name without the generated header is hand-written, and nested folders are refused in either order", (t) => {
  const root = tempDir(t);
  writeTrees(root, [tree({ "a.yaml": "1" })]);
  writeFileSync(join(root, "cluster/dev/notes.yaml.77.tmp"), "# by hand\n");
  assert.deepEqual(checkTrees(root, [tree({ "a.yaml": "1" })]).leftovers, []);
  writeTrees(root, [tree({ "a.yaml": "2" })]);
  assert.equal(readFileSync(join(root, "cluster/dev/notes.yaml.77.tmp"), "utf8"), "# by hand\n");
  const prod = { ...tree({ "a.yaml": "1" }, "cluster/dev/prod"), name: "prod" };
  for (const trees of [
    [tree({ "a.yaml": "1" }), prod],
    [prod, tree({ "a.yaml": "1" })],
  ]) {
    assert.throws(() => writeTrees(root, trees), { message: /^environments "(dev|prod)" and "(dev|prod)" render to nested folders / });
  }
});
