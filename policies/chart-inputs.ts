// What a HelmRelease's chart is rendered from besides the chart: the HelmChart a `chartRef` names, read as the
// same chart under spec.chart.spec, and the values its valuesFrom names (a ConfigMap or Secret in Git, or one
// Pulumi creates), as helm-controller reads them.
import yaml from "js-yaml";
import type { Manifest, ValuesReference } from "../infra/helm/release.ts";
import { field, text } from "./rules/model.ts";
import type { CheckResult } from "./result.ts";
import type { CheckedObject, EnvironmentContext } from "./runner.ts";
import type { StackView } from "./stacks.ts";

/** What rendering a graph's charts needs, and where it reports. */
export interface ChartContext {
  /** Flux's artifact of this repository (graph mode's copy). */
  artifact: string;
  view: StackView;
  env: EnvironmentContext;
  production: boolean;
  result: CheckResult;
  /** Which Flux object applies each checked object (graph mode's map): rendered objects are the release's. */
  appliers: WeakMap<CheckedObject, string>;
  /** The chart cache folder (default: the repository's charts/). */
  cacheDir?: string;
}

const SOURCE_GROUP = "source.toolkit.fluxcd.io/";

/**
 * The release with a `chartRef` to a HelmChart built from a GitRepository written as spec.chart.spec naming that
 * chart; the release itself when it has no such chartRef; undefined when the HelmChart is not in Git or not a
 * Git chart (nothing to render here).
 */
export function viaChartRef(
  hr: Record<string, unknown>,
  all: Record<string, unknown>[],
  namespace: string,
): Record<string, unknown> | undefined {
  const chartRef = field(hr, "spec", "chartRef");
  if (chartRef === undefined || text(field(chartRef, "kind")) !== "HelmChart") return hr;
  const chartNamespace = text(field(chartRef, "namespace")) ?? namespace;
  const helmChart = all.find(
    (d) =>
      d.kind === "HelmChart" &&
      String(d.apiVersion).startsWith(SOURCE_GROUP) &&
      field(d, "metadata", "name") === text(field(chartRef, "name")) &&
      (text(field(d, "metadata", "namespace")) ?? "default") === chartNamespace,
  );
  if (helmChart === undefined || text(field(helmChart, "spec", "sourceRef", "kind")) !== "GitRepository") return undefined;
  const { chartRef: _, ...spec } = (field(hr, "spec") ?? {}) as Record<string, unknown>;
  const chartSpec = { ...(field(helmChart, "spec") as Record<string, unknown>) };
  chartSpec.sourceRef = { ...(chartSpec.sourceRef as Record<string, unknown>), namespace: chartNamespace };
  return { ...hr, spec: { ...spec, chart: { spec: chartSpec } } };
}

/** The value one valuesFrom reference gives: from Git first, else from what Pulumi creates; undefined when neither holds it. */
export function valuesFrom(all: Record<string, unknown>[], created: Manifest[], namespace: string) {
  return (r: ValuesReference): unknown => {
    const inGit = all.find(
      (d) =>
        d.apiVersion === "v1" &&
        d.kind === r.kind &&
        field(d, "metadata", "name") === r.name &&
        (text(field(d, "metadata", "namespace")) ?? namespace) === namespace,
    );
    const made = created.find((o) => o.kind === r.kind && o.metadata?.name === r.name && o.metadata.namespace === namespace);
    const obj = (inGit ?? made) as Manifest | undefined;
    if (obj === undefined) return undefined;
    const key = r.valuesKey ?? "values.yaml";
    const raw =
      field(obj, "stringData", key) ??
      (typeof field(obj, "data", key) === "string"
        ? r.kind === "Secret"
          ? Buffer.from(String(field(obj, "data", key)), "base64").toString("utf8")
          : field(obj, "data", key)
        : undefined);
    if (typeof raw !== "string") return undefined;
    if (r.targetPath) return raw;
    try {
      return yaml.load(raw);
    } catch {
      return undefined;
    }
  };
}
