// deploy-key-read-only and one-write-key through the real policy pack process, on the deploy keys the
// program registers when it runs through @pulumi/pulumi/cmd/run against the fake engine (the URNs the
// engine builds: stack → FluxGitOps → ImageAutomationAccess → DeployKey → RepositoryDeployKey). The
// sync's key must be read-only; exactly the image automation's own key may push, and only in a stack
// whose config turns image automation on, registered on the stack's sync repository. Look-alikes (a fake
// ImageAutomationAccess parent, another repository, a stack without automation) are reported.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { PolicyPackProcess, analyzerInput, type AnalyzerInput } from "../support/analyzer-client.ts";
import { runUnderCmdRun, type EngineRegistration } from "../support/engine.ts";
import { stackConfig, TYPES } from "../support/pulumi-mocks.ts";
import { deployKeyReadOnly } from "../../policies/rules/stack.ts";

const RULE = "deploy-key-read-only";
const STACK_RULE = "one-write-key";
let dev: PolicyPackProcess;
let prod: PolicyPackProcess;

before(async () => {
  [dev, prod] = await Promise.all([
    PolicyPackProcess.start("dev", stackConfig("dev")),
    PolicyPackProcess.start("prod", stackConfig("prod")),
  ]);
  await Promise.all([dev.configure({}), prod.configure({})]);
});
after(async () => {
  await Promise.all([dev?.close(), prod?.close()]);
});

const input = analyzerInput;

async function registrations(stack: string, config?: Record<string, unknown>): Promise<EngineRegistration[]> {
  const run = await runUnderCmdRun({ stack, dryRun: true, config });
  assert.equal(run.code, 0, run.stderr);
  return run.engine.registrations;
}

async function findings(pack: PolicyPackProcess, resources: AnalyzerInput[]): Promise<string[]> {
  const keys = resources.filter((r) => r.type === TYPES.deployKey);
  assert.ok(keys.length > 0);
  const diags = [...(await Promise.all(keys.map((k) => pack.analyze(k)))).flat(), ...(await pack.analyzeStack(resources))];
  return diags.filter((d) => d.policy === RULE || d.policy === STACK_RULE).map((d) => `${d.policy}: ${d.message}`);
}

const withKey = (stack: string, patch: Record<string, unknown>) => ({
  "flux-gitops:deployKey": { ...(stackConfig(stack)["flux-gitops:deployKey"] as Record<string, unknown>), ...patch },
});

let devKeys: Promise<EngineRegistration[]> | undefined;
const devRegistrations = () => (devKeys ??= registrations("dev"));
const automationKey = async () => (await devRegistrations()).find((r) => r.type === TYPES.deployKey && r.name === "automation-deploy-key")!;

test("dev's stack: the automation's write key at its registered place is allowed, the read-only sync key passes", async () => {
  const regs = await devRegistrations();
  const key = await automationKey();
  assert.equal(key.inputs.readOnly, false);
  // The chain the engine builds (FluxGitOps is a child of the stack resource, whose type a URN leaves out).
  assert.match(
    key.urn,
    /::flux-gitops:index:FluxGitOps\$flux-gitops:flux:ImageAutomationAccess\$flux-gitops:deploy:DeployKey\$github:index\/repositoryDeployKey:RepositoryDeployKey::automation-deploy-key$/,
  );
  assert.deepEqual(await findings(dev, regs.map(input)), []);
});

test("a rotated automation key is still the automation's key", async () => {
  const regs = await registrations("dev", withKey("dev", { rotation: 2 }));
  assert.ok(regs.some((r) => r.type === TYPES.deployKey && r.name === "automation-deploy-key-r2" && r.inputs.readOnly === false));
  assert.deepEqual(await findings(dev, regs.map(input)), []);
});

test("the sync key with write access is reported, and the stack then has two write keys", async () => {
  const regs = await registrations("dev", withKey("dev", { readOnly: false }));
  const messages = await findings(dev, regs.map(input));
  assert.equal(messages.length, 2, messages.join("\n"));
  assert.match(messages[0]!, /^deploy key "deploy-key" has write access/m);
  assert.match(messages[1]!, /^found 2 deploy keys with write access \("deploy-key", "automation-deploy-key"\)/m);
});

test("prod (automation off) with the sync key made writable: reported, one write key is fine for the stack rule", async () => {
  const regs = await registrations("prod", withKey("prod", { readOnly: false }));
  const messages = await findings(prod, regs.map(input));
  assert.deepEqual(
    messages.map((m) => m.split(":")[0]),
    [RULE],
  );
  assert.match(messages[0]!, /image automation is off in this stack's config/);
});

/** A RepositoryDeployKey with write access below a made-up parent chain. */
function spoof(stack: string, parentTypes: string[], parentName: string, name: string, repository: string): AnalyzerInput {
  const parent = `urn:pulumi:${stack}::flux-gitops::${parentTypes.join("$")}::${parentName}`;
  return {
    type: TYPES.deployKey,
    name,
    urn: `urn:pulumi:${stack}::flux-gitops::${[...parentTypes, TYPES.deployKey].join("$")}::${name}`,
    parent,
    properties: { key: "ssh-ed25519 AAAAspoof\n", readOnly: false, repository, title: "spoof" },
  };
}

const IAA = "flux-gitops:flux:ImageAutomationAccess";
const GITOPS = "flux-gitops:index:FluxGitOps";
const DEPLOY_KEY = "flux-gitops:deploy:DeployKey";
const REAL_CHAIN = [GITOPS, IAA, DEPLOY_KEY];

async function reported(pack: PolicyPackProcess, key: AnalyzerInput): Promise<string[]> {
  return (await pack.analyze(key)).filter((d) => d.policy === RULE).map((d) => d.message);
}

test("the reviewer's spoof: prod, a fake top-level ImageAutomationAccess parent, another repository", async () => {
  const key = spoof("prod", [IAA], "image-automation", "automation-deploy-key", "some-other-repo");
  const messages = await reported(prod, key);
  assert.equal(messages.length, 1, messages.join("\n"));
  assert.match(messages[0]!, /^deploy key "automation-deploy-key" has write access/m);
});

test("each condition on its own: automation off, a fake chain, another repository, a wrong parent name", async () => {
  const repo = (await automationKey()).inputs.repository as string;
  const cases: [string, PolicyPackProcess, AnalyzerInput, RegExp][] = [
    [
      "exact chain, but prod's config has automation off",
      prod,
      spoof("prod", REAL_CHAIN, "automation-deploy-key", "automation-deploy-key", repo),
      /automation is off/,
    ],
    [
      "fake top-level ImageAutomationAccess parent in dev",
      dev,
      spoof("dev", [IAA], "image-automation", "automation-deploy-key", repo),
      /not the key ImageAutomationAccess registers/,
    ],
    [
      "ImageAutomationAccess without FluxGitOps above it",
      dev,
      spoof("dev", [IAA, DEPLOY_KEY], "automation-deploy-key", "automation-deploy-key", repo),
      /not the key/,
    ],
    [
      "an extra component in between",
      dev,
      spoof("dev", [GITOPS, IAA, "x:y:Z", DEPLOY_KEY], "automation-deploy-key", "automation-deploy-key", repo),
      /not the key/,
    ],
    [
      "exact chain, another repository",
      dev,
      spoof("dev", REAL_CHAIN, "automation-deploy-key", "automation-deploy-key", "some-other-repo"),
      /repository "some-other-repo"/,
    ],
    [
      "exact chain, the DeployKey component renamed",
      dev,
      spoof("dev", REAL_CHAIN, "other-key", "automation-deploy-key", repo),
      /not the key/,
    ],
    [
      "exact chain, a look-alike name",
      dev,
      spoof("dev", REAL_CHAIN, "automation-deploy-key", "automation-deploy-key-extra", repo),
      /not the key/,
    ],
  ];
  for (const [what, pack, key, why] of cases) {
    const messages = await reported(pack, key);
    assert.equal(messages.length, 1, `${what}: must be reported`);
    assert.match(messages[0]!, why, what);
  }
  // The control: the same helper with everything right is the automation's key.
  assert.deepEqual(await reported(dev, spoof("dev", REAL_CHAIN, "automation-deploy-key", "automation-deploy-key", repo)), []);
});

test("a URN that does not agree with its parent option is not the automation's key", async () => {
  const real = input(await automationKey());
  const detached = { ...real, parent: real.parent!.replace(`${IAA}$`, "") };
  assert.equal((await reported(dev, detached)).length, 1);
  const shortUrn = { ...real, urn: real.urn.replace(`${GITOPS}$`, "") };
  assert.equal((await reported(dev, shortUrn)).length, 1);
  const orphan = { ...real, parent: undefined };
  assert.equal((await reported(dev, orphan)).length, 1);
});

test("a second writable key in a stack with automation on is reported by one-write-key", async () => {
  const regs = (await devRegistrations()).map(input);
  const repo = (await automationKey()).inputs.repository as string;
  const extra = spoof("dev", REAL_CHAIN, "automation-deploy-key", "automation-deploy-key-r1", repo);
  const diags = (await dev.analyzeStack([...regs, extra])).filter((d) => d.policy === STACK_RULE);
  assert.equal(diags.length, 1, JSON.stringify(diags));
  assert.equal(diags[0]!.level, "mandatory");
});

test("allowWrite is gone: write access cannot be switched on for every key by config", () => {
  assert.equal(deployKeyReadOnly.config.safeParse({ allowWrite: true }).success, false);
  assert.equal(deployKeyReadOnly.config.safeParse({}).success, true);
});
