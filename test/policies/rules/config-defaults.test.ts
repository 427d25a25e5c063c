// Every rule's configuration defaults (the config each rule runs with when policies/config.json says nothing).
import { test } from "node:test";
import assert from "node:assert/strict";
import { rules } from "../../../policies/rules/index.ts";

test("every rule's config defaults", () => {
  assert.deepEqual(Object.fromEntries(rules.map((r) => [r.name, r.config.parse({})])), {
    "no-direct-helm": { allowedNames: [] },
    "no-direct-workloads": {},
    "helmrelease-git-sourced": { allowedSources: [] },
    "git-source-allowed": { allowedPrefixes: [], allowedSources: [] },
    "git-ref-pinned": { productionEnvironments: [], branchAllowed: ["flux-system"] },
    "chart-version-pinned": {},
    "sync-path-matches-env": {},
    "sync-prunes": {},
    "deploy-key-read-only": {},
    "one-write-key": {},
    "interval-bounds": { min: "1m", max: "24h" },
    "no-plaintext-secrets": {},
    "helmrelease-remediation": { minRetries: 1 },
    "single-flux-install": {},
    "sync-not-in-git": {},
    "content-verified": {},
  });
});
