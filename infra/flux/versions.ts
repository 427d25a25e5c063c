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

export function chartVersionFor(fluxVersion: string): string {
  const row = FLUX_VERSIONS[fluxVersion];
  if (!row) throw new Error(`no flux2 chart is pinned for Flux ${fluxVersion}`);
  return row.chart;
}
