// The render CLI against the real stacks: golden files, freshness of the committed cluster/, --check,
// hand-written files, error lines, and `kubectl kustomize` on every environment. The CLI runs in this
// process (its main(argv, io)); the launcher the npm script adds is tested in test/architecture/launch.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  existsSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { checkDefinitionTypes } from "../../infra/render/typecheck.ts";
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
  const [list, diff] = result.stdout.split("\n\n");
  assert.deepEqual(list!.trim().split("\n"), [
    "stale: cluster/dev/apps/helmrelease_flux-system_remla-app.yaml (from stacks/releases/remla.ts with the overrides in stacks/environments/dev.ts)",
    "missing: cluster/dev/infrastructure/controllers/namespace_monitoring.yaml (from stacks/releases/index.ts with the overrides in stacks/environments/dev.ts)",
    "extra: cluster/dev/infrastructure/old/namespace_old.yaml",
  ]);
  // A unified diff per stale file: what the folder holds against what the definitions render.
  const lines = diff!.split("\n");
  assert.equal(lines[0], "--- cluster/dev/apps/helmrelease_flux-system_remla-app.yaml (in the folder)");
  assert.equal(
    lines[1],
    "+++ cluster/dev/apps/helmrelease_flux-system_remla-app.yaml (rendered from stacks/releases/remla.ts with the overrides in stacks/environments/dev.ts)",
  );
  assert.match(lines[2]!, /^@@ -\d+,7 \+\d+,7 @@/);
  assert.deepEqual(
    lines.filter((l) => /^[-+] /.test(l)),
    ["-      replicas: 5", "+      replicas: 1"],
  );
  assert.match(result.stderr, /^render --check: 3 generated file\(s\) out of date; run npm run render and commit the result\n$/);
  assert.deepEqual(files(dev), before);
  // A plain render repairs all three.
  assert.equal((await render("--root", root)).code, 0);
  assert.equal(existsSync(join(dev, "infrastructure/old/namespace_old.yaml")), false);
  assert.equal((await render("--root", root, "--check")).code, 0);
});

test("a file in cluster/<env> that no kustomization includes is an error naming it: render writes nothing, --check lists it", async (t) => {
  const root = tempRepo(t);
  await render("--root", root);
  const mine = join(root, "cluster/prod/my-configmap.yaml");
  writeFileSync(mine, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine\n");
  rmSync(join(root, "cluster/prod/infrastructure/controllers/namespace_remla.yaml"));
  const before = files(join(root, "cluster"));
  const r = await render("--root", root);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    "render: cluster/prod/my-configmap.yaml: no kustomization.yaml includes it, so Flux never applies it; define it in stacks/ (npm run render writes it) or remove it\n",
  );
  assert.deepEqual(files(join(root, "cluster")), before, "nothing written");
  const check = await render("--root", root, "--check");
  assert.equal(check.code, 1);
  assert.match(check.stdout, /^not applied: cluster\/prod\/my-configmap\.yaml: no kustomization\.yaml includes it/m);
  // In a layer folder too; once removed, the render goes through.
  rmSync(mine);
  writeFileSync(join(root, "cluster/dev/apps/extra.yml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n");
  assert.match((await render("--root", root)).stderr, /^render: cluster\/dev\/apps\/extra\.yml: no kustomization\.yaml includes it/);
  rmSync(join(root, "cluster/dev/apps/extra.yml"));
  assert.equal((await render("--root", root)).code, 0);
  assert.ok(existsSync(join(root, "cluster/prod/infrastructure/controllers/namespace_remla.yaml")));
});

test("npm's swallowed flags (npm run render --check, no --) are refused with the command that passes them; nothing is written", async (t) => {
  const root = tempRepo(t);
  let out = "";
  let err = "";
  const io = { out: (s: string) => void (out += s), err: (s: string) => void (err += s) };
  // What npm 11 hands the script for `npm run render --check` and `npm run render --root DIR`.
  const code = await main([], io, { npm_lifecycle_event: "render", npm_config_check: "true" });
  assert.equal(code, 2);
  assert.equal(out, "");
  assert.equal(
    err,
    "render: npm kept --check for itself (its flags go after --), so the tool never saw it; run: npm run render -- --check\n",
  );
  err = "";
  assert.equal(await main([root], io, { npm_lifecycle_event: "render", npm_config_root: "true" }), 2);
  assert.match(err, /run: npm run render -- --root \S+\n$/);
  assert.equal(existsSync(join(root, "cluster")), false);
  // The same variables under another script (the tests run under `npm test`) are not the user's flags.
  assert.equal(await main(["--root", root, "--check"], io, { npm_lifecycle_event: "test", npm_config_check: "true" }), 1);
});

/** A copy of this checkout (its code, definitions and cluster/, the tests' stack files) in a temp folder, sharing node_modules. */
function checkoutCopy(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), "render-checkout-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const dir of ["infra", "stacks", "cluster"]) cpSync(join(REPO, dir), join(root, dir), { recursive: true });
  for (const file of ["tsconfig.json", "package.json", "package-lock.json"]) copyFileSync(join(REPO, file), join(root, file));
  copyTestStacks(root);
  mkdirSync(join(root, "charts"));
  copyFileSync(join(REPO, "charts/lock.json"), join(root, "charts/lock.json"));
  symlinkSync(join(REPO, "node_modules"), join(root, "node_modules"));
  return root;
}

test("--root OTHER renders OTHER's own definitions (its renderer), not this checkout's", async (t) => {
  const other = checkoutCopy(t);
  assert.equal((await render("--root", other)).code, 0, "the copy renders its stack files");
  const prod = join(other, "stacks/environments/prod.ts");
  writeFileSync(prod, readFileSync(prod, "utf8").replace("appService: { replicas: 3,", "appService: { replicas: 7,"));
  assert.match(readFileSync(prod, "utf8"), /replicas: 7,/, "the definition was changed");
  const r = await render("--root", other, "--check");
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    /^stale: cluster\/prod\/apps\/helmrelease_flux-system_remla-app\.yaml \(from .*stacks\/environments\/prod\.ts\)$/m,
    r.stderr,
  );
  assert.match(r.stdout, /^\+ {6}replicas: 7$/m);
});

test("a definition type error stops render with the TypeScript diagnostic, before anything is written", async (t) => {
  const other = checkoutCopy(t);
  // The copy's definitions type-check, and the passing check is remembered: the edit below must still be seen.
  await checkDefinitionTypes(other);
  const dev = join(other, "stacks/environments/dev.ts");
  // A misspelt key in an environment override: Node strips the types, so only the compiler sees it.
  writeFileSync(dev, readFileSync(dev, "utf8").replace("remla: { appService:", "remla: { appSevice:"));
  rmSync(join(other, "cluster/dev/apps/helmrelease_flux-system_remla-app.yaml"));
  const before = files(join(other, "cluster"));
  // Through --root, so the copy's own renderer runs (a process of its own, as `npm run render` there).
  const r = await render("--root", other);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^render: the definitions do not type-check \(1 error; nothing written\):\n/);
  assert.match(r.stderr, /^stacks\/environments\/dev\.ts:\d+:\d+ - error TS\d+: .*'appSevice'/m);
  assert.deepEqual(files(join(other, "cluster")), before);
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
