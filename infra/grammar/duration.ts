// Flux durations: the pattern every Flux CRD puts on its duration fields (interval, timeout, retryInterval),
// `+kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"` (read in fluxcd/source-controller
// api/v1/gitrepository_types.go `Interval`, commit 065d6ef, and kustomize-controller / helm-controller's API
// types). Go's time.ParseDuration also takes ns, us and µs, and a sign; the API server refuses them, so this
// grammar is the CRD's, not Go's. (GitRepository's own `spec.timeout` is narrower still, `ms|s|m`: the
// project never sets it.)

/** A duration the Flux CRDs accept: `30s`, `1m30s`, `1.5h`, `100ms`. */
export const FLUX_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Flux duration such as `1m30s`, `10m`, `1h`; undefined when it is not one. */
export function parseFluxDuration(value: string): number | undefined {
  if (!FLUX_DURATION.test(value)) return undefined;
  let total = 0;
  for (const [, n, unit] of value.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g)) total += Number(n) * UNIT_MS[unit!]!;
  return total;
}
