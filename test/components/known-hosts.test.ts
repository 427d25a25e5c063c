// The pinned github.com host keys are the ones GitHub publishes, and the flux-system Secret's known_hosts
// is exactly the pinned keys, or exactly an override — nothing appended, nothing kept beside it (issue #13).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { GITHUB_KNOWN_HOSTS, knownHostsFor } from "../../infra/flux/known-hosts.ts";
import { runStack, stackConfig, TYPES } from "../support/pulumi-mocks.ts";

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
  const override = "git.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleExampleExampleExampleExampleExample";
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
  const two = [
    "git.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleExampleExampleExampleExampleExample",
    "git.example.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBExample=",
  ].join("\n");
  assert.equal(
    await secretKnownHosts({ "flux-gitops:knownHosts": two, "flux-gitops:repository": { ...base, host: "git.example.com" } }),
    two + "\n",
  );
  // An override on github.com replaces the pins (after a GitHub key rotation): the old keys are not kept.
  const rotated = "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIRotatedRotatedRotatedRotatedRotatedRotat";
  assert.equal(await secretKnownHosts({ "flux-gitops:knownHosts": rotated }), rotated + "\n");
  assert.equal(await secretKnownHosts({}), GITHUB_KNOWN_HOSTS + "\n");
});
