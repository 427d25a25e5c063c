// The rule git-ref-pinned called directly on Subjects (the shape both front ends build): its decisions, the field each
// finding points at, and its level. Its YAML and pack cases are the shared table's (test/support/analyzer-cases.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Subject } from "../../../policies/rules/model.ts";
import { checkoutRef, isPinned, isProduction } from "../../../policies/rules/sources.ts";
import { check, facts, obj } from "../../support/rule-subject.ts";

const git = (spec: Record<string, unknown>, extra: Partial<Subject> = {}) => obj("GitRepository", { spec }, extra);

test("checkoutRef: commit, then name, then tag, then semver, then branch, else master; empty counts as unset", () => {
  assert.deepEqual(checkoutRef({ commit: "abc", name: "n", tag: "t", semver: "s", branch: "b" }), { by: "commit", value: "abc" });
  assert.deepEqual(checkoutRef({ commit: "", name: "n", tag: "t", semver: "s", branch: "b" }), { by: "name", value: "n" });
  assert.deepEqual(checkoutRef({ tag: "t", semver: "s", branch: "b" }), { by: "tag", value: "t" });
  assert.deepEqual(checkoutRef({ semver: "s", branch: "b" }), { by: "semver", value: "s" });
  assert.deepEqual(checkoutRef({ branch: "b" }), { by: "branch", value: "b" });
  assert.deepEqual(checkoutRef({}), { by: "branch", value: "master", implicit: true });
  assert.deepEqual(checkoutRef(undefined), { by: "branch", value: "master", implicit: true });
  for (const by of ["commit", "tag", "semver"] as const) assert.ok(isPinned({ by, value: "x" }), by);
  assert.ok(isPinned({ by: "name", value: "refs/tags/v1" }));
  assert.equal(isPinned({ by: "name", value: "refs/heads/main" }), false);
  assert.equal(isPinned({ by: "name", value: "x/refs/tags/v1" }), false);
  assert.equal(isPinned({ by: "branch", value: "refs/tags/v1" }), false);
});

test("isProduction: the stack config, the label, or the rule's list; none can take it away", () => {
  assert.equal(isProduction(git({})), false);
  assert.ok(isProduction(git({}, { stack: facts({ production: true }) })));
  assert.ok(isProduction(obj("GitRepository", { metadata: { labels: { "flux-gitops.io/production": "true" } } })));
  assert.equal(isProduction(obj("GitRepository", { metadata: { labels: { "flux-gitops.io/production": "True" } } })), false);
  assert.ok(isProduction(git({}), ["dev"]));
  assert.equal(isProduction(git({}), ["prod"]), false);
  assert.equal(isProduction(git({}, { environment: undefined }), ["dev"]), false);
  assert.ok(
    isProduction(
      obj("GitRepository", { metadata: { labels: { "flux-gitops.io/production": "false" } } }, { stack: facts({ production: true }) }),
    ),
  );
});

test("git-ref-pinned: no ref anywhere; a moving ref in production unless it is the sync repository", () => {
  const prod = { stack: facts({ production: true }) };
  assert.deepEqual(check("git-ref-pinned", git({})), [
    {
      message: "GitRepository flux-system/app has no spec.ref: set ref.tag, ref.semver or ref.commit (ref.branch outside production).",
      at: ["spec", "ref"],
    },
  ]);
  assert.equal(check("git-ref-pinned", git({}, prod)).length, 1);
  assert.deepEqual(check("git-ref-pinned", git({ ref: { branch: "main" } })), []);
  assert.deepEqual(check("git-ref-pinned", git({ ref: { branch: "main" } }, prod)), [
    {
      message:
        "GitRepository flux-system/app follows a branch in production: pin ref.tag, ref.semver or ref.commit (or ref.name refs/tags/...; promote by changing the pin in Git).",
      at: ["spec", "ref"],
    },
  ]);
  assert.match(
    check("git-ref-pinned", git({ ref: { name: "refs/heads/main", tag: "v1" } }, prod))[0]!.message,
    /follows ref\.name refs\/heads\/main, which Flux checks out ahead of ref\.tag\/semver\/branch in production: /,
  );
  for (const ref of [{ tag: "v1" }, { semver: ">=1" }, { commit: "abc" }, { name: "refs/tags/v1" }]) {
    assert.deepEqual(check("git-ref-pinned", git({ ref }, prod)), [], JSON.stringify(ref));
  }
  assert.deepEqual(check("git-ref-pinned", git({ ref: { branch: "main" } }), { productionEnvironments: ["staging"] }), []);
  assert.equal(check("git-ref-pinned", git({ ref: { branch: "main" } }), { productionEnvironments: ["dev"] }).length, 1);
  // The sync repository (by default flux-system in the Flux namespace) may follow its branch.
  const sync = (extra: Partial<Subject>) => git({ ref: { branch: "main" } }, { name: "flux-system", ...prod, ...extra });
  assert.deepEqual(check("git-ref-pinned", sync({})), []);
  assert.equal(check("git-ref-pinned", sync({ namespace: "web" })).length, 1);
  assert.equal(check("git-ref-pinned", sync({ stack: facts({ production: true, fluxNamespace: "flux" }) })).length, 1);
  assert.deepEqual(check("git-ref-pinned", sync({ name: "app" }), { branchAllowed: ["app"] }), []);
  assert.equal(check("git-ref-pinned", sync({}), { branchAllowed: ["other"] }).length, 1);
  assert.deepEqual(check("git-ref-pinned", obj("OCIRepository", { spec: {} })), [], "Git repositories only");
});
