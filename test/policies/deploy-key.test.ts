// deploy-key-read-only through the real policy pack process, on the deploy keys the dev stack registers
// under mocks: the sync's key must be read-only; exactly the image automation's own key (by its
// resource name inside its component, rotations included) may push; a look-alike may not.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { PolicyPackProcess, type AnalyzerInput } from "../support/analyzer-client.ts";
import { runStack, stackConfig, TYPES, type Registration } from "../support/pulumi-mocks.ts";
import { deployKeyReadOnly } from "../../policies/rules/stack.ts";

const RULE = "deploy-key-read-only";
let pack: PolicyPackProcess;

before(async () => {
  pack = await PolicyPackProcess.start("dev", stackConfig("dev"));
  await pack.configure({});
});
after(async () => {
  await pack.close();
});

const input = (r: Registration): AnalyzerInput => ({
  type: r.type,
  name: r.name,
  urn: r.urn,
  parent: r.parent || undefined,
  properties: r.wireInputs,
  dependencies: r.dependencies,
});

async function findings(registrations: Registration[]): Promise<string[]> {
  const keys = registrations.filter((r) => r.type === TYPES.deployKey);
  assert.ok(keys.length > 0);
  const diags = (await Promise.all(keys.map((k) => pack.analyze(input(k))))).flat();
  return diags.filter((d) => d.policy === RULE).map((d) => d.message);
}

const withKey = (patch: Record<string, unknown>) => ({
  "flux-gitops:deployKey": { ...(stackConfig("dev")["flux-gitops:deployKey"] as Record<string, unknown>), ...patch },
});

test("dev's stack: the automation's write key is allowed, the read-only sync key passes", async () => {
  const run = await runStack("dev");
  assert.equal(run.one(TYPES.deployKey, "automation-deploy-key").inputs.readOnly, false);
  assert.deepEqual(await findings(run.registrations), []);
});

test("a rotated automation key is still the automation's key", async () => {
  const run = await runStack("dev", { config: withKey({ rotation: 2 }) });
  assert.equal(run.one(TYPES.deployKey, "automation-deploy-key-r2").inputs.readOnly, false);
  assert.deepEqual(await findings(run.registrations), []);
});

test("the sync key with write access is reported, even beside the automation's key", async () => {
  const run = await runStack("dev", { config: withKey({ readOnly: false }) });
  const messages = await findings(run.registrations);
  assert.equal(messages.length, 1, messages.join("\n"));
  assert.match(messages[0]!, /^deploy key "deploy-key" has write access/m);
});

test("a look-alike is reported: the automation's name outside its component, or another name inside it", async () => {
  const run = await runStack("dev");
  const real = run.one(TYPES.deployKey, "automation-deploy-key");
  const props = { ...real.wireInputs, readOnly: false };
  // Same name, but a child of the stack itself (not of ImageAutomationAccess).
  const outside: AnalyzerInput = {
    type: TYPES.deployKey,
    name: "automation-deploy-key",
    urn: `urn:pulumi:dev::flux-gitops::${TYPES.deployKey}::automation-deploy-key`,
    properties: props,
  };
  // Inside the component, but not its key's name.
  const renamed: AnalyzerInput = {
    ...input(real),
    name: "automation-deploy-key-extra",
    urn: real.urn.replace(/::automation-deploy-key$/, "::automation-deploy-key-extra"),
  };
  for (const spoof of [outside, renamed]) {
    const diags = (await pack.analyze(spoof)).filter((d) => d.policy === RULE);
    assert.equal(diags.length, 1, `${spoof.urn} must be reported`);
  }
});

test("allowWrite is gone: write access cannot be switched on for every key by config", () => {
  assert.equal(deployKeyReadOnly.config.safeParse({ allowWrite: true }).success, false);
  assert.equal(deployKeyReadOnly.config.safeParse({}).success, true);
});
