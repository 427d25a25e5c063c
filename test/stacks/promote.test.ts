// `npm run promote -- dev prod` in-process on a copy of the repository: it reads the tags dev runs from
// cluster/dev (an automation commit included) and writes them as prod's promoted values.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { main as promote, promotedFile } from "../../stacks/promote.ts";
import { runInProcess } from "../support/in-process.ts";
import { ROOT } from "../support/paths.ts";
import { cliArgv, handOver, inMountNamespace, runUnprivileged, traceLines, unprivilegedDir } from "../support/io-conditions.ts";
import { copyOfRenderedRepo } from "../support/temp-repo.ts";
import { copyRepository } from "../support/guide.ts";

const RELEASE = join("cluster", "dev", "apps", "helmrelease_flux-system_remla-app.yaml");

test("the committed promoted file holds what cluster/dev runs (promote is up to date)", async () => {
  const r = await runInProcess(promote, ["dev", "prod"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /already holds dev's image values/);
});

test("an automation commit in dev reaches prod's definitions by promote", async (t) => {
  const root = copyOfRenderedRepo(t, "promote");
  const file = join(root, RELEASE);
  writeFileSync(file, readFileSync(file, "utf8").replace("tag: v1.6.0 #", "tag: v1.7.2 #"));
  const r = await runInProcess(promote, ["dev", "prod", "--root", root]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^appService\.image\.tag: v1\.6\.0 -> v1\.7\.2$/m);
  assert.match(r.stdout, /^appFrontend\.image\.tag: v1\.5\.1 \(unchanged\)$/m);
  const written = join(root, promotedFile("prod"));
  const promoted = ((await import(pathToFileURL(written).href)) as { default: unknown }).default;
  assert.deepEqual(promoted, {
    appFrontend: { image: { tag: "v1.5.1" } },
    appService: { image: { tag: "v1.7.2" } },
    modelService: { image: { tag: "v0.5.0" } },
  });
  // The same generator wrote the committed file: only the promoted tag differs.
  const committed = readFileSync(join(ROOT, promotedFile("prod")), "utf8");
  assert.equal(readFileSync(written, "utf8"), committed.replace('tag: "v1.6.0"', 'tag: "v1.7.2"'));
});

test("bad arguments and environments are one line, nothing written", async (t) => {
  const root = copyOfRenderedRepo(t, "promote");
  const cases: [string[], number, RegExp][] = [
    [["dev"], 2, /^promote: expected two environments/],
    [["dev", "dev"], 2, /^promote: promote needs two different environments/],
    [["dev", "staging"], 1, /^promote: no environment "staging" \(stacks: dev, prod\)/],
    [["prod", "dev"], 1, /^promote: dev runs its own image automation/],
  ];
  for (const [args, code, message] of cases) {
    const r = await runInProcess(promote, [...args, "--root", root]);
    assert.equal(r.code, code, args.join(" "));
    assert.match(r.stderr, message);
    assert.equal(r.stderr.split("\n").length, 2, "one line");
  }
  rmSync(join(root, RELEASE));
  const r = await runInProcess(promote, ["dev", "prod", "--root", root]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^promote: cluster\/dev is not what the definitions render \(1 file\(s\), first cluster\/dev\/apps\/helmrelease_flux-system_remla-app\.yaml\)/,
  );
  assert.equal(existsSync(join(root, "stacks")), false, "nothing written");
});

async function refused(root: string, message: RegExp): Promise<void> {
  const r = await runInProcess(promote, ["dev", "prod", "--root", root]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, message);
  assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  assert.equal(existsSync(join(root, promotedFile("prod"))), false, "nothing written");
}

test("promote copies only what render --check accepts, from the exact marked value (review findings 3 and 4)", async (t) => {
  const root = copyOfRenderedRepo(t, "promote");
  const file = join(root, RELEASE);
  const original = readFileSync(file, "utf8");
  const cases: [string, string, RegExp][] = [
    // A hand edit render --check flags (the tag without its marker).
    [
      "unmarked",
      original.replace('tag: v1.6.0 # {"$imagepolicy": "flux-system:app-service:tag"}', "tag: v1.7.2"),
      /^promote: cluster\/dev is not what the definitions render/,
    ],
    // The marker on the line above its value (Flux would still set it; the renderer does not own it).
    [
      "marker above",
      original.replace(/^( +)tag: v1\.6\.0 (# \{"\$imagepolicy": "flux-system:app-service:tag"\})$/m, "$1$2\n$1tag: v1.7.2"),
      /^promote: cluster\/dev is not what the definitions render/,
    ],
    // The generated header gone: a hand-written file where a generated one belongs.
    [
      "no header",
      original.replace(/^# Generated by flux-gitops.*\n/, "").replace("tag: v1.6.0 #", "tag: v1.7.2 #"),
      /^promote: cluster\/dev\/apps\/helmrelease_flux-system_remla-app\.yaml is not a generated file/,
    ],
    // Marked, but no tag the policy could pick.
    [
      "outside the range",
      original.replace("tag: v1.6.0 #", "tag: v9.0.0 #"),
      /^promote: cluster\/dev\/apps\/helmrelease_flux-system_remla-app\.yaml: spec\.values\.appService\.image\.tag holds "v9\.0\.0".*semver range/,
    ],
    ["not a tag", original.replace("tag: v1.6.0 #", "tag: 'v1.7.2 && x' #"), /not an image tag/],
  ];
  for (const [what, content, message] of cases) {
    writeFileSync(file, content);
    await t.test(what, () => refused(root, message));
  }
});

test("promote refuses a symlinked promoted folder or file and never writes through a planted temp name (review finding 6)", async (t) => {
  const outside = mkdtempSync(join(tmpdir(), "promote-outside-"));
  t.after(() => rmSync(outside, { recursive: true, force: true }));
  const cases: [string, (root: string) => void][] = [
    ["folder", (root) => symlinkSync(outside, join(root, dirname(promotedFile("prod"))))],
    [
      "file",
      (root) => {
        mkdirSync(join(root, dirname(promotedFile("prod"))), { recursive: true });
        symlinkSync(join(outside, "prod.ts"), join(root, promotedFile("prod")));
      },
    ],
    ["stacks", (root) => symlinkSync(outside, join(root, "stacks"))],
  ];
  for (const [what, plant] of cases) {
    const root = copyOfRenderedRepo(t, "promote");
    mkdirSync(join(root, "stacks", "environments"), { recursive: true });
    if (what === "stacks") rmSync(join(root, "stacks"), { recursive: true });
    plant(root);
    const r = await runInProcess(promote, ["dev", "prod", "--root", root]);
    assert.equal(r.code, 1, what);
    assert.match(
      r.stderr,
      /^promote: stacks(\/environments\/promoted(\/prod\.ts)?)? is a symlink; promote writes only to real folders and files\n$/,
      what,
    );
    assert.deepEqual(readdirSync(outside), [], `${what}: nothing written outside`);
  }
  // The temp file once had a predictable name (<file>.<pid>.tmp): a symlink planted there is left alone.
  const root = copyOfRenderedRepo(t, "promote");
  const folder = join(root, dirname(promotedFile("prod")));
  mkdirSync(folder, { recursive: true });
  symlinkSync(join(outside, "planted"), join(root, `${promotedFile("prod")}.${process.pid}.tmp`));
  const r = await runInProcess(promote, ["dev", "prod", "--root", root]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(outside), []);
  assert.deepEqual(readdirSync(folder).sort(), ["prod.ts", `prod.ts.${process.pid}.tmp`]);
});

test("a promoted file holding other values is replaced; one holding these is left as it is", async (t) => {
  const root = copyOfRenderedRepo(t, "promote");
  const file = join(root, promotedFile("prod"));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, "// older values\n");
  let r = await runInProcess(promote, ["dev", "prod", "--root", root]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^promote: wrote stacks\/environments\/promoted\/prod\.ts;/m);
  assert.equal(readFileSync(file, "utf8"), readFileSync(join(ROOT, promotedFile("prod")), "utf8"));
  r = await runInProcess(promote, ["dev", "prod", "--root", root]);
  assert.match(r.stdout, /^promote: stacks\/environments\/promoted\/prod\.ts already holds dev's image values$/m);
});

// Failures of the machine, made real (test/support/io-conditions.ts): one line each, no stack trace, no temp
// file or folder of promote's left behind.
test("a read-only promoted folder or parent, an unreadable rendered file, a full disk: one line, nothing left (issue 23)", (t) => {
  const oneLine = (r: { status: number | null; stderr: string }, line: RegExp, what: string) => {
    assert.equal(r.status, 1, `${what}: ${r.stderr}`);
    assert.deepEqual(traceLines(r.stderr), [], r.stderr);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, line, what);
  };
  const repo = (unprivileged = true) => {
    const root = unprivilegedDir(t, "promote-io");
    cpSync(copyOfRenderedRepo(t, "promote"), root, { recursive: true });
    const file = join(root, RELEASE);
    writeFileSync(file, readFileSync(file, "utf8").replace("tag: v1.6.0 #", "tag: v1.7.2 #"));
    mkdirSync(join(root, "stacks/environments/promoted"), { recursive: true });
    if (unprivileged) handOver(root);
    return root;
  };
  const run = (root: string) => runUnprivileged("stacks/promote.ts", ["dev", "prod", "--root", root]);
  const promoted = (root: string) => join(root, "stacks/environments/promoted");

  let root = repo();
  chmodSync(promoted(root), 0o555);
  oneLine(
    run(root),
    /^promote: cannot open \S+\/stacks\/environments\/promoted\/prod\.ts\.[0-9a-f]{16}\.tmp: permission denied \(EACCES\) — /,
    "read-only folder",
  );
  assert.deepEqual(readdirSync(promoted(root)), []);

  root = repo();
  rmSync(promoted(root), { recursive: true });
  chmodSync(join(root, "stacks/environments"), 0o555);
  oneLine(
    run(root),
    /^promote: cannot create the folder \S+\/stacks\/environments\/promoted: permission denied \(EACCES\) — /,
    "read-only parent",
  );
  assert.deepEqual(readdirSync(join(root, "stacks/environments")), []);

  root = repo();
  chmodSync(join(root, RELEASE), 0o000);
  oneLine(
    run(root),
    /^promote: cannot open cluster\/dev\/apps\/helmrelease_flux-system_remla-app\.yaml: permission denied \(EACCES\) — /,
    "unreadable file",
  );
  assert.deepEqual(readdirSync(promoted(root)), []);

  // A full disk: a tmpfs of a few pages over stacks/environments, filled (by root of a user namespace of its own):
  // the promoted folder promote makes there is removed again with its temp file.
  root = repo(false);
  rmSync(promoted(root), { recursive: true });
  const out = join(root, "out");
  mkdirSync(out);
  const script = `
    mount -t tmpfs -o size=64k,mode=0755 tmpfs "$DIR"
    cat /dev/zero > "$DIR/.filler" 2>/dev/null || true
    status=0
    "$NODE" ${cliArgv("stacks/promote.ts", ["dev", "prod", "--root", root])
      .slice(1)
      .map((a) => `'${a}'`)
      .join(" ")} > "$OUT/out" 2> "$OUT/err" || status=$?
    echo "$status" > "$OUT/status"
    rm "$DIR/.filler"
    ls -A "$DIR" > "$OUT/entries"`;
  const ns = inMountNamespace(script, { DIR: join(root, "stacks/environments"), OUT: out, NODE: process.execPath });
  assert.equal(ns.status, 0, ns.stderr);
  oneLine(
    { status: Number(readFileSync(join(out, "status"), "utf8")), stderr: readFileSync(join(out, "err"), "utf8") },
    /^promote: cannot write \S+\/stacks\/environments\/promoted\/prod\.ts\.[0-9a-f]{16}\.tmp: no space left on device \(ENOSPC\) — free space on the disk and run again\n$/,
    "full disk",
  );
  assert.equal(readFileSync(join(out, "entries"), "utf8"), "", "no temp file or folder left");
});

test("promotion chains: dev -> staging -> prod carries dev's automation commit through an environment without automation", async (t) => {
  // A copy of the repository with the tests' own environments (rendered), plus a staging environment made as a
  // user would: prod's stack file and definition under a new name, its promoted values in promoted/staging.ts.
  const dir = copyRepository();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, "Pulumi.staging.yaml"),
    readFileSync(join(dir, "Pulumi.prod.yaml"), "utf8").replace(/^(\s*flux-gitops:production:) true$/m, "$1 false"),
  );
  const prodDefinition = readFileSync(join(dir, "stacks/environments/prod.ts"), "utf8");
  writeFileSync(join(dir, "stacks/environments/staging.ts"), prodDefinition.replaceAll("./promoted/prod.ts", "./promoted/staging.ts"));
  cpSync(join(dir, "stacks/environments/promoted/prod.ts"), join(dir, "stacks/environments/promoted/staging.ts"));
  const cli = (script: string, ...args: string[]) => {
    const r = spawnSync(process.execPath, [join(dir, script), ...args], { cwd: dir, encoding: "utf8" });
    assert.equal(r.status, 0, `${script} ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  cli("stacks/render.ts");
  // Dev's image automation commits a new tag.
  const devRelease = join(dir, RELEASE);
  writeFileSync(devRelease, readFileSync(devRelease, "utf8").replace("tag: v1.6.0 #", "tag: v1.7.2 #"));

  assert.match(cli("stacks/promote.ts", "dev", "staging"), /^appService\.image\.tag: v1\.6\.0 -> v1\.7\.2$/m);
  cli("stacks/render.ts");
  // Staging runs no image automation: its image values are what promote gave it, and they go on to prod.
  const toProd = cli("stacks/promote.ts", "staging", "prod");
  assert.match(toProd, /^appService\.image\.tag: v1\.6\.0 -> v1\.7\.2$/m);
  assert.match(toProd, /^appFrontend\.image\.tag: v1\.5\.1 \(unchanged\)$/m);
  assert.match(toProd, /^promote: wrote stacks\/environments\/promoted\/prod\.ts;/m);
  const prod = readFileSync(join(dir, "stacks/environments/promoted/prod.ts"), "utf8");
  assert.match(prod, /^\/\/ Written by `npm run promote -- staging prod`/);
  assert.equal(
    prod.replace(/staging/g, "ENV").replace(/prod/g, "ENV"),
    readFileSync(join(dir, "stacks/environments/promoted/staging.ts"), "utf8")
      .replace(/dev/g, "ENV")
      .replace(/staging/g, "ENV"),
  );
  cli("stacks/render.ts");
  assert.match(readFileSync(join(dir, "cluster/prod/apps/helmrelease_flux-system_remla-app.yaml"), "utf8"), /tag: v1\.7\.2/);
});
