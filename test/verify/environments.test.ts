// The committed environments as the cluster would get them: cluster/dev and cluster/prod built with
// `kubectl kustomize`, every HelmRelease rendered by real Helm from the chart cache — with the Helm major
// of the stack's Flux version, and with Helm 4 (Flux 2.8) — at the stack's Kubernetes version, and
// every install check over the whole result (infra/verify/checks). Also holds the hand-kept CRD table
// of stacks/releases/crds.ts against what the charts really render.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readStackConfigFile, stackConfigFile, type StackConfig } from "../../infra/config/index.ts";
import { helmMajorFor } from "../../infra/flux/versions.ts";
import type { HelmMajor } from "../../infra/helm/binary.ts";
import { runChecks } from "../../infra/verify/checks/index.ts";
import { environmentView, type EnvironmentView } from "../../infra/verify/environment.ts";
import { CHARTS, type ChartName } from "../../stacks/releases/charts.ts";
import { CHART_CRDS } from "../../stacks/releases/crds.ts";
import { ROOT } from "../support/paths.ts";

/** The team's two environments: what this project ships (a user's further stacks are checked by `npm run verify`). */
const ENVIRONMENTS = ["dev", "prod"];

const config = (env: string): StackConfig => readStackConfigFile(stackConfigFile(ROOT, env), env);
const views = new Map<string, Promise<EnvironmentView>>();
function view(env: string, helm?: HelmMajor): Promise<EnvironmentView> {
  const cfg = config(env);
  const major = helm ?? helmMajorFor(cfg.flux.version);
  const key = `${env}/${major}`;
  if (!views.has(key)) views.set(key, environmentView(cfg, { root: ROOT, helm: major, kubeVersion: cfg.kubernetes.version }));
  return views.get(key)!;
}

for (const env of ENVIRONMENTS) {
  test(`${env}: every HelmRelease renders with the Helm of its helm-controller and with Helm 4, and every install check passes`, async () => {
    const cfg = config(env);
    for (const helm of new Set<HelmMajor>([helmMajorFor(cfg.flux.version), 4])) {
      const v = await view(env, helm);
      const releases = v.objects
        .filter((o) => o.manifest.kind === "HelmRelease")
        .map((o) => `${o.manifest.metadata?.namespace}/${o.manifest.metadata?.name}`);
      assert.ok(releases.length >= 8, `${env}: ${releases.length} HelmReleases`);
      assert.deepEqual(v.releases.map((r) => r.id).sort(), releases.sort(), `Helm ${helm}: every HelmRelease in Git is rendered`);
      for (const r of v.releases) assert.ok(r.objects.length > 0, `${r.id} renders objects`);
      assert.deepEqual(
        runChecks(v).map((f) => `${f.check}: ${f.object}: ${f.message}`),
        [],
        `${env} with Helm ${helm}`,
      );
    }
  });
}

/** The chart of each rendered release, by the pin it was rendered from. */
function chartOf(pin: { url: string; path: string }): ChartName {
  const name = (Object.keys(CHARTS) as ChartName[]).find(
    (n) => CHARTS[n].url === pin.url && CHARTS[n].path === pin.path.replace(/^\.\//, ""),
  );
  assert.ok(name, `${pin.url}:${pin.path} is a chart of stacks/releases/charts.ts`);
  return name;
}

const groupOf = (apiVersion: string | undefined) => (apiVersion?.includes("/") ? apiVersion.split("/")[0]! : "");

test("stacks/releases/crds.ts says which CRD groups each chart provides and needs, as the charts render them", async () => {
  const provides = new Map<ChartName, Set<string>>();
  const needs = new Map<ChartName, Set<string>>();
  for (const env of ENVIRONMENTS) {
    const v = await view(env);
    const crdGroups = new Set(
      v.objects
        .filter((o) => o.manifest.kind === "CustomResourceDefinition")
        .map((o) => String((o.manifest.spec as { group: string }).group)),
    );
    for (const r of v.releases) {
      const chart = chartOf(r.chart);
      for (const o of r.objects) {
        if (o.kind === "CustomResourceDefinition")
          provides.set(chart, (provides.get(chart) ?? new Set()).add(String((o.spec as { group: string }).group)));
        else if (crdGroups.has(groupOf(o.apiVersion))) needs.set(chart, (needs.get(chart) ?? new Set()).add(groupOf(o.apiVersion)));
      }
    }
  }
  for (const chart of Object.keys(CHART_CRDS) as ChartName[]) {
    assert.deepEqual([...(provides.get(chart) ?? [])].sort(), [...CHART_CRDS[chart].provides].sort(), `${chart} provides`);
    // `needs` lists every group a chart may render with the values some environment sets.
    for (const g of needs.get(chart) ?? [])
      assert.ok(CHART_CRDS[chart].needs.includes(g), `${chart} renders ${g} objects; crds.ts must say it needs them`);
  }
});
