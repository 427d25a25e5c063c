// The render CLI against the real stacks: golden files, freshness of the committed cluster/, --check,
// hand-written files, error lines, and `kubectl kustomize` on every environment. The CLI runs in this
// process (its main(argv, io)); the launcher the npm script adds is tested in test/architecture/launch.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import yaml from "js-yaml";
import { listStacks } from "../../infra/config/index.ts";
import { main } from "../../stacks/render.ts";
import { runInProcess } from "../support/in-process.ts";
import { ROOT } from "../support/paths.ts";
import { copyTestStacks, TEST_STACKS, testStackFile } from "../support/stacks.ts";

const REPO = ROOT;
const ENVS = TEST_STACKS;

const render = (...args: string[]) => runInProcess(main, args);

/** A temporary repository root holding copies of the stack config files. */
function tempRepo(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), "render-cli-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  copyTestStacks(root);
  return root;
}

/** Every file under `dir` (layer subfolders too), by its path relative to `dir`. */
function files(dir: string): Map<string, string> {
  return new Map(
    (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), "utf8")]),
  );
}

type Doc = {
  kind: string;
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: any;
};

function committed(env: string): Doc[] {
  return [...files(join(REPO, "cluster", env))]
    .filter(([f]) => !f.endsWith("kustomization.yaml"))
    .map(([, content]) => yaml.load(content) as Doc);
}

function find(docs: Doc[], kind: string, name: string): Doc {
  const doc = docs.find((d) => d.kind === kind && d.metadata.name === name);
  assert.ok(doc, `${kind} ${name}`);
  return doc;
}

test("the environments are the stacks with a Pulumi.<stack>.yaml", () => {
  assert.deepEqual(ENVS, ["dev", "prod"]);
});

test("golden: a fresh render matches the committed cluster/<env> byte for byte", async (t) => {
  const root = tempRepo(t);
  const result = await render("--root", root);
  assert.equal(result.code, 0, result.stderr);
  for (const env of ENVS) {
    assert.deepEqual(files(join(root, "cluster", env)), files(join(REPO, "cluster", env)), env);
  }
});

test("the committed cluster/ is fresh (render --check passes on the repository)", async () => {
  const result = await render("--check");
  assert.equal(result.stderr, "");
  assert.equal(result.code, 0);
  assert.match(result.stdout, /cluster\/dev, cluster\/prod up to date/);
});

test("rendering twice gives identical bytes", async (t) => {
  const [a, b] = [tempRepo(t), tempRepo(t)];
  assert.equal((await render("--root", a)).code, 0);
  assert.equal((await render("--root", b)).code, 0);
  for (const env of ENVS) assert.deepEqual(files(join(a, "cluster", env)), files(join(b, "cluster", env)));
  const again = await render("--root", a);
  assert.match(again.stdout, /\(0 written, 0 removed, \d+ unchanged\)/);
});

test("committed files: both environments pin every chart to a tag (what the chart cache holds); the app installs last", () => {
  const [dev, prod] = [committed("dev"), committed("prod")];
  assert.deepEqual(find(dev, "GitRepository", "remla-operation").spec.ref, { tag: "remla-chart-1.5.0" });
  assert.deepEqual(find(prod, "GitRepository", "remla-operation").spec.ref, { tag: "remla-chart-1.5.0" });
  for (const docs of [dev, prod]) {
    const app = find(docs, "HelmRelease", "remla-app").spec;
    assert.equal(app.chart.spec.chart, "k8s/remla-chart");
    assert.equal(app.chart.spec.reconcileStrategy, "Revision");
    for (const release of docs.filter((d) => d.kind === "HelmRelease")) {
      assert.equal(release.spec.chart.spec.sourceRef.kind, "GitRepository", release.metadata.name);
    }
    assert.ok(!docs.some((d) => d.kind === "Secret" || d.kind === "HelmRepository"));
    assert.deepEqual(find(docs, "Kustomization", "apps").spec.dependsOn, [{ name: "infra-ingress", namespace: "flux-system" }]);
  }
  for (const repo of prod.filter((d) => d.kind === "GitRepository")) assert.ok(repo.spec.ref.tag, repo.metadata.name);
  const prodApp = find(prod, "HelmRelease", "remla-app").spec;
  assert.equal(prodApp.targetNamespace, "remla");
  assert.equal(prodApp.values.appService.replicas, 3);
  assert.equal(prodApp.values.appService.configData.IS_PRODUCTION, "true");
  const devApp = find(dev, "HelmRelease", "remla-app").spec;
  assert.equal(devApp.targetNamespace, "default");
  assert.equal(devApp.values.appService.replicas, 1);
  assert.equal(devApp.values.appService.configData.LOG_LEVEL, "debug");
  assert.equal(devApp.values.appIngress.hostname, "frontend.local");
  assert.equal(find(dev, "Namespace", "default").metadata.labels["istio-injection"], "enabled");
});

test("every committed object carries the audit labels of its environment", () => {
  for (const env of ENVS) {
    for (const doc of committed(env)) {
      assert.equal(doc.metadata.labels["flux-gitops.io/environment"], env, `${env} ${doc.kind} ${doc.metadata.name}`);
      assert.equal(doc.metadata.labels["flux-gitops.io/production"], String(env === "prod"), `${env} ${doc.kind} ${doc.metadata.name}`);
      assert.equal(doc.metadata.annotations["flux-gitops.io/path"], `cluster/${env}`);
    }
  }
});

test("kubectl kustomize builds every environment: the top folder holds only the layers' Flux Kustomizations", () => {
  for (const env of ENVS) {
    const result = spawnSync("kubectl", ["kustomize", join(REPO, "cluster", env)], { encoding: "utf8" });
    assert.equal(result.error, undefined, `kubectl must be installed to run this test: ${result.error?.message}`);
    assert.equal(result.status, 0, result.stderr);
    const names = yaml.loadAll(result.stdout).map((d) => `${(d as Doc).kind}/${(d as Doc).metadata.name}`);
    assert.deepEqual(
      names.sort(),
      [
        "Kustomization/apps",
        // dev's image automation layer (Pulumi.dev.yaml enables it); prod has none.
        ...(env === "dev" ? ["Kustomization/image-automation"] : []),
        "Kustomization/infra-configs",
        "Kustomization/infra-controllers",
        "Kustomization/infra-ingress",
      ],
      env,
    );
  }
});

test("--check lists an edited, a deleted and an extra file, in layer folders too, exits 1 and writes nothing", async (t) => {
  const root = tempRepo(t);
  await render("--root", root);
  const dev = join(root, "cluster/dev");
  const edited = join(dev, "apps/helmrelease_flux-system_remla-app.yaml");
  writeFileSync(edited, readFileSync(edited, "utf8").replace("replicas: 1", "replicas: 5"));
  rmSync(join(dev, "infrastructure/controllers/namespace_monitoring.yaml"));
  const extra = readFileSync(join(dev, "infrastructure/controllers/namespace_ingress-nginx.yaml"), "utf8").replace(
    "name: ingress-nginx",
    "name: old",
  );
  // A generated file left behind in a layer folder that no longer exists.
  mkdirSync(join(dev, "infrastructure/old"));
  writeFileSync(join(dev, "infrastructure/old/namespace_old.yaml"), extra);
  const before = files(dev);
  const result = await render("--root", root, "--check");
  assert.equal(result.code, 1);
  assert.deepEqual(result.stdout.trim().split("\n"), [
    "stale: cluster/dev/apps/helmrelease_flux-system_remla-app.yaml",
    "missing: cluster/dev/infrastructure/controllers/namespace_monitoring.yaml",
    "extra: cluster/dev/infrastructure/old/namespace_old.yaml",
  ]);
  assert.match(result.stderr, /^render --check: 3 generated file\(s\) out of date; run npm run render and commit the result\n$/);
  assert.deepEqual(files(dev), before);
  // A plain render repairs all three.
  assert.equal((await render("--root", root)).code, 0);
  assert.equal(existsSync(join(dev, "infrastructure/old/namespace_old.yaml")), false);
  assert.equal((await render("--root", root, "--check")).code, 0);
});

test("a hand-written file beside generated ones survives a render", async (t) => {
  const root = tempRepo(t);
  await render("--root", root);
  const mine = join(root, "cluster/prod/my-configmap.yaml");
  writeFileSync(mine, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine\n");
  const layerMine = join(root, "cluster/prod/apps/my-configmap.yaml");
  writeFileSync(layerMine, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine\n");
  rmSync(join(root, "cluster/prod/infrastructure/controllers/namespace_remla.yaml"));
  assert.equal((await render("--root", root)).code, 0);
  assert.equal(readFileSync(mine, "utf8"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine\n");
  assert.equal(readFileSync(layerMine, "utf8"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine\n");
  assert.ok(existsSync(join(root, "cluster/prod/infrastructure/controllers/namespace_remla.yaml")));
});

test("bad input gives one line and a non-zero exit, and nothing is written", async (t) => {
  const unknown = await render("--frobnicate");
  assert.equal(unknown.code, 2);
  assert.equal(
    unknown.stderr,
    "render: Unknown option '--frobnicate' (usage: npm run render [-- --check] [--reset-image-tags] [--root DIR])\n",
  );

  const missingRoot = await render("--root", "/nonexistent/checkout");
  assert.equal(missingRoot.code, 1);
  assert.equal(missingRoot.stderr, "render: --root /nonexistent/checkout: not a directory\n");

  const root = tempRepo(t);
  const prod = join(root, "Pulumi.prod.yaml");
  writeFileSync(prod, readFileSync(prod, "utf8").replace("branch: main", 'branch: ""'));
  const badConfig = await render("--root", root);
  assert.equal(badConfig.code, 1);
  assert.equal(badConfig.stderr, `render: ${prod}: flux-gitops:repository.branch must be a non-empty string\n`);
  assert.equal(existsSync(join(root, "cluster")), false);

  const root2 = tempRepo(t);
  copyFileSync(testStackFile("dev"), join(root2, "Pulumi.staging.yaml"));
  const undefinedEnv = await render("--root", root2);
  assert.equal(undefinedEnv.code, 1);
  assert.equal(
    undefinedEnv.stderr,
    `render: ${join(root2, "Pulumi.staging.yaml")}: stack "staging" has no release definition; add stacks/environments/staging.ts (defined: dev, prod)\n`,
  );
  assert.equal(existsSync(join(root2, "cluster")), false);
});
