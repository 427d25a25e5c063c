// Issue #20: the pieces behind the fixtures of sources.test.ts (installers), called directly: Bucket URLs per provider,
// installers by front end, references resolved only in a complete graph, ResourceSet text, SOPS files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dotenvPairs, isSopsDotenv, isSopsEncryptedTree } from "../../infra/sops.ts";
import { isThisRepository } from "../../policies/references.ts";
import { renderResourceSet } from "../../policies/flux/resourceset.ts";
import { rules } from "../../policies/rules/index.ts";
import { bucketUrl } from "../../policies/rules/installers.ts";
import type { Subject } from "../../policies/rules/model.ts";

function check(name: string, s: Subject, config: Record<string, unknown> = {}): string[] {
  const rule = rules.find((r) => r.name === name)!;
  const out: string[] = [];
  if (rule.kind === "resource") rule.check(s, rule.config.parse(config), (message) => out.push(message));
  return out;
}

const subject = (type: string, props: Record<string, unknown>, extra: Partial<Subject> = {}): Subject => ({
  type,
  name: String((props.metadata as { name?: string } | undefined)?.name ?? "flux"),
  namespace: "flux-system",
  props,
  origin: "git",
  ancestors: [],
  environment: "dev",
  githubOwner: "acme",
  ...extra,
});

test("Bucket URLs as source-controller v1.8.5 fetches them: gcp ignores the endpoint, azure takes it as the account URL", () => {
  assert.equal(bucketUrl({ provider: "gcp", endpoint: "minio.acme.example", bucketName: "b" }), "https://storage.googleapis.com/b");
  assert.equal(
    bucketUrl({ provider: "azure", endpoint: "https://acct.blob.core.windows.net/", bucketName: "c" }),
    "https://acct.blob.core.windows.net/c",
  );
  assert.equal(bucketUrl({ provider: "aws", endpoint: "s3.amazonaws.com", bucketName: "b" }), "https://s3.amazonaws.com/b");
  assert.equal(bucketUrl({ endpoint: "minio:9000", bucketName: "b", insecure: true }), "http://minio:9000/b");
  assert.equal(bucketUrl({ provider: "generic", bucketName: "b" }), undefined);
});

test("a FluxInstance in Git is held to the allowed sources; the stack's own (Pulumi) FluxInstance is the install itself", () => {
  const props = {
    apiVersion: "fluxcd.controlplane.io/v1",
    kind: "FluxInstance",
    metadata: { name: "flux" },
    spec: {
      distribution: { version: "2.7.x", registry: "ghcr.io/fluxcd" },
      sync: { kind: "GitRepository", url: "https://github.com/acme/gitops" },
    },
  };
  const type = "kubernetes:fluxcd.controlplane.io/v1:FluxInstance";
  assert.deepEqual(
    check("git-source-allowed", subject(type, props)).map((m) => m.replace(/ \(.*$/s, "")),
    ["FluxInstance flux-system/flux"],
    "the registry oci://ghcr.io/fluxcd is no allowed prefix; the sync URL is the owner's",
  );
  assert.deepEqual(check("git-source-allowed", subject(type, props), { allowedPrefixes: ["oci://ghcr.io/fluxcd"] }), []);
  assert.deepEqual(check("git-source-allowed", subject(type, props, { origin: "pulumi" })), []);
});

test("an unresolved chart source is a finding only when the lookup holds the whole graph", () => {
  const hr = {
    apiVersion: "helm.toolkit.fluxcd.io/v2",
    kind: "HelmRelease",
    metadata: { name: "app" },
    spec: { chart: { spec: { chart: "c", sourceRef: { kind: "GitRepository", name: "charts" } } } },
  };
  const type = "kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease";
  const none = () => undefined;
  assert.equal(check("helmrelease-git-sourced", subject(type, hr, { lookup: none, complete: true })).length, 1);
  assert.equal(check("helmrelease-git-sourced", subject(type, hr, { lookup: none })).length, 0, "paths mode sees part of Git");
  const sync = { ...hr, spec: { chart: { spec: { chart: "c", sourceRef: { kind: "GitRepository", name: "flux-system" } } } } };
  assert.equal(
    check("helmrelease-git-sourced", subject(type, sync, { lookup: none, complete: true })).length,
    0,
    "Pulumi's sync repository",
  );
});

test("ResourceSet: an expression printing YAML structure fails closed; inert text and quote render", () => {
  const set = (input: unknown, expr: string) => ({
    apiVersion: "fluxcd.controlplane.io/v1",
    kind: "ResourceSet",
    metadata: { name: "s", namespace: "ns" },
    spec: { inputs: [{ x: input }], resources: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: { k: expr } }] },
  });
  for (const bad of ["a\nb: c", "x\ny", "a: b", "a #b", "'a", '"a', "-a", "[a]", "a\\b", "a "]) {
    assert.match(renderResourceSet(set(bad, "<< inputs.x >>")).unverified ?? "", /prints/, JSON.stringify(bad));
    assert.match(renderResourceSet(set(bad, "pre-<< inputs.x >>")).unverified ?? "", /prints/, JSON.stringify(bad));
  }
  for (const good of ["web", "https://github.com/acme/web", "v1.2.3", "a b", 3]) {
    const r = renderResourceSet(set(good, "<< inputs.x >>"));
    assert.equal(r.unverified, undefined, JSON.stringify(good));
    assert.deepEqual((r.objects[0]!.data as Record<string, unknown>).k, good);
  }
  const quoted = renderResourceSet(set("a\nb: c", "<< inputs.x | quote >>"));
  assert.equal(quoted.unverified, undefined, "quote prints one escaped scalar");
  assert.equal((quoted.objects[0]!.data as Record<string, unknown>).k, "a\nb: c");
});

test("SOPS files: every leaf a ciphertext under a sops.mac; dotenv with sops_mac; anything plain is not", () => {
  const enc = "ENC[AES256_GCM,data:cGFzcw==,iv:aXY=,tag:dGFn,type:str]";
  const sops = { mac: enc, version: "3.9.0" };
  assert.equal(isSopsEncryptedTree({ a: enc, b: { c: [enc] }, sops }), true);
  assert.equal(isSopsEncryptedTree({ a: enc, b: "plain", sops }), false);
  assert.equal(isSopsEncryptedTree({ a: enc }), false, "no sops metadata");
  assert.equal(isSopsEncryptedTree({ sops }), false, "nothing encrypted");
  assert.equal(isSopsDotenv(dotenvPairs(`A=${enc}\nsops_version=3.9.0\nsops_mac=${enc}\n`)!), true);
  assert.equal(isSopsDotenv(dotenvPairs(`A=plain\nsops_mac=${enc}\n`)!), false);
  assert.equal(isSopsDotenv(dotenvPairs(`A=${enc}\n`)!), false, "no sops_mac");
});

test("SOPS dotenv: only SOPS's own metadata keys may be plain", () => {
  const enc = "ENC[AES256_GCM,data:cGFzcw==,iv:aXY=,tag:dGFn,type:str]";
  const pairs = (extra: string) => dotenvPairs(`A=${enc}\nsops_mac=${enc}\nsops_age__list_0__map_recipient=age1x\n${extra}`)!;
  assert.equal(isSopsDotenv(pairs("")), true);
  assert.equal(isSopsDotenv(pairs("sops_token=hunter2")), false, "a sops_ name is no metadata");
});

test("this repository: same URL (ssh or https), the sync branch, the same artifact (no ignore, include or submodules)", () => {
  const view = { repository: { url: "ssh://git@github.com/acme/gitops", branch: "main" } };
  const repo = (spec: Record<string, unknown>) => ({ spec: { url: "https://github.com/acme/gitops", ref: { branch: "main" }, ...spec } });
  assert.equal(isThisRepository(repo({}), view), true);
  assert.equal(isThisRepository(repo({ ref: { name: "refs/heads/main" } }), view), true);
  assert.equal(isThisRepository(repo({ ref: { branch: "dev" } }), view), false);
  assert.equal(isThisRepository(repo({ recurseSubmodules: true }), view), false);
  assert.equal(isThisRepository(repo({ ignore: "/*" }), view), false);
  assert.equal(isThisRepository(repo({ url: "https://github.com/acme/other" }), view), false);
});
