// Graph mode builds each Flux Kustomization as kustomize-controller does (fluxcd/pkg kustomize, cited in
// policies/flux/kustomize.ts): what a path applies, in Flux's build order, and one line when it cannot be built.
// Fixtures: test/policies/fixtures/<case>/ (a repository root with its Pulumi.<env>.yaml), run through `npm run policy`
// (test/support/policy-harness.ts); kubectl and Helm must be installed: a missing one fails these tests, never skips them.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from "node:fs";
import { generatedKustomization, isLocalRelativePath } from "../../policies/flux/kustomize/generator.ts";
import { join } from "node:path";
import { kustomizeBuild } from "../../policies/flux/kustomize.ts";
import { main } from "../../policies/cli.ts";
import { test } from "node:test";
import { tmpdir } from "node:os";
import { CONFIG, FIXTURES, graph } from "../support/policy-harness.ts";

test("a Flux Kustomization in cluster/<env> that applies another folder: that folder is checked", async () => {
  const r = await graph("follow-path");
  assert.deepEqual(r.findings, ["apps/secret.yaml:1 mandatory no-plaintext-secrets Secret web/token"]);
  assert.equal(r.code, 1);
});

test("List items, .json files, kustomize and Flux Kustomization patches are checked as kustomize applies them", async () => {
  const r = await graph("kustomize-inputs");
  assert.deepEqual(r.findings, [
    // the Flux Kustomization's spec.patches replaced the URL: the finding points at that patch
    "cluster/dev/apps.yaml:13 mandatory git-source-allowed GitRepository flux-system/app",
    // cluster/dev/linked.yaml is a symlink: never in Flux's artifact, never applied (fixtures symlinked-*)
    "cluster/dev/list.yaml:7 mandatory no-plaintext-secrets Secret web/from-list",
    "cluster/dev/repo.json:1 mandatory git-source-allowed GitRepository flux-system/json",
    // the kustomize patch wrote the plaintext value over a ${TOKEN} placeholder: the finding points at the patch
    "cluster/dev/secret-patch.yaml:6 mandatory no-plaintext-secrets Secret web/patched",
  ]);
  assert.equal(r.code, 1);
});

test("a folder Flux cannot build is exit 2 naming the Kustomization, with kustomize's reason", async () => {
  const r = await graph("env-label"); // cluster/dev holds a file that is not a Kubernetes object: Flux fails too
  assert.equal(r.code, 2);
  assert.equal(r.errors.length, 1);
  assert.equal(
    r.errors[0],
    "Pulumi.dev.yaml: Kustomization flux-system/flux-system: kustomize build of ./cluster/dev fails: accumulating resources: " +
      "accumulation err='accumulating resources from 'cluster/dev/zz/owner.yaml': missing Resource metadata': " +
      "must build at directory: 'cluster/dev/zz/owner.yaml': file is not directory",
  );
});

test("remote bases are sources: checked by git-source-allowed, refused with noRemoteBases, one clear line offline", async () => {
  const r = await graph("remote-bases");
  assert.deepEqual(r.findings, [
    // dev: only the base outside the owner's prefix; prod (noRemoteBases): both
    "remote/kustomization.yaml:1 mandatory git-source-allowed Kustomization remote/kustomization.yaml",
    "remote/kustomization.yaml:1 mandatory git-source-allowed Kustomization remote/kustomization.yaml",
    "remote/kustomization.yaml:1 mandatory git-source-allowed Kustomization remote/kustomization.yaml",
  ]);
  const why =
    "Kustomization flux-system/remote: kustomize build of ./remote fails: resources https://github.com/evil/x//deploy?ref=v1 " +
    "(remote/kustomization.yaml) is a remote base, which cannot be fetched here: this path is not verified";
  assert.deepEqual(r.errors, [`cluster/dev/apps.yaml: ${why}`, `cluster/prod/apps.yaml: ${why}`]);
  assert.equal(r.code, 2);
  const messages = await findingMessages("remote-bases");
  assert.equal(messages.filter((m) => m.includes("flux.multitenancy.noRemoteBases")).length, 2);
  assert.equal(messages.filter((m) => m.includes("github.com/acme/base")).length, 1);
});

test("a build that reads a file outside the repository stops the run with one line (Flux refuses it)", async () => {
  const r = await graph("outside-root/repo");
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.errors, [
    "cluster/dev/apps.yaml: Kustomization flux-system/o: kustomize build of ./o fails: resources ../../outside/evil.yaml " +
      "(o/kustomization.yaml) is outside the repository: Flux builds inside its source artifact and refuses it",
  ]);
  assert.equal(r.code, 2);
});

test("kustomize's multi-line reason comes out on one line", async () => {
  const r = await graph("build-error");
  assert.deepEqual(r.errors, [
    "Pulumi.dev.yaml: Kustomization flux-system/flux-system: kustomize build of ./cluster/dev fails: " +
      'map[string]interface {}(nil): yaml: unmarshal errors: line 11: mapping key "a" already defined at line 10',
  ]);
  assert.equal(r.code, 2);
});

test("build order: a replacement after Flux's patch, components before the file's patches, Flux's namePrefix replacing the file's", async () => {
  const r = await graph("build-order");
  assert.deepEqual(
    r.findings,
    [
      // the file's patch runs after Flux's component: the evil source stays (the finding points at that patch)
      "component/kustomization.yaml:5 mandatory helmrelease-git-sourced HelmRelease web/componented",
      "component/release.yaml:1 advisory chart-version-pinned HelmRelease web/componented",
      // namePrefix flux- replaces the file's xx-: Git applies the sync Kustomization flux-system/flux-system
      "prefix/sync.yaml:1 mandatory content-verified Kustomization flux-system/xx-system",
      "prefix/sync.yaml:1 mandatory sync-not-in-git Kustomization flux-system/flux-system",
      "prefix/sync.yaml:1 mandatory sync-path-matches-env Kustomization flux-system/flux-system",
      // the file's replacements run after Flux's patch and put the HelmRepository back
      "cluster/dev/apps.yaml:16 mandatory helmrelease-git-sourced HelmRelease web/replaced",
      "replace/release.yaml:1 advisory chart-version-pinned HelmRelease web/replaced",
    ].sort(),
  );
  assert.equal(r.code, 1);
});

test("a path whose own patch targets an object a Flux component adds builds, as in Flux (exit 0)", async () => {
  const r = await graph("component-patch");
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.findings, []);
  assert.equal(r.code, 0);
});

test("differential: fluxcd/pkg kustomize v1.27.1 kustomize_generator_test.go Test_Components", (t) => {
  // input: testdata/components/kustomization.yaml (components: [componentA]) or no file, Flux components;
  // output: the generated file's components.
  const dir = mkdtempSync(join(tmpdir(), "gen-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const withFile = join(dir, "components");
  mkdirSync(withFile);
  writeFileSync(
    join(withFile, "kustomization.yaml"),
    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - configmap.yaml\ncomponents:\n  - componentA\n",
  );
  const empty = join(dir, "empty");
  mkdirSync(empty);
  const components = (d: string, c: string[]) => generatedKustomization(d, { components: c })?.content.components;
  assert.deepEqual(generatedKustomization(withFile, { components: [] }), undefined); // the file, unchanged: [componentA]
  assert.deepEqual(components(empty, ["componentB", "componentC"]), ["componentB", "componentC"]);
  assert.deepEqual(components(withFile, ["componentB", "componentC"]), ["componentA", "componentB", "componentC"]);
  // generateKustomization: a folder with no resources gets namespace _placeholder
  assert.equal(generatedKustomization(empty, { components: ["componentB"] })?.content.namespace, "_placeholder");
});

test("differential: fluxcd/pkg kustomize v1.27.1 Test_IsLocalRelativePath", () => {
  const table: [string, boolean][] = [
    ["foobar.yaml", true],
    ["./foobar.yaml", true],
    ["file://foobar.yaml", true],
    ["file:///foobar.yaml", false],
    ["/foobar.yaml", false],
    ["https://github.com/owner/repo", false],
    ["git@github.com:owner/repo", false],
    ["ssh://git@github.com/owner/repo", false],
    ["github.com/owner/repo", false],
  ];
  for (const [path, expected] of table) assert.equal(isLocalRelativePath(path), expected, path);
});

test("differential: fluxcd/pkg kustomize v1.27.1 TestGenerator_NameTransformer (built by kubectl)", async (t) => {
  // input: testdata/name/kustomization.yaml (configMapGenerator test-configmap, literals foo=bar baz=qux) and
  // a Flux spec targetNamespace test-namespace, namePrefix prefix-, nameSuffix -suffix; output: one object
  // whose name contains prefix-test-configmap-suffix, in test-namespace.
  const dir = mkdtempSync(join(tmpdir(), "gen-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "name");
  mkdirSync(path);
  const file =
    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nconfigMapGenerator:\n  - name: test-configmap\n    literals:\n      - foo=bar\n      - baz=qux\n";
  writeFileSync(join(path, "kustomization.yaml"), file);
  const built = await kustomizeBuild(
    path,
    { targetNamespace: "test-namespace", namePrefix: "prefix-", nameSuffix: "-suffix" },
    join(dir, "work"),
    dir,
  );
  assert.equal(built.length, 1);
  const meta = built[0]!.doc.metadata as { name: string; namespace: string };
  assert.match(meta.name, /^prefix-test-configmap-suffix-/);
  assert.equal(meta.namespace, "test-namespace");
  // the generated file was put back: the folder is as it was
  assert.equal(readFileSync(join(path, "kustomization.yaml"), "utf8"), file);
});

test("builds of one folder at once never see each other's generated kustomization", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "gen-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "app");
  mkdirSync(path);
  writeFileSync(join(path, "kustomization.yaml"), "resources: [cm.yaml]\n");
  writeFileSync(join(path, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n");
  const names = await Promise.all(
    ["a-", undefined, "b-", undefined, "c-"].map(async (namePrefix, i) => {
      const built = await kustomizeBuild(path, { namePrefix }, join(dir, `work${i}`), dir);
      return (built[0]!.doc.metadata as { name: string }).name;
    }),
  );
  assert.deepEqual(names, ["a-cm", "cm", "b-cm", "cm", "c-cm"]);
  assert.equal(readFileSync(join(path, "kustomization.yaml"), "utf8"), "resources: [cm.yaml]\n");
});

test("generator: Flux images replace the file's image of the same name; an empty namePrefix removes the file's", () => {
  const dir = mkdtempSync(join(tmpdir(), "gen-"));
  try {
    writeFileSync(
      join(dir, "kustomization.yaml"),
      "resources: [a.yaml]\nnamePrefix: xx-\nimages:\n  - name: nginx\n    newTag: '1'\n  - name: redis\n    newTag: '2'\n",
    );
    const k = generatedKustomization(dir, { namePrefix: "", images: [{ name: "nginx", newName: "evil/nginx" }] })!.content;
    assert.equal(k.namePrefix, undefined);
    assert.deepEqual(k.images, [
      { name: "nginx", newName: "evil/nginx" },
      { name: "redis", newTag: "2" },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function findingMessages(fixture: string): Promise<string[]> {
  let out = "";
  await main(["--format", "json", "--config", CONFIG, "--root", join(FIXTURES, fixture)], { out: (t) => (out += t), err: () => {} });
  return (JSON.parse(out) as { findings: { message: string }[] }).findings.map((f) => f.message);
}
