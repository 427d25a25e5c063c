// Image automation's access under Pulumi mocks: a second, write-enabled deploy key with its own Secret
// and GitRepository exists only when the stack config enables automation; the sync's key and Secret
// are the same with or without it; registry credentials become a docker-registry Secret, secret end to end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseStackConfig } from "../../infra/config/index.ts";
import { isSecretAt, runStack, stackConfig, TYPES, type StackRun } from "../support/pulumi-mocks.ts";

const T = TYPES;
const AUTOMATION = ["flux-gitops:flux:ImageAutomationAccess", "flux-gitops:deploy:DeployKey", T.deployKey, T.privateKey];
const devFlux = stackConfig("dev")["flux-gitops:flux"] as Record<string, unknown>;

const automationParts = (r: StackRun) =>
  r.registrations
    .filter((x) => x.name.includes("automation"))
    .map((x) => `${x.type} ${x.name}`)
    .sort();

test("prod (automation off) has no write key, no automation Secret or GitRepository", async () => {
  const prod = await runStack("prod");
  assert.deepEqual(automationParts(prod), []);
  assert.equal(prod.byType(T.deployKey).length, 1);
  assert.equal(prod.one(T.deployKey).inputs.readOnly, true);
});

test("dev (automation on) adds exactly the automation's key, Secret and GitRepository; the sync key stays read-only", async () => {
  const dev = await runStack("dev");
  assert.deepEqual(
    automationParts(dev),
    [
      `${AUTOMATION[0]} image-automation`,
      `${AUTOMATION[1]} automation-deploy-key`,
      `${T.deployKey} automation-deploy-key`,
      `${T.privateKey} automation-deploy-key`,
      `${T.secret} flux-system-automation`,
      `${T.gitRepository} flux-system-automation-git`,
    ].sort(),
  );
  assert.equal(dev.one(T.deployKey, "deploy-key").inputs.readOnly, true, "the sync's key");
  const writeKey = dev.one(T.deployKey, "automation-deploy-key").inputs;
  assert.equal(writeKey.readOnly, false);
  assert.equal(writeKey.title, "flux-gitops dev image automation (cluster/dev)");
  assert.equal(writeKey.key, "ssh-ed25519 MOCKPUBLICautomationdeploykey\n");

  // Its own Secret holds its own key (a Pulumi secret), and waits for GitHub to accept the key.
  const secret = dev.one(T.secret, "flux-system-automation");
  assert.ok(isSecretAt(secret.wireInputs, ["stringData"]));
  assert.match(secret.inputs.stringData.identity, /MOCK-PRIVATE-automation-deploy-key/);
  assert.deepEqual(Object.keys(secret.inputs.stringData).sort(), ["identity", "identity.pub", "known_hosts"]);
  assert.ok(secret.dependencies.includes(dev.one(T.deployKey, "automation-deploy-key").urn));
  assert.doesNotMatch(
    JSON.stringify(dev.one(T.secret, "flux-system").inputs),
    /automation-deploy-key/,
    "the sync Secret never gets the write key",
  );

  // The automation's GitRepository: the sync's repository and branch, the automation's Secret.
  const git = dev.one(T.gitRepository, "flux-system-automation-git").inputs;
  const sync = dev.one(T.gitRepository, "flux-system-git").inputs;
  assert.deepEqual(git.metadata.name, "flux-system-automation");
  assert.deepEqual(git.spec, { ...sync.spec, secretRef: { name: "flux-system-automation" } });
  assert.ok(dev.one(T.gitRepository, "flux-system-automation-git").dependencies.includes(dev.one(T.release).urn), "waits for the CRDs");
});

test("the sync's key, Secret and GitRepository are the same whether automation is on or off", async () => {
  // One after the other: the mocks harness records one stack at a time.
  const on = await runStack("dev");
  const off = await runStack("dev", { config: { "flux-gitops:imageAutomation": { enabled: false } } });
  assert.deepEqual(automationParts(off), []);
  for (const [type, name] of [
    [T.deployKey, "deploy-key"],
    [T.privateKey, "deploy-key"],
    [T.secret, "flux-system"],
    [T.gitRepository, "flux-system-git"],
    [T.kustomization, "flux-system-kustomization"],
  ] as const) {
    assert.deepEqual(on.one(type, name).inputs, off.one(type, name).inputs, `${type} ${name}`);
  }
});

test("registry credentials become a docker-registry Secret, a Pulumi secret, only when configured", async () => {
  const dev = await runStack("dev");
  assert.equal(dev.byType(T.secret).filter((s) => s.name === "image-registry-auth").length, 0);
  const withRegistry = await runStack("dev", {
    config: {
      "flux-gitops:imageAutomation": { enabled: true, registry: { server: "ghcr.io", username: "remla-bot" } },
      "flux-gitops:imageRegistryPassword": { secure: "registry-token-123" },
    },
  });
  const secret = withRegistry.one(T.secret, "image-registry-auth");
  assert.equal(secret.inputs.type, "kubernetes.io/dockerconfigjson");
  assert.ok(isSecretAt(secret.wireInputs, ["stringData"]));
  const config = JSON.parse(secret.inputs.stringData[".dockerconfigjson"]);
  assert.deepEqual(config, {
    auths: {
      "ghcr.io": {
        username: "remla-bot",
        password: "registry-token-123",
        auth: Buffer.from("remla-bot:registry-token-123").toString("base64"),
      },
    },
  });
});

test("bad image automation settings are one line naming the key", () => {
  const base = { kubernetes: { version: "1.32.4" }, repository: { owner: "acme", name: "fleet" } };
  assert.throws(() => parseStackConfig({ ...base, imageAutomation: { enabled: true } }, "qa", "Pulumi.qa.yaml"), {
    message:
      /^Pulumi\.qa\.yaml: flux-gitops:flux\.componentsExtra must include image-reflector-controller and image-automation-controller when imageAutomation\.enabled is true$/,
  });
  const flux = { componentsExtra: ["image-reflector-controller", "image-automation-controller"] };
  assert.throws(
    () =>
      parseStackConfig(
        { ...base, flux, imageAutomation: { enabled: true, registry: { server: "ghcr.io", username: "u" } } },
        "qa",
        "Pulumi.qa.yaml",
      ),
    { message: /^Pulumi\.qa\.yaml: flux-gitops:imageRegistryPassword is required when imageAutomation\.registry is set/ },
  );
  assert.throws(
    () => parseStackConfig({ ...base, flux, imageAutomation: { enabled: true, scanInterval: "often" } }, "qa", "Pulumi.qa.yaml"),
    {
      message: /imageAutomation\.scanInterval must be a Flux duration/,
    },
  );
  // Off by default, and the committed dev stack turns it on with its controllers.
  assert.equal(parseStackConfig(base, "qa").imageAutomation.enabled, false);
  assert.deepEqual(devFlux.componentsExtra, ["image-reflector-controller", "image-automation-controller"]);
});
