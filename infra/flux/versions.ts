// Pinned Flux versions and the charts that install them. Upgrading Flux = add a row, bump
// `flux.version` in the stack config, `pulumi up` (see README "Upgrading Flux").

/**
 * Flux version → version of the fluxcd-community `flux2` Helm chart whose appVersion it is.
 * Verify a new row with `helm show chart fluxcd-community/flux2 --version <chart>` before adding it.
 */
export const FLUX_VERSIONS: Readonly<Record<string, { readonly chart: string }>> = {
  "2.6.4": { chart: "2.16.4" },
  "2.7.0": { chart: "2.17.0" },
};

/** The community chart used by the default (`helm`) install strategy. */
export const FLUX2_CHART = {
  name: "flux2",
  repo: "https://fluxcd-community.github.io/helm-charts",
} as const;

/**
 * The Flux Operator chart used by the `operator` install strategy. The operator installs Flux from
 * the manifests built into its image, so its version bounds which Flux versions it can install
 * (FluxInstance `distribution.version` is the exact `flux.version`); 0.33.0 (Oct 2025) came after
 * Flux 2.7.2. Check a new one with `helm show chart oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator --version <v>`.
 */
export const FLUX_OPERATOR_CHART = {
  url: "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator",
  version: "0.33.0",
} as const;

export function chartVersionFor(fluxVersion: string): string {
  const row = FLUX_VERSIONS[fluxVersion];
  if (!row) throw new Error(`no flux2 chart is pinned for Flux ${fluxVersion}`);
  return row.chart;
}
