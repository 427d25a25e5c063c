// Every rule's passing and failing inputs through the YAML front end (the same table runs through the
// policy pack process in test/analyzer.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { checkPaths } from "../../policies/paths.ts";
import { resolveConfig } from "../../policies/config.ts";
import { rules } from "../../policies/rules/index.ts";
import { OWNER, cases, plain } from "../support/analyzer-cases.ts";

const project = mkdtempSync(join(tmpdir(), "policy-rules-"));
for (const env of ["dev", "prod"]) writeFileSync(join(project, `Pulumi.${env}.yaml`), `config:\n  github:owner: ${OWNER}\n`);

const yamlCases = cases.filter((c) => c.type === undefined);

yamlCases.forEach((c, i) => {
  test(`YAML: ${c.rule}: ${c.title}`, () => {
    const dir = join(project, "cluster", c.env ?? "dev");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `case-${i}.yaml`);
    writeFileSync(file, `# case ${i}\n${yaml.dump(plain(c.props))}`);
    const { findings, errors } = checkPaths([file], resolveConfig(rules, c.config ?? {}), { root: project });
    assert.deepEqual(errors, []);
    const expected = [...(c.fires.includes("git") ? [c.rule] : []), ...(c.alsoInGit ?? [])].sort();
    assert.deepEqual(findings.map((f) => f.rule).sort(), expected, findings.map((f) => f.message).join("\n"));
    for (const f of findings.filter((f) => f.rule === c.rule)) {
      assert.equal(f.level, c.level ?? rules.find((r) => r.name === c.rule)!.enforcementLevel);
      assert.equal(f.line, 2);
      assert.match(f.message, /: /, "the message says how to fix it");
    }
  });
});

test("every rule has a failing and a passing case in the shared table", () => {
  for (const rule of rules.filter((r) => r.kind === "resource")) {
    assert.ok(
      cases.some((c) => c.rule === rule.name && c.fires.length > 0),
      `${rule.name} has no failing case`,
    );
    assert.ok(
      cases.some((c) => c.rule === rule.name && c.fires.length === 0),
      `${rule.name} has no passing case`,
    );
  }
});

test("without github:owner or allowed prefixes no Git source is allowed", () => {
  const dir = mkdtempSync(join(tmpdir(), "policy-owner-"));
  const file = join(dir, "cluster", "staging", "repo.yaml");
  mkdirSync(join(dir, "cluster", "staging"), { recursive: true });
  writeFileSync(file, yaml.dump(plain(yamlCases.find((c) => c.title.includes("stack's GitHub owner"))!.props)));
  const { findings } = checkPaths([file], resolveConfig(rules, {}), { root: dir });
  assert.deepEqual(
    findings.map((f) => f.rule),
    ["git-source-allowed"],
  );
  assert.match(findings[0]!.message, /none configured/);
});

test('config: "all" sets every level, a rule entry overrides it, remediate counts as mandatory', () => {
  const settings = resolveConfig(rules, { all: "disabled", "sync-prunes": { enforcementLevel: "remediate" } });
  assert.deepEqual(
    settings.filter((s) => s.level !== "disabled").map((s) => [s.rule.name, s.level]),
    [["sync-prunes", "mandatory"]],
  );
  assert.deepEqual(
    resolveConfig(rules, {}).map((s) => s.level),
    rules.map((r) => r.enforcementLevel),
  );
});
