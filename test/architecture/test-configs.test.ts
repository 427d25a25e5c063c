// Tests build their own stack configs (test/support/stacks.ts): a user's Pulumi.<env>.yaml never sets what a
// test expects, so adding an environment or turning a switch on there cannot turn `npm test` red. Only the
// tests below read the user's stack files, and each takes them as its subject, for every stack there is
// (listStacks), never as the source of an expected value.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT } from "../support/paths.ts";

/** Files allowed to read the repository's own stack files, and what they check of them. */
const SUBJECT_CHECKS: Record<string, string> = {
  "test/components/secret-hygiene.test.ts": "every committed stack file holds its secrets encrypted",
  "test/config/switches.test.ts": "what each committed stack file offers to uncomment is a valid stack that runs",
  "test/stacks/list-stacks.test.ts": "npm run stacks lists every committed stack",
  "test/stacks/flux-apply.test.ts": "every committed environment installs in order (as npm run verify)",
  "test/support/rendered.ts": "the committed cluster/<env> rendered with its own stack's Kubernetes and Helm",
  "test/verify/environments.test.ts": "the committed cluster/<env> passes the install checks",
};

/** A read of a stack file at the repository root: Pulumi.<x>.yaml joined to ROOT/REPO, or the config helpers on it. */
const READS_USER_STACKS = /\b(?:ROOT|REPO)\b[^;\n]*Pulumi\.(?!yaml)|(?:stackConfigFile|listStacks|stacksInDeployOrder)\((?:ROOT|REPO)\b/;

/** The text without its // comment lines (they may name what they do not do). */
function code(text: string): string {
  return text
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("//"))
    .join("\n");
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "fixtures" ? [] : testFiles(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

test("only the subject checks read the user's Pulumi.<env>.yaml; every other test uses its own configs", () => {
  const readers = testFiles(join(ROOT, "test"))
    .filter((file) => file !== import.meta.filename && READS_USER_STACKS.test(code(readFileSync(file, "utf8"))))
    .map((file) => relative(ROOT, file))
    .sort();
  assert.deepEqual(readers, Object.keys(SUBJECT_CHECKS).sort());
});

test("the pattern sees the ways a test reads a stack file", () => {
  for (const line of [
    "copyFileSync(join(ROOT, `Pulumi.${env}.yaml`), file)",
    'readFileSync(join(REPO, "Pulumi.dev.yaml"))',
    "const envs = listStacks(ROOT);",
    "readStackConfigFile(stackConfigFile(ROOT, env), env)",
  ])
    assert.ok(READS_USER_STACKS.test(line), line);
  for (const line of [
    'readFileSync(join(ROOT, "Pulumi.yaml"))',
    "copyTestStacks(root)",
    "listStacks(root)",
    'join(FUZZ_ROOT, "Pulumi.dev.yaml")',
  ])
    assert.ok(!READS_USER_STACKS.test(line), line);
});
