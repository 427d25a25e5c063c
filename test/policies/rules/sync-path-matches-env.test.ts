// The rule sync-path-matches-env called directly on Subjects (the shape both front ends build): its decisions, the field each
// finding points at, and its level. Its YAML and pack cases are the shared table's (test/support/analyzer-cases.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Subject } from "../../../policies/rules/model.ts";
import { check, facts, obj } from "../../support/rule-subject.ts";

const sync = (spec: Record<string, unknown>, extra: Partial<Subject> = {}) =>
  obj("Kustomization", { spec }, { name: "flux-system", ...extra });

test("sync-path-matches-env: the stack's sync folder, the template's, or cluster/<env>", () => {
  assert.deepEqual(check("sync-path-matches-env", sync({ path: "./cluster/dev" })), []);
  assert.deepEqual(check("sync-path-matches-env", sync({ path: "cluster/dev/" })), [], "the same folder written otherwise");
  assert.deepEqual(check("sync-path-matches-env", sync({ path: "./cluster/prod" })), [
    {
      message:
        'Kustomization flux-system/flux-system syncs ./cluster/prod but environment "dev" must sync ./cluster/dev: fix the sync path in the stack config (or sync-path-matches-env.pathTemplate).',
    },
  ]);
  assert.match(check("sync-path-matches-env", sync({}))[0]!.message, /syncs the repository root but/);
  const moved = { stack: facts({ sync: { folder: "deploy/dev", flux: "./deploy/dev" } }) };
  assert.deepEqual(check("sync-path-matches-env", sync({ path: "./deploy/dev" }, moved)), []);
  assert.match(check("sync-path-matches-env", sync({ path: "./cluster/dev" }, moved))[0]!.message, /must sync \.\/deploy\/dev:/);
  assert.deepEqual(check("sync-path-matches-env", sync({ path: "./envs/dev" }), { pathTemplate: "envs/{env}" }), []);
  assert.deepEqual(
    check("sync-path-matches-env", sync({ path: "./envs/dev" }, moved), { pathTemplate: "envs/{env}" }),
    [],
    "the template wins",
  );
  assert.match(
    check("sync-path-matches-env", sync({ path: "./cluster/dev" }), { pathTemplate: "{env}/{env}" })[0]!.message,
    /must sync \.\/dev\/dev:/,
  );
  assert.deepEqual(
    check("sync-path-matches-env", sync({ path: "./x" }, { environment: undefined })),
    [],
    "no environment, nothing to compare",
  );
  assert.deepEqual(check("sync-path-matches-env", sync({ path: "./x" }, { name: "apps" })), [], "only the sync");
  assert.throws(() => check("sync-path-matches-env", sync({}), { pathTemplate: "envs/dev" }), /\{env\}/);
});
