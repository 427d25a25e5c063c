// Stack config validation: defaults, and one clear line for every kind of bad value.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig, readStackConfigFile, ConfigError } from "../../infra/config/index.ts";
import { runStack, stackConfig } from "../support/pulumi-mocks.ts";
import { testStackFile } from "../support/stacks.ts";

const repo = { owner: "acme", name: "platform" };

test("the FluxGitOps component names its argument instead of the config key (args.<key>), in every kind of error", () => {
  const parse = (values: Record<string, unknown>) => () => parseStackConfig(values, "dev", "FluxGitOps dev", "args.");
  const base = { kubernetes: { version: "1.32.4" }, repository: repo };
  assert.throws(parse({ ...base, repository: { ...repo, owner: "-acme" } }), (e: Error) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /^FluxGitOps dev: args\.repository\.owner must be a GitHub user or organisation name/);
    return true;
  });
  assert.throws(parse({ ...base, flux: { tolerationKeys: ["ok", ""] } }), /^ConfigError: FluxGitOps dev: args\.flux\.tolerationKeys\[1\] /);
  assert.throws(parse({ ...base, sync: { every: "1m" } }), /^ConfigError: FluxGitOps dev: args\.sync\.every is not a known setting$/);
  const hostile = JSON.parse(`{"kubernetes": {"version": "1.32.4"}, "repository": {"owner": "acme", "name": "x", "__proto__": {}}}`);
  assert.throws(parse(hostile), /^ConfigError: FluxGitOps dev: args\.repository\.__proto__ is not allowed /);
  const replaced = { ...base, sync: Object.assign(Object.create({ inherited: true }), { gitInterval: "1m" }) };
  assert.throws(parse(replaced), /^ConfigError: FluxGitOps dev: args\.sync must be a plain mapping/);
});

test("defaults fill every setting the user leaves out", () => {
  const cfg = parseStackConfig({ kubernetes: { version: "1.32.4" }, repository: repo }, "staging");
  assert.deepEqual(cfg.syncPath, { folder: "cluster/staging", flux: "./cluster/staging" });
  assert.equal(cfg.repository.branch, "main");
  assert.equal(cfg.repository.host, "github.com");
  assert.equal(cfg.production, false);
  // The newest pinned Flux whose `flux check --pre` accepts the cluster: 2.8 needs 1.33.
  assert.equal(cfg.flux.version, "2.7.5");
  assert.equal(parseStackConfig({ kubernetes: { version: "v1.33.1" }, repository: repo }, "staging").flux.version, "2.8.5");
  assert.equal(cfg.flux.install, "helm");
  assert.deepEqual(cfg.flux.components, ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"]);
  assert.deepEqual(cfg.deployKey, { algorithm: "ed25519", ecdsaCurve: "P384", rsaBits: 4096, readOnly: true, rotation: 0 });
  assert.deepEqual(cfg.sync, { gitInterval: "1m", kustomizationInterval: "10m", timeout: "5m" });
});

test("syncPath is normalised once into its folder and its Flux path: empty and . segments dropped anywhere", () => {
  for (const given of [
    "./cluster/eu/",
    "cluster/eu",
    "cluster/eu//",
    "././cluster/eu",
    "cluster//eu",
    "cluster/./eu",
    ".//cluster/.//eu/./",
  ]) {
    assert.deepEqual(parseStackConfig({ kubernetes: { version: "1.32.4" }, repository: repo, syncPath: given }, "eu").syncPath, {
      folder: "cluster/eu",
      flux: "./cluster/eu",
    });
  }
});

// [config values, expected message after "stack dev: "]
const BAD: [Record<string, unknown>, string][] = [
  [{}, "flux-gitops:repository is required"],
  [{ repository: "acme/platform" }, "flux-gitops:repository must be an object"],
  [{ kubernetes: { version: "1.32.4" }, repository: { name: "platform" } }, "flux-gitops:repository.owner is required"],
  [{ kubernetes: { version: "1.32.4" }, repository: { ...repo, branch: "" } }, "flux-gitops:repository.branch must be a non-empty string"],
  [{ kubernetes: { version: "1.32.4" }, repository: { ...repo, branch: 7 } }, "flux-gitops:repository.branch must be a string"],
  [{ kubernetes: { version: "1.32.4" }, repository: { ...repo, url: "x" } }, "flux-gitops:repository.url is not a known setting"],
  [
    { kubernetes: { version: "1.32.4" }, repository: repo, syncPath: "../other" },
    "flux-gitops:syncPath must be a path inside the repository (no '..')",
  ],
  [
    { kubernetes: { version: "1.32.4" }, repository: repo, syncPath: "./" },
    "flux-gitops:syncPath must name a folder below the repository root (e.g. cluster/dev)",
  ],
  [
    { kubernetes: { version: "1.32.4" }, repository: repo, syncPath: "/abs" },
    "flux-gitops:syncPath must be a relative path inside the repository, not an absolute one",
  ],
  [{ kubernetes: { version: "1.32.4" }, repository: repo, production: "yes" }, "flux-gitops:production must be a boolean"],
  [
    { kubernetes: { version: "1.32.4" }, repository: repo, flux: { install: "kubectl" } },
    'flux-gitops:flux.install must be one of: "helm", "operator"',
  ],
  [
    { kubernetes: { version: "1.32.4" }, repository: repo, flux: { version: "2.0.0" } },
    "flux-gitops:flux.version must be one of the pinned Flux versions: 2.6.4, 2.7.5, 2.8.5",
  ],
  [
    { kubernetes: { version: "1.32.4" }, repository: repo, flux: { components: [] } },
    "flux-gitops:flux.components must name at least one controller",
  ],
  [
    { kubernetes: { version: "1.32.4" }, repository: repo, flux: { components: ["helm-controller"] } },
    "flux-gitops:flux.components must include source-controller (the sync needs it)",
  ],
  [
    { kubernetes: { version: "1.32.4" }, repository: repo, flux: { componentsExtra: ["flagger"] } },
    'flux-gitops:flux.componentsExtra[0] must be one of: "image-reflector-controller", "image-automation-controller", "source-watcher"',
  ],
  [{ kubernetes: { version: "1.32.4" }, repository: repo, flux: { networkPolicy: 1 } }, "flux-gitops:flux.networkPolicy must be a boolean"],
  [
    { kubernetes: { version: "1.32.4" }, repository: repo, flux: { logLevel: "trace" } },
    'flux-gitops:flux.logLevel must be one of: "debug", "info", "error"',
  ],
  [
    { kubernetes: { version: "1.32.4" }, repository: repo, flux: { tolerationKeys: "dedicated" } },
    "flux-gitops:flux.tolerationKeys must be an array",
  ],
  [
    { kubernetes: { version: "1.32.4" }, repository: repo, flux: { imagePullSecret: "Bad_Name" } },
    "flux-gitops:flux.imagePullSecret must be a lowercase RFC 1123 name (a-z, 0-9, '-')",
  ],
  [
    { kubernetes: { version: "1.32.4" }, repository: repo, flux: { multitenancy: { lockdown: true } } },
    "flux-gitops:flux.multitenancy.lockdown is not a known setting",
  ],
  [
    { kubernetes: { version: "1.32.4" }, repository: repo, deployKey: { algorithm: "dsa" } },
    'flux-gitops:deployKey.algorithm must be one of: "ed25519", "ecdsa", "rsa"',
  ],
  [
    { kubernetes: { version: "1.32.4" }, repository: repo, deployKey: { ecdsaCurve: "P224" } },
    'flux-gitops:deployKey.ecdsaCurve must be one of: "P256", "P384", "P521"',
  ],
  [
    { kubernetes: { version: "1.32.4" }, repository: repo, deployKey: { rsaBits: 1024 } },
    "flux-gitops:deployKey.rsaBits must be at least 2048",
  ],
  [
    { kubernetes: { version: "1.32.4" }, repository: repo, deployKey: { rsaBits: 4096.5 } },
    "flux-gitops:deployKey.rsaBits must be an integer",
  ],
  [
    { kubernetes: { version: "1.32.4" }, repository: repo, deployKey: { rotation: -1 } },
    "flux-gitops:deployKey.rotation must be 0 or more",
  ],
  [
    { kubernetes: { version: "1.32.4" }, repository: repo, deployKey: { readOnly: "true" } },
    "flux-gitops:deployKey.readOnly must be a boolean",
  ],
  [{ kubernetes: { version: "1.32.4" }, repository: repo, knownHosts: "" }, "flux-gitops:knownHosts must be a non-empty string"],
  [
    { kubernetes: { version: "1.32.4" }, repository: repo, sync: { gitInterval: "1 minute" } },
    "flux-gitops:sync.gitInterval must be a Flux duration such as 30s, 1m or 1h (units ms, s, m, h)",
  ],
  // Go's ParseDuration takes ns, us and µs; the Flux CRDs' pattern does not, and the API server would refuse the object
  // (issue 21: the schema accepted these and the renderer refused them).
  ...["60000000us", "60000000µs", "60000000000ns", "-1m", "1d"].map((gitInterval): [Record<string, unknown>, string] => [
    { kubernetes: { version: "1.32.4" }, repository: repo, sync: { gitInterval } },
    "flux-gitops:sync.gitInterval must be a Flux duration such as 30s, 1m or 1h (units ms, s, m, h)",
  ]),
  [
    { kubernetes: { version: "1.32.4" }, repository: repo, sync: { kustomizationInterval: 10 } },
    "flux-gitops:sync.kustomizationInterval must be a string",
  ],
  [{ kubernetes: { version: "1.32.4" }, repository: repo, colour: "blue" }, "flux-gitops:colour is not a known setting"],
];

for (const [values, message] of BAD) {
  test(`rejects ${JSON.stringify(values)}`, () => {
    assert.throws(
      () => parseStackConfig(values, "dev"),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.message, `stack dev: ${message}`);
        assert.doesNotMatch(err.message, /\n/);
        return true;
      },
    );
  });
}

test("a stack name that cannot name a folder is rejected", () => {
  assert.throws(
    () => parseStackConfig({ kubernetes: { version: "1.32.4" }, repository: repo }, "Prod_EU"),
    /stack name 'Prod_EU' must be a lowercase RFC 1123 name/,
  );
});

test("the Pulumi program stops with one line naming the key", async () => {
  const config = { ...stackConfig("dev"), "flux-gitops:repository": { owner: "remla25-team3", name: "flux-gitops", branch: "" } };
  await assert.rejects(runStack("dev", { replaceConfig: config }), (err: unknown) => {
    // RunError: Pulumi prints its message without a stack trace.
    assert.ok(pulumi.RunError.isInstance(err as Error));
    assert.equal((err as Error).message, "Pulumi.dev.yaml: flux-gitops:repository.branch must be a non-empty string");
    return true;
  });
});

test("github:owner must match the repository owner", async () => {
  await assert.rejects(runStack("dev", { config: { "github:owner": "someone-else" } }), {
    message: "Pulumi.dev.yaml: github:owner 'someone-else' must equal flux-gitops:repository.owner 'remla25-team3'",
  });
});

test("Pulumi.<stack>.yaml files are read with the same schema", () => {
  const prod = readStackConfigFile(testStackFile("prod"), "prod");
  assert.equal(prod.production, true);
  assert.equal(prod.syncPath.folder, "cluster/prod");

  const dir = mkdtempSync(join(tmpdir(), "flux-gitops-config-"));
  const bad = join(dir, "Pulumi.qa.yaml");
  writeFileSync(bad, "config:\n  flux-gitops:repository:\n    owner: acme\n  flux-gitops:deployKey:\n    secret:\n      secure: v1:abc\n");
  assert.throws(() => readStackConfigFile(bad, "qa"), { message: `${bad}: flux-gitops:repository.name is required` });
  writeFileSync(bad, "config: [unclosed\n");
  assert.throws(
    () => readStackConfigFile(bad, "qa"),
    (err: Error) =>
      err instanceof ConfigError && err.message.startsWith(`${bad}: cannot read stack config:`) && !err.message.includes("\n"),
  );
});

test("a secret setting stored in plaintext is refused, in the file and in the program", async () => {
  const dir = mkdtempSync(join(tmpdir(), "flux-gitops-plain-"));
  const file = join(dir, "Pulumi.qa.yaml");
  writeFileSync(
    file,
    "config:\n  flux-gitops:kubernetes: {version: 1.32.4}\n  flux-gitops:repository:\n    owner: acme\n    name: platform\n  flux-gitops:slackWebhookUrl: https://hooks.slack.com/services/T0/B0/abc\n",
  );
  assert.throws(() => readStackConfigFile(file, "qa"), {
    message:
      "Pulumi.qa.yaml: flux-gitops:slackWebhookUrl is stored in plaintext; set it with pulumi config set --secret flux-gitops:slackWebhookUrl <value>",
  });
  await assert.rejects(runStack("dev", { config: { "flux-gitops:slackWebhookUrl": "https://hooks.slack.com/services/T0/B0/abc" } }), {
    message:
      "Pulumi.dev.yaml: flux-gitops:slackWebhookUrl is stored in plaintext; set it with pulumi config set --secret flux-gitops:slackWebhookUrl <value>",
  });
  // The same value set as a secret is accepted.
  const ok = await runStack("dev", { config: { "flux-gitops:slackWebhookUrl": { secure: "https://hooks.slack.com/services/T0/B0/abc" } } });
  assert.ok(ok.registrations.length > 0);
});
