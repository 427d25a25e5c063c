// The deploy key pair and its GitHub registration belong to the DeployKey component (so a `pulumi
// destroy` or a rotation replaces them with it), and the Secret that carries them is Opaque.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runStack, TYPES } from "../support/pulumi-mocks.ts";

test("the key pair and the GitHub deploy key are children of the DeployKey component; the sync Secret is Opaque", async () => {
  const r = await runStack("dev");
  const component = r.one("flux-gitops:deploy:DeployKey", "deploy-key");
  assert.equal(r.one(TYPES.privateKey, "deploy-key").parent, component.urn);
  assert.equal(r.one(TYPES.deployKey, "deploy-key").parent, component.urn);
  assert.equal(r.one(TYPES.secret, "flux-system").inputs.type, "Opaque");
});
