// Upgrade and destroy under Pulumi mocks: a Flux version bump touches only the install; the
// engine's recorded dependency URNs make `pulumi destroy` remove the Flux objects before the
// controllers that run their finalizers; flux.keepOnDestroy leaves everything in the cluster.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runStack, stackConfig, type Registration, type StackRun, TYPES } from "../support/pulumi-mocks.ts";

const T = TYPES;

type Install = "helm" | "operator";

/** Everything on: commit status, Slack, receiver with Ingress. */
function config(install: Install, flux: Record<string, unknown> = {}) {
  return {
    "flux-gitops:flux": { ...(stackConfig("dev")["flux-gitops:flux"] as object), install, ...flux },
    // A cluster every pinned Flux installs on (Flux 2.8 needs Kubernetes 1.33).
    "flux-gitops:kubernetes": { version: "1.33.0" },
    "flux-gitops:notifications": { githubStatus: true, slack: { channel: "#deploys" } },
    "flux-gitops:githubStatusToken": { secure: "ghp_mock" },
    "flux-gitops:slackWebhookUrl": { secure: "https://hooks.slack.com/services/mock" },
    "flux-gitops:receiver": { enabled: true, ingress: { host: "flux-webhook.example.com" } },
  };
}

// Mock runs share Pulumi's global runtime state: one at a time.
let queue: Promise<unknown> = Promise.resolve();
function run(install: Install, flux: Record<string, unknown> = {}): Promise<StackRun> {
  const next = queue.then(() => runStack("dev", { config: config(install, flux) }));
  queue = next.catch(() => undefined);
  return next;
}

/** Paths (a.b.c) where two JSON values differ. */
function differences(a: unknown, b: unknown, path = ""): string[] {
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences((a as any)[k], (b as any)[k], path ? `${path}.${k}` : k));
  }
  return a === b ? [] : [path];
}

const INSTALL_CHANGE: Record<Install, [type: string, name: string, paths: string[]]> = {
  helm: [T.release, "flux2", ["version"]],
  operator: [T.instance, "flux", ["spec.distribution.version"]],
};

for (const install of ["helm", "operator"] as const) {
  test(`${install}: bumping flux.version 2.6.4 → 2.8.5 changes only the install`, async () => {
    const before = await run(install, { version: "2.6.4" });
    const after = await run(install, { version: "2.8.5" });
    assert.deepEqual(
      after.registrations.map((r) => r.urn).sort(),
      before.registrations.map((r) => r.urn).sort(),
      "same resources, nothing added or removed",
    );
    const [type, name, paths] = INSTALL_CHANGE[install];
    for (const old of before.registrations) {
      const now = after.registrations.find((r) => r.urn === old.urn)!;
      const changed = differences(old.inputs, now.inputs);
      if (old.type === type && old.name === name) assert.deepEqual(changed, paths, `${old.type} ${old.name}`);
      else assert.deepEqual(changed, [], `${old.type} ${old.name} must not change`);
    }
    assert.equal(after.outputs.fluxVersion!.value, "2.8.5");
  });
}

/**
 * Pulumi deletes a resource only after everything that depends on it (a recorded dependency URN,
 * or as a child) is gone; resources with no path between them may go in any order, in parallel.
 * So "X is deleted before Y" holds exactly when Y is reachable from X.
 */
function assertDeletedBefore(r: StackRun, first: Registration[], then: Registration) {
  const edges = new Map(r.registrations.map((x) => [x.urn, [...x.dependencies, ...(x.parent ? [x.parent] : [])]]));
  for (const x of first) {
    const seen = new Set<string>();
    const todo = [x.urn];
    while (todo.length > 0) {
      const urn = todo.pop()!;
      if (seen.has(urn)) continue;
      seen.add(urn);
      todo.push(...(edges.get(urn) ?? []));
    }
    assert.ok(seen.has(then.urn), `${x.type} ${x.name} is deleted before ${then.type} ${then.name}`);
  }
}

test("helm: destroy removes sync objects, notifications and receiver before the controllers, the namespace last", async () => {
  const r = await run("helm");
  const crs = [T.gitRepository, T.kustomization, T.provider, T.alert, T.receiver].flatMap((t) => r.byType(t));
  // 8 with dev's image automation GitRepository (flux-system-automation).
  assert.equal(crs.length, 8);
  const release = r.one(T.release);
  assertDeletedBefore(r, [...crs, r.one(T.ingress)], release);
  assertDeletedBefore(r, [release, ...r.byType(T.secret)], r.one(T.namespace));
  // GitHub stops sending pushes before the Receiver goes.
  assertDeletedBefore(r, [r.one(T.webhook)], r.one(T.receiver));
});

test("operator: destroy removes Flux objects before the FluxInstance, and the instance before the operator", async () => {
  const r = await run("operator");
  const instance = r.one(T.instance);
  const operator = r.one(T.release);
  assertDeletedBefore(
    r,
    [T.provider, T.alert, T.receiver].flatMap((t) => r.byType(t)),
    instance,
  );
  // The operator must still run when the FluxInstance is deleted: its finalizer uninstalls Flux.
  assertDeletedBefore(r, [instance], operator);
  assertDeletedBefore(r, [operator], r.one(T.namespace));
});

for (const install of ["helm", "operator"] as const) {
  test(`${install}: flux.keepOnDestroy retains every in-cluster object, and nothing is retained without it`, async () => {
    const kept = await run(install, { keepOnDestroy: true });
    const inCluster = kept.registrations.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
    assert.ok(inCluster.length >= 12);
    for (const r of inCluster) assert.equal(r.retainOnDelete, true, `${r.type} ${r.name} is retained`);
    // GitHub-side objects are removed: the deploy key and the push webhook stop working.
    for (const r of kept.registrations.filter((x) => x.custom && !x.type.startsWith("kubernetes:"))) {
      assert.equal(r.retainOnDelete, false, `${r.type} ${r.name}`);
    }
    const normal = await run(install);
    assert.deepEqual(
      normal.registrations.filter((r) => r.retainOnDelete).map((r) => r.name),
      [],
    );
  });
}
