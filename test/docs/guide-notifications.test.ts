// docs/guide-notifications.md, followed end to end in a copy of the repository by its own text (test/support/guide.ts): the commands a reader
// runs must pass, and the result must be what the guide says. A file of its own, so the guides run side by side.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { copyRepository, followGuide } from "../support/guide.ts";
import { runStack, TYPES } from "../support/pulumi-mocks.ts";

test("guide: switch on notifications: the program registers the commit status and the Slack alert; cluster/ unchanged", async (t) => {
  const dir = copyRepository();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = followGuide("docs/guide-notifications.md", dir);
  // npm run preview: both Providers and their Alerts, the secrets masked.
  for (const name of ["github-status-provider", "slack-provider", "github-status-alert", "slack-alert"])
    assert.match(log, new RegExp(`notification\\.toolkit\\.fluxcd\\.io/v1beta3:\\w+ ${name} `));
  assert.doesNotMatch(log, /guide-token|guide-webhook/, "a secret in the preview");
  const doc = yaml.load(readFileSync(join(dir, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
  const run = await runStack("dev", { replaceConfig: doc.config });
  const providers = run.byType(TYPES.provider).map((r) => (r.inputs as { spec: { type: string } }).spec.type);
  assert.deepEqual(providers.sort(), ["github", "slack"]);
  assert.equal(execFileSync("git", ["status", "--porcelain"], { cwd: dir, encoding: "utf8" }), "");
});
