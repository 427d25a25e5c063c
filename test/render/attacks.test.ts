// The renderer attacked as a hostile contributor would (issue #13): output folders and files that are
// symlinks out of the repository, a symlink planted under a temp-file name, and a render killed at every
// point of its work (a real child process, SIGKILL). Each must leave everything outside the output folder
// untouched and the output folder holding the complete old or the complete new set of files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
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
import { join, relative } from "node:path";
import { checkEnvironments, HEADER, planEnvironment, writeEnvironments } from "../../infra/render/write.ts";
import { fixtureEnvironment } from "../support/render-child.ts";
import { ROOT } from "../support/paths.ts";

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

const OLD = planEnvironment(fixtureEnvironment("old"));
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

function renderChild(root: string, variant: string, killAt: number) {
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

test("a render killed at any point leaves the complete old or the complete new set; the next check reports and the next run cleans leftovers", (t) => {
  const root = tempDir(t, "attack-kill-");
  const dir = join(root, "cluster/dev");
  const handWritten = { "notes.md": "by hand\n", "extra.yaml": "# by hand\nkind: ConfigMap\n" };
  const fresh = () => {
    rmSync(join(root, "cluster"), { recursive: true, force: true });
    writeEnvironments(root, [fixtureEnvironment("old")]);
    for (const [file, content] of Object.entries(handWritten)) writeFileSync(join(dir, file), content);
  };
  fresh();
  const full = renderChild(root, "new", 0);
  assert.equal(full.status, 0, full.stderr);
  const points = Number(/fs-changes: (\d+)/.exec(full.stderr)?.[1]);
  assert.ok(points >= 4, `a render from old to new makes several changes (${points})`);
  for (let at = 1; at <= points; at++) {
    fresh();
    const killed = renderChild(root, "new", at);
    assert.equal(killed.signal, "SIGKILL", `killed before change ${at}`);
    // Between the two renames of the swap cluster/dev is briefly absent; the complete new tree is then
    // the ready sibling, which the next run renames into place.
    const ready = readdirSync(join(root, "cluster")).find((f) => f.startsWith(".dev.render-ready-"));
    const shown = existsSync(dir) ? dir : join(root, "cluster", ready ?? "dev");
    const now = generated(shown);
    const old = now.size === OLD.size && [...OLD].every(([f, c]) => now.get(f) === c);
    const complete = now.size === NEW.size && [...NEW].every(([f, c]) => now.get(f) === c);
    assert.ok(
      old || complete,
      `killed before change ${at} of ${points}: ${relative(root, shown)} holds ${JSON.stringify([...now.keys()])}`,
    );
    for (const [file, content] of Object.entries(handWritten)) assert.equal(readFileSync(join(shown, file), "utf8"), content, file);
    const report = checkEnvironments(root, [fixtureEnvironment("new")]);
    const leftovers = readdirSync(join(root, "cluster")).filter((f) => f !== "dev");
    const tmp = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".tmp")) : [];
    assert.deepEqual(
      report.leftovers,
      [...leftovers.map((f) => `cluster/${f}`), ...tmp.map((f) => `cluster/dev/${f}`)].sort(),
      `killed before change ${at}: --check reports every leftover`,
    );
    writeEnvironments(root, [fixtureEnvironment("new")]);
    assert.deepEqual(readdirSync(join(root, "cluster")), ["dev"], `killed before change ${at}: the next run cleans up`);
    assert.deepEqual(generated(dir), NEW);
    for (const [file, content] of Object.entries(handWritten))
      assert.equal(readFileSync(join(dir, file), "utf8"), content, `${file} after the next run`);
    assert.deepEqual(checkEnvironments(root, [fixtureEnvironment("new")]), { stale: [], missing: [], extra: [], leftovers: [] });
  }
});

test("render --check reports leftovers of an interrupted render and render cleans them up", (t) => {
  const root = tempDir(t, "attack-cli-");
  for (const env of ["dev", "prod"]) copyFileSync(join(ROOT, `Pulumi.${env}.yaml`), join(root, `Pulumi.${env}.yaml`));
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, "stacks/render.ts"), "--root", root, ...args], { encoding: "utf8" });
  assert.equal(cli().status, 0);
  mkdirSync(join(root, "cluster/.dev.render-new-x1y2z3"));
  writeFileSync(join(root, "cluster/.dev.render-new-x1y2z3/kustomization.yaml"), HEADER);
  writeFileSync(join(root, "cluster/prod/kustomization.yaml.4242.tmp"), `${HEADER}half`);
  const check = cli("--check");
  assert.equal(check.status, 1);
  assert.equal(check.stdout, "leftover: cluster/.dev.render-new-x1y2z3\nleftover: cluster/prod/kustomization.yaml.4242.tmp\n");
  assert.equal(check.stderr, "render --check: 2 leftover(s) of an interrupted render; run npm run render and commit the result\n");
  const write = cli();
  assert.equal(write.status, 0, write.stderr);
  assert.match(write.stdout, /^cleaned up cluster\/\.dev\.render-new-x1y2z3\ncleaned up cluster\/prod\/kustomization\.yaml\.4242\.tmp\n/);
  assert.deepEqual(readdirSync(join(root, "cluster")), ["dev", "prod"]);
  assert.equal(cli("--check").status, 0);
});
