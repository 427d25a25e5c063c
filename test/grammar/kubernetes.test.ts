// Kubernetes names (infra/grammar/kubernetes.ts), as k8s.io/apimachinery's validation.go checks them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isDnsLabel, isDnsSubdomain, isLabelPath } from "../../infra/grammar/kubernetes.ts";

test("a DNS label: lowercase alphanumerics and '-', alphanumeric at both ends, at most 63 characters", () => {
  for (const good of ["a", "dev", "team-3", "0", "a".repeat(63)]) assert.equal(isDnsLabel(good), true, good);
  for (const bad of ["", "-a", "a-", "A", "a.b", "a_b", "a".repeat(64), "dév", "a\n", "a/b"]) assert.equal(isDnsLabel(bad), false, bad);
});

test("a DNS subdomain: dot-separated labels, at most 253 characters", () => {
  for (const good of ["a", "a.b", "flux-system", "x.y-z.0", `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`]) {
    assert.equal(isDnsSubdomain(good), true, good);
  }
  for (const bad of ["", ".a", "a.", "a..b", "A.b", "a_b", `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(62)}`]) {
    assert.equal(isDnsSubdomain(bad), false, bad);
  }
});

test("a label path: '/'-separated DNS labels", () => {
  for (const good of ["apps", "infrastructure/controllers", "a/b/c"]) assert.equal(isLabelPath(good), true, good);
  for (const bad of ["", "/apps", "apps/", "a//b", "../a", "a/./b", "A/b"]) assert.equal(isLabelPath(bad), false, bad);
});
