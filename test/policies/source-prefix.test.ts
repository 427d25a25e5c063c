// git-source-allowed matches the owner and the allowed URL prefixes on path boundaries, after resolving
// dot segments as a Git client would: `…/acme-evil/…`, `…/acme/../evil` and a prefix buried inside
// another URL are all refused (issue #13), through the YAML checker.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { checkPaths } from "../../policies/checker.ts";
import { resolveConfig } from "../../policies/config.ts";
import { rules } from "../../policies/rules/index.ts";

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
