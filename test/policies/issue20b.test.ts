// Issue #20 (identity, charts, installers, ResourceSets, paths mode, false alarms): each bypass and false
// alarm as a small fixture under fixtures/i20-<case>/ (a repository root with its Pulumi.<env>.yaml), run
// through `npm run policy` in graph mode (kubectl kustomize, as kustomize-controller builds) or paths mode,
// asserting the exact findings and the exit code. Every fixture here failed on main before the change.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../policies/cli.ts";
import { ROOT } from "../support/paths.ts";

const FIXTURES = join(ROOT, "test", "policies", "fixtures");
const CONFIG = join(FIXTURES, "policy.json");

interface Run {
  code: number;
  findings: string[];
  messages: string[];
  errors: string[];
  notes: string[];
}

async function policy(root: string, args: string[], config = CONFIG): Promise<Run> {
  let out = "";
  let err = "";
  const code = await main(["--format", "json", "--config", config, "--root", root, ...args], {
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  const r = JSON.parse(out) as {
    findings: {
      file: string;
      line: number;
      level: string;
      rule: string;
      kind: string;
      namespace?: string;
      name: string;
      message: string;
    }[];
    errors: { file: string; message: string }[];
    notes: { file: string; message: string }[];
  };
  const id = (f: (typeof r.findings)[number]) =>
    `${f.file}:${f.line} ${f.level} ${f.rule} ${f.kind} ${f.namespace ? `${f.namespace}/` : ""}${f.name}`;
  return {
    code,
    findings: r.findings.map(id).sort(),
    messages: r.findings.map((f) => `${id(f)}: ${f.message}`).sort(),
    errors: r.errors.map((e) => `${e.file}: ${e.message}`),
    notes: r.notes.map((n) => `${n.file}: ${n.message}`),
  };
}

const graph = (fixture: string, config?: string) => policy(join(FIXTURES, fixture), [], config);
const paths = (fixture: string, ...p: string[]) => policy(join(FIXTURES, fixture), p.length ? p : ["."]);

test("identity carries the API group; a reference that resolves to nothing in Git is a finding", async () => {
  const r = await graph("i20-identity");
  assert.deepEqual(r.findings, [
    // chartRef HelmChart/app: only a helm.cattle.io HelmChart has that name, which is no Flux HelmChart
    "cluster/dev/releases.yaml:14 mandatory helmrelease-git-sourced HelmRelease flux-system/from-lookalike-chart",
    // sourceRef GitRepository/missing is not in Git
    "cluster/dev/releases.yaml:29 mandatory helmrelease-git-sourced HelmRelease flux-system/from-missing-repo",
    // allowed by identity and URL, but not in Git: its URL cannot be checked
    "cluster/dev/releases.yaml:47 mandatory helmrelease-git-sourced HelmRelease flux-system/ingress-nginx",
    // the only GitRepository "lookalike" is of group source.evil.io: never followed as this repository
    "cluster/dev/releases.yaml:76 mandatory content-verified Kustomization flux-system/other",
  ]);
  assert.match(r.messages[1]!, /GitRepository\/flux-system\/missing, which is not in Git/);
  assert.match(r.messages[3]!, /from GitRepository flux-system\/lookalike, which is not among the checked objects/);
  assert.equal(r.code, 1);
});

test("a secretGenerator file that is wholly SOPS encrypted is no plaintext; a sops block beside plaintext is", async () => {
  const r = await graph("i20-sops-generator");
  assert.deepEqual(r.findings, ["cluster/dev/kustomization.yaml:1 mandatory no-plaintext-secrets Secret web/half-b64cmk9468"]);
  assert.equal(r.code, 1);
});

test("one path applied to two clusters (spec.kubeConfig) is not applied twice; twice to one cluster is; each finding once", async () => {
  const r = await graph("i20-hub-spoke");
  assert.deepEqual(r.findings, [
    "spoke/objects.yaml:1 mandatory content-verified ConfigMap web/settings",
    "spoke/objects.yaml:10 mandatory content-verified GitRepository flux-system/elsewhere",
    "spoke/objects.yaml:10 mandatory git-source-allowed GitRepository flux-system/elsewhere",
  ]);
  assert.match(r.messages[0]!, /applied by Kustomization flux-system\/spoke-a and by Kustomization flux-system\/spoke-a-again/);
  assert.equal(r.code, 1);
});

test("paths mode skips a file as a template only when it is not YAML: a {{ }} in a comment or string skips nothing", async () => {
  const r = await paths("i20-paths-template", "apps");
  assert.deepEqual(r.findings, ["apps/release.yaml:2 mandatory helmrelease-git-sourced HelmRelease web/app"]);
  assert.equal(r.code, 1);
});
