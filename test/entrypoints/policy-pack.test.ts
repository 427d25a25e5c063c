// The policy pack as `pulumi preview --policy-pack policies` starts it: @pulumi/pulumi/cmd/run-policy-pack (which
// registers ts-node whatever PulumiPolicy.yaml says) requires the pack directory, i.e. policies/package.json's
// main, with the CLI's arguments and environment (test/support/analyzer-client.ts cliPolicyPackCommand). Then the
// Analyzer RPCs the engine makes: GetAnalyzerInfo, Configure, Analyze per resource, AnalyzeStack. The resources
// are the ones the program registered through cmd/run (test/support/engine.ts), so the two harnesses together
// stand in for a `pulumi preview --policy-pack policies` that cannot run on this machine.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PACK_DIR, PolicyPackProcess, analyzerInput } from "../support/analyzer-client.ts";
import { FakeEngine, runUnderCmdRun } from "../support/engine.ts";
import { stackConfig as languageStackConfig } from "../support/pulumi-mocks.ts";
import { rules } from "../../policies/rules/index.ts";

const projectConfig = JSON.parse(readFileSync(join(PACK_DIR, "config.json"), "utf8")) as Record<string, unknown>;

test("policies/package.json main is a CommonJS loader next to the TypeScript entry", () => {
  const pkg = JSON.parse(readFileSync(join(PACK_DIR, "package.json"), "utf8")) as { main: string; type: string };
  assert.match(pkg.main, /\.cjs$/, "run-policy-pack require()s the pack: a .cjs loads on any node and ts-node never compiles it");
});

describe("policy pack through cmd/run-policy-pack", () => {
  let engine: FakeEngine;
  let pack: PolicyPackProcess;
  before(async () => {
    engine = await FakeEngine.start({ project: "flux-gitops", stack: "dev", dryRun: true });
    pack = await PolicyPackProcess.startLikeCli({
      stack: "dev",
      // The dev stack's config, as the CLI hands it over (the automation's write key is allowed only where it is on).
      stackConfig: languageStackConfig("dev"),
      engineAddress: engine.engineAddress,
    });
  });
  after(async () => {
    await pack?.close();
    await engine?.close();
  });

  test("answers GetAnalyzerInfo with the pack and every rule", async () => {
    const info = await pack.info();
    assert.equal(info.name, "flux-gitops");
    assert.deepEqual(
      info.policies.map((p) => p.name),
      rules.map((r) => r.name),
    );
    assert.doesNotMatch(pack.stderr.join(""), /TSError|TS5097|ts-node/, "ts-node must not compile the pack");
  });

  test("Analyze reports a Helm release Pulumi deploys directly (no-direct-helm, mandatory)", async () => {
    await pack.configure(projectConfig);
    const diags = await pack.analyze({
      type: "kubernetes:helm.sh/v3:Release",
      name: "podinfo",
      urn: "urn:pulumi:dev::flux-gitops::kubernetes:helm.sh/v3:Release::podinfo",
      properties: { chart: "podinfo", namespace: "podinfo", repositoryOpts: { repo: "https://stefanprodan.github.io/podinfo" } },
    });
    assert.deepEqual(
      diags.map((d) => [d.policy, d.level]),
      [["no-direct-helm", "mandatory"]],
    );
    assert.match(diags[0]!.message, /podinfo" deploys around Flux/);
  });

  for (const stack of ["dev", "prod"]) {
    test(`${stack}: what the program registers through cmd/run passes Analyze and AnalyzeStack`, async () => {
      const run = await runUnderCmdRun({ stack, dryRun: true });
      assert.equal(run.code, 0, run.stderr);
      // Like the engine: every registered resource, components included (the stack rules look for FluxInstall).
      const resources = run.engine.registrations.map(analyzerInput);
      assert.ok(resources.length >= 12, `${resources.length} resources`);
      await pack.configure(projectConfig);
      assert.deepEqual(await pack.analyzeAll(resources), []);
      // And the stack without its sync objects is reported by the stack rule.
      const withoutSync = resources.filter((r) => !r.type.startsWith("kubernetes:kustomize.toolkit.fluxcd.io"));
      const diags = await pack.analyzeStack(withoutSync);
      assert.ok(
        diags.some((d) => d.policy === "single-flux-install" && d.level === "mandatory"),
        JSON.stringify(diags),
      );
    });
  }
});
