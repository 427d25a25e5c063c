// Pinned Flux versions and the charts that install them. Upgrading Flux = add a row, bump
// `flux.version` in the stack config, `pulumi up` (docs/operations.md, "Upgrading Flux").
import semver from "semver";

/** A pinned Flux version: the flux2 chart that installs it, the cluster it needs, the Helm its helm-controller links. */
export interface FluxVersion {
  /** Version of the fluxcd-community `flux2` Helm chart whose appVersion it is. */
  readonly chart: string;
  /**
   * The Kubernetes versions `flux check --pre` accepts (fluxcd/flux2 cmd/flux/check.go
   * `kubernetesConstraints` at the release tag). The flux2 chart runs exactly that check in a pre-install
   * hook Job (fluxcd-community/helm-charts charts/flux2/templates/pre-install-job.yaml: `flux check --pre`
   * with the chart's own flux-cli), so `pulumi up` fails on an older cluster.
   */
  readonly kubernetes: string;
  /** Major of the Helm library the release's helm-controller links (fluxcd/helm-controller go.mod `helm.sh/helm/v<n>`). */
  readonly helm: 3 | 4;
}

/**
 * Flux version → its row. Every chart is a (chart_version, flux_version) row of the chart repository's
 * index, copied beside this file as flux2-chart-index.tsv (test/config/versions.test.ts checks each row
 * against it); where several charts ship the same Flux version, the newest chart is pinned.
 */
export const FLUX_VERSIONS: Readonly<Record<string, FluxVersion>> = {
  // flux2 v2.6.4: ">=1.31.0-0"; helm-controller v1.3.0 (manifests/bases/helm-controller): helm.sh/helm/v3 v3.17.3.
  "2.6.4": { chart: "2.16.4", kubernetes: ">=1.31.0-0", helm: 3 },
  // flux2 v2.7.5: ">=1.32.0-0"; helm-controller v1.4.5: helm.sh/helm/v3 v3.19.2.
  "2.7.5": { chart: "2.17.2", kubernetes: ">=1.32.0-0", helm: 3 },
  // flux2 v2.8.5: ">=1.33.0-0"; helm-controller v1.5.3: helm.sh/helm/v4 v4.1.3 (replaced by github.com/fluxcd/helm/v4 v4.1.4-flux.1).
  "2.8.5": { chart: "2.18.3", kubernetes: ">=1.33.0-0", helm: 4 },
};

/** The newest pinned Flux whose `flux check --pre` accepts Kubernetes `kubernetesVersion`: a stack's default. */
export function defaultFluxFor(kubernetesVersion: string): string | undefined {
  return Object.keys(FLUX_VERSIONS)
    .filter((v) => semver.satisfies(kubernetesVersion, FLUX_VERSIONS[v]!.kubernetes))
    .sort(semver.rcompare)[0];
}

/** The lowest Kubernetes version Flux `fluxVersion` installs on (e.g. "1.32.0"). */
export function kubernetesMinimumFor(fluxVersion: string): string {
  return semver.minVersion(fluxRow(fluxVersion).kubernetes)!.version.replace(/-0$/, "");
}

/** The Helm major `fluxVersion`'s helm-controller renders charts with. */
export function helmMajorFor(fluxVersion: string): 3 | 4 {
  return fluxRow(fluxVersion).helm;
}

function fluxRow(fluxVersion: string): FluxVersion {
  // Own rows only: `toString` or `constructor` is no Flux version.
  if (!Object.hasOwn(FLUX_VERSIONS, fluxVersion)) throw new Error(`Flux ${fluxVersion} is not pinned`);
  return FLUX_VERSIONS[fluxVersion]!;
}

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
  return fluxRow(fluxVersion).chart;
}
