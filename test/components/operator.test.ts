// The `operator` install strategy, tested from the same config as the `helm` strategy: the
// flux-operator chart plus a FluxInstance that carries the same version, components, cluster
// settings, lockdown flags and sync; its kustomize patches are applied with real kustomize.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { runStack, stackConfig, type StackRun, TYPES } from "../support/pulumi-mocks.ts";
import { CORE_COMPONENTS, EXTRA_COMPONENTS } from "../../infra/config/index.ts";
import { CHART_KEYS } from "../../infra/flux/chart-values.ts";

const CHART_KEY: Record<string, string> = CHART_KEYS;

const T = TYPES;

function withInstall(stack: string, install: "helm" | "operator", extra: Record<string, unknown> = {}) {
  const flux = stackConfig(stack)["flux-gitops:flux"] as Record<string, unknown>;
  return { "flux-gitops:flux": { ...flux, install, ...extra } };
}

// Mock runs share Pulumi's global runtime state: one at a time.
let queue: Promise<unknown> = Promise.resolve();
function serial(stack: string, config: Record<string, unknown>): Promise<StackRun> {
  const next = queue.then(() => runStack(stack, { config }));
  queue = next.catch(() => undefined);
  return next;
}

const runs = new Map<string, Promise<StackRun>>();
function run(stack: "dev" | "prod", install: "helm" | "operator"): Promise<StackRun> {
  const key = `${stack}/${install}`;
  if (!runs.has(key)) runs.set(key, serial(stack, withInstall(stack, install)));
  return runs.get(key)!;
}

/** Run `kubectl kustomize` over the objects the operator generates plus the instance's patches. */
function kustomize(objects: object[], patches: object[]): any[] {
  const dir = mkdtempSync(join(tmpdir(), "flux-gitops-operator-"));
  writeFileSync(join(dir, "objects.yaml"), objects.map((o) => yaml.dump(o)).join("---\n"));
  writeFileSync(
    join(dir, "kustomization.yaml"),
    yaml.dump({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: ["objects.yaml"], patches }),
  );
  return yaml.loadAll(execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8" })) as any[];
}

/** What the operator renders before patches: controller Deployments and the sync objects. */
function operatorOutput(components: string[]): object[] {
  return [
    ...components.map((name) => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: "flux-system" },
      spec: {
        template: {
          spec: { containers: [{ name: "manager", args: ["--events-addr=x", "--watch-all-namespaces=true", "--log-level=info"] }] },
        },
      },
    })),
    {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      metadata: { name: "flux-system", namespace: "flux-system" },
      spec: { interval: "1m" },
    },
    {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "flux-system", namespace: "flux-system" },
      spec: { interval: "10m0s", prune: true },
    },
  ];
}

for (const stack of ["dev", "prod"] as const) {
  test(`${stack}: operator installs the pinned flux-operator chart and a FluxInstance named flux`, async () => {
    const r = await run(stack, "operator");
    const release = r.one(T.release, "flux-operator");
    assert.equal(release.inputs.chart, "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator");
    assert.equal(release.inputs.version, "0.49.0");
    assert.equal(release.inputs.namespace, "flux-system");
    assert.equal(release.inputs.atomic, true);
    assert.equal(r.byType(T.release).length, 1, "no flux2 chart next to the operator");

    const instance = r.one(T.instance, "flux");
    assert.equal(instance.inputs.apiVersion, "fluxcd.controlplane.io/v1");
    assert.equal(instance.inputs.metadata.name, "flux");
    assert.equal(instance.inputs.metadata.namespace, "flux-system");
    assert.equal(instance.inputs.metadata.annotations["pulumi.com/waitFor"], "condition=Ready");
    assert.ok(instance.dependencies.includes(release.urn), "the FluxInstance waits for the operator (and its CRD)");
    assert.equal(instance.inputs.spec.distribution.version, "2.7.5");

    // The operator creates the sync objects itself; Pulumi still owns the SSH Secret.
    // (Only the image automation's own GitRepository, which dev enables, is Pulumi's.)
    assert.deepEqual(
      [...r.byType(T.gitRepository), ...r.byType(T.kustomization)].map((x) => x.name),
      stack === "dev" ? ["flux-system-automation-git"] : [],
    );
    assert.deepEqual(Object.keys(r.one(T.secret, "flux-system").inputs.stringData).sort(), ["identity", "identity.pub", "known_hosts"]);
  });

  test(`${stack}: the FluxInstance carries the same Flux settings as the helm strategy's chart values`, async () => {
    const [helm, op] = await Promise.all([run(stack, "helm"), run(stack, "operator")]);
    const values = helm.one(T.release, "flux2").inputs.values;
    const spec = op.one(T.instance).inputs.spec;
    const created = Object.keys(CHART_KEY).filter((c) => values[CHART_KEY[c]!].create);
    assert.deepEqual(spec.components, created);
    assert.equal(spec.distribution.registry, "ghcr.io/fluxcd");
    assert.equal(spec.cluster.domain, values.clusterDomain);
    assert.equal(spec.cluster.networkPolicy, values.policies.create);
    assert.equal(spec.cluster.multitenant, false, "lockdown flags come from the shared lockdownArgs, not the operator profile");
    assert.deepEqual(spec.commonMetadata.labels, helm.one(T.gitRepository, "flux-system-git").inputs.metadata.labels);

    // Apply the instance's patches with kustomize and compare each controller with the chart values.
    const out = kustomize(operatorOutput(spec.components), spec.kustomize.patches);
    const logLevel = values.logLevel === "info" ? [] : [`--log-level=${values.logLevel}`];
    for (const controller of spec.components) {
      const deployment = out.find((o) => o.kind === "Deployment" && o.metadata.name === controller);
      const chart = values[CHART_KEY[controller]!];
      assert.deepEqual(
        deployment.spec.template.spec.containers[0].args.slice(3),
        [...logLevel, ...chart.container.additionalArgs],
        controller,
      );
      assert.deepEqual(deployment.spec.template.spec.tolerations, chart.tolerations.length ? chart.tolerations : undefined, controller);
    }
  });

  test(`${stack}: the FluxInstance syncs the same repository, branch, path and Secret as FluxSync`, async () => {
    const [helm, op] = await Promise.all([run(stack, "helm"), run(stack, "operator")]);
    const git = helm.one(T.gitRepository, "flux-system-git").inputs;
    const ks = helm.one(T.kustomization).inputs;
    const spec = op.one(T.instance).inputs.spec;
    assert.deepEqual(spec.sync, {
      kind: "GitRepository",
      name: "flux-system",
      url: git.spec.url,
      ref: `refs/heads/${git.spec.ref.branch}`,
      path: ks.spec.path,
      pullSecret: git.spec.secretRef.name,
      interval: git.spec.interval,
    });
    // The operator's own Kustomization (fixed 10m, no timeout) is patched to our settings, and a
    // new deploy key asks source-controller to fetch at once, as in the helm strategy.
    const out = kustomize(operatorOutput([]), spec.kustomize.patches);
    const kustomization = out.find((o) => o.kind === "Kustomization");
    assert.deepEqual(kustomization.spec, { interval: ks.spec.interval, prune: true, timeout: ks.spec.timeout });
    const gitRepository = out.find((o) => o.kind === "GitRepository");
    assert.equal(
      gitRepository.metadata.annotations["reconcile.fluxcd.io/requestedAt"],
      git.metadata.annotations["reconcile.fluxcd.io/requestedAt"],
    );
  });
}

test("every controller and lockdown flag maps the same way in both strategies", async () => {
  const settings = {
    componentsExtra: [...EXTRA_COMPONENTS],
    components: [...CORE_COMPONENTS],
    logLevel: "error",
    watchAllNamespaces: false,
    clusterDomain: "corp.internal",
    networkPolicy: false,
    registry: "registry.example.com/fluxcd",
    imagePullSecret: "regcred",
    tolerationKeys: ["flux", "dedicated"],
    multitenancy: { noCrossNamespaceRefs: true, noRemoteBases: true, defaultServiceAccount: "tenant" },
  };
  const [helm, op] = await Promise.all([
    serial("dev", withInstall("dev", "helm", settings)),
    serial("dev", withInstall("dev", "operator", settings)),
  ]);
  const values = helm.one(T.release).inputs.values;
  const spec = op.one(T.instance).inputs.spec;
  assert.deepEqual(spec.components, Object.keys(CHART_KEY));
  assert.deepEqual(spec.distribution, { version: "2.7.5", registry: "registry.example.com/fluxcd", imagePullSecret: "regcred" });
  assert.deepEqual(values.imagePullSecrets, [{ name: "regcred" }]);
  assert.deepEqual(spec.cluster, { type: "kubernetes", domain: "corp.internal", networkPolicy: false, multitenant: false });
  const out = kustomize(operatorOutput(spec.components), spec.kustomize.patches);
  for (const controller of spec.components) {
    const args = out.find((o) => o.metadata.name === controller).spec.template.spec.containers[0].args.slice(3);
    assert.deepEqual(
      args,
      ["--log-level=error", "--watch-all-namespaces=false", ...values[CHART_KEY[controller]!].container.additionalArgs],
      controller,
    );
  }
  const kc = out.find((o) => o.metadata.name === "kustomize-controller").spec.template.spec.containers[0].args;
  assert.ok(
    kc.includes("--no-remote-bases=true") &&
      kc.includes("--default-service-account=tenant") &&
      kc.includes("--no-cross-namespace-refs=true"),
  );
  // The operator pod itself tolerates the same taints.
  assert.deepEqual(op.one(T.release).inputs.values.tolerations, [
    { key: "flux", operator: "Exists" },
    { key: "dedicated", operator: "Exists" },
  ]);
});

test("operator: notifications and the receiver wait for the FluxInstance (the Flux CRDs)", async () => {
  const r = await serial("dev", {
    ...withInstall("dev", "operator"),
    "flux-gitops:notifications": { githubStatus: true },
    "flux-gitops:githubStatusToken": { secure: "ghp_x" },
    "flux-gitops:receiver": { enabled: true, publicBaseUrl: "https://hooks.example.com" },
  });
  const instance = r.one(T.instance).urn;
  for (const cr of [r.one(T.provider), r.one(T.receiver)])
    assert.ok(cr.dependencies.includes(instance), `${cr.type} waits for the FluxInstance`);
  // With commit statuses on, the operator's Kustomization waits for health too.
  const patches = r.one(T.instance).inputs.spec.kustomize.patches as { target: { kind: string }; patch: string }[];
  assert.equal(JSON.parse(patches.find((p) => p.target.kind === "Kustomization")!.patch).spec.wait, true);
});
