// Property tests of the config's defences (issue #13): a prototype key anywhere in otherwise arbitrary
// YAML data, and a control character anywhere in a path setting, are always one line naming the key.
// Seeded (FC_SEED to explore others).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import yaml from "js-yaml";
import { ConfigError, parseStackConfig } from "../../infra/config/index.ts";
import { PROTOTYPE_KEYS } from "../support/schema-cases.ts";

const SEED = Number(process.env.FC_SEED ?? 20250611);
const REPOSITORY = { owner: "acme", name: "platform" };
const TOP_KEYS = ["flux", "deployKey", "sync", "notifications", "receiver", "repository"];

/** A prototype key buried at a random depth under a top-level setting, as YAML text parses it. */
const buried = fc.record({
  top: fc.constantFrom(...TOP_KEYS),
  trail: fc.array(fc.stringMatching(/^x[a-zA-Z]{0,8}$/), { maxLength: 3 }),
  key: fc.constantFrom(...PROTOTYPE_KEYS),
  value: fc.jsonValue({ maxDepth: 2 }),
});

test("a prototype key at any depth is refused, naming its path", () => {
  fc.assert(
    fc.property(buried, ({ top, trail, key, value }) => {
      // Built as YAML text, so `__proto__` is an own key exactly as a stack file makes it.
      const indent = (n: number) => "  ".repeat(n);
      const text = [
        ...(top === "repository" ? [] : ["repository: {owner: acme, name: platform}"]),
        `${top}:`,
        ...(top === "repository" ? ["  owner: acme", "  name: platform"] : []),
        ...trail.map((k, i) => `${indent(i + 1)}${k}:`),
        `${indent(trail.length + 1)}${key}: ${JSON.stringify(value)}`,
      ].join("\n");
      const values = yaml.load(text) as Record<string, unknown>;
      const path = [top, ...trail, key].join(".");
      assert.throws(
        () => parseStackConfig(values, "dev"),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.equal(
            err.message,
            `stack dev: flux-gitops:${path} is not allowed (__proto__, constructor and prototype are never settings)`,
          );
          return true;
        },
      );
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test("a control character anywhere in syncPath is refused in one line", () => {
  const control = fc.oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f })).map((c) => String.fromCharCode(c));
  const folder = fc.stringMatching(/^[a-z0-9][a-z0-9/-]{0,20}$/);
  fc.assert(
    fc.property(folder, control, fc.nat(), (path, ch, at) => {
      const i = at % (path.length + 1);
      const syncPath = path.slice(0, i) + ch + path.slice(i);
      assert.throws(() => parseStackConfig({ repository: REPOSITORY, syncPath }, "dev"), {
        name: "ConfigError",
        message: "stack dev: flux-gitops:syncPath must not contain control characters (newline, tab, NUL, ...)",
      });
    }),
    { seed: SEED, numRuns: 300 },
  );
});
