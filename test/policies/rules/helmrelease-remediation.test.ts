// The rule helmrelease-remediation called directly on Subjects (the shape both front ends build): its decisions, the field each
// finding points at, and its level. Its YAML and pack cases are the shared table's (test/support/analyzer-cases.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Subject } from "../../../policies/rules/model.ts";
import { check, obj } from "../../support/rule-subject.ts";

const release = (spec: Record<string, unknown>, extra: Partial<Subject> = {}) => obj("HelmRelease", { spec }, extra);

test("helmrelease-remediation: retries at least minRetries, -1, or RetryOnFailure", () => {
  const hr = (upgrade: unknown) => release({ upgrade });
  assert.deepEqual(check("helmrelease-remediation", hr({ remediation: { retries: 1 } })), []);
  assert.deepEqual(check("helmrelease-remediation", hr({ remediation: { retries: -1 } })), []);
  assert.deepEqual(check("helmrelease-remediation", hr({ strategy: { name: "RetryOnFailure" } })), []);
  assert.deepEqual(check("helmrelease-remediation", hr({ remediation: { retries: 0 } })), [
    {
      message:
        "HelmRelease flux-system/app does not remediate failed upgrades: set spec.upgrade.remediation.retries (>= 1, or -1 for unlimited) and keep strategy rollback, or use upgrade.strategy.name RetryOnFailure.",
      at: ["spec", "upgrade", "remediation", "retries"],
    },
  ]);
  for (const upgrade of [
    undefined,
    {},
    { remediation: { retries: "3" } },
    { remediation: { retries: -2 } },
    { strategy: { name: "Rollback" } },
  ]) {
    assert.equal(check("helmrelease-remediation", hr(upgrade)).length, 1, JSON.stringify(upgrade));
  }
  assert.deepEqual(check("helmrelease-remediation", hr({ remediation: { retries: 3 } }), { minRetries: 3 }), []);
  assert.match(check("helmrelease-remediation", hr({ remediation: { retries: 2 } }), { minRetries: 3 })[0]!.message, /\(>= 3, or -1/);
  assert.deepEqual(check("helmrelease-remediation", obj("Kustomization", { spec: {} })), []);
  assert.throws(() => check("helmrelease-remediation", hr({}), { minRetries: 0 }), /Too small: expected number to be >=1/);
  assert.throws(() => check("helmrelease-remediation", hr({}), { minRetries: 1.5 }), /expected int/);
});
