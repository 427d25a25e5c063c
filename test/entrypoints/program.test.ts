// The program as `pulumi preview` / `pulumi up` start it: @pulumi/pulumi/cmd/run from the program directory that
// Pulumi.yaml's `main` gives, with the language host's arguments and environment, against the test engine
// (test/support/engine.ts) speaking the SDK's own gRPC services. The mock tests (test/components/) check what the
// resources contain; these check that the real runtime entry point loads the program and what reaches the engine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../support/paths.ts";
import { isSecretValue, programLocation, runUnderCmdRun, type CmdRunResult, type EngineRegistration } from "../support/engine.ts";
import { sshFingerprint, sshKeygen } from "../support/sshd.ts";
import { TYPES } from "../support/pulumi-mocks.ts";

const T = { ...TYPES, stack: "pulumi:pulumi:Stack" };

function explain(r: CmdRunResult): string {
  const errors = r.engine.logs.filter((l) => l.severity === "error" || l.severity === "warning").map((l) => `${l.severity}: ${l.message}`);
  return `exit ${r.code}\n$ ${r.argv.join(" ")}\nstderr: ${r.stderr}\nstdout: ${r.stdout}\nengine log: ${errors.join("\n")}`;
}

/** Every ancestor URN of `r`, nearest first. */
function ancestors(r: EngineRegistration, all: EngineRegistration[]): string[] {
  const out: string[] = [];
  for (let p = r.parent; p; p = all.find((x) => x.urn === p)?.parent ?? "") out.push(p);
  return out;
}

test("Pulumi.yaml main is a JavaScript loader at the project root, so the program directory holds node_modules", () => {
  const { project, programDir, entryPoint } = programLocation();
  assert.equal(programDir, ROOT, "the CLI's program directory must be the project root");
  assert.match(entryPoint, /\.js$/, "the entry point must be JavaScript that any node can load");
  assert.equal(project.runtime.options?.typescript, false, "ts-node stays off (PULUMI_NODEJS_TYPESCRIPT is not set)");
  // The CLI's up-front plugin discovery reads the program directory's node_modules.
  for (const pkg of ["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/github", "@pulumi/tls"]) {
    assert.ok(existsSync(join(programDir, "node_modules", pkg, "package.json")), `${pkg} must be in ${programDir}/node_modules`);
  }
  assert.ok(!existsSync(join(programDir, "node_modules", "ts-node")), "no ts-node in the dependencies");
});

/** A real key pair from ssh-keygen, returned by the engine as the tls provider's computed outputs. */
function realKey(type: "ed25519" | "ecdsa") {
  const path = join(mkdtempSync(join(tmpdir(), "flux-gitops-key-")), "id");
  sshKeygen(path, type, type === "ecdsa" ? 384 : undefined);
  return {
    privateKeyOpenssh: readFileSync(path, "utf8"),
    publicKeyOpenssh: readFileSync(`${path}.pub`, "utf8").trim().split(/\s+/).slice(0, 2).join(" ") + "\n",
    publicKeyFingerprintSha256: sshFingerprint(`${path}.pub`),
  };
}

for (const stack of ["dev", "prod"]) {
  for (const dryRun of [true, false]) {
    const verb = dryRun ? "preview" : "up";
    test(`${stack} (${verb}): cmd/run loads the program and registers the deploy key, the Flux install and the sync objects`, async () => {
      const key = realKey(stack === "prod" ? "ecdsa" : "ed25519");
      const r = await runUnderCmdRun({
        stack,
        dryRun,
        // github:token as the CLI passes a secret config value (the github provider reads it, the program never does).
        config: { "github:token": { secure: "ghp_not_a_real_token" } },
        // Like the tls provider: key material exists only once the key is created (`up`), unknown in preview.
        computed: (reg) => (reg.type === T.privateKey && !dryRun ? key : undefined),
      });
      assert.equal(r.code, 0, explain(r));
      const { engine } = r;
      assert.deepEqual(
        engine.logs.filter((l) => l.severity === "error"),
        [],
      );
      assert.deepEqual(engine.invokes, [], "the program makes no invokes");
      assert.ok(engine.shutdownSignalled, "the SDK signals the end of the program");

      const all = engine.registrations;
      const root = engine.one(T.stack);
      assert.equal(root.name, `flux-gitops-${stack}`);
      assert.equal(engine.rootUrn, root.urn);
      const gitops = engine.one(T.gitops);
      assert.equal(gitops.parent, root.urn);
      const privateKey = engine.one(T.privateKey, "deploy-key");
      const deployKey = engine.one(T.deployKey, "deploy-key");
      const release = engine.one(T.release);
      const namespace = engine.one(T.namespace);
      const secret = engine.one(T.secret, "flux-system");
      const gitRepository = engine.one(T.gitRepository, "flux-system-git");
      const kustomization = engine.one(T.kustomization);
      for (const reg of [privateKey, deployKey, release, namespace, secret, gitRepository, kustomization]) {
        assert.ok(ancestors(reg, all).includes(gitops.urn), `${reg.type} must be a child of the FluxGitOps component`);
        assert.ok(reg.custom);
      }

      // Secret outputs the engine is told to keep: the private key, the Secret's data.
      assert.ok(privateKey.additionalSecretOutputs.includes("privateKeyOpenssh"), `${privateKey.additionalSecretOutputs}`);
      assert.ok(secret.additionalSecretOutputs.includes("stringData"), `${secret.additionalSecretOutputs}`);
      assert.ok(isSecretValue(secret.inputs.stringData), "the flux-system Secret's stringData reaches the engine as a secret");

      // Dependencies the engine orders creation (and deletion) by.
      assert.ok(deployKey.dependencies.includes(privateKey.urn), "deploy key after the key pair");
      assert.ok(secret.dependencies.includes(privateKey.urn), "Secret after the key pair");
      assert.ok(secret.dependencies.includes(deployKey.urn), "Secret after GitHub accepted the deploy key");
      assert.ok(release.dependencies.includes(namespace.urn), "Flux install in its namespace");
      assert.ok(gitRepository.dependencies.includes(release.urn), "GitRepository after the Flux install (CRDs, controllers)");
      assert.ok(kustomization.dependencies.includes(release.urn), "Kustomization after the Flux install");
      assert.equal(kustomization.inputs.spec.path, `./cluster/${stack}`);
      assert.equal(release.inputs.chart, "flux2");

      const outputs = engine.stackOutputs;
      assert.equal(outputs.syncPath, `./cluster/${stack}`);
      if (dryRun) return;
      // up: the real key pair flows from the tls outputs into GitHub, the Secret and the stack outputs.
      assert.equal(deployKey.inputs.key, key.publicKeyOpenssh, "GitHub gets the public half");
      assert.equal(deployKey.inputs.readOnly, true);
      const data = secret.inputs.stringData.value as Record<string, string>;
      assert.equal(data.identity, key.privateKeyOpenssh, "the Secret holds the private key");
      assert.equal(data["identity.pub"], key.publicKeyOpenssh);
      assert.match(data.known_hosts!, /^github\.com ssh-ed25519 /m);
      assert.equal(outputs.deployKeyPublicKey, key.publicKeyOpenssh);
      assert.equal(outputs.deployKeyFingerprint, key.publicKeyFingerprintSha256);
      assert.ok(!JSON.stringify(outputs).includes("PRIVATE KEY"), "no private key in the stack outputs");
    });
  }
}

test("a program error reaches the engine as one error line through cmd/run, with a non-zero exit", async () => {
  const r = await runUnderCmdRun({ stack: "dev", dryRun: true, config: { "flux-gitops:repository": { owner: "", name: "x" } } });
  assert.notEqual(r.code, 0, explain(r));
  const errors = r.engine.logs.filter((l) => l.severity === "error").map((l) => l.message);
  assert.equal(errors.length, 1, errors.join("\n---\n"));
  assert.match(errors[0]!, /^Pulumi\.dev\.yaml: flux-gitops:repository\.owner /);
  assert.doesNotMatch(errors[0]!, /\n\s+at /, "no stack trace");
});

test("Flux 2.8 on the team's Kubernetes 1.32.4 stops `pulumi up` through cmd/run with one line naming the fitting Flux", async () => {
  const r = await runUnderCmdRun({
    stack: "dev",
    dryRun: false,
    config: { "flux-gitops:flux": { version: "2.8.5" }, "flux-gitops:kubernetes": { version: "1.32.4" } },
  });
  assert.notEqual(r.code, 0, explain(r));
  const errors = r.engine.logs.filter((l) => l.severity === "error").map((l) => l.message);
  assert.deepEqual(errors, [
    "Pulumi.dev.yaml: flux-gitops:flux.version 2.8.5 needs Kubernetes >= 1.33.0 (flux check --pre, run by the flux2 chart's pre-install hook) but kubernetes.version is 1.32.4: use Flux 2.7.5 or upgrade the cluster",
  ]);
});
