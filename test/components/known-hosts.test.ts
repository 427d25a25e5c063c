// The pinned github.com host keys are the ones GitHub publishes, and the flux-system Secret's known_hosts
// is exactly the pinned keys, or exactly an override — nothing appended, nothing kept beside it (issue #13).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseStackConfig, readStackConfigFile } from "../../infra/config/index.ts";
import { GITHUB_KNOWN_HOSTS, KNOWN_HOST_KEY_TYPES, knownHostsFor, knownHostsProblem } from "../../infra/flux/known-hosts.ts";
import { ROOT } from "../support/paths.ts";
import { runStack, stackConfig, TYPES } from "../support/pulumi-mocks.ts";
import { hostKeyLine, sshKey } from "../support/ssh-keys.ts";

// GitHub's published SHA256 fingerprints ("GitHub's SSH key fingerprints", docs.github.com, read in
// github/docs at c73840281bf0773a151e7e5288ae72c04a747bfc; the RSA key is the one from 2023-03-24).
// The independent fact the pins are checked against: never derive these from the pinned keys.
const PUBLISHED: Record<string, string> = {
  "ssh-ed25519": "SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU",
  "ecdsa-sha2-nistp256": "SHA256:p2QAMXNIC1TJYWeIOttrVc98/R1BUFWu3/LiyKgUfQM",
  "ssh-rsa": "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s",
};

/** OpenSSH's SHA256 fingerprint of a base64 key blob (as `ssh-keygen -lf` prints it). */
function fingerprint(blob: string): string {
  return "SHA256:" + createHash("sha256").update(Buffer.from(blob, "base64")).digest("base64").replace(/=+$/, "");
}

test("every pinned github.com key has the SHA256 fingerprint GitHub publishes, one per key type", () => {
  const lines = GITHUB_KNOWN_HOSTS.split("\n");
  assert.equal(lines.length, Object.keys(PUBLISHED).length);
  const seen: Record<string, string> = {};
  for (const line of lines) {
    const [host, type, blob, ...rest] = line.split(" ");
    assert.equal(host, "github.com", line);
    assert.deepEqual(rest, [], `${line}: no options or comments`);
    // The blob names its own type first (length-prefixed string), so a key cannot pose as another type.
    const raw = Buffer.from(blob!, "base64");
    assert.equal(raw.subarray(4, 4 + raw.readUInt32BE(0)).toString(), type);
    seen[type!] = fingerprint(blob!);
  }
  assert.deepEqual(seen, PUBLISHED);
});

test("the fingerprint helper agrees with a known OpenSSH vector", () => {
  // ssh-keygen -lf of this key prints SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU (GitHub's ed25519 key).
  assert.equal(fingerprint("AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"), PUBLISHED["ssh-ed25519"]);
});

test("knownHostsFor: exactly the pinned keys by default, exactly the override when given", () => {
  assert.equal(knownHostsFor("github.com", undefined), GITHUB_KNOWN_HOSTS + "\n");
  const override = hostKeyLine("git.example.com");
  assert.equal(knownHostsFor("git.example.com", override), override + "\n");
  assert.equal(knownHostsFor("github.com", `\n${override}\n\n`), override + "\n");
  assert.throws(
    () => knownHostsFor("git.example.com", undefined),
    /flux-gitops:knownHosts is required when repository.host is 'git.example.com'/,
  );
});

const secretKnownHosts = async (config: Record<string, unknown>) =>
  (await runStack("dev", { config })).one(TYPES.secret, "flux-system").inputs.stringData.known_hosts as string;

test("the flux-system Secret's known_hosts equals the override exactly, for github.com and another host", async () => {
  const base = stackConfig("dev")["flux-gitops:repository"] as Record<string, unknown>;
  const two = [hostKeyLine("git.example.com"), hostKeyLine("git.example.com", "ecdsa-sha2-nistp256")].join("\n");
  assert.equal(
    await secretKnownHosts({ "flux-gitops:knownHosts": two, "flux-gitops:repository": { ...base, host: "git.example.com" } }),
    two + "\n",
  );
  // An override on github.com replaces the pins (after a GitHub key rotation): the old keys are not kept.
  const rotated = hostKeyLine("github.com", "ssh-ed25519", 7);
  assert.equal(await secretKnownHosts({ "flux-gitops:knownHosts": rotated }), rotated + "\n");
  assert.equal(await secretKnownHosts({}), GITHUB_KNOWN_HOSTS + "\n");
});

// Issue 23: knownHosts is parsed as OpenSSH known_hosts lines (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT").
// Garbage, a wildcard or negated host pattern and a marker (@cert-authority, @revoked) are refused in one
// line naming the key and the line, from Pulumi.<stack>.yaml and from the engine alike.
const REPO = { owner: "acme", name: "platform", host: "git.example.com" };
const parseKnownHosts = (knownHosts: string) =>
  parseStackConfig({ kubernetes: { version: "1.32.4" }, repository: REPO, knownHosts }, "dev");
const MUST = "stack dev: flux-gitops:knownHosts must be plain OpenSSH known_hosts lines (<host> <key type> <base64 key>): ";

test("knownHosts: garbage, wildcard hosts and markers are one line naming the key and the line", () => {
  const key = sshKey();
  const refused: [string, RegExp][] = [
    ["garbage", /^line 1 has fewer than three fields$/],
    ["git.example.com ssh-ed25519", /^line 1 has fewer than three fields$/],
    [`git.example.com ssh-ed25519 ${key}\n* ssh-ed25519 ${key}`, /^line 2: host pattern "\*" has a wildcard or negation/],
    [`*.example.com ssh-ed25519 ${key}`, /^line 1: host pattern "\*\.example\.com" has a wildcard/],
    [`git?.example.com ssh-ed25519 ${key}`, /^line 1: host pattern "git\?\.example\.com" has a wildcard/],
    [`git.example.com,!evil.example.com ssh-ed25519 ${key}`, /^line 1: host pattern "!evil\.example\.com" has a wildcard or negation/],
    [`@cert-authority * ssh-ed25519 ${key}`, /^line 1: the marker "@cert-authority" is not allowed/],
    [`@cert-authority git.example.com ssh-ed25519 ${key}`, /^line 1: the marker "@cert-authority" is not allowed/],
    [`@revoked git.example.com ssh-ed25519 ${key}`, /^line 1: the marker "@revoked" is not allowed/],
    [`git.example.com ssh-dss ${key}`, /^line 1: key type "ssh-dss" is not one of ssh-ed25519, /],
    ["git.example.com ssh-ed25519 AAAA", /^line 1: the key is not the base64 of a well-formed ssh-ed25519 public key$/],
    ["git.example.com ssh-ed25519 not-base64!", /^line 1: the key is not the base64 of a well-formed ssh-ed25519 public key$/],
    [`git.example.com ssh-rsa ${key}`, /^line 1: the key is not the base64 of a well-formed ssh-rsa public key$/], // an ed25519 blob named rsa
    [`git.example.com ssh-ed25519 ${key.replace(/=*$/, "")}x`, /^line 1: the key is not the base64/],
    [`git_example.com ssh-ed25519 ${key}`, /^line 1: host "git_example\.com" is not a host name/],
    [`[git.example.com]:70000 ssh-ed25519 ${key}`, /^line 1: host "\[git\.example\.com\]:70000" has a port above 65535$/],
    ["# only a comment\n\n", /^holds no host key line$/],
  ];
  for (const [text, why] of refused) {
    assert.throws(
      () => parseKnownHosts(text),
      (e: Error) =>
        e.name === "ConfigError" && e.message.startsWith(MUST) && why.test(e.message.slice(MUST.length)) && !e.message.includes("\n"),
      text,
    );
  }
});

test("knownHosts: what OpenSSH writes is accepted: every key type, ports, addresses, hashed hosts, comments", () => {
  const accepted = [
    GITHUB_KNOWN_HOSTS,
    ...KNOWN_HOST_KEY_TYPES.map((type) => hostKeyLine("git.example.com", type)),
    hostKeyLine("[git.example.com]:2222"),
    hostKeyLine("git.example.com,192.0.2.10"),
    hostKeyLine("[2001:db8::1]:22"),
    hostKeyLine("|1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg="),
    `# GitHub Enterprise\n${hostKeyLine("git.example.com")} comment words\n\n`,
  ];
  for (const text of accepted) assert.equal(knownHostsProblem(text), undefined, text);
  assert.equal(parseKnownHosts(hostKeyLine("git.example.com")).knownHosts, hostKeyLine("git.example.com"));
});

test("knownHosts refused in Pulumi.<stack>.yaml and through npm run render: one line, nothing written", (t) => {
  const root = mkdtempSync(join(tmpdir(), "known-hosts-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const file = join(root, "Pulumi.dev.yaml");
  writeFileSync(
    file,
    `config:\n  flux-gitops:kubernetes: {version: 1.32.4}\n  flux-gitops:repository: {owner: acme, name: platform}\n  flux-gitops:knownHosts: "@cert-authority * ssh-ed25519 ${sshKey()}"\n`,
  );
  assert.throws(() => readStackConfigFile(file, "dev"), {
    message:
      /^.*Pulumi\.dev\.yaml: flux-gitops:knownHosts must be plain OpenSSH known_hosts lines .*: line 1: the marker "@cert-authority" is not allowed/,
  });
  const r = spawnSync(process.execPath, [join(ROOT, "stacks/render.ts"), "--root", root], { encoding: "utf8" });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^render: .*Pulumi\.dev\.yaml: flux-gitops:knownHosts must be plain OpenSSH known_hosts lines [^\n]*\n$/);
  assert.deepEqual(readdirSync(root), ["Pulumi.dev.yaml"]);
});
