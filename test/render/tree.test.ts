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
  for (const dir of [".git/x", "cluster/.git", "cluster/\u0007dev"]) {
    assert.throws(() => writeTrees(root, [tree({}, dir)]), {
      name: "RenderError",
      message: /must not hold control characters or a \.git segment$/,
    });
  }
  assert.throws(() => writeTrees(root, [tree({ "a.yaml": "", "a.yaml/b.yaml": "" })]), {
    message: 'environment "dev": a.yaml is planned both as a file and as the folder of a.yaml/b.yaml',
  });
  assert.throws(() => writeTrees(root, [tree({}, "cluster"), { ...tree({}, "cluster/dev"), name: "prod" }]), {
    message: 'environments "dev" and "prod" render to nested folders cluster and cluster/dev',
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
  assert.deepEqual(checkTrees(root, [tree({ "a.yaml": "" })]), { stale: [], missing: ["cluster/dev/a.yaml"], extra: [], leftovers: [] });
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

test("leftovers: staging folders and orphan temp files are listed in order, then removed; look-alikes are hand-written", (t) => {
  const root = tempDir(t);
  const dir = join(root, "cluster/dev");
  writeTrees(root, [tree({ "a.yaml": "" })]);
  // Created out of order, so the listing must sort.
  for (const name of [".dev.render-old-c", ".dev.render-new-a", ".dev.render-ready-b"]) mkdirSync(join(root, "cluster", name));
  writeFileSync(join(root, "cluster/.dev.render-ready-b/a.yaml"), H);
  writeFileSync(join(dir, "a.yaml.77.tmp"), H);
  writeFileSync(join(dir, "a.yaml.77.tmp.bak"), H); // not the renderer's temp name: hand-written
  writeFileSync(join(dir, "README.md"), `${H}notes\n`); // header, but not .yaml: hand-written
  const leftovers = ["cluster/.dev.render-new-a", "cluster/.dev.render-old-c", "cluster/.dev.render-ready-b", "cluster/dev/a.yaml.77.tmp"];
  assert.deepEqual(checkTrees(root, [tree({ "a.yaml": "" })]), { stale: [], missing: [], extra: [], leftovers });
  assert.deepEqual(writeTrees(root, [tree({ "a.yaml": "" })]).cleaned, leftovers);
  assert.deepEqual(readdirSync(join(root, "cluster")), ["dev"]);
  assert.deepEqual(readdirSync(dir).sort(), ["README.md", "a.yaml", "a.yaml.77.tmp.bak"]);
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
  mkdirSync(join(root, "cluster/.dev.render-new-k1"), { recursive: true });
  writeFileSync(join(root, "cluster/.dev.render-new-k1/a.yaml"), `${H}`);
  assert.deepEqual(checkTrees(root, [tree({ "a.yaml": "", "b.yaml": "" })]), {
    stale: [],
    missing: ["cluster/dev/a.yaml", "cluster/dev/b.yaml"],
    extra: [],
    leftovers: ["cluster/.dev.render-new-k1"],
  });
  writeTrees(root, [tree({ "a.yaml": "" })]);
  assert.deepEqual(writeTrees(root, [tree({})]).removed, ["cluster/dev/a.yaml"]);
  assert.deepEqual(readdirSync(join(root, "cluster")), ["dev"]);
  assert.deepEqual(readdirSync(join(root, "cluster/dev")), []);
});
