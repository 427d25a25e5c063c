// `npm run diff -- <ref>`: what Flux would apply differently between a commit and the work tree, object by
// object, on a throw-away Git repository holding the project's stack files and rendered cluster/ (the CLI
// runs in this process; `kubectl kustomize` builds both sides, as for `npm run verify`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { COMMENT_MARKER, main } from "../../stacks/diff.ts";
import { runInProcess } from "../support/in-process.ts";
import { copyOfRenderedRepo } from "../support/temp-repo.ts";

const git = (root: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { cwd: root, encoding: "utf8" });

/** A Git repository whose first commit holds the rendered cluster/, and a work tree changed in three ways. */
function changedRepo(t: { after(fn: () => void): void }): string {
  const root = copyOfRenderedRepo(t, "flux-diff");
  git(root, "init", "-q", "-b", "main");
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", "rendered");
  const dev = join(root, "cluster/dev");
  // Changed: dev's app gets more replicas. Removed: the monitoring namespace. Added: a ConfigMap.
  const app = join(dev, "apps/helmrelease_flux-system_remla-app.yaml");
  writeFileSync(app, readFileSync(app, "utf8").replace("replicas: 1", "replicas: 4"));
  const controllers = join(dev, "infrastructure/controllers");
  rmSync(join(controllers, "namespace_monitoring.yaml"));
  const k = join(controllers, "kustomization.yaml");
  writeFileSync(k, readFileSync(k, "utf8").replace("  - namespace_monitoring.yaml\n", "  - configmap.yaml\n"));
  writeFileSync(
    join(controllers, "configmap.yaml"),
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\n",
  );
  return root;
}

test("diff <ref>: per environment, the objects added, removed and changed (with a unified diff of each changed one)", async (t) => {
  const root = changedRepo(t);
  const r = await runInProcess(main, ["HEAD", "--root", root]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  const lines = r.stdout.split("\n");
  assert.equal(lines[0], "diff: dev: 1 changed, 1 added, 1 removed (HEAD → work tree)");
  assert.equal(lines[1], "added: ConfigMap default/settings (cluster/dev/infrastructure/controllers)");
  assert.equal(lines[2], "removed: Namespace monitoring (cluster/dev/infrastructure/controllers)");
  assert.equal(lines[3], "changed: HelmRelease flux-system/remla-app (cluster/dev/apps)");
  assert.equal(lines[4], "--- HelmRelease flux-system/remla-app (HEAD, cluster/dev/apps)");
  assert.equal(lines[5], "+++ HelmRelease flux-system/remla-app (work tree, cluster/dev/apps)");
  assert.match(lines[6]!, /^@@ /);
  assert.deepEqual(
    lines.filter((l) => /^[-+] /.test(l)),
    ["-      replicas: 1", "+      replicas: 4"],
  );
  assert.ok(lines.includes("diff: prod: 0 changed, 0 added, 0 removed (HEAD → work tree)"));
  // The checkout is untouched: the ref was read with git archive.
  assert.equal(git(root, "status", "--porcelain", "--", "cluster/prod"), "");
  assert.equal(git(root, "worktree", "list").trim().split("\n").length, 1);
});

test("diff --format markdown: the pull-request comment, with the marker the workflow finds it by", async (t) => {
  const root = changedRepo(t);
  const r = await runInProcess(main, ["main", "--format", "markdown", "--root", root]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.startsWith(`${COMMENT_MARKER}\n### What Flux would apply differently (\`main\` → this change)\n`));
  assert.match(r.stdout, /^#### dev: 1 changed, 1 added, 1 removed$/m);
  assert.match(r.stdout, /^- changed: `HelmRelease flux-system\/remla-app` \(cluster\/dev\/apps\)$/m);
  assert.match(r.stdout, /```diff\n--- HelmRelease flux-system\/remla-app[^\n]*\n\+\+\+ [^\n]*\n@@[^`]*\+ {6}replicas: 4\n[^`]*```/);
  // With nothing changed, one sentence.
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", "change");
  const same = await runInProcess(main, ["HEAD", "--format", "markdown", "--root", root]);
  assert.match(same.stdout, /No object Flux applies changes\.\n$/);
});

test("diff: a ref that is not a commit, a missing ref or a bad format is one line and exit 2", async (t) => {
  const root = changedRepo(t);
  const bad = await runInProcess(main, ["no-such-branch", "--root", root]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, `diff: no-such-branch: not a commit of the repository in ${root}\n`);
  assert.equal((await runInProcess(main, ["--root", root])).code, 2);
  assert.match((await runInProcess(main, ["HEAD", "--format", "html", "--root", root])).stderr, /^diff: --format must be text or markdown/);
});

test("diff: a side Flux cannot build is named (exit 1)", async (t) => {
  const root = changedRepo(t);
  writeFileSync(join(root, "cluster/prod/apps/kustomization.yaml"), "resources:\n  - missing.yaml\n");
  const r = await runInProcess(main, ["HEAD", "--root", root]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^diff: work tree: Kustomization flux-system\/apps \(cluster\/prod\/apps\): kustomize build fails: /);
});
