// The defects that kept the team's cluster from installing, each as the definition that had it,
// rendered by real Helm into a temporary repository and caught by the install checks; the definitions
// as they are now pass the same checks (test/verify/environments.test.ts checks them whole).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseStackConfig } from "../../infra/config/index.ts";
import { writeEnvironments } from "../../infra/render/write.ts";
import { CHECKS } from "../../infra/verify/checks/index.ts";
import { environmentView } from "../../infra/verify/environment.ts";
import dev from "../fixtures/stacks/environments/dev.ts";
import prod from "../fixtures/stacks/environments/prod.ts";
import { environment, type EnvironmentDefinition } from "../../stacks/releases/index.ts";

const config = (stack: string, production = false) =>
  parseStackConfig({ kubernetes: { version: "1.32.4" }, repository: { owner: "remla25-team3", name: "flux-gitops" }, production }, stack);

/** The findings of `check` over environment `stack` rendered from `definition` into a temporary repository. */
async function findings(
  t: { after(fn: () => void): void },
  stack: string,
  definition: EnvironmentDefinition,
  check: keyof typeof CHECKS,
): Promise<string[]> {
  const root = mkdtempSync(join(tmpdir(), "verify-defect-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const cfg = config(stack, stack === "prod");
  writeEnvironments(root, [environment(cfg, definition)]);
  const view = await environmentView(cfg, { root, helm: 4, kubeVersion: cfg.kubernetes.version });
  return CHECKS[check]!(view).map((f) => `${f.object}: ${f.message}`);
}

test("dev: the operator's TLS without its admission webhooks mounts a Secret only the disabled webhook Job creates", async (t) => {
  const before = { ...dev, monitoring: { prometheusOperator: { admissionWebhooks: { enabled: false }, tls: { enabled: true } } } };
  const found = await findings(t, "dev", before, "mounts");
  assert.ok(
    found.some((f) => /prom-monitoring-kube-prome-admission/.test(f)),
    `the operator's missing Secret is a finding: ${JSON.stringify(found)}`,
  );
  assert.deepEqual(await findings(t, "dev", dev, "mounts"), []);
});

test("prod: Alertmanager mounting a Secret nothing creates is a finding", async (t) => {
  const before = {
    ...prod,
    monitoring: { ...prod.monitoring, alertmanager: { alertmanagerSpec: { replicas: 2, secrets: ["alertmanager-smtp"] } } },
  };
  const found = await findings(t, "prod", before as EnvironmentDefinition, "mounts");
  assert.ok(
    found.some((f) => /Alertmanager .*alertmanager-smtp/.test(f)),
    `Alertmanager's missing Secret is a finding: ${JSON.stringify(found)}`,
  );
});
