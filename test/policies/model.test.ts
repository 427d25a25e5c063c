// The shared shape every rule reads (policies/rules/model.ts): type tokens, URNs, fixed-path reads and
// which Flux kinds and versions the rules understand.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  describe,
  field,
  fluxKind,
  fluxNamespace,
  isFluxSystemSync,
  kubernetesType,
  label,
  parseKubernetesType,
  parseUrn,
  resourceRule,
  stackRule,
  text,
  type Subject,
} from "../../policies/rules/model.ts";
import { z } from "zod";

const subject = (
  type: string,
  name: string,
  namespace?: string,
  props: Record<string, unknown> = {},
  stack?: Subject["stack"],
): Subject => ({
  type,
  name,
  namespace,
  props,
  origin: "git",
  ancestors: [],
  stack,
});

test("kubernetesType: core objects get the core group, others keep theirs", () => {
  assert.equal(kubernetesType("v1", "Secret"), "kubernetes:core/v1:Secret");
  assert.equal(kubernetesType("apps/v1", "Deployment"), "kubernetes:apps/v1:Deployment");
  assert.equal(kubernetesType("source.toolkit.fluxcd.io/v1", "GitRepository"), "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository");
});

test("parseUrn: stack, project, the type chain and a name that may hold '::'", () => {
  assert.deepEqual(parseUrn("urn:pulumi:dev::flux-gitops::a:b:C$d:e:F::key"), {
    stack: "dev",
    project: "flux-gitops",
    types: ["a:b:C", "d:e:F"],
    name: "key",
  });
  assert.deepEqual(parseUrn("urn:pulumi:prod::p::t:u:V::a::b")?.name, "a::b");
  for (const bad of [undefined, "", "urn:pulumi:dev::p::t", "urn:other:dev::p::t::n", "xurn:pulumi:dev::p::t::n"]) {
    assert.equal(parseUrn(bad), undefined, String(bad));
  }
});

test("field: fixed paths through plain objects only; inherited keys, arrays and primitives give undefined", () => {
  const obj = { a: { b: { c: 1 } }, list: [{ x: 1 }], n: null, s: "str" };
  assert.equal(field(obj, "a", "b", "c"), 1);
  assert.deepEqual(field(obj, "a", "b"), { c: 1 });
  assert.equal(field(obj), obj);
  assert.equal(field(obj, "a", "x", "c"), undefined);
  assert.equal(field(obj, "list", "0"), undefined, "arrays are not walked");
  assert.equal(field(obj, "n", "x"), undefined);
  assert.equal(field(obj, "s", "length"), undefined);
  assert.equal(field(obj, "toString"), undefined, "inherited from Object.prototype");
  assert.equal(field(obj, "constructor"), undefined);
  assert.equal(field(Object.create({ inherited: 1 }) as object, "inherited"), undefined);
  assert.equal(field(undefined, "a"), undefined);
});

test("text: a non-empty string, else undefined", () => {
  assert.equal(text("x"), "x");
  assert.equal(text(""), undefined);
  assert.equal(text(1), undefined);
  assert.equal(text(undefined), undefined);
});

test("parseKubernetesType: the Flux kinds at the versions the rules read, nothing else", () => {
  const flux: [string, string[]][] = [
    ["source.toolkit.fluxcd.io", ["GitRepository", "HelmRepository", "OCIRepository", "HelmChart", "Bucket"]],
    ["helm.toolkit.fluxcd.io", ["HelmRelease"]],
    ["kustomize.toolkit.fluxcd.io", ["Kustomization"]],
  ];
  const versions: Record<string, string[]> = {
    "source.toolkit.fluxcd.io": ["v1", "v1beta2"],
    "helm.toolkit.fluxcd.io": ["v2", "v2beta2", "v2beta1"],
    "kustomize.toolkit.fluxcd.io": ["v1", "v1beta2"],
  };
  for (const [group, kinds] of flux) {
    for (const kind of kinds) {
      for (const version of versions[group]!) {
        assert.deepEqual(parseKubernetesType(`kubernetes:${group}/${version}:${kind}`), { group, version, kind, flux: true });
        assert.equal(fluxKind(subject(`kubernetes:${group}/${version}:${kind}`, "x")), kind);
      }
      assert.equal(parseKubernetesType(`kubernetes:${group}/v9:${kind}`)?.flux, false, `${kind} at an unknown version`);
      assert.equal(fluxKind(subject(`kubernetes:${group}/v9:${kind}`, "x")), undefined);
    }
  }
  assert.equal(parseKubernetesType("kubernetes:helm.toolkit.fluxcd.io/v1:HelmRelease")?.flux, false);
  assert.equal(parseKubernetesType("kubernetes:source.toolkit.fluxcd.io/v1:HelmRelease")?.flux, false, "a kind in another group");
  assert.equal(
    parseKubernetesType("kubernetes:kustomize.config.k8s.io/v1beta1:Kustomization")?.flux,
    false,
    "kustomize's own Kustomization",
  );
  assert.equal(parseKubernetesType("kubernetes:example.com/v1:Widget")?.flux, false);
  for (const bad of [
    "kubernetes:v1:Secret",
    "kubernetes:a/b/c:Kind",
    "k8s:apps/v1:Deployment",
    "xkubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:Deploy-ment",
    "kubernetes:apps/v1:",
  ]) {
    assert.equal(parseKubernetesType(bad), undefined, bad);
  }
  // Asked again, the answer is the one remembered (the same object) and the same.
  assert.equal(parseKubernetesType("kubernetes:apps/v1:Deployment"), parseKubernetesType("kubernetes:apps/v1:Deployment"));
  assert.deepEqual(parseKubernetesType("kubernetes:apps/v1:Deployment"), { group: "apps", version: "v1", kind: "Deployment", flux: false });
  assert.equal(parseKubernetesType("kubernetes:v1:Secret"), undefined);
});

test("fluxNamespace and isFluxSystemSync: the stack's Flux namespace, else flux-system", () => {
  const sync = (namespace: string | undefined, name = "flux-system", stack?: Subject["stack"]) =>
    subject("kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", name, namespace, {}, stack);
  const facts = { fluxNamespace: "flux" } as Subject["stack"];
  assert.equal(fluxNamespace(sync(undefined)), "flux-system");
  assert.equal(fluxNamespace(sync(undefined, "x", facts)), "flux");
  assert.ok(isFluxSystemSync(sync("flux-system")));
  assert.ok(isFluxSystemSync(sync("flux", "flux-system", facts)));
  assert.equal(isFluxSystemSync(sync("flux-system", "flux-system", facts)), false, "the default namespace when the stack moved Flux");
  assert.equal(isFluxSystemSync(sync("flux-system", "apps")), false);
  assert.equal(isFluxSystemSync(sync(undefined)), false);
  assert.equal(isFluxSystemSync(subject("kubernetes:source.toolkit.fluxcd.io/v1:GitRepository", "flux-system", "flux-system")), false);
});

test("label and describe", () => {
  const s = subject("kubernetes:apps/v1:Deployment", "web", "apps", { metadata: { labels: { a: "1", empty: "" } } });
  assert.equal(label(s, "a"), "1");
  assert.equal(label(s, "empty"), undefined);
  assert.equal(label(s, "b"), undefined);
  assert.equal(describe(s), "Deployment apps/web");
  assert.equal(describe(subject("kubernetes:core/v1:Namespace", "web")), "Namespace web");
  assert.equal(
    describe(subject("github:index/repositoryDeployKey:RepositoryDeployKey", "key")),
    "github:index/repositoryDeployKey:RepositoryDeployKey key",
  );
});

test("resourceRule and stackRule tag the rule's kind and keep every field", () => {
  const base = {
    name: "r",
    description: "d.",
    enforcementLevel: "advisory" as const,
    origins: ["git" as const],
    config: z.strictObject({}),
  };
  const check = () => {};
  assert.deepEqual(resourceRule({ ...base, check }), { ...base, check, kind: "resource" });
  assert.deepEqual(stackRule({ ...base, checkStack: check }), { ...base, checkStack: check, kind: "stack" });
});
