// Bad stack config, generated from the schema itself (test/support/schema-cases.ts): for every key —
// missing, wrong type or null, out of bounds / not in the enum, an unknown sibling — the user gets
// exactly one line naming the key, from a Pulumi.<stack>.yaml file and from the Pulumi program.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, NAMESPACE, parseStackConfig, readStackConfigFile, stackConfigSchema } from "../../infra/config/index.ts";
import { badCases, type BadCase, type Category } from "../support/schema-cases.ts";
import { runStack, stackConfig } from "../support/pulumi-mocks.ts";

const { valid, cases } = badCases(stackConfigSchema);

/** What follows `flux-gitops:<path> ` in the message, by kind of mistake. */
const WHAT: Record<Category, RegExp> = {
  missing: /^is required$/,
  "wrong type": /^must /,
  "invalid value": /^must /,
  "unknown key": /^is not a known setting$/,
  "prototype key": /^is not allowed \(__proto__, constructor and prototype are never settings\)$/,
};

function assertOneLine(message: string, source: string, c: BadCase): void {
  const prefix = `${source}: ${NAMESPACE}:${c.path} `;
  const label = `${c.category} ${c.path} = ${JSON.stringify(c.bad)}`;
  assert.ok(message.startsWith(prefix), `${label}: expected "${prefix}…", got "${message}"`);
  assert.match(message.slice(prefix.length), WHAT[c.category], label);
  assert.doesNotMatch(message, /[\r\n]/, label);
}

/** `Pulumi.<stack>.yaml` content for `values` (keys without the namespace). */
function stackFile(values: Record<string, unknown>): string {
  return yaml.dump({ config: Object.fromEntries(Object.entries(values).map(([k, v]) => [`${NAMESPACE}:${k}`, v])) });
}

test("the generated valid config sets every key and is accepted", () => {
  assert.doesNotThrow(() => parseStackConfig(valid, "dev"));
  // Every top-level key of the schema (including ones added later) is covered by some case.
  for (const key of Object.keys(stackConfigSchema.shape)) {
    assert.ok(
      cases.some((c) => c.path === key || c.path.startsWith(`${key}.`) || c.path.startsWith(`${key}[`)),
      `no case for ${key}`,
    );
  }
  for (const category of Object.keys(WHAT))
    assert.ok(
      cases.some((c) => c.category === category),
      `no ${category} case`,
    );
});

test("every string setting refuses C0, DEL, C1 and bidi control characters, and a record's bad keys", () => {
  const stringKeys = new Set(cases.filter((c) => c.type === "string").map((c) => c.path));
  assert.ok(stringKeys.size >= 25, `string settings found: ${[...stringKeys].join(", ")}`);
  for (const path of stringKeys) {
    for (const bad of ["a\u0000b", "a\u007f", "a\u0085b", "a\u202eb", "a\u2066b"]) {
      assert.ok(
        cases.some((c) => c.path === path && c.bad === bad),
        `${path} accepts ${JSON.stringify(bad)}`,
      );
    }
  }
  for (const key of ["a\\u0000b", "a\\u000ab", "a\\u202eb"])
    assert.ok(
      cases.some((c) => c.path === `receiver.ingress.annotations.${key}`),
      key,
    );
});

test("every bad key in Pulumi.<stack>.yaml is one line naming the key", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "bad-config-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "Pulumi.dev.yaml");
  for (const c of cases) {
    writeFileSync(file, stackFile(c.values));
    assert.throws(
      () => readStackConfigFile(file, "dev"),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, `${c.category} ${c.path}: ${String(err)}`);
        assertOneLine(err.message, file, c);
        return true;
      },
      `${c.category} ${c.path} = ${JSON.stringify(c.bad)} was accepted`,
    );
  }
});

test("the same cases through parseStackConfig name the stack", () => {
  for (const c of cases) {
    assert.throws(
      () => parseStackConfig(c.values, "dev"),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assertOneLine(err.message, "stack dev", c);
        return true;
      },
    );
  }
});

// Through the real entry point: one case of each kind for each top-level key.
const sample = [...new Map(cases.map((c) => [`${c.category} ${c.path.split(/[.[]/)[0]}`, c])).values()];

for (const c of sample) {
  test(`the Pulumi program stops with one line (no stack trace) for ${c.category} ${c.path}`, async () => {
    const others = Object.fromEntries(Object.entries(stackConfig("dev")).filter(([k]) => !k.startsWith(`${NAMESPACE}:`)));
    const config = { ...others, ...Object.fromEntries(Object.entries(c.values).map(([k, v]) => [`${NAMESPACE}:${k}`, v])) };
    await assert.rejects(runStack("dev", { replaceConfig: config }), (err: unknown) => {
      // Pulumi prints a RunError's message alone, without a stack trace.
      assert.ok(pulumi.RunError.isInstance(err as Error), String(err));
      assertOneLine((err as Error).message, "Pulumi.dev.yaml", c);
      return true;
    });
  });
}
