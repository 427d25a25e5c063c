// Fuzzing the policy checker: random text, YAML-ish token soup, random Kubernetes/Flux-shaped objects
// dumped with js-yaml and random bytes never make it throw; a file it cannot read is one error line,
// a finding points at a line of the file. A sample also goes through `npm run policy` (exit 0/1/2,
// no stack trace). Seeded (FC_SEED to explore others); on failure fast-check prints seed and path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import yaml from "js-yaml";
import { checkPaths, checkSource } from "../../policies/paths.ts";
import { type Finding, type InputError } from "../../policies/result.ts";
import { resolveConfig } from "../../policies/config.ts";
import { rules } from "../../policies/rules/index.ts";
import projectConfig from "../../policies/config.json" with { type: "json" };
import { ROOT } from "../support/paths.ts";

const SEED = Number(process.env.FC_SEED ?? 20250611);
const CLI = join(ROOT, "policies", "cli.ts");
const SETTINGS = [resolveConfig(rules, {}), resolveConfig(rules, projectConfig), resolveConfig(rules, { all: "mandatory" })];
const FUZZ_ROOT = mkdtempSync(join(tmpdir(), "prop-policy-root-"));
writeFileSync(join(FUZZ_ROOT, "Pulumi.dev.yaml"), "config:\n  github:owner: acme\n");

// Random YAML text: fragments that drive the parser into its corners (anchors, aliases, merge keys,
// tags, flow/block mixes, directives, document markers, odd indentation and quoting).
const TOKENS = [
  "apiVersion: v1\n",
  "kind: Secret\n",
  "kind: GitRepository\n",
  "apiVersion: source.toolkit.fluxcd.io/v1\n",
  "apiVersion: helm.toolkit.fluxcd.io/v2\n",
  "kind: HelmRelease\n",
  "metadata:\n",
  "  name: x\n",
  "  namespace: flux-system\n",
  "spec:\n",
  "  interval: 1m\n",
  "  interval: 5\n",
  "  url: ssh://git@github.com/acme/x\n",
  "sops: {mac: m}\n",
  "---\n",
  "...\n",
  "%YAML 1.2\n",
  "%TAG ! tag:x,2000:\n",
  "# c\n",
  "- ",
  ": ",
  "? ",
  "{",
  "}",
  "[",
  "]",
  ", ",
  "&a ",
  "*a",
  "<<: *a\n",
  "!!str ",
  "!!binary ",
  "!!map ",
  "!!set ",
  "!x ",
  "|\n",
  ">-\n",
  "'",
  '"',
  "\\",
  "\t",
  "  ",
  "\n",
  "key",
  "0x1F",
  ".inf",
  "~",
  "null",
  "2001-12-14t21:59:43.10-05:00",
  "=",
  "@",
  "`",
  "\ufeff",
  "\u2028",
  "\u0085",
];
const yamlSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((t) => t.join(""));

const API_KINDS: [string, string][] = [
  ["v1", "Secret"],
  ["v1", "ConfigMap"],
  ["v1", "Namespace"],
  ["source.toolkit.fluxcd.io/v1", "GitRepository"],
  ["source.toolkit.fluxcd.io/v1", "HelmRepository"],
  ["source.toolkit.fluxcd.io/v1", "OCIRepository"],
  ["source.toolkit.fluxcd.io/v1beta2", "HelmChart"],
  ["helm.toolkit.fluxcd.io/v2", "HelmRelease"],
  ["helm.toolkit.fluxcd.io/v2beta1", "HelmRelease"],
  ["kustomize.toolkit.fluxcd.io/v1", "Kustomization"],
  ["example.com/v9", "Widget"],
];
/** Any JSON value, or one of the things rules look for in a plausible shape. */
const anyOr = (...likely: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> => fc.oneof(...likely, fc.jsonValue({ maxDepth: 3 }));
const text = fc.string({ maxLength: 20 });
const fluxObject = fc
  .record(
    {
      apiVersionKind: fc.oneof(fc.constantFrom(...API_KINDS), fc.tuple(text, text)),
      metadata: anyOr(
        fc.record(
          {
            name: anyOr(fc.constantFrom("flux-system", "app"), text),
            namespace: anyOr(fc.constantFrom("flux-system", "web"), text),
            labels: anyOr(fc.record({ "flux-gitops.io/environment": anyOr(fc.constantFrom("dev", "prod"), text) })),
          },
          { requiredKeys: [] },
        ),
      ),
      spec: anyOr(
        fc.record(
          {
            interval: anyOr(fc.constantFrom("1m", "10s", "48h", "1h30m", "soon", ""), fc.integer()),
            url: anyOr(fc.constantFrom("ssh://git@github.com/acme/x", "https://github.com/evil/x", "oci://ghcr.io/x"), text),
            ref: anyOr(
              fc.record({ branch: anyOr(text), tag: anyOr(text), semver: anyOr(text), commit: anyOr(text) }, { requiredKeys: [] }),
            ),
            path: anyOr(fc.constantFrom("./cluster/dev", "./cluster/prod", "."), text),
            prune: anyOr(fc.boolean()),
            sourceRef: anyOr(
              fc.record({ kind: anyOr(fc.constantFrom("GitRepository", "HelmRepository")), name: anyOr(text) }, { requiredKeys: [] }),
            ),
            chart: anyOr(
              fc.record(
                {
                  spec: anyOr(
                    fc.record(
                      {
                        chart: anyOr(text),
                        version: anyOr(fc.constantFrom("1.2.3", "*", ">=1"), text),
                        sourceRef: anyOr(
                          fc.record(
                            { kind: anyOr(fc.constantFrom("GitRepository", "HelmRepository")), name: anyOr(text) },
                            { requiredKeys: [] },
                          ),
                        ),
                      },
                      { requiredKeys: [] },
                    ),
                  ),
                },
                { requiredKeys: [] },
              ),
            ),
            upgrade: anyOr(
              fc.record(
                {
                  remediation: anyOr(
                    fc.record({ retries: anyOr(fc.integer({ min: -1, max: 5 })), strategy: anyOr(text) }, { requiredKeys: [] }),
                  ),
                },
                { requiredKeys: [] },
              ),
            ),
          },
          { requiredKeys: [] },
        ),
      ),
      sops: anyOr(fc.record({ mac: anyOr(text) }, { requiredKeys: [] })),
      stringData: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: ["apiVersionKind"] },
  )
  .map(({ apiVersionKind: [apiVersion, kind], ...rest }) => ({ apiVersion, kind, ...rest }));
const dumpedObjects = fc
  .array(fc.oneof(fluxObject, fc.jsonValue({ maxDepth: 4 })), { minLength: 1, maxLength: 4 })
  .map((docs) => docs.map((d) => yaml.dump(d, { skipInvalid: true })).join("---\n"));
const anyText = fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), fc.string({ unit: "grapheme", maxLength: 200 }));
const FILE = "cluster/dev/fuzz.yaml";

function assertWellFormed(findings: Finding[], error: InputError | undefined, source: string): void {
  if (error) {
    assert.equal(findings.length, 0);
    assert.equal(error.file, FILE);
    assert.doesNotMatch(error.message, /[\r\n]/, "an input error is one line");
  }
  const lines = source.split("\n").length;
  for (const f of findings) {
    assert.ok(Number.isInteger(f.line) && f.line >= 1 && f.line <= lines, `finding line ${f.line} of ${lines}`);
    assert.doesNotMatch(f.message, /[\r\n]/, "a finding is one line");
  }
}

const neverThrows = (source: string) => {
  for (const settings of SETTINGS) {
    const { findings, error } = checkSource(FILE, source, settings, FUZZ_ROOT);
    assertWellFormed(findings, error, source);
  }
};

test("random text never makes the checker throw", () => {
  fc.assert(fc.property(anyText, neverThrows), { seed: SEED, numRuns: 3000 });
});

test("random YAML token soup never makes the checker throw", () => {
  fc.assert(fc.property(yamlSoup, neverThrows), { seed: SEED, numRuns: 4000 });
});

test("random Kubernetes/Flux-shaped objects dumped as YAML are checked without throwing, and parse", () => {
  fc.assert(
    fc.property(dumpedObjects, (source) => {
      neverThrows(source);
      // Whatever js-yaml wrote, the checker reads: no input error on these.
      assert.equal(checkSource(FILE, source, SETTINGS[0]!, FUZZ_ROOT).error, undefined);
    }),
    { seed: SEED, numRuns: 2000 },
  );
});

test("random bytes in a file: no throw; at most one error line for the file", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "prop-policy-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "fuzz.yaml");
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      writeFileSync(file, bytes);
      const { findings, errors } = checkPaths([file], SETTINGS[0]!, { root: dir });
      assert.ok(errors.length <= 1);
      for (const e of errors) assert.doesNotMatch(e.message, /[\r\n]/);
      if (errors.length > 0) assert.equal(findings.length, 0);
    }),
    { seed: SEED, numRuns: 3000 },
  );
});

test("a sample of fuzzed files through npm run policy: exit 0, 1 or 2, no stack trace", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "prop-policy-cli-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "Pulumi.dev.yaml"), "config:\n  github:owner: acme\n");
  mkdirSync(join(dir, "cluster", "dev"), { recursive: true });
  const samples = [yamlSoup, dumpedObjects, anyText].flatMap((arb) => fc.sample(arb, { seed: SEED, numRuns: 25 }));
  samples.forEach((s, i) => writeFileSync(join(dir, "cluster", "dev", `f${i}.yaml`), s));
  const r = spawnSync(process.execPath, [CLI, "cluster"], { cwd: dir, encoding: "utf8" });
  assert.ok([0, 1, 2].includes(r.status!), `exit ${r.status}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at |node:internal/, "no stack trace");
  const lines = r.stderr.split("\n").slice(0, -1);
  assert.match(
    lines.at(-1)!,
    /^policy: \d+ mandatory, \d+ advisory finding\(s\), \d+ unreadable file\(s\); checked \d+ object\(s\) in \d+ file\(s\) \(.*\)$/,
  );
  for (const line of lines.slice(0, -1)) assert.match(line, /^cluster\/dev\/f\d+\.yaml: /);
});
