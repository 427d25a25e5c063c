// Every chart an environment installs must accept the stack's kubernetes.version (Chart.yaml
// kubeVersion, held in charts/lock.json): `npm run render` refuses it in one line otherwise.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseStackConfig } from "../../infra/config/index.ts";
import { readLock } from "../../infra/helm/cache.ts";
import { checkChartKubeVersions, loadEnvironment } from "../../stacks/releases/environments.ts";
import { TEST_DEFINITIONS_DIR } from "../support/stacks.ts";

const config = (version: string) =>
  parseStackConfig({ kubernetes: { version }, repository: { owner: "remla25-team3", name: "flux-gitops" } }, "dev", "Pulumi.dev.yaml");

test("a chart whose kubeVersion the cluster does not meet is refused in one line naming the key, the chart and its constraint", async () => {
  const cfg = config("1.32.4");
  const env = await loadEnvironment(cfg, "Pulumi.dev.yaml", TEST_DEFINITIONS_DIR);
  assert.doesNotThrow(() => checkChartKubeVersions(env, cfg, "Pulumi.dev.yaml"));
  const lock = readLock();
  const stricter = {
    ...lock,
    charts: lock.charts.map((e) => (e.archive.startsWith("kube-prometheus-stack") ? { ...e, kubeVersion: ">=1.33.0-0" } : e)),
  };
  assert.throws(() => checkChartKubeVersions(env, cfg, "Pulumi.dev.yaml", stricter), {
    message:
      "Pulumi.dev.yaml: flux-gitops:kubernetes.version 1.32.4 is not one chart https://github.com/prometheus-community/helm-charts@kube-prometheus-stack-88.5.3:charts/kube-prometheus-stack (HelmRelease prom-monitoring) installs on: its kubeVersion is '>=1.33.0-0'",
  });
  // On a cluster that meets it, the same lock passes.
  const newer = config("1.33.2");
  assert.doesNotThrow(() => checkChartKubeVersions(env, newer, "Pulumi.dev.yaml", stricter));
});
