// Drift detection that does not fight controllers: every release corrects drift, and the fields that
// running controllers rewrite after Helm applied them are ignored, per release, each with its reason.
import { test } from "node:test";
import { renderedEnvironment } from "../support/rendered.ts";
import assert from "node:assert/strict";
import { parseStackConfig } from "../../infra/config/index.ts";
import type { DriftIgnoreRule, HelmRelease } from "../../infra/render/objects.ts";
import { loadEnvironment } from "../../stacks/releases/environments.ts";
import { INGRESS_NGINX_DRIFT_IGNORE } from "../../stacks/releases/ingress-nginx.ts";
import { ISTIO_BASE_DRIFT_IGNORE, ISTIOD_DRIFT_IGNORE } from "../../stacks/releases/istio.ts";
import { KEEP_METALLB_CRDS, METALLB_DRIFT_IGNORE } from "../../stacks/releases/metallb.ts";
import { MONITORING_DRIFT_IGNORE } from "../../stacks/releases/monitoring.ts";
import { TEST_DEFINITIONS_DIR } from "../support/stacks.ts";

const config = (stack: string) =>
  parseStackConfig({ kubernetes: { version: "1.32.4" }, repository: { owner: "remla25-team3", name: "flux-gitops" } }, stack);

async function releases(stack: string): Promise<Map<string, HelmRelease>> {
  const env = await loadEnvironment(config(stack), `Pulumi.${stack}.yaml`, TEST_DEFINITIONS_DIR);
  const all = (env.layers ?? []).flatMap((l) => l.objects).filter((o): o is HelmRelease => o.kind === "HelmRelease");
  return new Map(all.map((r) => [r.metadata!.name!, r]));
}

/** [release, kind, object name, JSON pointer] that must be ignored: what the controllers named in each module rewrite. */
const REQUIRED: [string, string, string, string][] = [
  ["metallb", "CustomResourceDefinition", "bgppeers.metallb.io", "/spec/conversion/webhook/clientConfig/caBundle"],
  ["metallb", "ValidatingWebhookConfiguration", "metallb-webhook-configuration", "/webhooks/5/clientConfig/caBundle"],
  ["metallb", "Secret", "metallb-webhook-cert", "/data"],
  ["istio-base", "ValidatingWebhookConfiguration", "istiod-default-validator", "/webhooks/0/failurePolicy"],
  ["istio-base", "ValidatingWebhookConfiguration", "istiod-default-validator", "/webhooks/0/clientConfig/caBundle"],
  ["istiod", "ValidatingWebhookConfiguration", "istio-validator-istio-system", "/webhooks/0/failurePolicy"],
  ["istiod", "ValidatingWebhookConfiguration", "istio-validator-istio-system", "/webhooks/0/clientConfig/caBundle"],
  ["istiod", "MutatingWebhookConfiguration", "istio-sidecar-injector", "/webhooks/3/clientConfig/caBundle"],
  ["prom-monitoring", "PrometheusRule", "", "/metadata/annotations/prometheus-operator-validated"],
  ["prom-monitoring", "MutatingWebhookConfiguration", "prom-monitoring-kube-prome-admission", "/webhooks/0/clientConfig/caBundle"],
  ["prom-monitoring", "ValidatingWebhookConfiguration", "prom-monitoring-kube-prome-admission", "/webhooks/1/clientConfig/caBundle"],
  ["ingress-nginx", "ValidatingWebhookConfiguration", "ingress-nginx-admission", "/webhooks/0/clientConfig/caBundle"],
  ["ingress-nginx", "ValidatingWebhookConfiguration", "ingress-nginx-admission", "/webhooks/0/failurePolicy"],
];

/** Does an ignore rule of `release` cover `path` of object kind/name? (target fields are anchored regular expressions) */
function ignored(release: HelmRelease, kind: string, name: string, path: string): boolean {
  const rules = release.spec?.driftDetection?.ignore ?? [];
  const matches = (pattern: string | undefined, value: string) => pattern === undefined || new RegExp(`^(?:${pattern})$`).test(value);
  return rules.some((r) => r.paths.includes(path) && matches(r.target?.kind, kind) && (name === "" || matches(r.target?.name, name)));
}

for (const stack of ["dev", "prod"]) {
  test(`${stack}: every release corrects drift, and ignores exactly the controller-owned fields`, async () => {
    const byName = await releases(stack);
    for (const [name, release] of byName) assert.equal(release.spec?.driftDetection?.mode, "enabled", `${name}: drift detection on`);
    for (const [name, kind, object, path] of REQUIRED) {
      const release = byName.get(name);
      assert.ok(release, `${stack}: release ${name}`);
      assert.ok(ignored(release, kind, object, path), `${stack}: ${name} must ignore ${path} of ${kind} ${object}`);
    }
    // Nothing ignores a whole object or a field outside the ones above: an over-broad rule hides real drift.
    const allowed = new Set(REQUIRED.map(([, , , p]) => p));
    const webhookIndex = /^\/webhooks\/\d+\/(clientConfig\/caBundle|failurePolicy)$/;
    for (const [name, release] of byName) {
      for (const rule of release.spec?.driftDetection?.ignore ?? []) {
        assert.ok(rule.target?.kind, `${name}: every rule names the kind it applies to`);
        for (const p of rule.paths) assert.ok(allowed.has(p) || webhookIndex.test(p), `${name}: unexpected ignore path ${p}`);
      }
    }
    // The releases without controller-rewritten fields ignore nothing.
    for (const name of ["istio-ingress", "kubernetes-dashboard", "remla-app"]) {
      assert.equal(byName.get(name)?.spec?.driftDetection?.ignore, undefined, `${name} ignores nothing`);
    }
  });
}

test("every drift ignore rule gives its upstream reason, and its JSON pointers are well-formed", () => {
  const all: DriftIgnoreRule[] = [
    ...METALLB_DRIFT_IGNORE,
    ...ISTIO_BASE_DRIFT_IGNORE,
    ...ISTIOD_DRIFT_IGNORE,
    ...MONITORING_DRIFT_IGNORE,
    ...INGRESS_NGINX_DRIFT_IGNORE,
  ];
  for (const rule of all) {
    assert.ok(rule.reason.trim().length > 10, `rule for ${rule.target?.kind}: reason`);
    for (const p of rule.paths) assert.match(p, /^(\/([^~/]|~[01])+)+$/, `JSON pointer ${p}`);
  }
});

test("MetalLB's CRDs are kept on uninstall (a failed adopting install is remediated by an uninstall)", async () => {
  for (const stack of ["dev", "prod"]) {
    const metallb = (await releases(stack)).get("metallb")!;
    const patches = metallb.spec?.postRenderers?.flatMap((p) => p.kustomize?.patches ?? []) ?? [];
    assert.ok(
      patches.some((p) => p.target?.kind === KEEP_METALLB_CRDS.target.kind && /helm\.sh~1resource-policy\n\s+value: keep/.test(p.patch)),
      `${stack}: metallb keeps its CRDs`,
    );
  }
});

// With real Helm (the chart cache, as helm-controller renders each release), the indexed webhook rules
// must cover every webhook of the configuration the chart renders, and each targeted object must exist.
test("with real Helm: each rule's object exists and indexed webhook rules cover every webhook", async () => {
  const byName = await releases("prod");
  const view = await renderedEnvironment("prod");
  let checked = 0;
  for (const [name, release] of byName) {
    const rendered = view.releases.find((r) => r.id === `flux-system/${name}`);
    assert.ok(rendered, `${name} is rendered`);
    const docs = rendered.objects as { kind: string; metadata: { name: string }; webhooks?: unknown[] }[];
    for (const rule of release.spec?.driftDetection?.ignore ?? []) {
      if (!rule.target?.name) continue;
      const obj = docs.find((d) => d.kind === rule.target!.kind && d.metadata.name === rule.target!.name);
      assert.ok(obj, `${name}: chart renders ${rule.target.kind} ${rule.target.name}`);
      checked++;
      const indexed = new Set(rule.paths.map((p) => /^\/webhooks\/(\d+)\//.exec(p)?.[1]).filter((i) => i !== undefined));
      if (indexed.size > 0)
        assert.equal(indexed.size, obj.webhooks?.length, `${name}: ${rule.target.name} has ${obj.webhooks?.length} webhooks`);
    }
  }
  assert.ok(checked >= 5, `${checked} named rules checked`);
});
