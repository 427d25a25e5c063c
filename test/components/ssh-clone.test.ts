// The flux-system Secret, exactly as the stack builds it, really clones over ssh: real key pairs
// (ssh-keygen) come back from the mocked tls provider, the Secret's identity / identity.pub /
// known_hosts are written to files, and `git clone` of the GitRepository's URL and branch runs
// against a local sshd that trusts only the Secret's identity.pub, with strict host key checking.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runStack, type KeyMaterial } from "../support/pulumi-mocks.ts";
import { sshFingerprint, sshKeygen, startGitServer, type GitServer, type KeyType } from "../support/sshd.ts";

const OWNER = "remla25-team3";
const NAME = "flux-gitops";
const BRANCH = "main";
const T = {
  secret: "kubernetes:core/v1:Secret",
  gitRepository: "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository",
};

/** The tls provider's outputs for the inputs the stack gave it, made by ssh-keygen. */
function realKeys(dir: string) {
  return (name: string, inputs: Record<string, any>): KeyMaterial => {
    const type = String(inputs.algorithm).toLowerCase() as KeyType;
    const bits = type === "ecdsa" ? Number(String(inputs.ecdsaCurve).slice(1)) : type === "rsa" ? inputs.rsaBits : undefined;
    const path = join(dir, `tls-${name}`);
    sshKeygen(path, type, bits);
    const [algo, blob] = readFileSync(`${path}.pub`, "utf8").trim().split(/\s+/);
    return {
      privateKeyOpenssh: readFileSync(path, "utf8"),
      publicKeyOpenssh: `${algo} ${blob}\n`, // tls provider format: no comment, trailing newline
      publicKeyFingerprintSha256: sshFingerprint(`${path}.pub`),
    };
  };
}

interface Attempt {
  identityPub: string;
  ok: boolean;
  stderr: string;
  clone: string;
}

describe("flux-system Secret clones over real ssh", () => {
  let server: GitServer;
  let work: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "ssh-clone-"));
    server = await startGitServer();
    server.createRepository(OWNER, NAME, BRANCH, { "cluster/dev/kustomization.yaml": "resources: []\n" });
  });
  after(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  /** Run the dev stack against the local server, then clone with only the Secret's files. */
  async function attempt(label: string, deployKey: Record<string, unknown>, knownHosts: string): Promise<Attempt> {
    const dir = mkdtempSync(join(work, `${label}-`));
    const run = await runStack("dev", {
      keys: realKeys(dir),
      config: {
        "flux-gitops:repository": { owner: OWNER, name: NAME, branch: BRANCH, host: server.host },
        "flux-gitops:knownHosts": knownHosts,
        "flux-gitops:deployKey": deployKey,
      },
    });
    const data = run.one(T.secret, "flux-system").inputs.stringData as Record<string, string>;
    const git = run.one(T.gitRepository, "flux-system-git").inputs.spec;
    assert.equal(git.url, `ssh://git@${server.host}/${OWNER}/${NAME}`);

    const secretDir = mkdtempSync(join(dir, "secret-"));
    const files = { identity: join(secretDir, "identity"), knownHosts: join(secretDir, "known_hosts") };
    writeFileSync(files.identity, data.identity!, { mode: 0o600 });
    writeFileSync(files.knownHosts, data.known_hosts!);
    server.authorize(data["identity.pub"]!);

    const clone = join(dir, "clone");
    const result = await server.clone(git.url, git.ref.branch, files, clone);
    return { identityPub: data["identity.pub"]!, clone, ...result };
  }

  const cases: { label: string; deployKey: Record<string, unknown>; keyType: string }[] = [
    { label: "ed25519", deployKey: { algorithm: "ed25519" }, keyType: "ssh-ed25519" },
    { label: "ecdsa P256", deployKey: { algorithm: "ecdsa", ecdsaCurve: "P256" }, keyType: "ecdsa-sha2-nistp256" },
    { label: "ecdsa P384", deployKey: { algorithm: "ecdsa", ecdsaCurve: "P384" }, keyType: "ecdsa-sha2-nistp384" },
    { label: "ecdsa P521", deployKey: { algorithm: "ecdsa", ecdsaCurve: "P521" }, keyType: "ecdsa-sha2-nistp521" },
    { label: "rsa 2048", deployKey: { algorithm: "rsa", rsaBits: 2048 }, keyType: "ssh-rsa" },
  ];
  for (const { label, deployKey, keyType } of cases) {
    test(`${label} deploy key: git clone over ssh gets cluster/dev`, async () => {
      const r = await attempt(label.replace(" ", "-"), deployKey, server.knownHostsLine);
      assert.ok(r.ok, `git clone failed:\n${r.stderr}`);
      assert.ok(r.identityPub.startsWith(`${keyType} `), `identity.pub is a ${keyType} key: ${r.identityPub}`);
      assert.ok(existsSync(join(r.clone, "cluster", "dev", "kustomization.yaml")), "clone has cluster/dev");
    });
  }

  test("known_hosts with another host key for the server: clone fails host key verification", async () => {
    const r = await attempt("wrong-host-key", { algorithm: "ed25519" }, server.wrongKnownHostsLine);
    assert.equal(r.ok, false, "clone must fail");
    assert.match(r.stderr, /Host key verification failed/);
    assert.equal(existsSync(join(r.clone, "cluster")), false);
  });
});
