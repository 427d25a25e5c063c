import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, parseStackConfig } from "../../infra/config/index.ts";
import { merge } from "../../stacks/releases/index.ts";
import { loadEnvironment } from "../../stacks/releases/environments.ts";
import { REMLA_DEFAULTS } from "../../stacks/releases/remla.ts";

const config = (stack: string, extra: Record<string, unknown> = {}) =>
  parseStackConfig({ repository: { owner: "acme", name: "fleet" }, ...extra }, stack);

test("merge lays typed overrides over the shared defaults without touching them", () => {
  const merged = merge(REMLA_DEFAULTS, { appService: { replicas: 3, configData: { IS_PRODUCTION: "true" } } });
  assert.equal(merged.appService.replicas, 3);
  assert.deepEqual(merged.appService.configData, { IS_PRODUCTION: "true", LOG_LEVEL: "info" });
  assert.deepEqual(merged.appService.image, REMLA_DEFAULTS.appService.image);
  assert.equal(REMLA_DEFAULTS.appService.replicas, 1);
  assert.equal(merge(REMLA_DEFAULTS, undefined), REMLA_DEFAULTS);
});

test("an environment renders to its stack's syncPath, in the configured Flux namespace", async () => {
  const env = await loadEnvironment(
    config("prod", { syncPath: "./clusters/production/", flux: { namespace: "gitops" } }),
    "Pulumi.prod.yaml",
  );
  assert.equal(env.name, "prod");
  assert.equal(env.dir, "clusters/production");
  const flux = env.objects.filter((o) => o.kind !== "Namespace");
  assert.ok(flux.every((o) => o.metadata?.namespace === "gitops"));
  const namespaces = env.objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata?.name);
  assert.deepEqual(namespaces, ["ingress-nginx", "remla"]);
  for (const obj of env.objects) {
    assert.equal(obj.metadata?.annotations?.["flux-gitops.io/path"], "clusters/production");
    assert.equal(obj.metadata?.labels?.["flux-gitops.io/environment"], "prod");
  }
});

test("a stack without a release definition is one clear error naming the file to add", async () => {
  await assert.rejects(loadEnvironment(config("staging"), "Pulumi.staging.yaml"), {
    name: "ConfigError",
    message: 'Pulumi.staging.yaml: stack "staging" has no release definition; add stacks/environments/staging.ts (defined: dev, prod)',
  });
  await assert.rejects(loadEnvironment(config("constructor"), "Pulumi.constructor.yaml"), ConfigError);
});

test("under --default-service-account every release applies as helm-controller", async () => {
  const prod = config("prod");
  const locked = config("prod", { flux: { multitenancy: { defaultServiceAccount: "default" } } });
  const releases = (await loadEnvironment(locked, "Pulumi.prod.yaml")).objects.filter((o) => o.kind === "HelmRelease");
  assert.ok(releases.length > 0);
  for (const r of releases) assert.equal((r.spec as { serviceAccountName?: string }).serviceAccountName, "helm-controller");
  for (const r of (await loadEnvironment(prod, "Pulumi.prod.yaml")).objects.filter((o) => o.kind === "HelmRelease")) {
    assert.equal((r.spec as { serviceAccountName?: string }).serviceAccountName, undefined);
  }
});
