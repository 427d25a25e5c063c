// The workflow runs the CLI version these tests stand in for, and starts the pack the way they do.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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

test("pull requests get what Flux would apply differently as a comment: npm run diff against the base branch, then posted", () => {
  const job = workflow.jobs["flux-diff"] as unknown as {
    if?: string;
    permissions?: Record<string, string>;
    steps: (Step & { env?: Record<string, string>; if?: string })[];
  };
  assert.ok(job, "a flux-diff job");
  assert.equal(job.if, "github.event_name == 'pull_request'");
  assert.equal(job.permissions?.["pull-requests"], "write");
  const checkout = job.steps.find((s) => s.uses?.startsWith("actions/checkout@"));
  assert.equal(checkout?.with?.["fetch-depth"], 0, "the base branch's history, for git archive of origin/<base>");
  const diff = job.steps.findIndex((s) =>
    /^npm run --silent diff -- "origin\/\$BASE" --format markdown > "\$RUNNER_TEMP\/flux-diff\.md"$/.test(s.run ?? ""),
  );
  assert.ok(diff >= 0, "npm run diff against the base branch, as markdown, into a file");
  // The base ref reaches the shell as an environment variable, never spliced into the script.
  assert.equal(job.steps[diff]!.env?.BASE, "${{ github.base_ref }}");
  const post = job.steps.findIndex((s) => (s.run ?? "").includes('gh pr comment "$PR" --body-file "$body"'));
  assert.ok(post > diff, "the comment is posted after the diff is made");
  const script = job.steps[post]!.run!;
  assert.match(script, /body="\$RUNNER_TEMP\/flux-diff\.md"/);
  assert.match(script, /gh api --method PATCH "repos\/\$GITHUB_REPOSITORY\/issues\/comments\/\$id"/, "a later push updates the comment");
  assert.equal(job.steps[post]!.env?.GH_TOKEN, "${{ github.token }}");
  // The script posts the comment the CLI makes: its first line is the marker the update finds it by.
  assert.match(script, /marker="\$\(head -n 1 "\$body"\)"/);
  // The CLI the step runs exists under that name and takes those flags.
  const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  assert.equal(scripts.diff, "bash .ci/node infra/launch.mjs stacks/diff.ts");
});

test("the posting step creates the comment once and updates it on later pushes (run with a stand-in gh)", () => {
  const job = workflow.jobs["flux-diff"]!;
  const script = job.steps.find((s) => (s.run ?? "").includes("gh pr comment"))!.run!;
  const dir = mkdtempSync(join(tmpdir(), "flux-diff-post-"));
  try {
    writeFileSync(join(dir, "flux-diff.md"), "<!-- flux-gitops:diff -->\n### What Flux would apply differently\n");
    // The stand-in gh logs its arguments; `gh api …/comments` answers with the ids the --jq filter would select.
    writeFileSync(join(dir, "gh"), '#!/bin/sh\necho "$*" >> "$GH_LOG"\ncase "$*" in *"/issues/7/comments"*) cat "$GH_EXISTING" ;; esac\n', {
      mode: 0o755,
    });
    const run = (existing: string) => {
      writeFileSync(join(dir, "existing"), existing);
      writeFileSync(join(dir, "log"), "");
      const r = spawnSync("bash", ["-e", "-c", script], {
        encoding: "utf8",
        env: {
          PATH: `${dir}:${process.env.PATH}`,
          RUNNER_TEMP: dir,
          GITHUB_REPOSITORY: "acme/gitops",
          PR: "7",
          GH_LOG: join(dir, "log"),
          GH_EXISTING: join(dir, "existing"),
        },
      });
      assert.equal(r.status, 0, r.stderr);
      return readFileSync(join(dir, "log"), "utf8").trim().split("\n");
    };
    const first = run("");
    assert.match(first[0]!, /^api repos\/acme\/gitops\/issues\/7\/comments --paginate --jq .*startswith\("<!-- flux-gitops:diff -->"\)/);
    assert.equal(first[1], `pr comment 7 --body-file ${join(dir, "flux-diff.md")}`);
    const later = run("101\n202\n");
    assert.equal(later[1], `api --method PATCH repos/acme/gitops/issues/comments/202 -F body=@${join(dir, "flux-diff.md")}`);
    assert.equal(later.length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
