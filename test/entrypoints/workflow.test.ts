// The workflow runs the CLI version these tests stand in for, and starts the pack the way they do.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import yaml from "js-yaml";
import { ROOT } from "../support/paths.ts";

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  "working-directory"?: string;
}
const workflow = yaml.load(readFileSync(join(ROOT, ".github/workflows/gitops.yml"), "utf8")) as {
  env: Record<string, string>;
  jobs: Record<string, { steps: Step[] }>;
};
const sdk = createRequire(join(ROOT, "package.json"))("@pulumi/pulumi/package.json") as { version: string };

test("the workflow pins the Pulumi CLI of the same release as the installed @pulumi/pulumi", () => {
  assert.equal(workflow.env.PULUMI_CLI_VERSION, sdk.version);
  for (const [name, job] of Object.entries(workflow.jobs)) {
    for (const step of job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@"))) {
      assert.equal(step.with?.["pulumi-version"], "${{ env.PULUMI_CLI_VERSION }}", `${name}: pulumi/actions without the pinned CLI`);
    }
  }
});

test("preview and up pass the pack after checking its dependencies resolve from policies/", () => {
  for (const name of ["preview", "up"]) {
    const steps = workflow.jobs[name]!.steps;
    const deps = steps.findIndex((s) => s["working-directory"] === "policies" && s.run?.includes("@pulumi/pulumi/cmd/run-policy-pack"));
    const pulumi = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.policyPacks === "policies");
    assert.ok(deps >= 0 && pulumi > deps, `${name}: dependency check before pulumi with the pack`);
  }
});

test("the local check runs on pull requests with a file backend", () => {
  const runs = workflow.jobs["preview-local"]!.steps.map((s) => s.run ?? "");
  assert.ok(runs.includes("pulumi login --local"));
  assert.ok(runs.some((r) => r.startsWith("bash .ci/preview-local")));
});
