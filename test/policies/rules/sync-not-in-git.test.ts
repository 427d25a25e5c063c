// The rule sync-not-in-git called directly on Subjects (the shape both front ends build): its decisions, the field each
// finding points at, and its level. Its YAML and pack cases are the shared table's (test/support/analyzer-cases.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Subject } from "../../../policies/rules/model.ts";
import { check, facts, obj } from "../../support/rule-subject.ts";

const sync = (spec: Record<string, unknown>, extra: Partial<Subject> = {}) =>
  obj("Kustomization", { spec }, { name: "flux-system", ...extra });

test("sync-not-in-git: the objects Pulumi owns in the Flux namespace, by kind, group and name", () => {
  const owned: [string, string, string][] = [
    ["GitRepository", "source.toolkit.fluxcd.io/v1", "flux-system"],
    ["GitRepository", "source.toolkit.fluxcd.io/v1", "flux-system-automation"],
    ["Kustomization", "kustomize.toolkit.fluxcd.io/v1", "flux-system"],
    ["Secret", "core/v1", "flux-system"],
    ["Secret", "core/v1", "flux-system-automation"],
  ];
  for (const [kind, api, name] of owned) {
    const s = { type: `kubernetes:${api}:${kind}`, name, namespace: "flux-system", props: {}, origin: "git", ancestors: [] } as Subject;
    assert.deepEqual(check("sync-not-in-git", s), [
      {
        message: `${kind} flux-system/${name} is created by Pulumi (flux-gitops); defined in Git it would redefine what Flux syncs (its source, branch or path) once Flux applies it: remove it from Git and change the stack config instead.`,
      },
    ]);
    assert.equal(check("sync-not-in-git", { ...s, namespace: undefined }).length, 1, "no namespace may land in the Flux namespace");
    assert.deepEqual(check("sync-not-in-git", { ...s, namespace: "web" }), []);
    assert.deepEqual(check("sync-not-in-git", { ...s, name: "apps" }), []);
  }
  assert.deepEqual(
    check("sync-not-in-git", { ...sync({}), type: "kubernetes:kustomize.config.k8s.io/v1beta1:Kustomization" }),
    [],
    "another group",
  );
  assert.deepEqual(check("sync-not-in-git", obj("Kustomization", {}, { name: "flux-system-automation" })), []);
  assert.deepEqual(check("sync-not-in-git", obj("HelmRelease", {}, { name: "flux-system" })), []);
  assert.deepEqual(check("sync-not-in-git", { ...sync({}), type: "nope" }), []);
  assert.equal(check("sync-not-in-git", sync({}, { namespace: "flux", stack: facts({ fluxNamespace: "flux" }) })).length, 1);
  assert.deepEqual(check("sync-not-in-git", sync({}, { stack: facts({ fluxNamespace: "flux" }) })), []);
});
