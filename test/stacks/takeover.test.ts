// The take-over of the team's running cluster, held against the facts of their repository
// (test/stacks/fixtures/team-operation.json, copied from remla25-team3/operation at the commits it names):
// release names and namespaces, Helm storage, what is adopted and what is deleted once, the addresses
// and the Alertmanager routing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseStackConfig } from "../../infra/config/index.ts";
import type { HelmRelease } from "../../infra/render/objects.ts";
import { loadEnvironment } from "../../stacks/releases/environments.ts";
import type { MonitoringValues } from "../../stacks/releases/monitoring.ts";
import { METALLB_REPLACED, NEVER_DELETED, metallbMigrationCommands, type ObjectRef } from "../../stacks/releases/takeover.ts";

import { ROOT } from "../support/paths.ts";
import { renderedEnvironment } from "../support/rendered.ts";
import { TEST_DEFINITIONS_DIR } from "../support/stacks.ts";
const TEAM = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "team-operation.json"), "utf8")) as {
  helmReleases: { releases: { release: string; namespace: string }[] };
  notHelm: { metallb: { objects: ObjectRef[] } };
  addresses: Record<string, string | number>;
  alerting: {
    global: Record<string, unknown>;
    route: { routes: { severity: string; receiver: string; continue: boolean }[] } & Record<string, unknown>;
    receivers: string[];
    recipient: string;
  };
};

const config = (stack: string) =>
  parseStackConfig({ kubernetes: { version: "1.32.4" }, repository: { owner: "remla25-team3", name: "flux-gitops" } }, stack);

async function releases(stack: string): Promise<HelmRelease[]> {
  const env = await loadEnvironment(config(stack), `Pulumi.${stack}.yaml`, TEST_DEFINITIONS_DIR);
  return (env.layers ?? []).flatMap((l) => l.objects).filter((o): o is HelmRelease => o.kind === "HelmRelease");
}

test("dev takes over the team's Helm releases: same release name, target namespace and Helm storage namespace", async () => {
  const dev = await releases("dev");
  for (const { release, namespace } of TEAM.helmReleases.releases) {
    const hr = dev.find((r) => r.spec?.releaseName === release);
    assert.ok(hr, `a HelmRelease with releaseName ${release}`);
    assert.equal(hr.spec?.targetNamespace, namespace, `${release}: target namespace`);
    assert.equal(hr.spec?.storageNamespace, namespace, `${release}: Helm storage where the team's release lives`);
  }
});

for (const stack of ["dev", "prod"]) {
  test(`${stack}: every release keeps Helm's storage in its target namespace and takes ownership of existing objects`, async () => {
    for (const hr of await releases(stack)) {
      const name = hr.metadata?.name;
      assert.equal(hr.spec?.releaseName, name, `${name}: release name`);
      assert.equal(hr.spec?.storageNamespace, hr.spec?.targetNamespace, `${name}: storage namespace`);
      assert.equal(hr.spec?.install?.disableTakeOwnership, false, `${name}: install adopts`);
      assert.equal(hr.spec?.upgrade?.disableTakeOwnership, false, `${name}: upgrade adopts`);
    }
  });
}

const key = ([kind, ns, name]: ObjectRef) => `${kind}/${ns}/${name}`;

test("MetalLB manifest: every object is adopted by the chart release, applied from Git, or deleted once — never a CRD", () => {
  const manifest = new Set(TEAM.notHelm.metallb.objects.map(key));
  const deleted = new Set(METALLB_REPLACED.map(key));
  for (const d of deleted) assert.ok(manifest.has(d), `${d} is an object of the team's manifest`);
  const adopted = TEAM.notHelm.metallb.objects.filter((o) => !deleted.has(key(o)) && o[0] !== "Namespace");
  // What stays is adopted by name; only kinds whose contents survive a merge may be adopted.
  for (const [kind, , name] of adopted) assert.ok(NEVER_DELETED.includes(kind), `${kind} ${name} is adopted, not deleted`);
  assert.ok(adopted.some(([kind]) => kind === "CustomResourceDefinition"));
  assert.throws(() => metallbMigrationCommands([["CustomResourceDefinition", "", "ipaddresspools.metallb.io"]]), /must not delete/);
});

test("with real Helm: the chart renders every adopted MetalLB object by the same name, and none of the deleted ones", async () => {
  const metallb = (await renderedEnvironment("dev")).releases.find((r) => r.id === "flux-system/metallb")!;
  const chart = new Set(metallb.objects.map((d) => key([d.kind!, d.metadata?.namespace ?? "", d.metadata?.name ?? ""])));
  const clusterScoped = new Set(
    metallb.objects.filter((d) => !d.metadata?.namespace).map((d) => key([d.kind!, "", d.metadata?.name ?? ""])),
  );
  assert.ok(chart.size > 10);
  const deleted = new Set(METALLB_REPLACED.map(key));
  for (const o of TEAM.notHelm.metallb.objects) {
    if (o[0] === "Namespace") continue;
    const rendered = chart.has(key(o)) || clusterScoped.has(key(o));
    if (deleted.has(key(o)) && o[0] !== "Service") assert.ok(!rendered, `${key(o)} is deleted but the chart renders it`);
    if (!deleted.has(key(o))) assert.ok(rendered, `${key(o)} stays but the chart does not render it (it would be orphaned)`);
  }
});

test("docs/operations.md gives exactly the generated one-time MetalLB commands", () => {
  const doc = readFileSync(join(ROOT, "docs", "operations.md"), "utf8");
  const block = /<!-- metallb-takeover:begin -->\n```sh\n([\s\S]*?)```\n<!-- metallb-takeover:end -->/.exec(doc);
  assert.ok(block, "the marked block in docs/operations.md");
  assert.equal(block[1], metallbMigrationCommands().join("\n") + "\n");
});

function inPool(ip: string, range: string): boolean {
  const n = (a: string) => a.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  const [lo = "", hi = ""] = range.split("-");
  return n(ip) >= n(lo) && n(ip) <= n(hi);
}

function monitoringValues(hrs: HelmRelease[]): MonitoringValues {
  return hrs.find((r) => r.metadata?.name === "prom-monitoring")!.spec!.values as unknown as MonitoringValues;
}

test("dev serves Grafana and Prometheus where the team does: LoadBalancers at .92 and .93 (port 80)", async () => {
  const values = monitoringValues(await releases("dev"));
  assert.deepEqual(values.grafana.service, { type: "LoadBalancer", loadBalancerIP: TEAM.addresses.grafana, port: 80 });
  assert.deepEqual(values.prometheus.service, {
    type: "LoadBalancer",
    loadBalancerIP: TEAM.addresses.prometheus,
    port: TEAM.addresses.prometheusPort,
  });
});

for (const stack of ["dev", "prod"]) {
  test(`${stack}: every LoadBalancer IP lies in the MetalLB pool, and no two are the same`, async () => {
    const env = await loadEnvironment(config(stack), `Pulumi.${stack}.yaml`, TEST_DEFINITIONS_DIR);
    const objects = (env.layers ?? []).flatMap((l) => l.objects);
    const pool = objects.find((o) => o.kind === "IPAddressPool") as unknown as { spec: { addresses: string[] } };
    const hrs = objects.filter((o): o is HelmRelease => o.kind === "HelmRelease");
    const v = (name: string) => hrs.find((r) => r.metadata?.name === name)!.spec!.values as Record<string, any>;
    const ips = [
      v("ingress-nginx").controller.service.loadBalancerIP,
      v("istio-ingress").service.loadBalancerIP,
      v("prom-monitoring").grafana.service.loadBalancerIP,
      v("prom-monitoring").prometheus.service.loadBalancerIP,
    ] as string[];
    for (const ip of ips)
      assert.ok(
        pool.spec.addresses.some((r) => inPool(ip, r)),
        `${ip} in ${pool.spec.addresses}`,
      );
    assert.equal(new Set(ips).size, ips.length, `distinct: ${ips}`);
  });
}

for (const stack of ["dev", "prod"]) {
  test(`${stack}: Alertmanager routes as the team did, and its SMTP password comes only from the Pulumi-created Secret`, async () => {
    const hrs = await releases(stack);
    const values = monitoringValues(hrs);
    const am = values.alertmanager.config;
    const { routes, ...route } = TEAM.alerting.route;
    assert.deepEqual(am.global, TEAM.alerting.global);
    assert.deepEqual({ ...am.route, routes: undefined }, { ...route, routes: undefined });
    assert.deepEqual(
      am.route.routes,
      routes.map((r) => ({ matchers: [`severity = ${r.severity}`], receiver: r.receiver, continue: r.continue })),
    );
    assert.deepEqual(
      am.receivers.map((r) => r.name),
      TEAM.alerting.receivers,
    );
    for (const r of am.receivers) {
      assert.deepEqual(
        r.email_configs.map((e) => [e.to, e.send_resolved]),
        [[TEAM.alerting.recipient, true]],
      );
      // Only templates Alertmanager defines (default.tmpl): the team's "email.subject" does not exist.
      for (const e of r.email_configs) assert.doesNotMatch(JSON.stringify(e.headers ?? {}), /template "email\.(subject|html)"/);
    }
    // Every route leads to a receiver that exists.
    for (const r of [am.route.receiver, ...am.route.routes.map((x) => x.receiver)])
      assert.ok(
        am.receivers.some((x) => x.name === r),
        r,
      );
    // No password in Git: neither a value nor a file; it comes with valuesFrom from the Flux namespace.
    const text = JSON.stringify(values);
    assert.doesNotMatch(text, /smtp_auth_password/);
    const prom = hrs.find((r) => r.metadata?.name === "prom-monitoring")!;
    assert.deepEqual(prom.spec?.valuesFrom, [{ kind: "Secret", name: "alertmanager-smtp", valuesKey: "values.yaml", optional: true }]);
  });
}

for (const stack of ["dev", "prod"]) {
  test(`${stack}: nothing mounts a Secret nothing creates — no Alertmanager secrets, and the chart's plaintext SMTP Secret is dropped`, async () => {
    const hrs = await releases(stack);
    const values = monitoringValues(hrs) as unknown as { alertmanager: { alertmanagerSpec: Record<string, unknown> } };
    assert.equal(values.alertmanager.alertmanagerSpec.secrets, undefined);
    const remla = hrs.find((r) => r.metadata?.name === "remla-app")!;
    const patches = remla.spec?.postRenderers?.flatMap((p) => p.kustomize?.patches ?? []) ?? [];
    assert.ok(
      patches.some(
        (p) => p.target?.kind === "Secret" && p.target?.name === "alertmanager-smtp-password" && /\$patch: delete/.test(p.patch),
      ),
    );
  });
}
