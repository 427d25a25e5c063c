import { test } from "node:test";
import assert from "node:assert/strict";
import {
  gitRepository,
  helmRelease,
  helmRepository,
  kustomization,
  namespace,
  ociRepository,
  webhookPaths,
  HelmRelease,
} from "../../infra/render/objects.ts";
import { violations } from "../../infra/render/validate.ts";
import { DEFAULT_CONTEXT } from "../../infra/render/objects.ts";
import { ipAddressPool } from "../../infra/render/metallb.ts";
import { addressPool } from "../../stacks/releases/metallb.ts";

const git = gitRepository({ name: "operation", url: "https://github.com/remla25-team3/operation", ref: { branch: "main" } });
const charts = helmRepository({ name: "ingress-nginx", url: "https://kubernetes.github.io/ingress-nginx" });
const nginx = helmRelease({
  name: "ingress-nginx",
  targetNamespace: "ingress-nginx",
  chart: { helmRepository: charts, chart: "ingress-nginx", version: "4.12.1" },
});

test("helmRelease from Git has the expected defaults", () => {
  const hr = helmRelease({
    name: "app",
    targetNamespace: "apps",
    chart: { git, path: "k8s/remla-chart" },
    dependsOn: [nginx],
    values: { replicaCount: 2 },
  });
  const spec = hr.spec!;
  assert.equal(hr.apiVersion, "helm.toolkit.fluxcd.io/v2");
  assert.equal(hr.metadata?.namespace, "flux-system");
  assert.deepEqual(spec.chart?.spec, {
    chart: "k8s/remla-chart",
    sourceRef: { kind: "GitRepository", name: "operation", namespace: "flux-system" },
    reconcileStrategy: "Revision",
  });
  assert.equal(spec.interval, "10m");
  assert.equal(spec.targetNamespace, "apps");
  assert.equal(spec.releaseName, "app");
  // Helm's storage stays where `helm install -n apps` keeps it, so a running release is upgraded in place.
  assert.equal(spec.storageNamespace, "apps");
  assert.deepEqual(spec.install, { createNamespace: true, disableTakeOwnership: false, remediation: { retries: 3 } });
  assert.deepEqual(spec.upgrade, {
    cleanupOnFail: true,
    disableTakeOwnership: false,
    remediation: { retries: 3, strategy: "rollback" },
  });
  assert.deepEqual(spec.driftDetection, { mode: "enabled" });
  assert.equal(spec.valuesFrom, undefined);
  assert.deepEqual(spec.dependsOn, [{ name: "ingress-nginx", namespace: "flux-system" }]);
  assert.deepEqual(spec.values, { replicaCount: 2 });
  assert.deepEqual(violations(hr), []);
});

test("helmRelease from a HelmRepository pins the chart version; from OCI it uses chartRef", () => {
  assert.deepEqual(nginx.spec?.chart?.spec, {
    chart: "ingress-nginx",
    version: "4.12.1",
    sourceRef: { kind: "HelmRepository", name: "ingress-nginx", namespace: "flux-system" },
  });
  const oci = ociRepository({ name: "podinfo", url: "oci://ghcr.io/stefanprodan/charts/podinfo", ref: { semver: "6.x" } });
  const hr = helmRelease({ name: "podinfo", targetNamespace: "podinfo", chart: { oci }, retries: 5, interval: "1h" });
  assert.deepEqual(hr.spec?.chartRef, { kind: "OCIRepository", name: "podinfo", namespace: "flux-system" });
  assert.equal(hr.spec?.chart, undefined);
  assert.equal(hr.spec?.upgrade?.remediation?.retries, 5);
  assert.equal(hr.spec?.interval, "1h");
  assert.deepEqual(violations(hr), []);
  assert.deepEqual(violations(oci), []);
});

test("sources, Kustomization and Namespace build valid objects", () => {
  const ks = kustomization({ name: "apps", source: git, path: "./deploy", dependsOn: [] });
  assert.deepEqual(ks.spec?.sourceRef, { kind: "GitRepository", name: "operation", namespace: "flux-system" });
  assert.equal(ks.spec?.prune, true);
  assert.equal(ks.apiVersion, "kustomize.toolkit.fluxcd.io/v1");
  const ns = namespace({ name: "apps", labels: { team: "remla" } });
  assert.deepEqual(ns.toJSON(), { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps", labels: { team: "remla" } } });
  assert.equal(git.spec?.url, "https://github.com/remla25-team3/operation");
  assert.deepEqual(git.spec?.ref, { branch: "main" });
  for (const obj of [git, charts, ks, ns]) assert.deepEqual(violations(obj), [], obj.kind);
});

test("violations name the offending field", () => {
  const bad = new HelmRelease({
    metadata: { name: "app", namespace: "flux-system" },
    spec: {
      interval: "5 minutes",
      chart: { spec: { chart: "c", sourceRef: { kind: "GitRepository", name: "x" } } },
      upgrade: { remediation: { strategy: "retry" } },
    },
  });
  assert.deepEqual(violations(bad), [
    { field: "spec.upgrade.remediation.strategy", message: 'must be one of "rollback", "uninstall"' },
    { field: "spec.interval", message: '"5 minutes" is not a duration like "10m" or "1h30m"' },
  ]);
  const noUrl = gitRepository({ name: "Bad_Name", url: "", ref: { tag: "v1" } });
  delete (noUrl.spec as { url?: string }).url;
  assert.deepEqual(violations(noUrl), [
    { field: "spec.url", message: "is required" },
    { field: "metadata.name", message: '"Bad_Name" is not a valid object name (lower-case RFC 1123 subdomain)' },
  ]);
  const badRef = helmRelease({ name: "a", targetNamespace: "a", chart: { git, path: "c" }, dependsOn: [nginx] });
  (badRef.spec!.dependsOn![0] as { name: unknown }).name = 7;
  assert.deepEqual(violations(badRef), [{ field: "spec.dependsOn[0].name", message: "must be string" }]);
});

test("a layer Kustomization waits, depends on the layer before and can decrypt SOPS Secrets", () => {
  const first = kustomization({ name: "infra-controllers", source: git, path: "./cluster/dev/infrastructure/controllers", wait: true });
  const next = kustomization({
    name: "infra-configs",
    source: git,
    path: "./x",
    dependsOn: [first],
    wait: true,
    sopsKeySecret: "sops-age",
  });
  assert.deepEqual(violations(next), []);
  assert.deepEqual(next.spec?.dependsOn, [{ name: "infra-controllers", namespace: "flux-system" }]);
  assert.deepEqual(next.spec?.decryption, { provider: "sops", secretRef: { name: "sops-age" } });
  assert.equal(next.spec?.wait, true);
});

test("MetalLB objects are checked by a strict schema: bad ranges and unknown fields are violations", () => {
  const [pool, l2] = addressPool({ name: "remla-pool", addresses: ["192.168.56.90-192.168.56.99", "10.0.0.0/24"] }, DEFAULT_CONTEXT);
  assert.deepEqual(violations(pool), []);
  assert.deepEqual(violations(l2), []);
  assert.deepEqual(l2.toJSON(), {
    apiVersion: "metallb.io/v1beta1",
    kind: "L2Advertisement",
    metadata: { name: "remla-l2", namespace: "metallb-system" },
    spec: { ipAddressPools: ["remla-pool"] },
  });
  const bad = ipAddressPool({ name: "p", namespace: "metallb-system", addresses: ["192.168.56.90-192.168.56"] }, DEFAULT_CONTEXT);
  assert.deepEqual(violations(bad), [{ field: "spec.addresses[0]", message: "must be an IPv4 range a.b.c.d-e.f.g.h or a CIDR" }]);
  Object.assign(pool.spec, { autoassign: false });
  assert.deepEqual(violations(pool), [{ field: "spec", message: "has unknown field(s) autoassign" }]);
});

test("helmRelease: storage namespace override, drift ignore rules (reason not rendered) and valuesFrom, valid for the HelmRelease CRD", () => {
  const hr = helmRelease({
    name: "app",
    targetNamespace: "apps",
    storageNamespace: "helm-storage",
    chart: { git, path: "k8s/remla-chart" },
    driftIgnore: [
      {
        paths: webhookPaths(2, "clientConfig/caBundle"),
        target: { kind: "ValidatingWebhookConfiguration", name: "x" },
        reason: "a patcher",
      },
      { paths: ["/metadata/annotations/a"], reason: "no target" },
    ],
    valuesFrom: [{ kind: "Secret", name: "s", valuesKey: "k", targetPath: "a.b", optional: true }],
  });
  const spec = hr.spec!;
  assert.equal(spec.storageNamespace, "helm-storage");
  assert.deepEqual(spec.driftDetection, {
    mode: "enabled",
    ignore: [
      {
        paths: ["/webhooks/0/clientConfig/caBundle", "/webhooks/1/clientConfig/caBundle"],
        target: { kind: "ValidatingWebhookConfiguration", name: "x" },
      },
      { paths: ["/metadata/annotations/a"] },
    ],
  });
  assert.deepEqual(spec.valuesFrom, [{ kind: "Secret", name: "s", valuesKey: "k", targetPath: "a.b", optional: true }]);
  assert.deepEqual(violations(hr), []);
  // An empty rule list renders no `ignore` at all.
  const none = helmRelease({ name: "b", targetNamespace: "b", chart: { git, path: "c" }, driftIgnore: [] });
  assert.deepEqual(none.spec?.driftDetection, { mode: "enabled" });
});
