// Property tests of the config's defences (issue #13): a prototype key anywhere in otherwise arbitrary
// YAML data, and a control character anywhere in a path setting, are always one line naming the key.
// Seeded (FC_SEED to explore others).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import yaml from "js-yaml";
import { spawnSync } from "node:child_process";
import { ConfigError, parseStackConfig, stackConfigSchema } from "../../infra/config/index.ts";
import { badCases, PROTOTYPE_KEYS, setAt } from "../support/schema-cases.ts";

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
        "kubernetes: {version: 1.32.4}",
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

const { valid, cases } = badCases(stackConfigSchema);
const STRING_KEYS = [...new Map(cases.filter((c) => c.type === "string").map((c) => [c.path, c.at!])).entries()];
/** C0, DEL, C1 and the bidi controls. */
const UNSAFE = fc
  .oneof(
    fc.integer({ min: 0, max: 0x1f }),
    fc.integer({ min: 0x7f, max: 0x9f }),
    fc.integer({ min: 0x202a, max: 0x202e }),
    fc.integer({ min: 0x2066, max: 0x2069 }),
  )
  .map((c) => String.fromCharCode(c));

test("a control or bidi character anywhere in any string setting is refused in one line naming the key", () => {
  fc.assert(
    fc.property(fc.constantFrom(...STRING_KEYS), UNSAFE, fc.nat(), ([path, at], ch, where) => {
      fc.pre(!(path === "knownHosts" && ch === "\n")); // known_hosts is a list of lines
      const value = String(at.reduce<any>((cur, seg) => cur[seg], valid));
      const i = where % (value.length + 1);
      const values = setAt(valid, at, value.slice(0, i) + ch + value.slice(i));
      assert.throws(
        () => parseStackConfig(values, "dev"),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.match(
            err.message,
            new RegExp(
              `^stack dev: flux-gitops:${path.replace(/[.[\]]/g, "\\$&")} must not contain (control|bidirectional control) characters`,
            ),
          );
          assert.doesNotMatch(err.message, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
          return true;
        },
      );
    }),
    { seed: SEED, numRuns: 500 },
  );
});

/** What Git itself says of `refs/heads/<name>`, plus what `git branch` refuses on top (a leading '-', HEAD). */
function gitAccepts(branch: string): boolean {
  if (branch.startsWith("-") || branch === "HEAD") return false;
  return spawnSync("git", ["check-ref-format", `refs/heads/${branch}`]).status === 0;
}

test("repository.branch accepts exactly the branch names Git accepts (git check-ref-format), less control and bidi characters", () => {
  const piece = fc.constantFrom(
    "main",
    "a",
    "-",
    ".",
    "..",
    "/",
    "//",
    ".lock",
    "@",
    "@{",
    "{",
    "}",
    "~",
    "^",
    ":",
    "?",
    "*",
    "[",
    "\\",
    " ",
    "HEAD",
    "x.y",
    "\u00e9",
    "\u202e",
    "\u0085",
    "\t",
    "\u007f",
  );
  const branch = fc.array(piece, { minLength: 1, maxLength: 6 }).map((p) => p.join(""));
  let accepted = 0;
  fc.assert(
    fc.property(branch, (b) => {
      const ours = stackConfigSchema.safeParse({ kubernetes: { version: "1.32.4" }, repository: { ...REPOSITORY, branch: b } }).success;
      const expected = gitAccepts(b) && !/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(b);
      assert.equal(ours, expected, `${JSON.stringify(b)}: schema ${ours ? "accepts" : "refuses"}, Git ${expected ? "accepts" : "refuses"}`);
      if (ours) accepted += 1;
    }),
    { seed: SEED, numRuns: 400 },
  );
  assert.ok(accepted > 20, `the generator reaches valid names too (${accepted})`);
});

test("a control character anywhere in syncPath is refused in one line", () => {
  const control = fc.oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f })).map((c) => String.fromCharCode(c));
  const folder = fc.stringMatching(/^[a-z0-9][a-z0-9/-]{0,20}$/);
  fc.assert(
    fc.property(folder, control, fc.nat(), (path, ch, at) => {
      const i = at % (path.length + 1);
      const syncPath = path.slice(0, i) + ch + path.slice(i);
      assert.throws(() => parseStackConfig({ kubernetes: { version: "1.32.4" }, repository: REPOSITORY, syncPath }, "dev"), {
        name: "ConfigError",
        message: "stack dev: flux-gitops:syncPath must not contain control characters (newline, tab, NUL, ...)",
      });
    }),
    { seed: SEED, numRuns: 300 },
  );
});
