// EnvironmentDefinition.releases: a release one environment adds goes into its layer, its chart's
// GitRepository into that environment only; a source name two ways at once is one line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseStackConfig } from "../../infra/config/index.ts";
import { helmRelease } from "../../infra/render/objects.ts";
import { CHARTS, type ChartName } from "../../stacks/releases/charts.ts";
import { environment, SHARED_CHARTS, type EnvironmentRelease } from "../../stacks/releases/index.ts";
import dev from "../fixtures/stacks/environments/dev.ts";

const cfg = parseStackConfig({ kubernetes: { version: "1.32.4" }, repository: { owner: "remla25-team3", name: "flux-gitops" } }, "dev");

const extra = (chart: ChartName): EnvironmentRelease => ({
  chart,
  layer: "apps",
  namespaces: ["probes"],
  build: (source, ctx) => [
    helmRelease({ name: "extra", targetNamespace: "probes", chart: { git: source, path: CHARTS[chart].path } }, ctx),
  ],
});

const objects = (env: ReturnType<typeof environment>, layer: string) =>
  (env.layers ?? []).find((l) => l.path === layer)!.objects.map((o) => `${o.kind}/${o.metadata?.name}`);

test("without releases, the sources are exactly the shared charts' repositories", () => {
  const env = environment(cfg, { ...dev, releases: undefined });
  const sources = objects(env, "infrastructure/controllers").filter((o) => o.startsWith("GitRepository/"));
  assert.deepEqual(sources.sort(), [...new Set(SHARED_CHARTS.map((c) => `GitRepository/${CHARTS[c].source}`))].sort());
});

test("a release of one environment: its objects in its layer, its namespace and its chart's source added", () => {
  const fake = {
    ...CHARTS,
    probe: { source: "probe", url: "https://github.com/acme/probe", ref: { tag: "v1" }, path: "chart", version: "1.0.0" },
  };
  Object.assign(CHARTS, { probe: fake.probe });
  try {
    const env = environment(cfg, { ...dev, releases: [extra("probe" as ChartName)] });
    assert.ok(objects(env, "apps").includes("HelmRelease/extra"));
    assert.ok(objects(env, "infrastructure/controllers").includes("GitRepository/probe"));
    assert.ok(objects(env, "infrastructure/controllers").includes("Namespace/probes"));
    const without = environment(cfg, { ...dev, releases: [] });
    assert.ok(!objects(without, "infrastructure/controllers").includes("GitRepository/probe"));
  } finally {
    delete (CHARTS as Record<string, unknown>).probe;
  }
});

test("two tags under one source name are refused in one line naming both", () => {
  Object.assign(CHARTS, { probe: { ...CHARTS.metallb, ref: { tag: "v0.15.0" } } });
  try {
    assert.throws(() => environment(cfg, { ...dev, releases: [extra("probe" as ChartName)] }), {
      name: "ConfigError",
      message:
        'stacks/environments/dev.ts: chart source \'metallb\' is https://github.com/metallb/metallb {"tag":"v0.14.9"} for one chart and https://github.com/metallb/metallb {"tag":"v0.15.0"} for another; give the chart its own source name in CHARTS',
    });
  } finally {
    delete (CHARTS as Record<string, unknown>).probe;
  }
});
