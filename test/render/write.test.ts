import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Secret } from "kubernetes-models/v1";
import { gitRepository, helmRelease, helmRepository, namespace } from "../../infra/render/objects.ts";
import {
  checkEnvironments,
  HEADER,
  planEnvironment,
  writeEnvironments,
  type Environment,
  type RenderObject,
} from "../../infra/render/write.ts";
import { RenderError } from "../../infra/render/errors.ts";

function tempRoot(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "render-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function objects(branch = "main") {
  const git = gitRepository({ name: "operation", url: "https://github.com/remla25-team3/operation", ref: { branch } });
  const charts = helmRepository({ name: "ingress-nginx", url: "https://kubernetes.github.io/ingress-nginx" });
  const nginx = helmRelease({
    name: "ingress-nginx",
    targetNamespace: "ingress-nginx",
    chart: { helmRepository: charts, chart: "ingress-nginx", version: "4.12.1" },
  });
  const app = helmRelease({
    name: "remla",
    targetNamespace: "remla",
    chart: { git, path: "k8s/remla-chart" },
    dependsOn: [nginx],
    values: { b: { y: 1, x: 2 }, a: [3, 1] },
  });
  return [app, nginx, git, charts, namespace({ name: "remla" })];
}

const env = (name: string, objs: RenderObject[] = objects()): Environment => ({ name, dir: `cluster/${name}`, objects: objs });

const EXPECTED_FILES = [
  "gitrepository_flux-system_operation.yaml",
  "helmrelease_flux-system_ingress-nginx.yaml",
  "helmrelease_flux-system_remla.yaml",
  "helmrepository_flux-system_ingress-nginx.yaml",
  "kustomization.yaml",
  "namespace_remla.yaml",
];

test("write renders one headed file per object and a kustomization.yaml in stable order", (t) => {
  const root = tempRoot(t);
  const report = writeEnvironments(root, [env("dev")]);
  assert.equal(report.written.length, 6);
  assert.deepEqual(readdirSync(join(root, "cluster/dev")).sort(), EXPECTED_FILES);
  for (const file of EXPECTED_FILES) {
    assert.ok(readFileSync(join(root, "cluster/dev", file), "utf8").startsWith(HEADER), file);
  }
  assert.equal(
    readFileSync(join(root, "cluster/dev/kustomization.yaml"), "utf8"),
    HEADER +
      [
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        "resources:",
        "  - namespace_remla.yaml",
        "  - gitrepository_flux-system_operation.yaml",
        "  - helmrepository_flux-system_ingress-nginx.yaml",
        "  - helmrelease_flux-system_ingress-nginx.yaml",
        "  - helmrelease_flux-system_remla.yaml",
        "",
      ].join("\n"),
  );
  const release = readFileSync(join(root, "cluster/dev/helmrelease_flux-system_remla.yaml"), "utf8");
  assert.match(release, /^ {2}values:\n {4}a:\n {6}- 3\n {6}- 1\n {4}b:\n {6}x: 2\n {6}'y': 1\n/m);
  // A second render of the same input changes nothing.
  assert.deepEqual(writeEnvironments(root, [env("dev")]).written, []);
});

test("output is byte-identical whatever the object order and across runs", (t) => {
  const [a, b] = [tempRoot(t), tempRoot(t)];
  writeEnvironments(a, [env("dev")]);
  writeEnvironments(b, [env("dev", objects().reverse())]);
  for (const file of EXPECTED_FILES) {
    assert.equal(readFileSync(join(a, "cluster/dev", file), "utf8"), readFileSync(join(b, "cluster/dev", file), "utf8"), file);
  }
});

test("check lists stale, missing and extra generated files and ignores hand-written ones", (t) => {
  const root = tempRoot(t);
  const dir = join(root, "cluster/dev");
  writeEnvironments(root, [env("dev")]);
  writeFileSync(join(dir, "notes.yaml"), "# hand-written\nfoo: bar\n");
  assert.deepEqual(checkEnvironments(root, [env("dev")]), { stale: [], missing: [], extra: [], leftovers: [] });

  writeFileSync(join(dir, "helmrelease_flux-system_remla.yaml"), `${HEADER}edited: true\n`);
  rmSync(join(dir, "namespace_remla.yaml"));
  writeFileSync(join(dir, "helmrelease_flux-system_old.yaml"), `${HEADER}kind: HelmRelease\n`);
  const before = readdirSync(dir).sort();
  assert.deepEqual(checkEnvironments(root, [env("dev")]), {
    stale: ["cluster/dev/helmrelease_flux-system_remla.yaml"],
    missing: ["cluster/dev/namespace_remla.yaml"],
    extra: ["cluster/dev/helmrelease_flux-system_old.yaml"],
    leftovers: [],
  });
  assert.deepEqual(readdirSync(dir).sort(), before, "check writes nothing");
  // A changed definition makes the committed file stale too.
  writeEnvironments(root, [env("dev")]);
  assert.deepEqual(checkEnvironments(root, [env("dev", objects("develop"))]).stale, [
    "cluster/dev/gitrepository_flux-system_operation.yaml",
  ]);
});

test("write removes only generated files that are no longer defined; hand-written files survive", (t) => {
  const root = tempRoot(t);
  const dir = join(root, "cluster/dev");
  writeEnvironments(root, [env("dev")]);
  const handWritten = "# kept by hand\napiVersion: v1\nkind: ConfigMap\n";
  writeFileSync(join(dir, "configmap-extra.yaml"), handWritten);
  writeFileSync(join(dir, "README.md"), "notes\n");
  const report = writeEnvironments(root, [
    env(
      "dev",
      objects().filter((o) => o.kind !== "Namespace"),
    ),
  ]);
  assert.deepEqual(report.removed, ["cluster/dev/namespace_remla.yaml"]);
  assert.deepEqual(report.written, ["cluster/dev/kustomization.yaml"]);
  assert.equal(readFileSync(join(dir, "configmap-extra.yaml"), "utf8"), handWritten);
  assert.equal(readFileSync(join(dir, "README.md"), "utf8"), "notes\n");
  assert.ok(!readdirSync(dir).some((f) => f.includes(".tmp")), "no temp files left behind");
});

test("a hand-written file in the way of a generated one is never overwritten", (t) => {
  const root = tempRoot(t);
  writeEnvironments(root, [env("dev")]);
  const path = join(root, "cluster/dev/kustomization.yaml");
  writeFileSync(path, "resources: [mine.yaml]\n");
  assert.throws(() => writeEnvironments(root, [env("dev")]), {
    name: "RenderError",
    message:
      'cluster/dev/kustomization.yaml is not a generated file (no "# Generated by flux-gitops" header); the renderer will not overwrite it — rename or remove it',
  });
  assert.equal(readFileSync(path, "utf8"), "resources: [mine.yaml]\n");
});

test("a schema violation names environment, object and field, and nothing is written", (t) => {
  const root = tempRoot(t);
  const broken = objects();
  (broken[0]!.spec as { interval: unknown }).interval = 5;
  assert.throws(() => writeEnvironments(root, [env("dev"), env("prod", broken)]), {
    name: "RenderError",
    message: 'environment "prod": HelmRelease flux-system/remla: spec.interval must be string',
  });
  assert.equal(existsSync(join(root, "cluster")), false, "dev was valid but must not be written either");
});

test("plaintext Secrets are refused; SOPS-encrypted ones are rendered", () => {
  const plain = new Secret({ metadata: { name: "db", namespace: "remla" }, stringData: { password: "hunter2" } });
  assert.throws(() => planEnvironment(env("dev", [plain])), {
    name: "RenderError",
    message:
      'environment "dev": Secret remla/db is a plaintext Secret; encrypt it with SOPS first (plaintext Secrets are never written to the repository)',
  });
  // a sops.mac alone is not encryption: every value must be a SOPS ciphertext
  const faked = new Secret({ metadata: { name: "db", namespace: "remla" }, stringData: { password: "hunter2" } });
  Object.assign(faked, { sops: { mac: "ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]", version: "3.9.0" } });
  assert.throws(() => planEnvironment(env("dev", [faked])), { name: "RenderError", message: /Secret remla\/db is a plaintext Secret/ });
  const encrypted = new Secret({
    metadata: { name: "db", namespace: "remla" },
    stringData: { password: "ENC[AES256_GCM,data:cGFzcw==,iv:aXY=,tag:dGFn,type:str]" },
  });
  Object.assign(encrypted, { sops: { mac: "ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]", version: "3.9.0" } });
  const files = planEnvironment(env("dev", [encrypted]));
  assert.match(files.get("secret_remla_db.yaml") ?? "", /\nsops:\n {2}mac: ENC\[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str\]\n/);
});

test("duplicates and output folders outside the repository are refused", () => {
  assert.throws(() => planEnvironment(env("dev", [...objects(), namespace({ name: "remla" })])), {
    message: 'environment "dev": Namespace remla is defined twice (both render to namespace_remla.yaml)',
  });
  for (const dir of ["../elsewhere", "/abs/path", ""]) {
    assert.throws(() => checkEnvironments(tmpdir(), [{ name: "dev", dir, objects: [] }]), RenderError, dir);
  }
  assert.throws(() => checkEnvironments(tmpdir(), [env("dev"), { ...env("prod"), dir: "cluster/dev/" }]), {
    message: 'environments "dev" and "prod" both render to cluster/dev',
  });
});
