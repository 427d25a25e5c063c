// `npm run verify` on repositories the test builds (its own stack file, cluster/ rendered from the
// real dev definition): exit 0 and a summary when every check passes, one line per finding and exit 1
// when one fails, exit 2 for bad arguments.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readStackConfigFile, stackConfigFile } from "../../infra/config/index.ts";
import { writeEnvironments } from "../../infra/render/write.ts";
import dev from "../fixtures/stacks/environments/dev.ts";
import { environment, type EnvironmentDefinition } from "../../stacks/releases/index.ts";
import { main } from "../../stacks/verify.ts";
import { runInProcess } from "../support/in-process.ts";

const STACK = "config:\n  flux-gitops:kubernetes: {version: 1.32.4}\n  flux-gitops:repository: {owner: acme, name: fleet}\n";

function repo(t: { after(fn: () => void): void }, definition: EnvironmentDefinition): string {
  const root = mkdtempSync(join(tmpdir(), "verify-cli-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(join(root, "Pulumi.dev.yaml"), STACK);
  writeEnvironments(root, [environment(readStackConfigFile(stackConfigFile(root, "dev"), "dev"), definition)]);
  return root;
}

test("a clean environment: exit 0 and what was rendered and checked", async (t) => {
  const root = repo(t, dev);
  const r = await runInProcess(main, ["--root", root, "--helm", "4"]);
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^verify: dev: 8 HelmReleases rendered with Helm 4 for Kubernetes 1\.32\.4, \d+ objects checked, 0 findings\n$/);
});

test("a finding is one line naming the environment, the check and the object; exit 1", async (t) => {
  const root = repo(t, { ...dev, monitoring: { prometheusOperator: { admissionWebhooks: { enabled: false }, tls: { enabled: true } } } });
  const r = await runInProcess(main, ["dev", "--root", root]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^verify: dev: mounts: Deployment monitoring\/prom-monitoring-kube-prome-operator \(HelmRelease flux-system\/prom-monitoring\): .*prom-monitoring-kube-prome-admission.*\n$/,
  );
  assert.match(
    r.stdout,
    /Helm 3 for Kubernetes 1\.32\.4, \d+ objects checked, 1 finding\n$/,
    "the Helm of Flux 2.7.5, the default on 1.32.4",
  );
});

test("bad arguments and an unknown stack: one line, exit 2", async (t) => {
  const root = repo(t, dev);
  for (const [args, message] of [
    [["--helm", "5", "--root", root], /^verify: --helm must be 3 or 4/],
    [["staging", "--root", root], /^verify: no stack staging: there is no Pulumi\.staging\.yaml in /],
    [["--colour"], /^verify: Unknown option '--colour'/],
  ] as const) {
    const r = await runInProcess(main, [...args]);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, message);
    assert.equal(r.stderr.split("\n").length, 2, "one line");
  }
});
