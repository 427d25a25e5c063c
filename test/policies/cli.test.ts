// `npm run policy`: output format, exit codes, config file, and inputs that are malformed, empty or huge.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocuments } from "../../policies/yaml.ts";
import { cliArgv, handOver, inMountNamespace, runUnprivileged, traceLines, unprivilegedDir } from "../support/io-conditions.ts";
import { ROOT } from "../support/paths.ts";
import { copyOfRenderedRepo } from "../support/temp-repo.ts";

const CLI = join(ROOT, "policies", "cli.ts");

function policy(args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "policy-cli-"));
  writeFileSync(join(dir, "Pulumi.dev.yaml"), "config:\n  github:owner: acme\n");
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const plainSecret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\n  namespace: web\nstringData:\n  token: hunter2\n";
const slowRepo = [
  "apiVersion: source.toolkit.fluxcd.io/v1",
  "kind: GitRepository",
  "metadata: {name: app, namespace: flux-system}",
  'spec: {interval: 10s, url: "https://github.com/acme/app", ref: {branch: main}}',
  "",
].join("\n");

const noStackTrace = (stderr: string) => assert.doesNotMatch(stderr, /\n\s+at /, "no stack trace");

test("the committed cluster/ passes with the project's policy config", () => {
  const r = policy([]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, "");
});

test("a mandatory finding prints file:line  level  rule  Kind namespace/name  message and exits 1", () => {
  const dir = project({ "cluster/dev/apps/secret.yml": `# a comment\n---\n${plainSecret}` });
  const r = policy(["cluster"], dir);
  assert.equal(r.code, 1);
  assert.match(
    r.stdout,
    /^cluster\/dev\/apps\/secret\.yml:3 {2}mandatory {2}no-plaintext-secrets {2}Secret web\/token {2}.*encrypt it with SOPS/,
  );
  assert.equal(r.stdout.trim().split("\n").length, 1);
});

test("advisory findings alone exit 0; --config can make them mandatory or disable rules", () => {
  const dir = project({ "cluster/dev/repo.yaml": slowRepo });
  const advisory = policy(["cluster"], dir);
  assert.equal(advisory.code, 0);
  assert.match(advisory.stdout, /repo\.yaml:1 {2}advisory {2}interval-bounds {2}GitRepository flux-system\/app/);
  writeFileSync(join(dir, "strict.json"), JSON.stringify({ "interval-bounds": { enforcementLevel: "mandatory", min: "30s" } }));
  assert.equal(policy(["--config", "strict.json", "cluster"], dir).code, 1);
  writeFileSync(join(dir, "off.json"), JSON.stringify({ "interval-bounds": "disabled" }));
  assert.deepEqual(policy(["--config", "off.json", "cluster"], dir).stdout, "");
});

test("--format json lists findings and errors for machines", () => {
  const dir = project({ "cluster/dev/secret.yaml": plainSecret, "cluster/dev/bad.yaml": "a: [1, 2\n" });
  const r = policy(["--format", "json", "cluster"], dir);
  assert.equal(r.code, 2);
  const out = JSON.parse(r.stdout) as { findings: Record<string, unknown>[]; errors: { file: string; message: string }[] };
  assert.deepEqual(
    out.findings.map((f) => [f.file, f.line, f.level, f.rule, f.kind, f.namespace, f.name]),
    [["cluster/dev/secret.yaml", 1, "mandatory", "no-plaintext-secrets", "Secret", "web", "token"]],
  );
  assert.deepEqual(
    out.errors.map((e) => e.file),
    ["cluster/dev/bad.yaml"],
  );
});

test("malformed files: every one is reported (one line each, no stack trace), findings still printed, exit 2", () => {
  const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}\n`;
  const dir = project({
    "cluster/dev/a-broken.yaml": "kind: [unclosed\n",
    "cluster/dev/b-duplicate.yaml": "kind: Secret\nkind: Secret\n",
    "cluster/dev/c-binary.yaml": "",
    "cluster/dev/d-deep.yaml": deep,
    "cluster/dev/e-secret.yaml": plainSecret,
  });
  writeFileSync(join(dir, "cluster/dev/c-binary.yaml"), Buffer.from([0x00, 0xff, 0xfe, 0x41, 0x00, 0xc3]));
  const r = policy(["cluster"], dir);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /e-secret\.yaml:1 {2}mandatory {2}no-plaintext-secrets/);
  const errors = r.stderr
    .trim()
    .split("\n")
    .filter((l) => !l.startsWith("policy: "));
  assert.deepEqual(
    errors.map((l) => l.split(":")[0]),
    ["cluster/dev/a-broken.yaml", "cluster/dev/b-duplicate.yaml", "cluster/dev/c-binary.yaml", "cluster/dev/d-deep.yaml"],
  );
  assert.match(errors[1]!, /line 2: invalid YAML: duplicated mapping key/);
  assert.match(errors[2]!, /not UTF-8 text/);
  noStackTrace(r.stderr);
});

test("a missing path is unreadable input (exit 2), other paths are still checked", () => {
  const dir = project({ "cluster/dev/secret.yaml": plainSecret });
  const r = policy(["nope", "cluster"], dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^nope: cannot read: ENOENT$/m);
  assert.match(r.stdout, /no-plaintext-secrets/);
});

test("empty files, comment-only files, unknown kinds and non-YAML files are fine", () => {
  const dir = project({
    "cluster/dev/empty.yaml": "",
    "cluster/dev/comments.yaml": "# nothing here\n---\n# still nothing\n",
    "cluster/dev/unknown.yaml":
      "apiVersion: example.com/v9\nkind: Widget\nmetadata: {name: w}\nspec: {interval: 1s}\n---\n- just a list\n---\nplain scalar\n",
    "cluster/dev/old-flux.yaml":
      'apiVersion: source.toolkit.fluxcd.io/v1alpha1\nkind: GitRepository\nmetadata: {name: x}\nspec: {url: "http://x"}\n',
    "cluster/dev/notes.txt": plainSecret,
  });
  const r = policy(["cluster"], dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, "");
});

test("anchors and aliases are read without expanding shared objects; an alias bomb is refused with one line, exit 2", () => {
  // Flux refuses it too: its YAML reader (gopkg.in/yaml.v3 decode.go, allowedAliasRatio) stops on "excessive aliasing".
  // 10^12 leaves if expanded: values nest 12 levels of 10 references each to the level below.
  const bomb = [
    "apiVersion: helm.toolkit.fluxcd.io/v2",
    "kind: HelmRelease",
    "metadata: {name: bomb, namespace: web}",
    "spec:",
    "  interval: 10m",
    "  chart: {spec: {chart: charts/app, sourceRef: {kind: GitRepository, name: app}}}",
    "  upgrade: {remediation: {retries: 3}}",
    "  values:",
    '    l0: &l0 ["x","x","x","x","x","x","x","x","x","x"]',
  ];
  for (let i = 1; i < 12; i++)
    bomb.push(
      `    l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(",")}]`,
    );
  const dir = project({
    "cluster/dev/bomb.yaml": `${bomb.join("\n")}\n---\n${plainSecret}`,
    "cluster/dev/anchors.yaml":
      "---\napiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: web, labels: &l {team: web}, annotations: *l}\ndata: {k: dg==}\n",
  });
  const r = policy(["--format", "json", "cluster"], dir);
  assert.equal(r.code, 2, r.stderr);
  const { findings, errors } = JSON.parse(r.stdout) as {
    findings: { file: string; line: number; rule: string }[];
    errors: { file: string; message: string }[];
  };
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line} ${f.rule}`),
    ["cluster/dev/anchors.yaml:2 no-plaintext-secrets"],
  );
  assert.deepEqual(errors, [
    { file: "cluster/dev/bomb.yaml", message: "refused: YAML expands to more than 1000000 nodes through aliases (an alias bomb?)" },
  ]);
});

test("a very large file is checked, with the line of a document near its end", () => {
  const doc = (i: number) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: web\ndata:\n  blob: "${"x".repeat(200)}"\n`;
  const docs = Array.from({ length: 40_000 }, (_, i) => doc(i)); // ≈ 10 MB
  const text = `${docs.join("---\n")}---\n${plainSecret}`;
  const dir = project({ "cluster/dev/huge.yaml": text });
  const r = policy(["cluster"], dir);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout.split("  ")[0], `cluster/dev/huge.yaml:${40_000 * 8 + 1}`);
});

test("bad flags and bad config files: one line, exit 2, nothing checked", () => {
  const dir = project({ "cluster/dev/secret.yaml": plainSecret });
  writeFileSync(join(dir, "typo.json"), JSON.stringify({ "git-source-allowed": { allowedPrefix: ["x"] } }));
  writeFileSync(join(dir, "level.json"), JSON.stringify({ "sync-prunes": "sometimes" }));
  writeFileSync(join(dir, "rule.json"), JSON.stringify({ "no-such-rule": "disabled" }));
  writeFileSync(join(dir, "broken.json"), "{");
  const expectations: [string[], RegExp][] = [
    [["--format", "xml"], /^policy: --format must be text or json, not "xml"$/],
    [["--verbose"], /^policy: Unknown option '--verbose'/],
    [["--config", "typo.json"], /^policy: typo\.json: git-source-allowed\.allowedPrefix: unknown key$/],
    [["--config", "level.json"], /^policy: level\.json: sync-prunes\.enforcementLevel: /],
    [["--config", "rule.json"], /^policy: rule\.json: no-such-rule: unknown rule/],
    [["--config", "broken.json"], /^policy: broken\.json: invalid JSON/],
    [["--config", "missing.json"], /^policy: missing\.json: cannot read: ENOENT$/],
  ];
  for (const [args, message] of expectations) {
    const r = policy(args, dir);
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(r.stdout, "");
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr.trim(), message);
  }
});

test("document lines skip separators, directives and comments", () => {
  const text = "%YAML 1.2\n---\n# first\nkind: A\n--- # second\n\nkind: B\n...\n---\n- c\n";
  assert.deepEqual(
    parseDocuments(text).map((d) => d.line),
    [4, 7, 10],
  );
});

// Failures of the machine, made real (test/support/io-conditions.ts): a file Flux would apply that this user
// cannot read, and a full disk for the folder the graph is built in. One line, exit 2 (unreadable input), no
// stack trace, and the build folder removed.
test("an unreadable file and a full temp disk in graph mode: one line, exit 2, the build folder removed (issue 23)", (t) => {
  const check = (r: { status: number | null; stderr: string }, line: RegExp, what: string) => {
    assert.equal(r.status, 2, `${what}: ${r.stderr}`);
    assert.deepEqual(traceLines(r.stderr), [], r.stderr);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, line, what);
  };
  const root = unprivilegedDir(t, "policy-io");
  cpSync(copyOfRenderedRepo(t, "policy-io"), root, { recursive: true });
  const temp = join(root, "tmp");
  mkdirSync(temp);
  const release = "cluster/dev/apps/helmrelease_flux-system_remla-app.yaml";
  // A full disk first (the namespace's root runs the CLI): a tmpfs of a few pages as TMPDIR, filled.
  const out = join(root, "out");
  mkdirSync(out);
  const script = `
    mount -t tmpfs -o size=64k,mode=0777 tmpfs "$TMPDIR"
    cat /dev/zero > "$TMPDIR/.filler" 2>/dev/null || true
    status=0
    "$NODE" ${cliArgv("policies/cli.ts", ["--root", root, "--env", "dev"])
      .slice(1)
      .map((a) => `'${a}'`)
      .join(" ")} > "$OUT/out" 2> "$OUT/err" || status=$?
    echo "$status" > "$OUT/status"
    rm "$TMPDIR/.filler"
    ls -A "$TMPDIR" > "$OUT/entries"`;
  const ns = inMountNamespace(script, { TMPDIR: temp, OUT: out, NODE: process.execPath });
  assert.equal(ns.status, 0, ns.stderr);
  check(
    { status: Number(readFileSync(join(out, "status"), "utf8")), stderr: readFileSync(join(out, "err"), "utf8") },
    /^policy: cannot (copy|write|create the folder|open) \S+( to \S+)?: no space left on device \(ENOSPC\) — free space on the disk and run again\n$/,
    "full disk",
  );
  assert.equal(readFileSync(join(out, "entries"), "utf8"), "", "the build folder is removed");
  // An unreadable file, as a user the permissions apply to.
  handOver(root);
  chmodSync(join(root, release), 0o000);
  const r = runUnprivileged("policies/cli.ts", ["--root", root, "--env", "dev"], { TMPDIR: temp });
  check(
    r,
    new RegExp(`^policy: cannot copy \\S+/${release.replaceAll(".", "\\.")} to \\S+: permission denied \\(EACCES\\) — `),
    "unreadable",
  );
  assert.deepEqual(readdirSync(temp), [], "the build folder is removed");
});

test("under npm run policy, PATHS are resolved from the folder the user stands in (INIT_CWD), not the package root", () => {
  const dir = project({ "team/apps/secret.yaml": plainSecret });
  // What npm hands the script for `cd team && npm run policy -- apps`: the package root as cwd, the user's folder in INIT_CWD.
  const r = policy(["apps"], dir, { npm_lifecycle_event: "policy", INIT_CWD: join(dir, "team") });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^team\/apps\/secret\.yaml:1 {2}mandatory {2}no-plaintext-secrets/);
  // INIT_CWD of another script (npm test starting the CLI) is not where the user typed this command.
  assert.equal(policy(["apps"], dir, { npm_lifecycle_event: "test", INIT_CWD: join(dir, "team") }).code, 2);
});

test("paths mode never walks node_modules or .git", () => {
  const dir = project({
    "node_modules/pkg/secret.yaml": plainSecret,
    "team/node_modules/pkg/secret.yaml": plainSecret,
    ".git/secret.yaml": plainSecret,
    "cluster/dev/repo.yaml": slowRepo,
  });
  const r = policy(["."], dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /node_modules|\.git\//);
  assert.match(r.stdout, /^cluster\/dev\/repo\.yaml:1 {2}advisory {2}interval-bounds/);
});

test("graph mode: a file in cluster/<env> that no kustomization includes is an error naming it (exit 2)", () => {
  const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\n`;
  const dir = project({
    "cluster/dev/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - a.yaml\n",
    "cluster/dev/a.yaml": cm("a"),
    "cluster/dev/forgotten.yaml": cm("forgotten"),
  });
  writeFileSync(
    join(dir, "Pulumi.dev.yaml"),
    "config:\n  flux-gitops:kubernetes:\n    version: 1.32.4\n  github:owner: acme\n  flux-gitops:repository:\n    owner: acme\n    name: gitops\n",
  );
  const r = policy([], dir);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /^cluster\/dev\/forgotten\.yaml: no kustomization\.yaml includes it, so Flux never applies it/m);
  assert.doesNotMatch(r.stderr, /cluster\/dev\/a\.yaml/);
});
