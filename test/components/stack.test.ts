// The core stack under Pulumi mocks: resource graph, ordering, secrecy, deploy key, rotation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runStack, stackConfig, isSecretAt, type StackRun, TYPES } from "../support/pulumi-mocks.ts";
import { GITHUB_KNOWN_HOSTS } from "../../infra/flux/known-hosts.ts";
import { hostKeyLine } from "../support/ssh-keys.ts";

const T = TYPES;

const runs = new Map<string, Promise<StackRun>>();
function run(stack: "dev" | "prod"): Promise<StackRun> {
  if (!runs.has(stack)) runs.set(stack, runStack(stack));
  return runs.get(stack)!;
}

function withKey(stack: string, patch: Record<string, unknown>) {
  const current = stackConfig(stack)["flux-gitops:deployKey"] as Record<string, unknown>;
  return { "flux-gitops:deployKey": { ...current, ...patch } };
}

for (const stack of ["dev", "prod"] as const) {
  test(`${stack}: registers exactly the expected resource graph`, async () => {
    const r = await run(stack);
    const types = r.registrations.map((x) => `${x.type} ${x.name}`).sort();
    assert.deepEqual(
      types,
      [
        "flux-gitops:deploy:DeployKey deploy-key",
        "flux-gitops:flux:FluxInstall flux",
        "flux-gitops:flux:FluxSync sync",
        `flux-gitops:index:FluxGitOps ${stack}`,
        `${T.deployKey} deploy-key`,
        `${T.namespace} flux-system`,
        `${T.secret} flux-system`,
        `${T.release} flux2`,
        `${T.gitRepository} flux-system-git`,
        `${T.kustomization} flux-system-kustomization`,
        `${T.privateKey} deploy-key`,
        // dev enables image automation (Pulumi.dev.yaml): its own write key, Secret and GitRepository.
        ...(stack === "dev"
          ? [
              "flux-gitops:flux:ImageAutomationAccess image-automation",
              "flux-gitops:deploy:DeployKey automation-deploy-key",
              `${T.deployKey} automation-deploy-key`,
              `${T.privateKey} automation-deploy-key`,
              `${T.secret} flux-system-automation`,
              `${T.gitRepository} flux-system-automation-git`,
            ]
          : []),
      ].sort(),
    );
  });

  test(`${stack}: GitRepository and Kustomization point Flux at ./cluster/${stack}`, async () => {
    const r = await run(stack);
    const git = r.one(T.gitRepository, "flux-system-git").inputs;
    assert.equal(git.metadata.name, "flux-system");
    assert.equal(git.metadata.namespace, "flux-system");
    assert.equal(git.spec.url, "ssh://git@github.com/remla25-team3/flux-gitops");
    assert.deepEqual(git.spec.ref, { branch: "main" });
    assert.deepEqual(git.spec.secretRef, { name: "flux-system" });
    assert.equal(git.spec.interval, stack === "dev" ? "1m" : "5m");
    assert.equal(git.metadata.labels["flux-gitops.io/environment"], stack);
    assert.equal(git.metadata.labels["flux-gitops.io/production"], String(stack === "prod"));

    const ks = r.one(T.kustomization).inputs;
    assert.equal(ks.apiVersion, "kustomize.toolkit.fluxcd.io/v1");
    assert.equal(ks.spec.path, `./cluster/${stack}`);
    assert.equal(ks.spec.prune, true);
    assert.equal(ks.spec.interval, "10m");
    assert.deepEqual(ks.spec.sourceRef, { kind: "GitRepository", name: "flux-system" });
    assert.equal(r.outputs.syncPath!.value, `./cluster/${stack}`);
  });

  test(`${stack}: the flux-system Secret has exactly identity, identity.pub and known_hosts`, async () => {
    const r = await run(stack);
    const secret = r.one(T.secret, "flux-system");
    assert.equal(secret.inputs.metadata.name, "flux-system");
    assert.equal(secret.inputs.metadata.namespace, "flux-system");
    assert.deepEqual(Object.keys(secret.inputs.stringData).sort(), ["identity", "identity.pub", "known_hosts"]);
    const key = r.one(T.privateKey, "deploy-key");
    assert.match(secret.inputs.stringData.identity, /^-----BEGIN OPENSSH PRIVATE KEY-----\nMOCK-PRIVATE-deploy-key\n/);
    assert.equal(secret.inputs.stringData["identity.pub"], `ssh-ed25519 MOCKPUBLICdeploykey\n`);
    assert.equal(secret.inputs.stringData.known_hosts, GITHUB_KNOWN_HOSTS + "\n");
    assert.ok(key);
  });

  test(`${stack}: Flux is installed from the pinned flux2 chart with values from config`, async () => {
    const r = await run(stack);
    const rel = r.one(T.release).inputs;
    assert.equal(rel.chart, "flux2");
    // The team's cluster runs Kubernetes 1.32.4, so both stacks pin Flux 2.7.5; flux2 2.17.2 ships it
    // (its appVersion): the output names what the chart installs.
    assert.equal(rel.version, "2.17.2");
    assert.equal(rel.repositoryOpts.repo, "https://fluxcd-community.github.io/helm-charts");
    assert.equal(rel.namespace, "flux-system");
    assert.equal(rel.values.installCRDs, true);
    assert.equal(rel.values.policies.create, true);
    assert.equal(rel.values.sourceController.create, true);
    assert.equal(rel.values.sourceWatcher.create, false);
    assert.equal(rel.values.imageReflectionController.create, stack === "dev");
    assert.equal(rel.values.logLevel, stack === "dev" ? "debug" : "info");
    assert.equal(r.outputs.fluxVersion!.value, "2.7.5");
    // The pre-install hook Job (flux-cli) schedules like the controllers and pulls from the same registry.
    assert.equal(rel.values.cli.image, "ghcr.io/fluxcd/flux-cli");
    assert.deepEqual(rel.values.cli.tolerations, rel.values.helmController.tolerations);
    assert.deepEqual(rel.values.cli.nodeSelector, rel.values.helmController.nodeSelector);
    if (stack === "prod") {
      assert.deepEqual(rel.values.kustomizeController.container.additionalArgs, [
        "--no-cross-namespace-refs=true",
        "--no-remote-bases=true",
      ]);
      assert.deepEqual(rel.values.helmController.tolerations, [{ key: "dedicated", operator: "Exists" }]);
      assert.deepEqual(rel.values.sourceController.container.additionalArgs, []);
    }
  });

  test(`${stack}: custom resources wait for the Flux install; GitRepository waits for the Secret`, async () => {
    const r = await run(stack);
    // The sync's objects (dev also has the image automation's own key, Secret and GitRepository).
    const sync: Record<string, string> = { [T.gitRepository]: "flux-system-git", [T.secret]: "flux-system", [T.deployKey]: "deploy-key" };
    const urn = (type: string) => r.one(type, sync[type]).urn;
    const deps = (type: string) => new Set(r.one(type, sync[type]).dependencies);
    // These are the dependency URNs sent to the engine: it creates a resource only after them and
    // deletes it before them, so the sync objects also go first on destroy.
    assert.ok(deps(T.gitRepository).has(urn(T.release)), "GitRepository must wait for the flux2 release (CRDs)");
    assert.ok(deps(T.gitRepository).has(urn(T.secret)), "GitRepository must wait for the flux-system Secret");
    assert.ok(deps(T.kustomization).has(urn(T.release)), "Kustomization must wait for the flux2 release (CRDs)");
    assert.ok(deps(T.kustomization).has(urn(T.gitRepository)), "Kustomization must wait for the GitRepository");
    assert.ok(deps(T.secret).has(urn(T.namespace)), "Secret must wait for its namespace");
    assert.ok(deps(T.secret).has(urn(T.deployKey)), "Secret must wait until GitHub accepts the deploy key");
    assert.ok(deps(T.release).has(urn(T.namespace)), "flux2 release must wait for its namespace");
  });

  test(`${stack}: the private key is a secret wherever it flows`, async () => {
    const r = await run(stack);
    assert.ok(isSecretAt(r.one(T.secret, "flux-system").wireInputs, ["stringData", "identity"]));
    for (const reg of r.registrations) {
      assertNoPlainKey(reg.wireInputs, `${reg.type} ${reg.name}`);
    }
    for (const [name, out] of Object.entries(r.outputs)) {
      assert.doesNotMatch(JSON.stringify(out.value) ?? "", /PRIVATE/, `stack output ${name} leaks the private key`);
    }
  });

  test(`${stack}: the GitHub deploy key is read-only and named after the environment`, async () => {
    const r = await run(stack);
    const dk = r.one(T.deployKey, "deploy-key").inputs;
    assert.equal(dk.readOnly, true);
    assert.equal(dk.repository, "flux-gitops");
    assert.equal(dk.title, `flux-gitops ${stack} (cluster/${stack})`);
    assert.equal(dk.key, r.outputs.deployKeyPublicKey!.value);
  });
}

/** Fails if the mocked private key text appears anywhere outside a secret wrapper. */
function assertNoPlainKey(value: unknown, where: string): void {
  if (typeof value === "string") {
    assert.doesNotMatch(value, /MOCK-PRIVATE/, `${where} carries the private key in plaintext`);
  } else if (value && typeof value === "object") {
    if ((value as Record<string, unknown>)["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270") return;
    for (const v of Object.values(value)) assertNoPlainKey(v, where);
  }
}

test("deploy key algorithms map to the tls provider", async () => {
  const ecdsa = await runStack("dev", { config: withKey("dev", { algorithm: "ecdsa", ecdsaCurve: "P521" }) });
  assert.deepEqual(pick(ecdsa.one(T.privateKey, "deploy-key").inputs, ["algorithm", "ecdsaCurve", "rsaBits"]), {
    algorithm: "ECDSA",
    ecdsaCurve: "P521",
  });
  const rsa = await runStack("dev", { config: withKey("dev", { algorithm: "rsa", rsaBits: 3072 }) });
  assert.deepEqual(pick(rsa.one(T.privateKey, "deploy-key").inputs, ["algorithm", "ecdsaCurve", "rsaBits"]), {
    algorithm: "RSA",
    rsaBits: 3072,
  });
  const dev = await run("dev");
  assert.deepEqual(pick(dev.one(T.privateKey, "deploy-key").inputs, ["algorithm", "ecdsaCurve", "rsaBits"]), { algorithm: "ED25519" });
});

test("write access only when configured", async () => {
  const r = await runStack("dev", { config: withKey("dev", { readOnly: false }) });
  assert.equal(r.one(T.deployKey, "deploy-key").inputs.readOnly, false);
});

test("a rotation bump replaces key pair and deploy key, and the Secret carries the new key", async () => {
  const before = await run("dev");
  const after = await runStack("dev", { config: withKey("dev", { rotation: 1 }) });
  // A new logical name is a new resource: Pulumi creates it and deletes the old one in the same update.
  assert.equal(before.one(T.privateKey, "deploy-key").urn.endsWith("::deploy-key"), true);
  const newKey = after.one(T.privateKey, "deploy-key-r1");
  assert.ok(newKey.urn.endsWith("::deploy-key-r1"), newKey.urn);
  // One counter rotates both of dev's keys: the sync's and the image automation's.
  assert.deepEqual(
    after
      .byType(T.privateKey)
      .map((k) => k.name)
      .sort(),
    ["automation-deploy-key-r1", "deploy-key-r1"],
  );
  const gh = after.one(T.deployKey, "deploy-key-r1");
  assert.ok(gh.urn.endsWith("::deploy-key-r1"));
  assert.equal(gh.inputs.key, "ssh-ed25519 MOCKPUBLICdeploykeyr1\n");
  assert.equal(gh.inputs.title, "flux-gitops dev (cluster/dev) (rotation 1)");
  // The Secret is updated in the same run from the new key: never left stale.
  const secret = after.one(T.secret, "flux-system").inputs.stringData;
  assert.match(secret.identity, /MOCK-PRIVATE-deploy-key-r1/);
  assert.equal(secret["identity.pub"], "ssh-ed25519 MOCKPUBLICdeploykeyr1\n");
  assert.notDeepEqual(secret, before.one(T.secret, "flux-system").inputs.stringData);
  // ...and asks source-controller to fetch with it straight away.
  assert.equal(
    after.one(T.gitRepository, "flux-system-git").inputs.metadata.annotations["reconcile.fluxcd.io/requestedAt"],
    "SHA256:mockfingerprint-deploy-key-r1",
  );
  assert.equal(after.outputs.deployKeyFingerprint!.value, "SHA256:mockfingerprint-deploy-key-r1");
});

test("knownHosts config replaces the pinned GitHub keys", async () => {
  const line = hostKeyLine("git.example.com");
  const base = stackConfig("dev")["flux-gitops:repository"] as Record<string, unknown>;
  const r = await runStack("dev", {
    config: { "flux-gitops:knownHosts": line, "flux-gitops:repository": { ...base, host: "git.example.com" } },
  });
  assert.equal(r.one(T.secret, "flux-system").inputs.stringData.known_hosts, line + "\n");
  assert.equal(r.one(T.gitRepository, "flux-system-git").inputs.spec.url, "ssh://git@git.example.com/remla25-team3/flux-gitops");
});

function pick(o: Record<string, unknown>, keys: string[]) {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

test("under --default-service-account the flux-system Kustomization applies as kustomize-controller", async () => {
  const flux = stackConfig("prod")["flux-gitops:flux"] as Record<string, any>;
  const locked = await runStack("prod", {
    config: { "flux-gitops:flux": { ...flux, multitenancy: { ...flux.multitenancy, defaultServiceAccount: "default" } } },
  });
  assert.equal(locked.one(T.kustomization).inputs.spec.serviceAccountName, "kustomize-controller");
  assert.deepEqual(locked.one(T.release).inputs.values.helmController.container.additionalArgs, [
    "--no-cross-namespace-refs=true",
    "--default-service-account=default",
  ]);
  assert.equal((await run("prod")).one(T.kustomization).inputs.spec.serviceAccountName, undefined);
});
