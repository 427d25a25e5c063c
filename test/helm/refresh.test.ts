// `npm run charts -- refresh | verify` against Git repositories served from this machine (file://
// URLs, real git): a chart at a tag with a dependency vendored from another repository's tag and a
// stub, packaged by real Helm 4, its digest locked; then tampering and strays are reported.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { readLock, sha256File } from "../../infra/helm/cache.ts";
import { helmBinary } from "../../infra/helm/binary.ts";
import { main } from "../../stacks/charts.ts";
import { runInProcess } from "../support/in-process.ts";

const gitIn = (dir: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main", ...args], {
    cwd: dir,
    stdio: "pipe",
  });

/** A Git repository at `dir` whose tag `tag` holds `files`. */
function repoWith(dir: string, tag: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  gitIn(dir, "init", "-q");
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  gitIn(dir, "add", "-A");
  gitIn(dir, "commit", "-qm", "chart");
  gitIn(dir, "tag", tag);
  return pathToFileURL(dir).href;
}

test("refresh packages a chart from its Git tag with its dependencies vendored, locks its digest; verify reports tampering", async (t) => {
  const work = mkdtempSync(join(tmpdir(), "charts-refresh-"));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const app = repoWith(join(work, "app"), "app-1.0.0", {
    "charts/app/Chart.yaml":
      'apiVersion: v2\nname: app\nversion: 1.0.0\nkubeVersion: ">= 1.30.0-0"\ndependencies:\n  - {name: lib, version: 2.0.0, repository: https://charts.example.com}\n  - {name: "off", version: 0.1.0, repository: https://charts.example.com, condition: off.enabled}\n',
    "charts/app/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\n",
    "README.md": "not part of the chart\n",
  });
  const lib = repoWith(join(work, "lib"), "lib-2.0.0", {
    "charts/lib/Chart.yaml": "apiVersion: v2\nname: lib\nversion: 2.0.0\n",
    "charts/lib/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-lib}\n",
  });
  const cache = join(work, "cache");
  mkdirSync(cache);
  writeFileSync(
    join(cache, "lock.json"),
    JSON.stringify({
      charts: [
        {
          archive: "app-1.0.0.tgz",
          url: app,
          tag: "app-1.0.0",
          path: "charts/app",
          dependencies: [
            { into: "charts/lib", url: lib, tag: "lib-2.0.0", path: "charts/lib" },
            { into: "charts/off", stub: { name: "off", version: "0.1.0" } },
          ],
          kubeVersion: "",
          sha256: "0".repeat(64),
        },
      ],
    }),
  );
  const before = await runInProcess(main, ["verify", "--dir", cache]);
  assert.equal(before.code, 1);
  assert.match(before.stderr, /charts\/app-1\.0\.0\.tgz: missing/);

  const refreshed = await runInProcess(main, ["refresh", "--dir", cache]);
  assert.equal(refreshed.code, 0, refreshed.stderr);
  const archive = join(cache, "app-1.0.0.tgz");
  assert.equal(readLock(cache).charts[0]!.sha256, sha256File(archive));
  assert.equal(readLock(cache).charts[0]!.kubeVersion, ">= 1.30.0-0");
  assert.match(refreshed.stdout, new RegExp(`app-1\\.0\\.0\\.tgz sha256 ${sha256File(archive)}`));
  // Real Helm renders it offline: the dependency came from lib's tag, the stub satisfies the disabled one.
  const out = execFileSync(await helmBinary(4), ["template", "r", archive], {
    encoding: "utf8",
    env: { ...process.env, HELM_CONFIG_HOME: work, HELM_CACHE_HOME: work },
  });
  assert.match(out, /\{name: from-lib\}/);
  assert.match(out, /\{name: app\}/);
  const listing = execFileSync("tar", ["-tzf", archive], { encoding: "utf8" });
  assert.match(listing, /^app\/charts\/off\/Chart\.yaml$/m);
  assert.doesNotMatch(listing, /README/);

  assert.equal((await runInProcess(main, ["verify", "--dir", cache])).code, 0);
  writeFileSync(archive, readFileSync(archive).subarray(1));
  writeFileSync(join(cache, "stray.tgz"), "x");
  const tampered = await runInProcess(main, ["verify", "--dir", cache]);
  assert.equal(tampered.code, 1);
  assert.match(tampered.stderr, /charts\/app-1\.0\.0\.tgz: sha256 [0-9a-f]{64} is not the locked/);
  assert.match(tampered.stderr, /charts\/stray\.tgz: not in charts\/lock\.json/);

  // A tag that is not there: one line, and the lock keeps its digest.
  const lockBefore = readFileSync(join(cache, "lock.json"), "utf8");
  writeFileSync(
    join(cache, "lock.json"),
    lockBefore.replace('"tag":"lib-2.0.0"', '"tag":"lib-9"').replace('"tag": "lib-2.0.0"', '"tag": "lib-9"'),
  );
  const missing = await runInProcess(main, ["refresh", "--dir", cache]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /\ncharts: file:.*lib@lib-9: git clone fails: [^\n]*not found[^\n]*\n$/);
  assert.equal(JSON.parse(readFileSync(join(cache, "lock.json"), "utf8")).charts[0].sha256, JSON.parse(lockBefore).charts[0].sha256);
  assert.equal((await runInProcess(main, ["refresh", "--only", "nope.tgz", "--dir", cache])).code, 1);
});

test("refresh with add: the lock gains the new entry only once its archive is built; a second add or a failed one leaves the lock as it was", async (t) => {
  const work = mkdtempSync(join(tmpdir(), "charts-add-"));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const url = repoWith(join(work, "probe"), "probe-1.0.0", { "charts/probe/Chart.yaml": "apiVersion: v2\nname: probe\nversion: 1.0.0\n" });
  const cache = join(work, "cache");
  mkdirSync(cache);
  writeFileSync(join(cache, "lock.json"), JSON.stringify({ charts: [] }));
  const entry = {
    archive: "probe-1.0.0.tgz",
    url,
    tag: "probe-1.0.0",
    path: "charts/probe",
    dependencies: [],
    kubeVersion: "",
    sha256: "",
  };
  const { refreshCache } = await import("../../infra/helm/refresh.ts");

  const before = readFileSync(join(cache, "lock.json"), "utf8");
  await assert.rejects(refreshCache({ dir: cache, add: [{ ...entry, tag: "probe-9.9.9" }] }), /probe-9\.9\.9: git clone fails/);
  assert.equal(readFileSync(join(cache, "lock.json"), "utf8"), before, "a failed add leaves the lock");

  const [added] = await refreshCache({ dir: cache, add: [entry] });
  assert.equal(added!.sha256, sha256File(join(cache, "probe-1.0.0.tgz")));
  assert.deepEqual(
    readLock(cache).charts.map((e) => e.archive),
    ["probe-1.0.0.tgz"],
  );
  await assert.rejects(refreshCache({ dir: cache, add: [{ ...entry, archive: "other.tgz" }] }), /is locked already \(probe-1\.0\.0\.tgz\)/);
});

test("npm run charts -- add takes only charts pinned in CHARTS, at a tag", async () => {
  const r = await runInProcess(main, ["add", "no-such-chart"]);
  assert.deepEqual([r.code, r.stderr], [2, "charts: no chart no-such-chart in CHARTS (stacks/releases/charts.ts); pin it there first\n"]);
  const locked = await runInProcess(main, ["add", "metallb", "--dir", mkdtempSync(join(tmpdir(), "charts-add-cli-"))]);
  assert.equal(locked.code, 1);
  assert.match(locked.stderr, /lock\.json/);
});
