// The mutation groups: which modules are mutated and which tests guard them. Shared by the Stryker run
// (run.ts, `npm run mutation`) and the guard mutator (guards.ts, `npm run mutation:guards`).

/**
 * Module group → the files mutated, the tests run against every mutant (`node --test` arguments), and
 * optionally `slow` stages, each a `node --test` run (its own arguments) against only the mutants that survive
 * the stages before it (a further Stryker run limited to those mutants' lines). All stages together decide a
 * mutant's fate: the result is the same as running all the tests against every mutant, without paying for
 * the slow ones where a fast one already failed.
 */
export const GROUPS: Record<string, { mutate: string[]; tests: string[]; slow?: string[][] }> = {
  config: {
    mutate: ["infra/config/schema.ts", "infra/config/index.ts"],
    tests: [
      "test/config/config.test.ts",
      "test/config/schema-rules.test.ts",
      "test/config/bad-input.test.ts",
      "test/config/attacks.test.ts",
      "test/config/property.test.ts",
    ],
  },
  secrets: {
    mutate: ["infra/flux/known-hosts.ts", "infra/components/deploy-key.ts", "infra/components/secret.ts", "infra/components/flux-sync.ts"],
    tests: [
      "test/components/known-hosts.test.ts",
      "test/components/deploy-key.test.ts",
      "test/components/stack.test.ts",
      "test/components/lifecycle.test.ts",
      "test/components/operator.test.ts",
    ],
  },
  policies: {
    mutate: [
      "policies/rules/sources.ts",
      "policies/rules/stack.ts",
      "policies/rules/reconcile.ts",
      "policies/rules/model.ts",
      "policies/urls.ts",
      "policies/pack.ts",
      "infra/sops.ts",
    ],
    tests: [
      "test/policies/rules.test.ts",
      "test/policies/source-prefix.test.ts",
      "test/policies/pack-mapping.test.ts",
      "test/policies/model.test.ts",
      "test/policies/rules/*.test.ts",
      "test/policies/docs.test.ts",
    ],
    // The same table through the real pack process (gRPC, about 8 s a run) and the moved-namespace contract;
    // the deploy keys of the real stacks under mocks (the automation key's own URN chain, about 14 s) and
    // the URL forms through the graph (sources.test.ts).
    slow: [
      ["test/policies/pack.test.ts", "test/policies/contract.test.ts", "test/policies/deploy-key.test.ts", "test/policies/sources.test.ts"],
    ],
  },
  render: {
    // tree.ts is the write path; contract.ts names its staging folders and lock (and what every other part shares).
    mutate: ["infra/render/tree.ts", "infra/contract.ts"],
    // The SIGKILL tests start a render child per kill point (about 25 s a run), and the failures of the machine
    // (a user the permissions apply to, a full tmpfs, a closed pipe: render children, about a minute): later stages.
    tests: [
      "--test-skip-pattern=killed at any point",
      "test/render/tree.test.ts",
      "test/render/write.test.ts",
      "test/render/attacks.test.ts",
    ],
    slow: [["--test-name-pattern=killed at any point", "test/render/attacks.test.ts"], ["test/render/io-failures.test.ts"]],
  },
  // What image automation owns in a rendered file and what promote copies from one environment to another.
  automation: {
    mutate: ["infra/render/ownership.ts", "infra/render/markers.ts", "stacks/promote.ts"],
    tests: ["test/render/image-automation.test.ts", "test/stacks/promote.test.ts"],
  },
};
