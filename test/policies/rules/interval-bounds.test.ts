// The rule interval-bounds called directly on Subjects (the shape both front ends build): its decisions, the field each
// finding points at, and its level. Its YAML and pack cases are the shared table's (test/support/analyzer-cases.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Subject } from "../../../policies/rules/model.ts";
import { check, obj } from "../../support/rule-subject.ts";

test("interval-bounds: a duration within min..max; anything else is named", () => {
  const at = (interval: unknown, extra: Partial<Subject> = {}) => obj("GitRepository", { spec: { interval } }, extra);
  assert.deepEqual(check("interval-bounds", at("1m")), []);
  assert.deepEqual(check("interval-bounds", at("24h")), []);
  assert.deepEqual(check("interval-bounds", obj("GitRepository", { spec: {} })), []);
  assert.deepEqual(check("interval-bounds", at("59s")), [
    {
      message:
        "GitRepository flux-system/app reconciles every 59s, outside 1m..24h: pick an interval in range (or change interval-bounds.min / max).",
    },
  ]);
  assert.equal(check("interval-bounds", at("24h1s")).length, 1);
  assert.deepEqual(check("interval-bounds", at(5)), [
    { message: "GitRepository flux-system/app has spec.interval 5, which is not a duration: use e.g. 1m, 10m or 1h." },
  ]);
  assert.match(check("interval-bounds", at("often"))[0]!.message, /spec\.interval "often", which is not a duration/);
  assert.match(check("interval-bounds", at(["1m"]))[0]!.message, /spec\.interval \["1m"\], which is not a duration/);
  assert.deepEqual(check("interval-bounds", at("30s"), { min: "30s", max: "1m" }), []);
  assert.equal(check("interval-bounds", at("2m"), { min: "30s", max: "1m" }).length, 1);
  assert.deepEqual(check("interval-bounds", obj("Secret", { spec: { interval: "1s" } })), [], "Flux objects only");
  assert.throws(() => check("interval-bounds", at("1m"), { min: "soon" }), /must be a duration such as 30s, 5m or 1h/);
});
