// Pinned Flux versions and the charts that install them. Upgrading Flux = add a row, bump
// `flux.version` in the stack config, `pulumi up` (docs/operations.md, "Upgrading Flux").

/**
 * Flux version → version of the fluxcd-community `flux2` Helm chart whose appVersion it is. Every row
 * is a (chart_version, flux_version) row of the chart repository's index, copied beside this file as
 * flux2-chart-index.tsv (test/config/versions.test.ts checks each row against it). Where several
 * charts ship the same Flux version, the newest chart is pinned.
 */
export const FLUX_VERSIONS: Readonly<Record<string, { readonly chart: string }>> = {
  "2.6.4": { chart: "2.16.4" },
  "2.7.5": { chart: "2.17.2" },
  "2.8.5": { chart: "2.18.3" },
};

/** The newest Flux the pinned index ships (chart 2.18.3): what a stack installs unless it says otherwise. */
export const DEFAULT_FLUX_VERSION = "2.8.5";

/** The community chart used by the default (`helm`) install strategy. */
export const FLUX2_CHART = {
  name: "flux2",
  repo: "https://fluxcd-community.github.io/helm-charts",
} as const;

/**
 * The Flux Operator chart used by the `operator` install strategy. The operator installs Flux from
 * the manifests built into its image (config/data/flux/v<version>), and the FluxInstance asks for the
 * exact `flux.version`, so every row of FLUX_VERSIONS must be one it embeds. `embeds` lists the
 * versions flux-operator v0.49.0 ships (controlplaneio-fluxcd/flux-operator@v0.49.0:config/data/flux/;
 * v2.8.4 is absent there). Check a new one with `helm show chart oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator --version <v>`.
 */
export const FLUX_OPERATOR_CHART = {
  url: "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator",
  version: "0.49.0",
  embeds: [
    "2.6.0",
    "2.6.1",
    "2.6.2",
    "2.6.3",
    "2.6.4",
    "2.7.0",
    "2.7.1",
    "2.7.2",
    "2.7.3",
    "2.7.4",
    "2.7.5",
    "2.8.0",
    "2.8.1",
    "2.8.2",
    "2.8.3",
    "2.8.5",
    "2.8.6",
    "2.8.7",
  ],
} as const;

export function chartVersionFor(fluxVersion: string): string {
  const row = FLUX_VERSIONS[fluxVersion];
  if (!row) throw new Error(`no flux2 chart is pinned for Flux ${fluxVersion}`);
  return row.chart;
}
