// What Pulumi creates before Flux applies anything reaches the view: with the SMTP password set, the
// prom-monitoring release gets the values document Pulumi writes into Secret alertmanager-smtp (with a
// stand-in for the secret), and the Alertmanager config Helm renders carries it; without it, nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseStackConfig } from "../../infra/config/index.ts";
import { environmentView } from "../../infra/verify/environment.ts";
import { pulumiObjects } from "../../infra/verify/pulumi.ts";
import { ROOT } from "../support/paths.ts";

const config = (extra: Record<string, unknown>) =>
  parseStackConfig(
    { kubernetes: { version: "1.32.4" }, repository: { owner: "remla25-team3", name: "flux-gitops" }, production: true, ...extra },
    "prod",
  );

async function alertmanagerConfig(extra: Record<string, unknown>): Promise<string> {
  const view = await environmentView(config(extra), { root: ROOT, helm: 4, kubeVersion: "1.32.4" });
  const secret = view.objects.find(
    (o) => o.manifest.kind === "Secret" && o.manifest.metadata?.name === "alertmanager-prom-monitoring-kube-prome-alertmanager",
  );
  assert.ok(secret, "the chart renders Alertmanager's config Secret");
  return Buffer.from(String((secret.manifest.data as Record<string, string>)["alertmanager.yaml"]), "base64").toString();
}

test("the SMTP password Pulumi writes reaches Alertmanager's config through valuesFrom; unset, none does", async () => {
  assert.match(await alertmanagerConfig({ alertmanagerSmtpPassword: { secure: "v1:x" } }), /smtp_auth_password: \(a Pulumi secret\)/);
  assert.doesNotMatch(await alertmanagerConfig({}), /smtp_auth_password/);
});

test("pulumiObjects lists the Flux namespace, the sync objects and each optional Secret only when configured", () => {
  const names = (extra: Record<string, unknown>) => pulumiObjects(config(extra)).map((o) => `${o.kind} ${o.metadata?.name}`);
  assert.deepEqual(names({}), ["Namespace flux-system", "Secret flux-system", "GitRepository flux-system", "Kustomization flux-system"]);
  assert.ok(names({ alertmanagerSmtpPassword: { secure: "v1:x" } }).includes("Secret alertmanager-smtp"));
  const automation = names({
    imageAutomation: { enabled: true, registry: { server: "ghcr.io", username: "u" } },
    imageRegistryPassword: { secure: "v1:x" },
    flux: { componentsExtra: ["image-reflector-controller", "image-automation-controller"] },
  });
  assert.ok(automation.includes("Secret flux-system-automation") && automation.includes("GitRepository flux-system-automation"));
  assert.ok(automation.includes("Secret image-registry-auth"));
});
