// `npm run preview -- <env>`: the resources `pulumi up` would register, from the real program started through
// @pulumi/pulumi/cmd/run against the in-process engine (infra/preview/engine.ts). The tests give their own stack
// files (--stack-file), never the repository's Pulumi.<env>.yaml.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, type PreviewedResource } from "../../stacks/preview.ts";
import { runInProcess } from "../support/in-process.ts";

const CIPHERTEXT = "v1:c2VjcmV0LWNpcGhlcnRleHQ=";

function stackFile(t: { after(fn: () => void): void }, lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "preview-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "Pulumi.staging.yaml");
  writeFileSync(
    file,
    [
      "config:",
      "  github:owner: acme",
      "  flux-gitops:repository:",
      "    owner: acme",
      "    name: gitops",
      "  flux-gitops:kubernetes:",
      "    version: 1.32.4",
      ...lines,
      "",
    ].join("\n"),
  );
  return file;
}

const SLACK = [
  "  flux-gitops:notifications:",
  "    slack:",
  "      channel: deployments",
  "  flux-gitops:slackWebhookUrl:",
  `    secure: ${CIPHERTEXT}`,
];

test("preview <env>: every resource the program registers, with its parent and key fields; secrets masked", async (t) => {
  const file = stackFile(t, SLACK);
  const r = await runInProcess(main, ["staging", "--stack-file", file, "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const list = JSON.parse(r.stdout) as PreviewedResource[];
  const find = (type: string, name?: string) => {
    const found = list.filter((x) => x.type === type && (name === undefined || x.name === name));
    assert.equal(found.length, 1, `${type} ${name ?? ""}: ${list.map((x) => `${x.type} ${x.name}`).join(", ")}`);
    return found[0]!;
  };
  const stack = find("pulumi:pulumi:Stack");
  assert.equal(stack.name, "flux-gitops-staging");
  assert.equal(stack.parent, "");
  const gitops = find("flux-gitops:index:FluxGitOps");
  assert.equal(gitops.parent, "pulumi:pulumi:Stack flux-gitops-staging");
  const deployKey = find("github:index/repositoryDeployKey:RepositoryDeployKey", "deploy-key");
  assert.equal(deployKey.fields.repository, "gitops");
  assert.equal(deployKey.fields.readOnly, "true");
  assert.equal(deployKey.fields.key, "(known after up)", "the public key exists only once the key pair is created");
  const sync = find("kubernetes:source.toolkit.fluxcd.io/v1:GitRepository", "flux-system-git");
  assert.equal(sync.fields["spec.url"], "ssh://git@github.com/acme/gitops");
  assert.equal(sync.fields["spec.path"], undefined);
  assert.equal(
    find("kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", "flux-system-kustomization").fields["spec.path"],
    "./cluster/staging",
  );
  // The switch in this stack file: Slack alerts, whose webhook URL is a secret.
  assert.ok(list.some((x) => x.type === "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Provider"));
  assert.equal(find("kubernetes:core/v1:Secret", "flux-system").fields.stringData, "[secret]");
  assert.ok(list.filter((x) => x.fields.stringData !== undefined).every((x) => x.fields.stringData === "[secret]"));
  assert.doesNotMatch(r.stdout, new RegExp(CIPHERTEXT.slice(3, 20)), "the stored secret never shows");
});

test("preview <env> (text): an indented tree, children under their parent", async (t) => {
  const file = stackFile(t, []);
  const r = await runInProcess(main, ["staging", "--stack-file", file]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.match(lines[0]!, /^preview: staging \(.*Pulumi\.staging\.yaml\): \d+ resources$/);
  assert.equal(lines[1], "pulumi:pulumi:Stack flux-gitops-staging");
  assert.equal(lines[2], "  flux-gitops:index:FluxGitOps staging");
  assert.ok(lines.some((l) => /^ {6}tls:index\/privateKey:PrivateKey deploy-key {2}algorithm=ED25519/.test(l)));
  assert.ok(!lines.some((l) => l.includes("notification.toolkit.fluxcd.io")), "no alerts without the switch");
});

test("preview: a stack config the program refuses exits 1 with its one line; no stack or bad flags exit 2", async (t) => {
  const file = stackFile(t, ["  flux-gitops:notifications:", "    slack:", "      channel: deployments"]);
  const r = await runInProcess(main, ["staging", "--stack-file", file]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^preview: staging: .*slackWebhookUrl.*required/);
  assert.equal(r.stderr.trim().split("\n").length, 1);
  const none = await runInProcess(main, ["nowhere"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^preview: no stack nowhere: there is no Pulumi\.nowhere\.yaml in /);
  assert.equal((await runInProcess(main, [])).code, 2);
  assert.match((await runInProcess(main, ["dev", "--format", "xml"])).stderr, /^preview: --format must be text or json/);
});
