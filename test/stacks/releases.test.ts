import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, parseStackConfig } from "../../infra/config/index.ts";
import { merge } from "../../stacks/releases/index.ts";
import { loadEnvironment } from "../../stacks/releases/environments.ts";
import { REMLA_DEFAULTS } from "../../stacks/releases/remla.ts";
import type { Environment } from "../../infra/render/write.ts";
import { INGRESS_NGINX_DEFAULTS } from "../../stacks/releases/ingress-nginx.ts";
import { ISTIO_DEFAULTS } from "../../stacks/releases/istio.ts";
import { TEST_DEFINITIONS_DIR } from "../support/stacks.ts";

const config = (stack: string, extra: Record<string, unknown> = {}) =>
  parseStackConfig({ kubernetes: { version: "1.32.4" }, repository: { owner: "acme", name: "fleet" }, ...extra }, stack);

test("merge lays typed overrides over the shared defaults without touching them", () => {
  const merged = merge(REMLA_DEFAULTS, { appService: { replicas: 3, configData: { IS_PRODUCTION: "true" } } });
  assert.equal(merged.appService.replicas, 3);
  assert.deepEqual(merged.appService.configData, { IS_PRODUCTION: "true", LOG_LEVEL: "info" });
  assert.deepEqual(merged.appService.image, REMLA_DEFAULTS.appService.image);
  assert.equal(REMLA_DEFAULTS.appService.replicas, 1);
  assert.equal(merge(REMLA_DEFAULTS, undefined), REMLA_DEFAULTS);
});

const everything = (env: Environment) => [...env.objects, ...(env.layers ?? []).flatMap((l) => l.objects)];

test("an environment renders to its stack's syncPath, in the configured Flux namespace, in layers", async () => {
  const env = await loadEnvironment(
    config("prod", { syncPath: "./cluster/production/", flux: { namespace: "gitops" } }),
    "Pulumi.prod.yaml",
    TEST_DEFINITIONS_DIR,
  );
  assert.equal(env.name, "prod");
  assert.equal(env.dir, "cluster/production");
  // The folder itself holds the layers' Flux Kustomizations, each syncing its subfolder from the flux-system repository.
  assert.deepEqual(
    env.objects.map((o) => [o.kind, o.metadata?.name, (o.spec as { path: string }).path]),
    [
      ["Kustomization", "infra-controllers", "./cluster/production/infrastructure/controllers"],
      ["Kustomization", "infra-configs", "./cluster/production/infrastructure/configs"],
      ["Kustomization", "infra-ingress", "./cluster/production/infrastructure/ingress"],
      ["Kustomization", "apps", "./cluster/production/apps"],
    ],
  );
  assert.deepEqual(
    env.layers?.map((l) => l.path),
    ["infrastructure/controllers", "infrastructure/configs", "infrastructure/ingress", "apps"],
  );
  for (const k of env.objects)
    assert.deepEqual((k.spec as any).sourceRef, { kind: "GitRepository", name: "flux-system", namespace: "gitops" });
  const flux = everything(env).filter((o) => /toolkit\.fluxcd\.io/.test((o.toJSON() as { apiVersion: string }).apiVersion));
  assert.ok(flux.length > 10);
  assert.ok(flux.every((o) => o.metadata?.namespace === "gitops"));
  const namespaces = everything(env)
    .filter((o) => o.kind === "Namespace")
    .map((o) => o.metadata?.name);
  assert.deepEqual(namespaces, ["metallb-system", "ingress-nginx", "kubernetes-dashboard", "istio-system", "monitoring", "remla"]);
  for (const obj of everything(env)) {
    assert.equal(obj.metadata?.annotations?.["flux-gitops.io/path"], "cluster/production");
    assert.equal(obj.metadata?.labels?.["flux-gitops.io/environment"], "prod");
  }
});

test("environments do not share (or mutate) the release defaults", async () => {
  const before = structuredClone({ REMLA_DEFAULTS, INGRESS_NGINX_DEFAULTS, ISTIO_DEFAULTS });
  const [dev, prod] = await Promise.all([
    loadEnvironment(config("dev"), "d", TEST_DEFINITIONS_DIR),
    loadEnvironment(config("prod"), "p", TEST_DEFINITIONS_DIR),
  ]);
  const values = (env: Environment, name: string) =>
    (everything(env).find((o) => o.kind === "HelmRelease" && o.metadata?.name === name)!.spec as any).values;
  assert.equal(values(dev, "ingress-nginx").controller.service.loadBalancerIP, "192.168.56.91");
  assert.equal(values(prod, "ingress-nginx").controller.service.loadBalancerIP, "10.20.30.201");
  assert.equal(values(dev, "istio-ingress").service.loadBalancerIP, "192.168.56.90");
  assert.equal(values(prod, "istio-ingress").service.loadBalancerIP, "10.20.30.200");
  assert.deepEqual({ REMLA_DEFAULTS, INGRESS_NGINX_DEFAULTS, ISTIO_DEFAULTS }, before);
});

test("a stack without a release definition is one clear error naming the file to add", async () => {
  await assert.rejects(loadEnvironment(config("staging"), "Pulumi.staging.yaml", TEST_DEFINITIONS_DIR), {
    name: "ConfigError",
    message: 'Pulumi.staging.yaml: stack "staging" has no release definition; add stacks/environments/staging.ts (defined: dev, prod)',
  });
  await assert.rejects(loadEnvironment(config("constructor"), "Pulumi.constructor.yaml", TEST_DEFINITIONS_DIR), ConfigError);
});

test("under --default-service-account every release applies as helm-controller", async () => {
  const prod = config("prod");
  const locked = config("prod", { flux: { multitenancy: { defaultServiceAccount: "default" } } });
  const lockedEnv = everything(await loadEnvironment(locked, "Pulumi.prod.yaml", TEST_DEFINITIONS_DIR));
  const releases = lockedEnv.filter((o) => o.kind === "HelmRelease");
  assert.ok(releases.length > 0);
  for (const r of releases) assert.equal((r.spec as { serviceAccountName?: string }).serviceAccountName, "helm-controller");
  // The layer Kustomizations apply as kustomize-controller.
  for (const k of lockedEnv.filter((o) => o.kind === "Kustomization")) {
    assert.equal((k.spec as { serviceAccountName?: string }).serviceAccountName, "kustomize-controller");
  }
  for (const r of everything(await loadEnvironment(prod, "Pulumi.prod.yaml", TEST_DEFINITIONS_DIR)).filter(
    (o) => o.kind === "HelmRelease" || o.kind === "Kustomization",
  )) {
    assert.equal((r.spec as { serviceAccountName?: string }).serviceAccountName, undefined);
  }
});
