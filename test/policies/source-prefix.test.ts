// git-source-allowed matches the owner and the allowed URL prefixes on path boundaries, after resolving
// dot segments as a Git client would: `…/acme-evil/…`, `…/acme/../evil` and a prefix buried inside
// another URL are all refused (issue #13), through the YAML checker.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { checkPaths } from "../../policies/paths.ts";
import { resolveConfig } from "../../policies/config.ts";
import { rules } from "../../policies/rules/index.ts";
import { isRemoteEntry, normalizeUrl, remoteEntryUrl, urlUnder } from "../../policies/urls.ts";
import { hasSopsMetadata, isSopsCiphertext, isSopsEncrypted, unencryptedSecretKeys } from "../../infra/sops.ts";

const ALLOWED_PREFIXES = ["https://git.example.com/team", "ssh://git@git.example.com/platform/"];

function fires(t: { after(fn: () => void): void }, url: string): boolean {
  const project = mkdtempSync(join(tmpdir(), "source-prefix-"));
  t.after(() => rmSync(project, { recursive: true, force: true }));
  writeFileSync(join(project, "Pulumi.dev.yaml"), "config:\n  github:owner: acme\n");
  mkdirSync(join(project, "cluster/dev"), { recursive: true });
  const file = join(project, "cluster/dev/source.yaml");
  const source = {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name: "app", namespace: "flux-system" },
    spec: { interval: "1m", url, ref: { tag: "v1.0.0" }, secretRef: { name: "flux-system" } },
  };
  writeFileSync(file, yaml.dump(source));
  const config = resolveConfig(rules, { "git-source-allowed": { allowedPrefixes: ALLOWED_PREFIXES } });
  const { findings, errors } = checkPaths([file], config, { root: project });
  assert.deepEqual(errors, []);
  return findings.some((f) => f.rule === "git-source-allowed");
}

const ALLOWED = [
  "https://github.com/acme/app",
  "ssh://git@github.com/acme/app",
  "https://github.com/ACME/app",
  "https://github.com/acme/x/../app",
  "https://git.example.com/team/app",
  "https://git.example.com/team/sub/app",
  "ssh://git@git.example.com/platform/app",
];

const REFUSED = [
  "https://github.com/acme-evil/x",
  "ssh://git@github.com/acme-evil/x",
  "https://github.com/acmeevil/x",
  "https://github.com/acme/../evil/x",
  "ssh://git@github.com/acme/../evil/x",
  "https://github.com/acme/%2e%2e/evil/x",
  "https://github.com/acme/%2E%2E/evil",
  "https://github.com/acme/./../evil",
  "https://github.com/acme\\..\\evil",
  "https://github.com/acme/x/../../evil/y",
  "https://evil.example/https://github.com/acme/x",
  "https://evil.example/?from=https://github.com/acme/x",
  "ssh://git@evil.example/ssh://git@github.com/acme/x",
  "https://github.com.evil.example/acme/x",
  "https://git.example.com/team-evil/x",
  "https://git.example.com/teamx",
  "https://git.example.com/team/../evil",
  "ssh://git@git.example.com/platform-evil/app",
];
// Not listed: scp-like `git@github.com:acme/x`. The checker reads it as ssh://github.com/acme/x (the owner's),
// and Flux's GitRepository CRD refuses it anyway (spec.url must start with http://, https:// or ssh://).

test("owner and allowed prefixes match on path boundaries after resolving dot segments", (t) => {
  for (const url of ALLOWED) assert.equal(fires(t, url), false, `${url} is allowed`);
  for (const url of REFUSED) assert.equal(fires(t, url), true, `${url} is refused`);
});

// Each side of the guards in policies/urls.ts and infra/sops.ts on its own (the guard mutator of
// test/mutation/guards.ts drops one side at a time).
test("URL and SOPS helpers, each condition on its own (issue 23)", () => {
  // file: URLs have no host and are URLs; other schemes without a host are not.
  assert.equal(normalizeUrl("file:///srv/git/app"), "file:///srv/git/app");
  assert.equal(normalizeUrl("oci:///team/app"), undefined);
  // A default port goes (ssh's too, which URL keeps), another stays.
  assert.equal(normalizeUrl("ssh://git@git.example.com:22/team/app"), "ssh://git.example.com/team/app");
  assert.equal(normalizeUrl("ssh://git@git.example.com:2222/team/app"), "ssh://git.example.com:2222/team/app");
  assert.equal(normalizeUrl("https://git.example.com/team/app"), "https://git.example.com/team/app");
  // Empty and `.` segments go, each on its own.
  assert.equal(normalizeUrl("oci://ghcr.io/team//app"), "oci://ghcr.io/team/app");
  assert.equal(normalizeUrl("oci://ghcr.io/team/./app"), "oci://ghcr.io/team/app");
  assert.equal(normalizeUrl("oci://ghcr.io/team/%2e/app"), "oci://ghcr.io/team/app");
  // Not a URL on either side: never under, never the same.
  assert.equal(urlUnder("not a url", "https://git.example.com/team"), false);
  assert.equal(urlUnder("https://git.example.com/team/app", "not a url"), false);
  assert.equal(urlUnder("https://git.example.com/team", "https://git.example.com/team"), true);
  // Two spellings of one repository normalise alike; another repository, or no URL, does not.
  assert.equal(normalizeUrl("not a url"), undefined);
  assert.equal(normalizeUrl("https://git.example.com/team/"), normalizeUrl("https://GIT.example.com/team"));
  assert.notEqual(normalizeUrl("https://git.example.com/team"), normalizeUrl("https://git.example.com/other"));
  // Each form kustomize fetches, on its own; a local path is none of them.
  for (const entry of ["https://github.com/acme/base", "git::../base", "git@github.com:acme/base", "github.com/acme/base"])
    assert.equal(isRemoteEntry(entry), true, entry);
  assert.equal(isRemoteEntry("../base"), false);
  assert.equal(remoteEntryUrl("git@github.com:acme/base?ref=v1"), "ssh://github.com/acme/base");
  assert.equal(remoteEntryUrl("git::https://github.com/acme/base?ref=v1"), "https://github.com/acme/base");
  assert.equal(remoteEntryUrl("github.com/acme/base"), "https://github.com/acme/base");
  // A SOPS value is a string; a list holding one is not, nor is metadata whose mac is not one.
  const enc = "ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]";
  assert.equal(isSopsCiphertext(enc), true);
  assert.equal(isSopsCiphertext([enc]), false);
  assert.equal(hasSopsMetadata({ sops: { mac: enc } }), true);
  assert.equal(hasSopsMetadata({ sops: [{ mac: enc }] }), false);
  assert.equal(hasSopsMetadata([{ sops: { mac: enc } }]), false);
  assert.equal(hasSopsMetadata({ sops: { mac: "plain" } }), false);
  assert.equal(hasSopsMetadata(null), false);
  const secret = (data: unknown, sops: unknown = { mac: enc }) => ({ kind: "Secret", data, sops });
  assert.deepEqual(unencryptedSecretKeys(secret({ a: enc, b: "plain" })), ["data.b"]);
  assert.deepEqual(unencryptedSecretKeys(secret({ a: enc }, { mac: "plain" })), ["data.a"]);
  // `data` as a list is no map Kubernetes would take: none of its entries is a key.
  assert.deepEqual(unencryptedSecretKeys(secret([enc])), []);
  assert.deepEqual(unencryptedSecretKeys(secret(["plain"])), []);
  assert.equal(isSopsEncrypted(secret({ a: enc })), true);
  assert.equal(isSopsEncrypted(secret({ a: enc }, { mac: "plain" })), false);
  assert.equal(isSopsEncrypted(secret({ a: "plain" })), false);
  // No metadata is no encryption, even with nothing to encrypt.
  assert.equal(isSopsEncrypted({ kind: "Secret" }), false);
});
