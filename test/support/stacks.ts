// The tests' own stack configs: test/fixtures/stacks/Pulumi.<stack>.yaml, the team's dev and prod settings
// as the tests expect them. Tests build on these, never on the user's Pulumi.<env>.yaml at the repository
// root: a user who adds an environment or turns a switch on there changes no test's expectation. Tests
// that check the user's own files (cluster/ is fresh, every stack passes the policies) list them with
// listStacks(ROOT) instead.
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./paths.ts";

export const TEST_STACKS_DIR = join(ROOT, "test", "fixtures", "stacks");

/** The stacks the tests have configs for. */
export const TEST_STACKS = ["dev", "prod"] as const;

/** The folder of the tests' own environment definitions (loadEnvironment's `definitions`). */
export const TEST_DEFINITIONS_DIR = join(TEST_STACKS_DIR, "environments");

/** The tests' own environment definitions, relative to TEST_DEFINITIONS_DIR. */
export const TEST_DEFINITIONS = ["dev.ts", "prod.ts", "promoted/prod.ts"] as const;

/** Path of the tests' own Pulumi.<stack>.yaml. */
export function testStackFile(stack: string): string {
  return join(TEST_STACKS_DIR, `Pulumi.${stack}.yaml`);
}

/** Copy the tests' stack files into `root` (a temporary project), as Pulumi.<stack>.yaml. */
export function copyTestStacks(root: string, stacks: readonly string[] = TEST_STACKS): void {
  for (const stack of stacks) copyFileSync(testStackFile(stack), join(root, `Pulumi.${stack}.yaml`));
}
