// What Flux applies, built the way Flux builds it: start at cluster/<env> (the flux-system
// Kustomization's path), run `kubectl kustomize` on it, follow every Flux Kustomization whose source
// is this repository (the flux-system GitRepository) into its path, and so on. Then check that every
// object validates, every reference points at something declared, and every object of a CRD-backed
// kind (and every CRD group a chart renders, stacks/releases/crds.ts) comes after what provides it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import yaml from "js-yaml";
import { HelmRelease } from "@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2";
import { Kustomization } from "@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1";
import { ImagePolicy, ImageRepository, ImageUpdateAutomation } from "@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1";
import { GitRepository, HelmRepository, OCIRepository } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1";
import { Namespace, ServiceAccount } from "kubernetes-models/v1";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { listStacks, readStackConfigFile, stackConfigFile } from "../../infra/config/index.ts";
import { SYNC_NAME } from "../../infra/contract.ts";
import { IPAddressPool, L2Advertisement } from "../../infra/render/metallb.ts";
import { violations, type Validatable } from "../../infra/render/validate.ts";
import { CHARTS, type ChartName } from "../../stacks/releases/charts.ts";
import { CHART_CRDS, PREINSTALLED_GROUPS } from "../../stacks/releases/crds.ts";
import { ROOT } from "../support/paths.ts";

interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  [key: string]: unknown;
}

/** The schema each kind is checked against: the typed models (generated from the CRDs / OpenAPI), or ours for MetalLB. */
const MODELS: Record<string, (doc: Doc) => Validatable> = {
  "source.toolkit.fluxcd.io/v1/GitRepository": (d) => new GitRepository(d as never),
  "source.toolkit.fluxcd.io/v1/HelmRepository": (d) => new HelmRepository(d as never),
  "source.toolkit.fluxcd.io/v1/OCIRepository": (d) => new OCIRepository(d as never),
  "helm.toolkit.fluxcd.io/v2/HelmRelease": (d) => new HelmRelease(d as never),
  "kustomize.toolkit.fluxcd.io/v1/Kustomization": (d) => new Kustomization(d as never),
  "image.toolkit.fluxcd.io/v1/ImageRepository": (d) => new ImageRepository(d as never),
  "image.toolkit.fluxcd.io/v1/ImagePolicy": (d) => new ImagePolicy(d as never),
  "image.toolkit.fluxcd.io/v1/ImageUpdateAutomation": (d) => new ImageUpdateAutomation(d as never),
  "v1/Namespace": (d) => new Namespace(d as never),
  "v1/ServiceAccount": (d) => new ServiceAccount(d as never),
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": (d) => new ClusterRoleBinding(d as never),
  "metallb.io/v1beta1/IPAddressPool": (d) => new IPAddressPool(d.metadata as never, d.spec),
  "metallb.io/v1beta1/L2Advertisement": (d) => new L2Advertisement(d.metadata as never, d.spec),
};

/** One Flux Kustomization this repository drives (or the flux-system sync itself, `root`). */
interface Layer {
  name: string;
  path: string;
  dependsOn: string[];
  wait: boolean;
  healthChecks: { kind: string; name: string; namespace?: string }[];
  docs: Doc[];
}

const group = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0]! : "");
const key = (ns: string | undefined, name: string) => `${ns}/${name}`;

function kustomize(path: string): Doc[] {
  const result = spawnSync("kubectl", ["kustomize", "--load-restrictor", "LoadRestrictionsNone", join(ROOT, path)], { encoding: "utf8" });
  assert.equal(result.error, undefined, `kubectl (with kustomize) must be on PATH for this test: ${result.error?.message}`);
  assert.equal(result.status, 0, `kubectl kustomize ${path} failed: ${result.stderr}`);
  return yaml.loadAll(result.stdout) as Doc[];
}

/** Every layer Flux applies for the environment whose sync path is `root`, from the real files. */
function build(root: string, fluxNamespace: string): Layer[] {
  const layers: Layer[] = [];
  const visit = (layer: Layer) => {
    layers.push(layer);
    for (const doc of layer.docs) {
      if (doc.apiVersion !== "kustomize.toolkit.fluxcd.io/v1" || doc.kind !== "Kustomization") continue;
      const src = doc.spec.sourceRef ?? {};
      const ns = doc.metadata.namespace ?? fluxNamespace;
      if (src.kind !== "GitRepository" || src.name !== SYNC_NAME || (src.namespace ?? ns) !== fluxNamespace) continue;
      const path = String(doc.spec.path).replace(/^\.\//, "");
      assert.ok(!layers.some((l) => l.name === key(ns, doc.metadata.name)), `Kustomization ${doc.metadata.name} is declared twice`);
      visit({
        name: key(ns, doc.metadata.name),
        path,
        dependsOn: (doc.spec.dependsOn ?? []).map((d: { name: string; namespace?: string }) => key(d.namespace ?? ns, d.name)),
        wait: doc.spec.wait === true,
        healthChecks: doc.spec.healthChecks ?? [],
        docs: kustomize(path),
      });
    }
  };
  visit({ name: "root", path: root, dependsOn: [], wait: false, healthChecks: [], docs: kustomize(root) });
  return layers;
}

/** Everything wrong with what `layers` apply; empty when it installs on an empty cluster. */
function problems(layers: Layer[], fluxNamespace: string): string[] {
  const found: string[] = [];
  const where = new Map<Doc, Layer>();
  for (const layer of layers) for (const doc of layer.docs) where.set(doc, layer);
  const docs = [...where.keys()];
  const nsOf = (d: Doc) => d.metadata.namespace ?? fluxNamespace;
  const named = (d: Doc) => `${d.kind} ${d.metadata.namespace ? `${d.metadata.namespace}/` : ""}${d.metadata.name}`;
  const declared = (kind: string, ns: string | undefined, name: string) =>
    docs.some((d) => d.kind === kind && d.metadata.name === name && (ns === undefined || nsOf(d) === ns));

  // 1. Every object validates against its schema.
  for (const doc of docs) {
    const model = MODELS[`${doc.apiVersion}/${doc.kind}`];
    if (!model) {
      found.push(`${named(doc)}: no schema for ${doc.apiVersion} ${doc.kind}; add its model to this test`);
      continue;
    }
    for (const v of violations(model(doc))) found.push(`${named(doc)}: ${v.field} ${v.message}`);
  }

  // 2. References point at declared objects.
  const namespaces = new Set([fluxNamespace, ...docs.filter((d) => d.kind === "Namespace").map((d) => d.metadata.name)]);
  const layerNames = new Set(layers.map((l) => l.name));
  for (const layer of layers) {
    for (const dep of layer.dependsOn)
      if (!layerNames.has(dep)) found.push(`Kustomization ${layer.name} dependsOn ${dep}, which is not declared`);
  }
  for (const doc of docs) {
    const ns = nsOf(doc);
    if (doc.kind === "HelmRelease") {
      for (const dep of doc.spec.dependsOn ?? []) {
        if (!declared("HelmRelease", dep.namespace ?? ns, dep.name))
          found.push(`${named(doc)} dependsOn HelmRelease ${dep.name}, which is not declared`);
      }
      const src = doc.spec.chart?.spec?.sourceRef ?? doc.spec.chartRef ?? {};
      if (!declared(src.kind, src.namespace ?? ns, src.name))
        found.push(`${named(doc)} takes its chart from ${src.kind} ${src.name}, which is not declared`);
    }
    if (doc.kind === "Kustomization" && doc.apiVersion.startsWith("kustomize.toolkit")) {
      const src = doc.spec.sourceRef ?? {};
      const isSync = src.kind === "GitRepository" && src.name === SYNC_NAME && (src.namespace ?? ns) === fluxNamespace;
      if (!isSync && !declared(src.kind, src.namespace ?? ns, src.name))
        found.push(`${named(doc)} syncs ${src.kind} ${src.name}, which is not declared`);
    }
    const target = doc.spec?.targetNamespace;
    if (target !== undefined && !namespaces.has(target)) found.push(`${named(doc)} targets namespace ${target}, which is not declared`);
    if (doc.metadata.namespace !== undefined && !namespaces.has(doc.metadata.namespace)) {
      found.push(`${named(doc)} lives in namespace ${doc.metadata.namespace}, which is not declared`);
    }
  }

  // 3. Order: what provides a CRD group (or a webhook) is ready before what needs it is applied.
  const byName = new Map(layers.map((l) => [l.name, l]));
  const ancestors = (layer: Layer, seen = new Set<string>()): Set<string> => {
    for (const dep of layer.dependsOn) {
      if (seen.has(dep) || !byName.has(dep)) continue;
      seen.add(dep);
      ancestors(byName.get(dep)!, seen);
    }
    return seen;
  };
  // `release` is Ready before anything of `layer` is applied: its layer is an ancestor that waits for it.
  const readyBeforeLayer = (release: Doc, layer: Layer) => {
    const home = where.get(release)!;
    const waits = home.wait || home.healthChecks.some((h) => h.kind === "HelmRelease" && h.name === release.metadata.name);
    return home !== layer && ancestors(layer).has(home.name) && waits;
  };
  const releases = docs.filter((d) => d.kind === "HelmRelease");
  const releaseByKey = new Map(releases.map((r) => [key(nsOf(r), r.metadata.name), r]));
  const readyBeforeRelease = (provider: Doc, consumer: Doc, seen = new Set<Doc>()): boolean => {
    if (readyBeforeLayer(provider, where.get(consumer)!)) return true;
    for (const dep of consumer.spec.dependsOn ?? []) {
      const before = releaseByKey.get(key(dep.namespace ?? nsOf(consumer), dep.name));
      if (!before || seen.has(before)) continue;
      seen.add(before);
      if (before === provider || readyBeforeRelease(provider, before, seen)) return true;
    }
    return false;
  };
  const chartOf = new Map<Doc, ChartName>();
  for (const r of releases) {
    const spec = r.spec.chart?.spec ?? {};
    const chart = (Object.keys(CHARTS) as ChartName[]).find(
      (c) => CHARTS[c].source === spec.sourceRef?.name && CHARTS[c].path === spec.chart,
    );
    if (chart) chartOf.set(r, chart);
    else found.push(`${named(r)}: chart ${spec.chart} is not in the CRD table (stacks/releases/crds.ts)`);
  }
  const providers = (g: string) => releases.filter((r) => chartOf.has(r) && CHART_CRDS[chartOf.get(r)!].provides.includes(g));
  for (const r of releases) {
    const chart = chartOf.get(r);
    if (!chart) continue;
    for (const g of CHART_CRDS[chart].needs) {
      if (CHART_CRDS[chart].provides.includes(g) || PREINSTALLED_GROUPS.includes(g)) continue;
      if (!providers(g).some((p) => readyBeforeRelease(p, r))) {
        found.push(`${named(r)} (${chart}) renders ${g} objects, but no release providing that CRD group is ready before it`);
      }
    }
    for (const { chart: other, why } of CHART_CRDS[chart].after ?? []) {
      if (!releases.some((p) => chartOf.get(p) === other && readyBeforeRelease(p, r))) {
        found.push(`${named(r)} (${chart}) must install after ${other}: ${why}`);
      }
    }
  }
  for (const doc of docs) {
    const g = group(doc.apiVersion);
    if (PREINSTALLED_GROUPS.includes(g)) continue;
    if (!providers(g).some((p) => readyBeforeLayer(p, where.get(doc)!))) {
      found.push(`${named(doc)} (${g}) is applied before any release providing that CRD group is ready`);
    }
  }
  return found;
}

const ENVS = listStacks(ROOT);

function environment(env: string) {
  const cfg = readStackConfigFile(stackConfigFile(ROOT, env), env);
  return { cfg, layers: build(cfg.syncPath.folder, cfg.flux.namespace) };
}

for (const env of ENVS) {
  test(`${env}: what Flux applies validates, references only declared objects, and installs in CRD order`, () => {
    const { cfg, layers } = environment(env);
    assert.deepEqual(problems(layers, cfg.flux.namespace), []);
    // Every component of the team's cluster is there.
    const releases = layers.flatMap((l) => l.docs).filter((d) => d.kind === "HelmRelease");
    const charts = releases.map((r) => `${r.spec.chart.spec.sourceRef.name}:${r.spec.chart.spec.chart}`);
    for (const c of Object.values(CHARTS)) assert.ok(charts.includes(`${c.source}:${c.path}`), `${env} installs ${c.path}`);
    const kinds = layers.flatMap((l) => l.docs).map((d) => d.kind);
    assert.ok(kinds.includes("IPAddressPool") && kinds.includes("L2Advertisement"), `${env} declares MetalLB's pool`);
    assert.ok(layers.length >= 4, "layered");
  });
}

/** The dev layers with one change, to show each check catches what it is for. */
function mutated(change: (layers: Layer[]) => void): string[] {
  const { cfg, layers } = environment("dev");
  change(layers);
  return problems(layers, cfg.flux.namespace);
}
const layer = (layers: Layer[], name: string) => layers.find((l) => l.name === `flux-system/${name}`)!;
const release = (layers: Layer[], name: string) =>
  layers.flatMap((l) => l.docs).find((d) => d.kind === "HelmRelease" && d.metadata.name === name)!;

test("the order check fails when a layer stops waiting, loses its dependsOn, or a release moves before its CRDs", () => {
  assert.ok(
    mutated((ls) => (layer(ls, "infra-controllers").wait = false)).some((p) =>
      /IPAddressPool metallb-system\/remla-pool \(metallb\.io\) is applied before any release providing/.test(p),
    ),
  );
  const noDeps = mutated((ls) => (layer(ls, "apps").dependsOn = []));
  assert.ok(
    noDeps.some((p) => /HelmRelease flux-system\/remla-app \(remla-chart\) renders networking\.istio\.io objects/.test(p)),
    noDeps.join("\n"),
  );
  assert.ok(noDeps.some((p) => /remla-app \(remla-chart\) renders monitoring\.coreos\.com objects/.test(p)));
  // The app moved into the controllers layer: applied together with Istio and the Prometheus CRDs.
  const together = mutated((ls) => {
    const app = release(ls, "remla-app");
    layer(ls, "apps").docs = [];
    layer(ls, "infra-controllers").docs.push(app);
  });
  assert.ok(
    together.some((p) => /remla-app \(remla-chart\) renders networking\.istio\.io objects/.test(p)),
    together.join("\n"),
  );
  // istiod without its dependsOn on base (same layer).
  const istiod = mutated((ls) => delete release(ls, "istiod").spec.dependsOn);
  assert.deepEqual(istiod, [
    "HelmRelease flux-system/istiod (istiod) must install after istio-base: istiod watches the Istio CRDs base installs",
  ]);
  const dashboard = mutated((ls) => delete release(ls, "kubernetes-dashboard").spec.dependsOn);
  assert.match(dashboard.join("\n"), /kubernetes-dashboard \(kubernetes-dashboard\) must install after ingress-nginx/);
});

test("the reference and schema checks fail on a dangling dependsOn, sourceRef or targetNamespace, and on an invalid object", () => {
  assert.deepEqual(
    mutated((ls) => (layer(ls, "apps").dependsOn = ["flux-system/infra-gateways"])).filter((p) => /not declared/.test(p)),
    ["Kustomization flux-system/apps dependsOn flux-system/infra-gateways, which is not declared"],
  );
  assert.deepEqual(
    mutated((ls) => (release(ls, "istiod").spec.dependsOn = [{ name: "istio-bsae" }])).filter((p) => /not declared/.test(p)),
    ["HelmRelease flux-system/istiod dependsOn HelmRelease istio-bsae, which is not declared"],
  );
  assert.deepEqual(
    mutated((ls) => (release(ls, "metallb").spec.chart.spec.sourceRef.name = "metal-lb")).filter((p) => /not declared/.test(p)),
    ["HelmRelease flux-system/metallb takes its chart from GitRepository metal-lb, which is not declared"],
  );
  assert.deepEqual(
    mutated((ls) => (release(ls, "prom-monitoring").spec.targetNamespace = "observability")),
    ["HelmRelease flux-system/prom-monitoring targets namespace observability, which is not declared"],
  );
  assert.deepEqual(
    mutated(
      (ls) => (layer(ls, "infra-configs").docs.find((d) => d.kind === "IPAddressPool")!.spec.addresses = ["192.168.56.90-192.168.56.300"]),
    ),
    ["IPAddressPool metallb-system/remla-pool: spec.addresses[0] must be an IPv4 range a.b.c.d-e.f.g.h or a CIDR"],
  );
  assert.match(
    mutated((ls) => (release(ls, "metallb").spec.install.crds = "Always")).join("\n"),
    /HelmRelease flux-system\/metallb: spec\.install\.crds must be one of "Skip", "Create", "CreateReplace"/,
  );
});
