// Flux durations (infra/grammar/duration.ts): the Flux CRDs' pattern, and milliseconds for the reconcile rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FLUX_DURATION, parseFluxDuration } from "../../infra/grammar/duration.ts";

test("parseFluxDuration: Flux durations to milliseconds", () => {
  assert.equal(parseFluxDuration("1m30s"), 90_000);
  assert.equal(parseFluxDuration("1h"), 3_600_000);
  assert.equal(parseFluxDuration("250ms"), 250);
  assert.equal(parseFluxDuration("1.5s"), 1500);
  assert.equal(parseFluxDuration("1.25s"), 1250);
  assert.equal(parseFluxDuration("2h3m4s5ms"), 7_384_005);
  for (const bad of ["", "1", "m", "1d", "1m ", " 1m", "-1m", "1.m", "1m1"]) assert.equal(parseFluxDuration(bad), undefined, bad);
});

test("what Go's ParseDuration takes and the Flux CRDs refuse is not a Flux duration (ns, us, µs, a sign)", () => {
  for (const goOnly of ["60000000us", "60000000µs", "60000000μs", "60000000000ns", "+1m", "-1m", ".5s"]) {
    assert.equal(FLUX_DURATION.test(goOnly), false, goOnly);
    assert.equal(parseFluxDuration(goOnly), undefined, goOnly);
  }
});

test("the pattern is the one the Flux CRDs carry, character for character", () => {
  // fluxcd/source-controller api/v1/gitrepository_types.go (Interval), as kubebuilder writes it into the CRD.
  assert.equal(FLUX_DURATION.source, "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$");
});
