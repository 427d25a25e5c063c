// The write path for a whole environment tree (files in nested subfolders, as
// cluster/<env>/infrastructure/controllers/... and apps/...): generated files replaced as one set,
// hand-written files, links and empty folders carried over, symlinks never followed, bad paths refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
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
