// The CI workflow runs exactly the commands the README documents, and the README's rule table matches the rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { z } from "zod";
import { rules } from "../../policies/rules/index.ts";
import { ROOT } from "../support/paths.ts";

/** The policy documentation (rule table, modes, trust, the CI commands) lives in docs/policies.md. */
const policyDocs = readFileSync(join(ROOT, "docs", "policies.md"), "utf8");

interface Step {
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
}
interface Job {
  if?: string;
  needs?: string | string[];
  environment?: string;
  strategy?: { matrix?: { stack?: string } };
  steps: Step[];
}
const workflow = yaml.load(readFileSync(join(ROOT, ".github/workflows/gitops.yml"), "utf8")) as {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
};

/** The npm/pulumi commands a job runs; a pulumi/actions step is spelled as the CLI command it performs. */
function commands(job: Job): string[] {
  return job.steps.flatMap((step) => {
    if (step.run)
      return step.run
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => /^(npm|pulumi) /.test(l));
    if (!step.uses?.startsWith("pulumi/actions@")) return [];
    const w = step.with ?? {};
    assert.equal(w["stack-name"], "${{ matrix.stack }}");
    return [
      `pulumi ${String(w.command)} --stack <stack> --policy-pack ${String(w.policyPacks)} --policy-pack-config ${String(w.policyPackConfigs)}`,
    ];
  });
}

/** Commands in the sh blocks of the docs/policies.md "In CI" section, comments stripped. */
function documentedCiCommands(): string[] {
  const section = /## In CI\n([\s\S]*?)(?=\n## |\n### |$)/.exec(policyDocs)?.[1];
  assert.ok(section, 'docs/policies.md has an "In CI" section');
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((m) => m[1]!.split("\n"))
    .map((l) => l.replace(/#.*$/, "").trim())
    .filter(Boolean);
}

test("the workflow runs the commands the README documents for CI, each job at the right time", () => {
  const { check, preview, up } = workflow.jobs;
  assert.ok(check && preview && up);
  assert.deepEqual(Object.keys(workflow.on).sort(), ["pull_request", "push"]);
  assert.deepEqual(
    [...commands(check), ...commands(preview), ...commands(up)].filter((c) => c !== "npm ci"),
    documentedCiCommands().filter((c) => c !== "npm ci"),
  );
  for (const job of [check, preview, up]) assert.equal(commands(job)[0], "npm ci", "every job installs first");
  assert.match(preview.if ?? "", /pull_request/);
  assert.match(up.if ?? "", /push/);
  assert.match(up.if ?? "", /refs\/heads\/main/);
  assert.equal(up.environment, "${{ matrix.stack }}", "pulumi up runs behind a GitHub environment per stack");
  assert.ok(preview.needs?.includes("check") && up.needs?.includes("check"));
});

test("previews and deploys cover every stack the repository defines: the matrix is npm run stacks", () => {
  const list = workflow.jobs.stacks!;
  assert.ok(list.steps.some((s) => s.run === 'echo "list=$(npm run --silent stacks -- --json)" >> "$GITHUB_OUTPUT"'));
  for (const job of [workflow.jobs.preview!, workflow.jobs.up!]) {
    assert.equal(job.strategy!.matrix!.stack, "${{ fromJSON(needs.stacks.outputs.list) }}");
    assert.deepEqual(job.needs, ["check", "stacks"]);
  }
});

test("docs/policies.md's rule table lists every rule with its level and config keys", () => {
  const rows = new Map<string, string[]>();
  for (const m of policyDocs.matchAll(/^\| `([a-z-]+)` \|(.*)\|$/gm))
    rows.set(
      m[1]!,
      m[2]!.split("|").map((c) => c.trim()),
    );
  assert.deepEqual(
    [...rows.keys()],
    rules.map((r) => r.name),
  );
  for (const rule of rules) {
    const [level, , , , keys] = rows.get(rule.name)!;
    assert.equal(level, rule.enforcementLevel, rule.name);
    const configKeys = Object.keys((rule.config as z.ZodObject).shape);
    const documented = [...keys!.matchAll(/`([a-z][A-Za-z]*)`/g)].map((k) => k[1]!);
    assert.deepEqual(documented, configKeys, `${rule.name} config keys`);
  }
});
