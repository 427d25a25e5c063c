// The rule content-verified called directly on Subjects (the shape both front ends build): its decisions, the field each
// finding points at, and its level. Its YAML and pack cases are the shared table's (test/support/analyzer-cases.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { check, obj } from "../../support/rule-subject.ts";

test("content-verified: every problem the checker could not verify, on its field", () => {
  assert.deepEqual(
    check("content-verified", obj("Kustomization", {}, { problems: [{ message: "m1", at: ["spec"] }, { message: "m2" }] })),
    [{ message: "Kustomization flux-system/app: m1", at: ["spec"] }, { message: "Kustomization flux-system/app: m2" }],
  );
  assert.deepEqual(check("content-verified", obj("Kustomization", {})), []);
});
