import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseStackConfig } from "../../infra/config/index.ts";
import { DEFAULT_FLUX_VERSION, FLUX_OPERATOR_CHART, FLUX_VERSIONS, chartVersionFor } from "../../infra/flux/versions.ts";
import { ROOT } from "../support/paths.ts";

// The flux2 chart repository's index as stored (chart_version, flux_version = appVersion, created),
// copied into the project from the shared reference; the project never reads outside itself.
function index(): Map<string, { flux: string; created: string }> {
  const rows = new Map<string, { flux: string; created: string }>();
  const text = readFileSync(join(ROOT, "infra/flux/flux2-chart-index.tsv"), "utf8");
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#") || line.startsWith("chart_version\t")) continue;
    const [chart, flux, created] = line.split("\t");
    assert.ok(chart && flux && created, `malformed index row: ${JSON.stringify(line)}`);
    rows.set(chart, { flux, created });
  }
  return rows;
}

test("every pinned (Flux version → chart) row is a row of the chart index: the chart ships that Flux", () => {
  const rows = index();
  assert.ok(rows.size > 30, "the index copy is complete");
  for (const [flux, { chart }] of Object.entries(FLUX_VERSIONS)) {
    assert.equal(rows.get(chart)?.flux, flux, `flux2 chart ${chart} ships Flux ${rows.get(chart)?.flux ?? "(not in index)"}, not ${flux}`);
    // The newest chart shipping that Flux version is the one pinned.
    const newest = [...rows].filter(([, r]) => r.flux === flux).sort((a, b) => (a[1].created < b[1].created ? 1 : -1))[0]![0];
    assert.equal(chart, newest, `Flux ${flux}: pin chart ${newest}`);
  }
});

test("the default is the newest Flux the index ships, and a stack without flux.version installs it", () => {
  const [newestChart, newest] = [...index()].sort((a, b) => (a[1].created < b[1].created ? 1 : -1))[0]!;
  assert.equal(DEFAULT_FLUX_VERSION, newest.flux);
  assert.equal(chartVersionFor(DEFAULT_FLUX_VERSION), newestChart);
  const cfg = parseStackConfig({ repository: { owner: "acme", name: "fleet" } }, "dev");
  assert.equal(cfg.flux.version, DEFAULT_FLUX_VERSION);
  for (const stack of ["dev", "prod"]) {
    const file = readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
    const pinned = /^\s+version: (\S+)$/m.exec(file)?.[1];
    assert.equal(pinned, DEFAULT_FLUX_VERSION, `Pulumi.${stack}.yaml pins flux.version ${pinned}`);
  }
});

test("only versions of the table are accepted; 2.7.0 (no chart ships it) is refused", () => {
  for (const version of ["2.7.0", "2.8.4", "2.8.x"]) {
    assert.throws(
      () => parseStackConfig({ repository: { owner: "acme", name: "fleet" }, flux: { version } }, "dev"),
      /flux-gitops:flux\.version must be one of the pinned Flux versions/,
    );
  }
});

test("the operator strategy's chart ships every pinned Flux version", () => {
  for (const flux of Object.keys(FLUX_VERSIONS)) {
    assert.ok(
      (FLUX_OPERATOR_CHART.embeds as readonly string[]).includes(flux),
      `flux-operator ${FLUX_OPERATOR_CHART.version} lacks ${flux}`,
    );
    const cfg = parseStackConfig({ repository: { owner: "acme", name: "fleet" }, flux: { install: "operator", version: flux } }, "dev");
    assert.equal(cfg.flux.operator.chartVersion, FLUX_OPERATOR_CHART.version);
  }
});
