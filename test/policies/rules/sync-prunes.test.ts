// The rule sync-prunes called directly on Subjects (the shape both front ends build): its decisions, the field each
// finding points at, and its level. Its YAML and pack cases are the shared table's (test/support/analyzer-cases.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Subject } from "../../../policies/rules/model.ts";
import { check, obj } from "../../support/rule-subject.ts";

const sync = (spec: Record<string, unknown>, extra: Partial<Subject> = {}) =>
  obj("Kustomization", { spec }, { name: "flux-system", ...extra });

test("sync-prunes: the sync must prune, exactly true", () => {
  assert.deepEqual(check("sync-prunes", sync({ prune: true })), []);
  for (const prune of [false, "true", undefined]) {
    assert.deepEqual(check("sync-prunes", sync({ prune })), [
      {
        message:
          "Kustomization flux-system/flux-system does not prune: set spec.prune: true so objects deleted from Git are deleted from the cluster.",
      },
    ]);
  }
  assert.deepEqual(check("sync-prunes", sync({ prune: false }, { name: "apps" })), []);
});
