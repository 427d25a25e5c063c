import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseStackConfig } from "../../infra/config/index.ts";
import { FLUX_OPERATOR_CHART, FLUX_VERSIONS, defaultFluxFor, helmMajorFor, kubernetesMinimumFor } from "../../infra/flux/versions.ts";
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

test("a stack without flux.version gets the newest pinned Flux whose `flux check --pre` accepts its cluster", () => {
  const parse = (version: string) => parseStackConfig({ kubernetes: { version }, repository: { owner: "acme", name: "fleet" } }, "dev");
  // Newest first: the index's newest Flux is a row, and a cluster new enough gets it.
  const [, newest] = [...index()].sort((a, b) => (a[1].created < b[1].created ? 1 : -1))[0]!;
  assert.ok(newest.flux in FLUX_VERSIONS, `the index's newest Flux ${newest.flux} is pinned`);
  assert.equal(parse("1.35.0").flux.version, newest.flux);
  assert.equal(parse("1.33.0").flux.version, "2.8.5");
  // The team's cluster: Flux 2.8 needs 1.33, so 2.7.5.
  assert.equal(parse("1.32.4").flux.version, "2.7.5");
  assert.equal(defaultFluxFor("1.32.4"), "2.7.5");
  assert.equal(parse("1.31.9").flux.version, "2.6.4");
  assert.equal(defaultFluxFor("1.30.2"), undefined);
  assert.throws(() => parse("1.30.2"), {
    message:
      "stack dev: flux-gitops:kubernetes.version is older than every pinned Flux supports (the oldest needs Kubernetes 1.31.0; flux check --pre)",
  });
});

test("a Flux version the cluster is too old for is refused in one line naming both keys and what fits", () => {
  const parse = (k8s: string, flux: string) =>
    parseStackConfig({ kubernetes: { version: k8s }, repository: { owner: "acme", name: "fleet" }, flux: { version: flux } }, "dev");
  assert.throws(() => parse("1.32.4", "2.8.5"), {
    message:
      "stack dev: flux-gitops:flux.version 2.8.5 needs Kubernetes >= 1.33.0 (flux check --pre, run by the flux2 chart's pre-install hook) " +
      "but kubernetes.version is 1.32.4: use Flux 2.7.5 or upgrade the cluster",
  });
  assert.throws(() => parse("1.30.0", "2.6.4"), {
    message: /flux\.version 2\.6\.4 needs Kubernetes >= 1\.31\.0 .*: no pinned Flux supports it or upgrade the cluster$/,
  });
  assert.equal(parse("1.32.0", "2.7.5").flux.version, "2.7.5");
  assert.equal(parse("1.33.0", "2.8.5").flux.version, "2.8.5");
  assert.equal(parse("1.33.0", "2.6.4").flux.version, "2.6.4", "an older Flux on a newer cluster is the user's choice");
  assert.equal(parse("v1.33.0", "2.8.5").kubernetes.version, "1.33.0", "kubectl's v prefix is accepted and dropped");
  for (const [given, version] of [
    ["v1.32.4+k3s1", "1.32.4"],
    ["v1.32.4-gke.1200", "1.32.4"],
    ["1.33.1-eks-1234abc", "1.33.1"],
  ]) {
    assert.equal(parse(given!, "2.7.5").kubernetes.version, version, "a distribution's suffix is dropped");
  }
  for (const bad of ["1.32", "latest", "1.32.4-", "1.32.4+", " 1.32.4", "1.32.4\n", "1.32.4 gke"]) {
    assert.throws(
      () => parse(bad, "2.7.5"),
      {
        message:
          /^stack dev: flux-gitops:kubernetes\.version must (be a Kubernetes version such as 1\.32\.4|not contain control characters)/,
      },
      bad,
    );
  }
  assert.throws(() => parseStackConfig({ repository: { owner: "acme", name: "fleet" } }, "dev"), {
    message: "stack dev: flux-gitops:kubernetes is required",
  });
});

test("each pinned Flux's Kubernetes minimum and Helm major, as upstream states them", () => {
  // fluxcd/flux2 cmd/flux/check.go kubernetesConstraints at v2.6.4, v2.7.5, v2.8.5; fluxcd/helm-controller go.mod at
  // v1.3.0 (helm/v3 v3.17.3), v1.4.5 (helm/v3 v3.19.2), v1.5.3 (helm/v4 v4.1.3), the controllers those Flux versions ship.
  assert.deepEqual(Object.fromEntries(Object.keys(FLUX_VERSIONS).map((v) => [v, [kubernetesMinimumFor(v), helmMajorFor(v)]])), {
    "2.6.4": ["1.31.0", 3],
    "2.7.5": ["1.32.0", 3],
    "2.8.5": ["1.33.0", 4],
  });
  assert.throws(() => helmMajorFor("2.0.0"), /Flux 2\.0\.0 is not pinned/);
  assert.throws(() => helmMajorFor("toString"), /Flux toString is not pinned/);
});

test("only versions of the table are accepted; 2.7.0 (no chart ships it) is refused", () => {
  // Names every object has through its prototype are no rows either.
  for (const version of ["2.7.0", "2.8.4", "2.8.x", "toString", "constructor", "hasOwnProperty"]) {
    assert.throws(
      () => parseStackConfig({ kubernetes: { version: "1.32.4" }, repository: { owner: "acme", name: "fleet" }, flux: { version } }, "dev"),
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
    const cfg = parseStackConfig(
      { kubernetes: { version: "1.33.0" }, repository: { owner: "acme", name: "fleet" }, flux: { install: "operator", version: flux } },
      "dev",
    );
    assert.equal(cfg.flux.operator.chartVersion, FLUX_OPERATOR_CHART.version);
  }
});
