// The stack config attacked as a hostile contributor would (issue #13): prototype keys that would slip
// settings past the unknown-key check, and path settings with control characters, `.git` segments or
// absolute paths. Each is one line naming the key — from Pulumi.<stack>.yaml, from the engine, and through
// `npm run render` (no stack trace, nothing written).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, parseStackConfig, readStackConfigFile } from "../../infra/config/index.ts";
import { runStack } from "../support/pulumi-mocks.ts";
import { ROOT } from "../support/paths.ts";

const REPOSITORY = "  flux-gitops:repository:\n    owner: acme\n    name: platform\n";

function stackFile(t: { after(fn: () => void): void }, body: string): string {
  const dir = mkdtempSync(join(tmpdir(), "config-attack-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "Pulumi.dev.yaml");
  writeFileSync(file, `config:\n${REPOSITORY}${body}`);
  return file;
}

const NOT_ALLOWED = "is not allowed (__proto__, constructor and prototype are never settings)";

// [YAML under `config:`, the key path the error must name]
const PROTOTYPE_ATTACKS: [string, string][] = [
  ["  flux-gitops:__proto__:\n    syncPath: ../../outside\n", "flux-gitops:__proto__"],
  ["  flux-gitops:constructor:\n    prototype:\n      syncPath: ../../outside\n", "flux-gitops:constructor"],
  ["  flux-gitops:prototype: 1\n", "flux-gitops:prototype"],
  ["  flux-gitops:flux:\n    __proto__:\n      install: operator\n", "flux-gitops:flux.__proto__"],
  ["  flux-gitops:deployKey:\n    constructor: {}\n", "flux-gitops:deployKey.constructor"],
  [
    "  flux-gitops:notifications:\n    eventSources:\n      - kind: HelmRelease\n        name: x\n        __proto__: {namespace: evil}\n",
    "flux-gitops:notifications.eventSources[0].__proto__",
  ],
  [
    "  flux-gitops:receiver:\n    ingress:\n      host: a.example.com\n      annotations:\n        prototype: x\n",
    "flux-gitops:receiver.ingress.annotations.prototype",
  ],
];

test("prototype keys in Pulumi.<stack>.yaml are refused with one line naming the key path", (t) => {
  for (const [body, path] of PROTOTYPE_ATTACKS) {
    const file = stackFile(t, body);
    assert.throws(() => readStackConfigFile(file, "dev"), { name: "ConfigError", message: `${file}: ${path} ${NOT_ALLOWED}` }, path);
  }
});

test("a replaced prototype never supplies a setting", () => {
  const polluted = { repository: { owner: "acme", name: "platform" } };
  Object.setPrototypeOf(polluted, { syncPath: "../../outside" });
  assert.throws(() => parseStackConfig(polluted, "dev"), {
    name: "ConfigError",
    message: "stack dev: flux-gitops: must be a plain mapping (its prototype was replaced)",
  });
  const nested = JSON.parse('{"repository": {"owner": "acme", "name": "platform"}, "flux": {"__proto__": {"install": "operator"}}}');
  assert.throws(() => parseStackConfig(nested, "dev"), { message: `stack dev: flux-gitops:flux.__proto__ ${NOT_ALLOWED}` });
});

test("prototype keys from the engine are refused by the Pulumi program", async () => {
  await assert.rejects(runStack("dev", { config: { "flux-gitops:flux": '{"__proto__": {"install": "operator"}}' } }), (err: unknown) => {
    assert.match(
      String((err as Error).message),
      new RegExp(`Pulumi\\.dev\\.yaml: flux-gitops:flux\\.__proto__ ${NOT_ALLOWED.replace(/[()]/g, "\\$&")}`),
    );
    return true;
  });
});

// [syncPath as written in YAML (double-quoted, so escapes work), what follows "flux-gitops:syncPath "]
const PATH_ATTACKS: [string, string][] = [
  ['"cluster/dev\\0x"', "must not contain control characters (newline, tab, NUL, ...)"],
  ['"cluster/\\ndev"', "must not contain control characters (newline, tab, NUL, ...)"],
  ['"cluster/dev\\n"', "must not contain control characters (newline, tab, NUL, ...)"],
  ['"cluster/\\tdev"', "must not contain control characters (newline, tab, NUL, ...)"],
  ['"cluster/\\x1b[31mdev"', "must not contain control characters (newline, tab, NUL, ...)"],
  ['"\\x7f"', "must not contain control characters (newline, tab, NUL, ...)"],
  ['".git"', "must not contain a .git segment (Git's own folder)"],
  ['".git/hooks"', "must not contain a .git segment (Git's own folder)"],
  ['"cluster/.git/dev"', "must not contain a .git segment (Git's own folder)"],
  ['"cluster/.GIT"', "must not contain a .git segment (Git's own folder)"],
  ['"/etc/cluster"', "must be a relative path inside the repository, not an absolute one"],
  ['"//host/share"', "must be a relative path inside the repository, not an absolute one"],
  ['"C:/cluster"', "must be a relative path inside the repository, not an absolute one"],
  ['"cluster/../../outside"', "must be a path inside the repository (no '..')"],
  ['".."', "must be a path inside the repository (no '..')"],
];

test("bad path settings are one line naming the key, from the file and through npm run render, with nothing written", (t) => {
  for (const [value, what] of PATH_ATTACKS) {
    const file = stackFile(t, `  flux-gitops:syncPath: ${value}\n`);
    assert.throws(() => readStackConfigFile(file, "dev"), { name: "ConfigError", message: `${file}: flux-gitops:syncPath ${what}` }, value);
  }
  const root = mkdtempSync(join(tmpdir(), "config-attack-render-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  copyFileSync(join(ROOT, "Pulumi.prod.yaml"), join(root, "Pulumi.prod.yaml"));
  for (const [value, what] of PATH_ATTACKS.slice(0, 1).concat(PATH_ATTACKS.slice(6, 7))) {
    writeFileSync(join(root, "Pulumi.dev.yaml"), `config:\n${REPOSITORY}  flux-gitops:syncPath: ${value}\n`);
    const r = spawnSync(process.execPath, [join(ROOT, "stacks/render.ts"), "--root", root], { encoding: "utf8" });
    assert.equal(r.status, 1, value);
    assert.equal(r.stderr, `render: ${join(root, "Pulumi.dev.yaml")}: flux-gitops:syncPath ${what}\n`);
    assert.deepEqual(readdirSync(root).sort(), ["Pulumi.dev.yaml", "Pulumi.prod.yaml"]);
  }
  assert.equal(existsSync(join(root, ".git")), false);
});

test("ConfigError is the one error type for all of it", () => {
  assert.throws(() => parseStackConfig({ repository: { owner: "acme", name: "platform" }, syncPath: "a\u0000b" }, "dev"), ConfigError);
});
