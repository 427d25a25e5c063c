// The stack config attacked as a hostile contributor would (issue #13): prototype keys that would slip
// settings past the unknown-key check, and path settings with control characters, `.git` segments or
// absolute paths. Each is one line naming the key — from Pulumi.<stack>.yaml, from the engine, and through
// `npm run render` (no stack trace, nothing written).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { ConfigError, parseStackConfig, readStackConfigFile } from "../../infra/config/index.ts";
import { runStack } from "../support/pulumi-mocks.ts";
import { ROOT } from "../support/paths.ts";
import { hostKeyLine } from "../support/ssh-keys.ts";
import { copyTestStacks } from "../support/stacks.ts";

const REPOSITORY = "  flux-gitops:kubernetes: {version: 1.32.4}\n  flux-gitops:repository:\n    owner: acme\n    name: platform\n";

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
  const polluted = { kubernetes: { version: "1.32.4" }, repository: { owner: "acme", name: "platform" } };
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

const GIT = "must not contain a .git segment (Git's own folder, in any case or with trailing dots or spaces)";
const CONTROL = "must not contain control characters (newline, tab, NUL, ...)";
const BIDI = "must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069)";
const STAGING = "must not contain a part named like the renderer's staging folders (.<folder>.render-…)";

// [syncPath as written in YAML (double-quoted, so escapes work), what follows "flux-gitops:syncPath "]
const PATH_ATTACKS: [string, string][] = [
  ['"cluster/dev\\0x"', CONTROL],
  ['"cluster/\\ndev"', CONTROL],
  ['"cluster/dev\\n"', CONTROL],
  ['"cluster/\\tdev"', CONTROL],
  ['"cluster/\\x1b[31mdev"', CONTROL],
  ['"\\x7f"', CONTROL],
  ['".git"', GIT],
  ['".git/hooks"', GIT],
  ['"cluster/.git/dev"', GIT],
  ['"cluster/.GIT"', GIT],
  ['"/etc/cluster"', "must be a relative path inside the repository, not an absolute one"],
  ['"//host/share"', "must be a relative path inside the repository, not an absolute one"],
  ['"C:/cluster"', "must be a relative path inside the repository, not an absolute one"],
  ['"cluster/../../outside"', "must be a path inside the repository (no '..')"],
  ['".."', "must be a path inside the repository (no '..')"],
  // What Windows and macOS open as .git: trailing dots and spaces, any case, the 8.3 short name.
  ['".git."', GIT],
  ['"cluster/.git /dev"', GIT],
  ['"cluster/.GiT. . ./dev"', GIT],
  ['"cluster/GIT~1"', GIT],
  // C1 controls and bidi controls (Trojan Source).
  ['"cluster/\\u0085dev"', CONTROL],
  ['"cluster/\\u009bdev"', CONTROL],
  ['"cluster/\\u202edev"', BIDI],
  ['"cluster/\\u2066dev\\u2069"', BIDI],
  // Another environment's staging folder, or one named like it (review repro: qa deleted by dev's render).
  ['"cluster/.dev.render-old-zzz"', STAGING],
  ['"cluster/.dev.render-old-aaaaaaaaaaaa"', STAGING],
  ['"cluster/.dev.render-lock/qa"', STAGING],
  ['"cluster/.Prod.Render-New-x"', STAGING],
];

test("bad path settings are one line naming the key, from the file and through npm run render, with nothing written", (t) => {
  for (const [value, what] of PATH_ATTACKS) {
    const file = stackFile(t, `  flux-gitops:syncPath: ${value}\n`);
    assert.throws(() => readStackConfigFile(file, "dev"), { name: "ConfigError", message: `${file}: flux-gitops:syncPath ${what}` }, value);
  }
  const root = mkdtempSync(join(tmpdir(), "config-attack-render-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  copyTestStacks(root, ["prod"]);
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
  assert.throws(
    () =>
      parseStackConfig({ kubernetes: { version: "1.32.4" }, repository: { owner: "acme", name: "platform" }, syncPath: "a\u0000b" }, "dev"),
    ConfigError,
  );
});

const GITHUB_OWNER = "must be a GitHub user or organisation name (letters, digits and '-', not starting with '-', at most 39 characters)";
const GITHUB_NAME = "must be a GitHub repository name (letters, digits, '.', '-' and '_', at most 100 characters)";
const BRANCH =
  "must be a valid Git branch name (no '..', '@{', spaces or ~^:?*[\\; no part starting with '.' or ending in '.lock'; not starting with '-')";

// [YAML under `config:` (after a valid repository unless it sets one), key path, what follows the key]
const SETTING_ATTACKS: [string, string, string][] = [
  ['  flux-gitops:repository:\n    owner: "acme\\u202e"\n    name: platform\n', "repository.owner", BIDI],
  ['  flux-gitops:repository:\n    owner: "-acme"\n    name: platform\n', "repository.owner", GITHUB_OWNER],
  ['  flux-gitops:repository:\n    owner: "acme/evil"\n    name: platform\n', "repository.owner", GITHUB_OWNER],
  [`  flux-gitops:repository:\n    owner: ${"a".repeat(40)}\n    name: platform\n`, "repository.owner", GITHUB_OWNER],
  ['  flux-gitops:repository:\n    owner: acme\n    name: "plat\\nform"\n', "repository.name", CONTROL],
  ['  flux-gitops:repository:\n    owner: acme\n    name: "../platform"\n', "repository.name", GITHUB_NAME],
  ['  flux-gitops:repository:\n    owner: acme\n    name: ".."\n', "repository.name", "must not be '.' or '..' or end in .git"],
  ['  flux-gitops:repository:\n    owner: acme\n    name: "platform.GIT"\n', "repository.name", "must not be '.' or '..' or end in .git"],
  ['  flux-gitops:repository:\n    owner: acme\n    name: platform\n    branch: "-main"\n', "repository.branch", BRANCH],
  ['  flux-gitops:repository:\n    owner: acme\n    name: platform\n    branch: "main..x"\n', "repository.branch", BRANCH],
  ['  flux-gitops:repository:\n    owner: acme\n    name: platform\n    branch: "main.lock"\n', "repository.branch", BRANCH],
  ['  flux-gitops:repository:\n    owner: acme\n    name: platform\n    branch: "feature/"\n', "repository.branch", BRANCH],
  ['  flux-gitops:repository:\n    owner: acme\n    name: platform\n    branch: "a~1"\n', "repository.branch", BRANCH],
  ['  flux-gitops:repository:\n    owner: acme\n    name: platform\n    branch: "ma\\u0085in"\n', "repository.branch", CONTROL],
  [
    '  flux-gitops:repository:\n    owner: acme\n    name: platform\n    host: "github.com/evil#"\n',
    "repository.host",
    "must be a host name such as github.com (optionally with :port)",
  ],
  ['  flux-gitops:flux:\n    registry: "ghcr.io/fluxcd\\u2066"\n', "flux.registry", BIDI],
  ['  flux-gitops:flux:\n    tolerationKeys: ["ok", "bad\\x1b[0m"]\n', "flux.tolerationKeys[1]", CONTROL],
  ['  flux-gitops:imageAutomation:\n    author:\n      name: "bot\\r\\nInjected: header"\n', "imageAutomation.author.name", CONTROL],
  ['  flux-gitops:imageAutomation:\n    author:\n      email: "bot@example.com\\u202e"\n', "imageAutomation.author.email", BIDI],
  ['  flux-gitops:imageAutomation:\n    pushBranch: "flux/../main"\n', "imageAutomation.pushBranch", BRANCH],
  [
    '  flux-gitops:receiver:\n    ingress:\n      host: a.example.com\n      annotations:\n        "x/y": "v\\u0000"\n',
    "receiver.ingress.annotations.x/y",
    CONTROL,
  ],
  // A bad key is named escaped, so the message stays one line.
  [
    '  flux-gitops:receiver:\n    ingress:\n      host: a.example.com\n      annotations:\n        "x\\ny": v\n',
    "receiver.ingress.annotations.x\\u000ay",
    CONTROL,
  ],
  [
    '  flux-gitops:receiver:\n    ingress:\n      host: a.example.com\n      annotations:\n        "x\\u202ey": v\n',
    "receiver.ingress.annotations.x\\u202ey",
    BIDI,
  ],
  ['  flux-gitops:receiver:\n    publicBaseUrl: "https://a.example.com/\\x1b"\n', "receiver.publicBaseUrl", CONTROL],
  [
    '  flux-gitops:knownHosts: "github.com ssh-ed25519 AAAA\\tx"\n',
    "knownHosts",
    "must not contain control characters other than line breaks (tab, NUL, ...)",
  ],
  [
    '  flux-gitops:notifications:\n    githubStatus: true\n  flux-gitops:githubStatusToken:\n    secure: ""\n',
    "githubStatusToken",
    "must be a non-empty string (set it with pulumi config set --secret)",
  ],
  [
    '  flux-gitops:notifications:\n    generic: true\n  flux-gitops:genericWebhookUrl:\n    secure: "  "\n',
    "genericWebhookUrl",
    "must be a non-empty string (set it with pulumi config set --secret)",
  ],
  [
    '  flux-gitops:notifications:\n    teams: true\n  flux-gitops:teamsWebhookUrl:\n    secure: "v1:AA\\u202eBB"\n',
    "teamsWebhookUrl",
    BIDI,
  ],
];

test("every string setting refuses control and bidi characters, and the repository's names follow GitHub's and Git's rules: one line naming the key", (t) => {
  for (const [body, path, what] of SETTING_ATTACKS) {
    const file = stackFile(t, "");
    writeFileSync(file, `config:\n${body.includes("flux-gitops:repository:") ? "" : REPOSITORY}${body}`);
    assert.throws(() => readStackConfigFile(file, "dev"), { name: "ConfigError", message: `${file}: flux-gitops:${path} ${what}` }, body);
  }
});

test("what the new rules must still accept: real owners, names, branches, hosts, multi-line known_hosts", () => {
  const cfg = parseStackConfig(
    {
      kubernetes: { version: "1.32.4" },
      repository: { owner: "remla25-team3", name: "operation.v2_x", branch: "release/1.2-rc.1", host: "git.example.com:2222" },
      knownHosts: `${hostKeyLine("[git.example.com]:2222")}\n${hostKeyLine("[git.example.com]:2222", "ssh-rsa")}\n`,
      imageAutomation: { pushBranch: "flux/image-updates" },
      syncPath: "cluster/dev.render-notes/render-x",
    },
    "dev",
  );
  assert.equal(cfg.repository.branch, "release/1.2-rc.1");
  assert.equal(cfg.syncPath.folder, "cluster/dev.render-notes/render-x");
  assert.equal(
    parseStackConfig({ kubernetes: { version: "1.32.4" }, repository: { owner: "a", name: "A-1" } }, "dev").repository.host,
    "github.com",
  );
});

test("a second environment whose syncPath is another's staging folder is refused by npm run render; nothing deleted (review repro)", (t) => {
  const root = mkdtempSync(join(tmpdir(), "config-attack-qa-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  copyTestStacks(root);
  const render = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, "stacks/render.ts"), "--root", root, ...args], { encoding: "utf8" });
  assert.equal(render().status, 0);
  // Pulumi.qa.yaml: a copy of dev's, syncing a folder named like dev's old staging folder.
  const qa = yaml.load(readFileSync(join(root, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
  qa.config["flux-gitops:syncPath"] = "cluster/.dev.render-old-zzz";
  writeFileSync(join(root, "Pulumi.qa.yaml"), yaml.dump(qa));
  mkdirSync(join(root, "cluster/.dev.render-old-zzz"));
  writeFileSync(join(root, "cluster/.dev.render-old-zzz/README.md"), "qa's notes\n");
  for (const args of [["--check"], []]) {
    const r = render(...args);
    assert.equal(r.status, 1, args.join(" "));
    assert.equal(r.stderr, `render: ${join(root, "Pulumi.qa.yaml")}: flux-gitops:syncPath ${STAGING}\n`);
  }
  assert.equal(readFileSync(join(root, "cluster/.dev.render-old-zzz/README.md"), "utf8"), "qa's notes\n");
  // And dev's own render leaves it alone: not a name the renderer stages under.
  rmSync(join(root, "Pulumi.qa.yaml"));
  assert.equal(render().status, 0);
  assert.equal(render("--check").status, 0);
  assert.equal(readFileSync(join(root, "cluster/.dev.render-old-zzz/README.md"), "utf8"), "qa's notes\n");
});

// Issue 23 (paths): `syncPath: stacks` made the renderer swap the source folder stacks/ for its YAML, and
// `cluster//dev` or `cluster/./dev` were kept as written (36 files rewritten with the odd path).
const SOURCE_FOLDERS = ["stacks", "infra", "policies", "test", "docs", "charts", "bench", "node_modules", "stacks/environments"];

test("syncPath outside cluster/ (a source folder, a dot folder, the output root itself) is one line naming the key", (t) => {
  const below = "must lie below cluster/ (e.g. cluster/dev), the folder meant for output: npm run render replaces the whole folder";
  const dot = "must not contain a dot folder (a part starting with '.')";
  const cases: [string, string][] = [
    ...SOURCE_FOLDERS.map((f): [string, string] => [f, below]),
    ["cluster", below],
    ["./cluster/", below],
    ["clusters/dev", below],
    ["Pulumi.dev.yaml", below],
    [".github/workflows", dot],
    [".tools", dot],
    ["cluster/.hidden", dot],
    ["cluster/dev/.cache", dot],
    ["cluster\\\\dev", "must separate folders with '/', not '\\'"],
  ];
  for (const [value, what] of cases) {
    const file = stackFile(t, `  flux-gitops:syncPath: "${value}"\n`);
    assert.throws(() => readStackConfigFile(file, "dev"), { name: "ConfigError", message: `${file}: flux-gitops:syncPath ${what}` }, value);
  }
});

test("npm run render with syncPath stacks: one line, exit 1, the source folder untouched", (t) => {
  const root = mkdtempSync(join(tmpdir(), "config-attack-stacks-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, "stacks"));
  writeFileSync(join(root, "stacks/program.ts"), "// the program\n");
  writeFileSync(join(root, "Pulumi.dev.yaml"), `config:\n${REPOSITORY}  flux-gitops:syncPath: stacks\n`);
  for (const args of [[], ["--check"]]) {
    const r = spawnSync(process.execPath, [join(ROOT, "stacks/render.ts"), "--root", root, ...args], { encoding: "utf8" });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^render: .*Pulumi\.dev\.yaml: flux-gitops:syncPath must lie below cluster\/ \(e\.g\. cluster\/dev\)[^\n]*\n$/);
    assert.deepEqual(readdirSync(root).sort(), ["Pulumi.dev.yaml", "stacks"]);
    assert.deepEqual(readdirSync(join(root, "stacks")), ["program.ts"]);
  }
});

test("cluster//dev and cluster/./dev are cluster/dev: the committed files stay fresh, nothing rewritten", (t) => {
  for (const odd of ["cluster//dev", "cluster/./dev", "./cluster/.//dev/"]) {
    const root = mkdtempSync(join(tmpdir(), "config-attack-norm-"));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    copyTestStacks(root);
    const render = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, "stacks/render.ts"), "--root", root, ...args], { encoding: "utf8" });
    assert.equal(render().status, 0);
    const dev = yaml.load(readFileSync(join(root, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
    dev.config["flux-gitops:syncPath"] = odd;
    writeFileSync(join(root, "Pulumi.dev.yaml"), yaml.dump(dev));
    assert.equal(readStackConfigFile(join(root, "Pulumi.dev.yaml"), "dev").syncPath.folder, "cluster/dev", odd);
    const check = render("--check");
    assert.equal(check.status, 0, `${odd}: ${check.stdout}${check.stderr}`);
    assert.equal(check.stdout, "render --check: cluster/dev, cluster/prod up to date\n", odd);
  }
});
