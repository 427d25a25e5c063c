// The real analyzer path: policies/ runs as a child process the way the Pulumi CLI runs a policy pack and
// is driven over the Analyzer gRPC service with resources the project's stacks register under mocks.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PACK_DIR, PolicyPackProcess, analyzerInput } from "../support/analyzer-client.ts";
import type { AnalyzerInput } from "../support/analyzer-client.ts";
import { OWNER, caseName, caseType, cases, plain } from "../support/analyzer-cases.ts";
import { runUnderCmdRun, type EngineRegistration } from "../support/engine.ts";
import { stackConfig } from "../support/pulumi-mocks.ts";
import { rules } from "../../policies/rules/index.ts";

const projectConfig = JSON.parse(readFileSync(join(PACK_DIR, "config.json"), "utf8")) as Record<string, unknown>;

/** What the program registers through cmd/run, with the URNs the engine builds (parents' full type chain). */
async function registrations(stack: string, config?: Record<string, unknown>): Promise<EngineRegistration[]> {
  const run = await runUnderCmdRun({ stack, dryRun: true, config });
  assert.equal(run.code, 0, run.stderr);
  return run.engine.registrations;
}

function input(stack: string, type: string, name: string, properties: Record<string, unknown>, parentType?: string): AnalyzerInput {
  const chain = parentType ? `${parentType}$${type}` : type;
  const parent = parentType ? `urn:pulumi:${stack}::flux-gitops::${parentType}::parent` : undefined;
  return { type, name, urn: `urn:pulumi:${stack}::flux-gitops::${chain}::${name}`, parent, properties };
}

describe("policy pack process, rule by rule", () => {
  let pack: PolicyPackProcess;
  before(async () => {
    pack = await PolicyPackProcess.start("dev", { "github:owner": OWNER });
  });
  after(async () => {
    await pack.close();
  });

  test("announces the pack, its version from policies/package.json and every rule at its default level", async () => {
    const info = await pack.info();
    const pkg = JSON.parse(readFileSync(join(PACK_DIR, "package.json"), "utf8")) as { version: string };
    assert.equal(info.name, "flux-gitops");
    assert.equal(info.version, pkg.version);
    assert.deepEqual(
      info.policies,
      rules.map((r) => ({ name: r.name, level: r.enforcementLevel })),
    );
  });

  test("single-flux-install: a stack without Flux install and sync is reported for both", async () => {
    await pack.configure({});
    const ns = input("dev", "kubernetes:core/v1:Namespace", "web", { apiVersion: "v1", kind: "Namespace", metadata: { name: "web" } });
    const diags = await pack.analyzeStack([ns]);
    assert.deepEqual(
      diags.map((d) => [d.policy, /found (\d+) (Flux installations|flux-system syncs)/.exec(d.message)?.slice(1)]),
      [
        ["single-flux-install", ["0", "Flux installations"]],
        ["single-flux-install", ["0", "flux-system syncs"]],
      ],
    );
  });

  for (const c of cases) {
    test(`Pulumi: ${c.rule}: ${c.title}`, async () => {
      await pack.configure(c.config ?? {});
      const env = c.env ?? "dev";
      const diags = await pack.analyze(input(env, caseType(c), caseName(c), plain(c.props), c.parentType));
      const expected = c.fires.includes("pulumi") ? [c.rule] : [];
      assert.deepEqual(
        diags.map((d) => d.policy),
        expected,
        diags.map((d) => d.message).join("\n"),
      );
      for (const d of diags) assert.equal(d.level, c.level ?? rules.find((r) => r.name === c.rule)!.enforcementLevel);
    });
  }
});

describe("deploy keys whose readOnly is no boolean, through the pack process", () => {
  test('one-write-key: two keys with readOnly "false" and 0 (the provider decodes both to false) are reported', async () => {
    const pack = await PolicyPackProcess.start("dev", { "github:owner": OWNER });
    try {
      await pack.configure({});
      const key = (name: string, readOnly: unknown) =>
        input("dev", "github:index/repositoryDeployKey:RepositoryDeployKey", name, {
          key: "ssh-ed25519 AAAA",
          readOnly,
          repository: "gitops",
          title: name,
        });
      const diags = (await pack.analyzeStack([key("a", "false"), key("b", 0), key("c", "true")])).filter(
        (d) => d.policy !== "single-flux-install",
      );
      assert.deepEqual(
        diags.map((d) => [d.policy, d.level]),
        [["one-write-key", "mandatory"]],
      );
      assert.match(diags[0]!.message, /found 2 deploy keys with write access \("a", "b"\)/);
    } finally {
      await pack.close();
    }
  });
});

describe("the project's own stacks through the policy pack", () => {
  for (const stack of ["dev", "prod"]) {
    test(`${stack}: every registered resource and the whole stack are clean`, async () => {
      const run = await registrations(stack);
      const pack = await PolicyPackProcess.start(stack, stackConfig(stack));
      try {
        await pack.configure(projectConfig);
        const resources = run.map(analyzerInput);
        assert.ok(
          resources.some((r) => r.type === "kubernetes:helm.sh/v3:Release"),
          "the Flux Helm release is analyzed",
        );
        assert.deepEqual(await pack.analyzeAll(resources), []);
      } finally {
        await pack.close();
      }
    });
  }

  test("a deliberately bad dev stack is reported with the right rule names", async () => {
    const deployKey = stackConfig("dev")["flux-gitops:deployKey"] as Record<string, unknown>;
    const run = await registrations("dev", {
      "flux-gitops:deployKey": { ...deployKey, readOnly: false },
      "flux-gitops:syncPath": "cluster/prod",
    });
    const resources = [
      ...run.map(analyzerInput),
      input("dev", "kubernetes:helm.sh/v3:Release", "nginx", { chart: "ingress-nginx", namespace: "ingress" }),
      input("dev", "kubernetes:apps/v1:Deployment", "web", {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "web" },
      }),
      input("dev", "flux-gitops:flux:FluxInstall", "second-flux", {}),
    ];
    const pack = await PolicyPackProcess.start("dev", stackConfig("dev"));
    try {
      await pack.configure(projectConfig);
      const diags = await pack.analyzeAll(resources);
      assert.deepEqual(diags.map((d) => d.policy).sort(), [
        "deploy-key-read-only",
        "no-direct-helm",
        "no-direct-workloads",
        "one-write-key",
        "single-flux-install",
        "sync-path-matches-env",
      ]);
      assert.ok(diags.every((d) => d.level === "mandatory"));
      assert.match(diags.find((d) => d.policy === "single-flux-install")!.message, /found 2 Flux installations/);
    } finally {
      await pack.close();
    }
  });
});
