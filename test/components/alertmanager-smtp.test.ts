// Alertmanager's SMTP password: a Pulumi secret from `flux-gitops:alertmanagerSmtpPassword` to the Secret
// the prom-monitoring HelmRelease reads with valuesFrom (stacks/releases/monitoring.ts), never plaintext.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ALERTMANAGER_SMTP_KEY, ALERTMANAGER_SMTP_SECRET } from "../../infra/contract.ts";
import yaml from "js-yaml";
import { parseStackConfig } from "../../infra/config/index.ts";
import { SMTP_PASSWORD_VALUES } from "../../stacks/releases/monitoring.ts";
import { isSecretAt, runStack, TYPES as T } from "../support/pulumi-mocks.ts";

const PASSWORD = `12,34 "x" 'y' \\ #: {z}`;

test("the SMTP password becomes Secret alertmanager-smtp in the Flux namespace, a Pulumi secret, only when configured", async () => {
  const without = await runStack("prod");
  assert.equal(without.byType(T.secret).filter((s) => s.name === ALERTMANAGER_SMTP_SECRET).length, 0);
  const withPassword = await runStack("prod", { config: { "flux-gitops:alertmanagerSmtpPassword": { secure: PASSWORD } } });
  const secret = withPassword.one(T.secret, ALERTMANAGER_SMTP_SECRET);
  assert.equal(secret.inputs.metadata.name, ALERTMANAGER_SMTP_SECRET);
  assert.equal(secret.inputs.metadata.namespace, "flux-system");
  assert.ok(isSecretAt(secret.wireInputs, ["stringData"]));
  assert.deepEqual(Object.keys(secret.inputs.stringData), [ALERTMANAGER_SMTP_KEY]);
  // helm-controller parses the key as YAML and merges it over the values: the password arrives unchanged,
  // a string, at alertmanager.config.global.smtp_auth_password — commas, quotes and digits included.
  assert.deepEqual(yaml.load(secret.inputs.stringData[ALERTMANAGER_SMTP_KEY]), {
    alertmanager: { config: { global: { smtp_auth_password: PASSWORD } } },
  });
  // The HelmRelease reads exactly this Secret and key (helm-controller reads valuesFrom in the HelmRelease's namespace).
  assert.equal(SMTP_PASSWORD_VALUES.name, secret.inputs.metadata.name);
  assert.equal(SMTP_PASSWORD_VALUES.valuesKey, Object.keys(secret.inputs.stringData)[0]);
});

test("a plaintext SMTP password in the stack config is refused, naming the key", () => {
  // The schema accepts the setting only as a secret ({secure}); a plain string is caught by the stack loaders.
  assert.doesNotThrow(() =>
    parseStackConfig(
      { kubernetes: { version: "1.32.4" }, repository: { owner: "acme", name: "fleet" }, alertmanagerSmtpPassword: { secure: "x" } },
      "qa",
    ),
  );
  assert.throws(
    () =>
      parseStackConfig(
        { kubernetes: { version: "1.32.4" }, repository: { owner: "acme", name: "fleet" }, alertmanagerSmtpPassword: "  " },
        "qa",
        "Pulumi.qa.yaml",
      ),
    /alertmanagerSmtpPassword/,
  );
});
