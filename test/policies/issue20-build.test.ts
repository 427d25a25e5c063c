// Issue #20 (build order, substitution, artifacts, bounds): every bypass as a fixture under
// fixtures/<case>/ run through `npm run policy` (graph mode unless said), and differential tests that
// state the upstream file and version each Flux behaviour was read from, with the input/output pair.
// kubectl must be installed: a missing kubectl fails these tests, it never skips them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../policies/cli.ts";
import { SubstitutionError, Unsupported } from "../../policies/flux/envsubst/bytes.ts";
import { evaluateText, substitute } from "../../policies/flux/envsubst.ts";
import { generatedKustomization, isLocalRelativePath } from "../../policies/flux/kustomize/generator.ts";
import { kustomizeBuild } from "../../policies/flux/kustomize.ts";
import { copyArtifact, ignored, matchOne, parsePattern, readPatterns } from "../../policies/flux/artifact.ts";
import { assertBoundedExpansion, BoundError } from "../../policies/bounds.ts";
import { parseDocuments } from "../../policies/yaml.ts";
import { ROOT } from "../support/paths.ts";

const FIXTURES = join(ROOT, "test", "policies", "fixtures");
const CONFIG = join(FIXTURES, "policy.json");

interface Run {
  code: number;
  findings: string[];
  messages: string[];
  errors: string[];
}

async function policy(root: string, ...args: string[]): Promise<Run> {
  let out = "";
  let err = "";
  const code = await main(["--format", "json", "--config", CONFIG, "--root", root, ...args], {
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  assert.equal(err, "", "json output: nothing on stderr");
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
  };
  return {
    code,
    findings: r.findings
      .map((f) => `${f.file}:${f.line} ${f.level} ${f.rule} ${f.kind} ${f.namespace ? `${f.namespace}/` : ""}${f.name}`)
      .sort(),
    messages: r.findings.map((f) => f.message),
    errors: r.errors.map((e) => `${e.file}: ${e.message}`),
  };
}

const graph = (fixture: string) => policy(join(FIXTURES, fixture));

// ---------------------------------------------------------------------------------------------------
// Build order: Flux's fields are written into the path's own kustomization.yaml

test("build order: a replacement after Flux's patch, components before the file's patches, Flux's namePrefix replacing the file's", async () => {
  const r = await graph("build-order");
  assert.deepEqual(
    r.findings,
    [
      // the file's patch runs after Flux's component: the evil source stays (the finding points at that patch)
      "component/kustomization.yaml:5 mandatory helmrelease-git-sourced HelmRelease web/componented",
      "component/release.yaml:1 advisory chart-version-pinned HelmRelease web/componented",
      // namePrefix flux- replaces the file's xx-: Git applies the sync Kustomization flux-system/flux-system
      "prefix/sync.yaml:1 mandatory content-verified Kustomization flux-system/xx-system",
      "prefix/sync.yaml:1 mandatory sync-not-in-git Kustomization flux-system/flux-system",
      "prefix/sync.yaml:1 mandatory sync-path-matches-env Kustomization flux-system/flux-system",
      // the file's replacements run after Flux's patch and put the HelmRepository back
      "cluster/dev/apps.yaml:16 mandatory helmrelease-git-sourced HelmRelease web/replaced",
      "replace/release.yaml:1 advisory chart-version-pinned HelmRelease web/replaced",
    ].sort(),
  );
  assert.equal(r.code, 1);
});

test("a path whose own patch targets an object a Flux component adds builds, as in Flux (exit 0)", async () => {
  const r = await graph("component-patch");
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.findings, []);
  assert.equal(r.code, 0);
});

test("differential: fluxcd/pkg kustomize v1.27.1 kustomize_generator_test.go Test_Components", (t) => {
  // input: testdata/components/kustomization.yaml (components: [componentA]) or no file, Flux components;
  // output: the generated file's components.
  const dir = mkdtempSync(join(tmpdir(), "gen-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const withFile = join(dir, "components");
  mkdirSync(withFile);
  writeFileSync(
    join(withFile, "kustomization.yaml"),
    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - configmap.yaml\ncomponents:\n  - componentA\n",
  );
  const empty = join(dir, "empty");
  mkdirSync(empty);
  const components = (d: string, c: string[]) => generatedKustomization(d, { components: c })?.content.components;
  assert.deepEqual(generatedKustomization(withFile, { components: [] }), undefined); // the file, unchanged: [componentA]
  assert.deepEqual(components(empty, ["componentB", "componentC"]), ["componentB", "componentC"]);
  assert.deepEqual(components(withFile, ["componentB", "componentC"]), ["componentA", "componentB", "componentC"]);
  // generateKustomization: a folder with no resources gets namespace _placeholder
  assert.equal(generatedKustomization(empty, { components: ["componentB"] })?.content.namespace, "_placeholder");
});

test("differential: fluxcd/pkg kustomize v1.27.1 Test_IsLocalRelativePath", () => {
  const table: [string, boolean][] = [
    ["foobar.yaml", true],
    ["./foobar.yaml", true],
    ["file://foobar.yaml", true],
    ["file:///foobar.yaml", false],
    ["/foobar.yaml", false],
    ["https://github.com/owner/repo", false],
    ["git@github.com:owner/repo", false],
    ["ssh://git@github.com/owner/repo", false],
    ["github.com/owner/repo", false],
  ];
  for (const [path, expected] of table) assert.equal(isLocalRelativePath(path), expected, path);
});

test("differential: fluxcd/pkg kustomize v1.27.1 TestGenerator_NameTransformer (built by kubectl)", async (t) => {
  // input: testdata/name/kustomization.yaml (configMapGenerator test-configmap, literals foo=bar baz=qux) and
  // a Flux spec targetNamespace test-namespace, namePrefix prefix-, nameSuffix -suffix; output: one object
  // whose name contains prefix-test-configmap-suffix, in test-namespace.
  const dir = mkdtempSync(join(tmpdir(), "gen-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "name");
  mkdirSync(path);
  const file =
    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nconfigMapGenerator:\n  - name: test-configmap\n    literals:\n      - foo=bar\n      - baz=qux\n";
  writeFileSync(join(path, "kustomization.yaml"), file);
  const built = await kustomizeBuild(
    path,
    { targetNamespace: "test-namespace", namePrefix: "prefix-", nameSuffix: "-suffix" },
    join(dir, "work"),
    dir,
  );
  assert.equal(built.length, 1);
  const meta = built[0]!.doc.metadata as { name: string; namespace: string };
  assert.match(meta.name, /^prefix-test-configmap-suffix-/);
  assert.equal(meta.namespace, "test-namespace");
  // the generated file was put back: the folder is as it was
  assert.equal(readFileSync(join(path, "kustomization.yaml"), "utf8"), file);
});

test("builds of one folder at once never see each other's generated kustomization", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "gen-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "app");
  mkdirSync(path);
  writeFileSync(join(path, "kustomization.yaml"), "resources: [cm.yaml]\n");
  writeFileSync(join(path, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n");
  const names = await Promise.all(
    ["a-", undefined, "b-", undefined, "c-"].map(async (namePrefix, i) => {
      const built = await kustomizeBuild(path, { namePrefix }, join(dir, `work${i}`), dir);
      return (built[0]!.doc.metadata as { name: string }).name;
    }),
  );
  assert.deepEqual(names, ["a-cm", "cm", "b-cm", "cm", "c-cm"]);
  assert.equal(readFileSync(join(path, "kustomization.yaml"), "utf8"), "resources: [cm.yaml]\n");
});

test("generator: Flux images replace the file's image of the same name; an empty namePrefix removes the file's", () => {
  const dir = mkdtempSync(join(tmpdir(), "gen-"));
  try {
    writeFileSync(
      join(dir, "kustomization.yaml"),
      "resources: [a.yaml]\nnamePrefix: xx-\nimages:\n  - name: nginx\n    newTag: '1'\n  - name: redis\n    newTag: '2'\n",
    );
    const k = generatedKustomization(dir, { namePrefix: "", images: [{ name: "nginx", newName: "evil/nginx" }] })!.content;
    assert.equal(k.namePrefix, undefined);
    assert.deepEqual(k.images, [
      { name: "nginx", newName: "evil/nginx" },
      { name: "redis", newTag: "2" },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------------
// Substitution: fluxcd/pkg envsubst v1.5.0

test("substitution: operators are evaluated as fluxcd/pkg envsubst does; one it cannot evaluate exactly is a finding", async () => {
  const r = await graph("substitute-operators");
  assert.deepEqual(r.findings, [
    "apps/release.yaml:2 mandatory helmrelease-git-sourced HelmRelease web/replaced", // ${KIND/Git/Helm}
    "apps/release.yaml:21 mandatory git-source-allowed GitRepository flux-system/trimmed", // ${BASE%/acme}/evil/app
    "apps/release.yaml:33 mandatory content-verified ConfigMap web/cased", // ${NAME,,} of ÉVIL
  ]);
  assert.ok(r.messages.some((m) => m.includes("${…,,} of non-ASCII text")));
  assert.equal(r.code, 1);
});

test("differential: fluxcd/pkg envsubst v1.5.0 eval_test.go TestExpand / TestExpandStrict (a selection)", () => {
  const vars = { var01: "abcdEFGH28ij", var02: "abcABC123ABCabc", stringZ: "abcABC123ABCabc", foo: "bar", empty: "" };
  const opts = { vars, keepUnknown: false };
  const table: [string, string][] = [
    ["${#var01}", "12"],
    ["${var01^}", "AbcdEFGH28ij"],
    ["${var01^^}", "ABCDEFGH28IJ"],
    ["${var01,}", "abcdEFGH28ij"],
    ["${var01,,}", "abcdefgh28ij"],
    ["${var01:7}", "H28ij"],
    ["${var01:7:3}", "H28"],
    ["${var01:-3}", "abcdEFGH28ij"], // :- is a default, not a negative offset
    ["${stringZ#a*C}", "123ABCabc"],
    ["${stringZ##a*C}", "abc"],
    ["${stringZ%b*c}", "abcABC123ABCa"],
    ["${stringZ%%b*c}", "a"],
    ["${stringZ/abc/xyz}", "xyzABC123ABCabc"],
    ["${stringZ//abc/xyz}", "xyzABC123ABCxyz"],
    ["${stringZ/#abc/XYZ}", "XYZABC123ABCabc"],
    ["${stringZ/%abc/XYZ}", "abcABC123ABCXYZ"],
    ["${missing=default}", "default"],
    ["${missing:=default}", "default"],
    ["${missing:-default}", "default"],
    ["${empty=default}", "default"], // unlike bash: every default operator replaces an empty value
    ["${missing:-${foo}}", "bar"],
    ["some text ${var01}$${var$${var01}$var01${var01}", "some text abcdEFGH28ij${var${var01}$var01abcdEFGH28ij"],
    ["$$x $${foo}", "$x ${foo}"],
  ];
  for (const [input, output] of table) assert.equal(substitute(input, opts), output, input);
  // strict mode (TestExpandStrict): a plain ${missing} is an error, a default is not
  assert.throws(() => substitute("${missing}", { ...opts, strict: true }), SubstitutionError);
  assert.equal(substitute("${missing:=default}", { ...opts, strict: true }), "default");
  // parse errors fail Flux's build; ${foo-x} (bash's "default when unset") is not in fluxcd/pkg's grammar
  for (const bad of ["${foo", "${}", "${foo:", "${foo-x}"]) assert.throws(() => substitute(bad, opts), SubstitutionError, bad);
});

test("substitution fails closed where it is not exact: non-ASCII case changes, cut characters, negative lengths", () => {
  const opts = { vars: { U: "Ünïcode", E: "é", S: "abcdef" }, keepUnknown: false };
  assert.throws(() => evaluateText("${U^^}", opts), Unsupported);
  assert.throws(() => evaluateText("${E:0:1}", opts), Unsupported); // Go slices bytes: half of é
  assert.throws(() => evaluateText("${S:1:-2}", opts), Unsupported); // Go panics
  assert.equal(evaluateText("${#E}", opts).text, "2"); // bytes, as Go's len
  assert.equal(evaluateText("${S:-2}", opts).text, "abcdef");
  assert.equal(evaluateText("${S: -2}", opts).text, "abcdef"); // strconv.Atoi(" -2") fails: the value, unlike bash
});

test("substituteFrom in Git: resolved from the Kustomization that applies it; unordered or self-applied is a finding", async () => {
  const r = await graph("substitute-from-git");
  assert.deepEqual(r.findings, [
    "after-vars/repo.yaml:1 mandatory git-source-allowed GitRepository flux-system/after-vars", // dependsOn vars: its URL is used
    "cluster/dev/apps.yaml:38 mandatory content-verified Kustomization flux-system/racing", // no dependsOn: with or without it
    "cluster/dev/apps.yaml:58 mandatory content-verified Kustomization flux-system/self", // applied by itself: unknown
    "racing/repo.yaml:1 mandatory git-source-allowed GitRepository flux-system/racing",
    "self/repo.yaml:1 mandatory git-source-allowed GitRepository flux-system/self",
  ]);
  assert.equal(r.code, 1);
});

// ---------------------------------------------------------------------------------------------------
// Artifacts: source-controller's .sourceignore (go-git gitignore) and submodules

test("differential: fluxcd/pkg sourceignore v0.17.0 gitignore/pattern_test.go (go-git v5.16.4's, as in v5.16.3)", () => {
  // ParsePattern(pattern, domain).Match(path, isDir) → NoMatch 0, Exclude 1, Include 2
  const table: [string, string[], string[], boolean, number][] = [
    ["!vul?ano", [], ["value", "vulkano", "tail"], false, 2], // TestSimpleMatch_inclusion
    ["value", ["head", "middle", "tail"], ["head", "middle"], false, 0], // TestMatch_domainLonger_mismatch
    ["middle/", ["value", "volcano"], ["value", "volcano", "middle", "tail"], false, 1], // TestSimpleMatch_withDomain
    ["value/", [], ["head", "value"], false, 0], // TestSimpleMatch_atEnd_dirWanted_notADir_mismatch
    ["v[ou]l[kc]ano", [], ["value", "volcano"], false, 1], // TestSimpleMatch_magicChars
    ["v[ou]l[", [], ["value", "vol["], false, 0], // TestSimpleMatch_wrongPattern_mismatch
    ["/value/volcano", [], ["value", "value", "volcano"], false, 0], // TestGlobMatch_fromRoot_notAtRoot_mismatch
    ["**/*lue/vol?ano", [], ["head", "value", "Volcano", "tail"], false, 0], // TestGlobMatch_leadingAsterisks_mismatch
    ["**/*lue/vol?ano/", [], ["head", "value", "volcano", "tail"], false, 1], // TestGlobMatch_leadingAsterisks_isDir
  ];
  for (const [pattern, domain, path, isDir, expected] of table) {
    assert.equal(matchOne(parsePattern(pattern, domain), path, isDir), expected, `${pattern} ${path.join("/")}`);
  }
});

test("go-git's matcher: the last matching pattern wins, even inside an excluded folder (git would not re-include)", () => {
  const ps = readPatterns("/apps/sub/\n!/apps/sub/hr.yaml\n# comment\n\n*.png\n!keep.png\nvendor\n**/deep/*.yaml\n", []);
  const excluded = (p: string) => ignored(ps, p.split("/"), false);
  assert.equal(excluded("apps/sub/hr.yaml"), false);
  assert.equal(excluded("apps/sub/other.yaml"), true);
  assert.equal(excluded("img/a.png"), true);
  assert.equal(excluded("img/keep.png"), false);
  assert.equal(excluded("vendor/x/y.yaml"), true); // a name without / matches any element
  assert.equal(excluded("a/b/deep/c.yaml"), true);
  assert.equal(excluded("a/b/deep/c.json"), false);
  // patterns of a nested .sourceignore are scoped to its folder
  const nested = readPatterns("*.yaml\n", ["sub"]);
  assert.equal(ignored(nested, ["sub", "a.yaml"], false), true);
  assert.equal(ignored(nested, ["a.yaml"], false), false);
});

test("graph mode reads the files source-controller archives: a .sourceignore re-include inside an excluded folder", async (t) => {
  const r = await graph("artifact-reinclude");
  assert.deepEqual(r.findings, ["apps/sub/hr.yaml:2 mandatory helmrelease-git-sourced HelmRelease web/reincluded"]);
  assert.equal(r.code, 1);
  const target = mkdtempSync(join(tmpdir(), "artifact-"));
  t.after(() => rmSync(target, { recursive: true, force: true }));
  const copied = copyArtifact(join(FIXTURES, "artifact-reinclude"), target).sort();
  assert.ok(copied.includes("apps/sub/hr.yaml"));
  assert.ok(!copied.includes("apps/sub/other.yaml"));
});

test("a symlinked .sourceignore is read (os.Open follows it); one leading outside the repository is not", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "artifact-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, "repo");
  mkdirSync(join(root, "sub"), { recursive: true });
  writeFileSync(join(root, "rules.txt"), "secret.yaml\n");
  writeFileSync(join(root, "secret.yaml"), "a: 1\n");
  writeFileSync(join(root, "sub", "secret.yaml"), "a: 1\n");
  writeFileSync(join(dir, "outside.txt"), "!secret.yaml\n"); // would re-include sub/secret.yaml
  symlinkSync("rules.txt", join(root, ".sourceignore"));
  symlinkSync("../../outside.txt", join(root, "sub", ".sourceignore"));
  const copied = copyArtifact(root, join(dir, "out")).sort();
  assert.deepEqual(copied, ["rules.txt"]); // secret.yaml (both) ignored by the root's rules; the outside file adds nothing
});

test("a GitRepository of this repository with recurseSubmodules is not this repository: a finding, in dev too", async () => {
  const r = await graph("submodules");
  assert.deepEqual(r.findings, ["cluster/dev/apps.yaml:17 mandatory content-verified Kustomization flux-system/apps"]);
  assert.ok(r.messages[0]!.includes("recurseSubmodules"));
  assert.equal(r.code, 1);
});

// ---------------------------------------------------------------------------------------------------
// Bounds

test("a YAML alias bomb in a Kustomization path: one line and exit 2 within seconds", async () => {
  const started = Date.now();
  const r = await graph("alias-bomb");
  assert.equal(r.code, 2);
  assert.equal(r.errors.length, 1);
  // Refused before kubectl reads it: every YAML file a build reads is bounded first (infra/yaml.ts).
  assert.equal(
    r.errors[0]!,
    "cluster/dev/bomb.yaml: refused: YAML expands to more than 1000000 nodes through aliases (an alias bomb?) (Kustomization flux-system/flux-system builds it with kustomize)",
  );
  assert.ok(!r.errors[0]!.includes("\n"));
  assert.ok(Date.now() - started < 60_000, "bounded");
  // paths mode reads it with the expansion bound
  const p = await policy(join(FIXTURES, "alias-bomb"), ".");
  assert.equal(p.code, 2);
  assert.deepEqual(p.errors, ["cluster/dev/bomb.yaml: refused: YAML expands to more than 1000000 nodes through aliases (an alias bomb?)"]);
});

test("a 1.5 KB alias bomb in a ResourceSet: one line and exit 2 in paths mode and in graph mode", async () => {
  const p = await policy(join(FIXTURES, "alias-bomb-resourceset"), ".");
  assert.equal(p.code, 2);
  assert.deepEqual(p.errors, ["cluster/dev/rset.yaml: refused: YAML expands to more than 1000000 nodes through aliases (an alias bomb?)"]);
  const g = await graph("alias-bomb-resourceset");
  assert.equal(g.code, 2);
  assert.equal(g.errors.length, 1);
});

test("an alias bomb in the kustomization file Flux's fields are written into is refused before it is expanded", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "bomb-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const levels = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++)
    levels.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(",")}]`,
    );
  writeFileSync(join(dir, "kustomization.yaml"), `resources: [a.yaml]\nopenapi:\n  ${levels.join("\n  ")}\n`);
  await assert.rejects(kustomizeBuild(dir, { namePrefix: "x-" }, join(dir, "work"), dir), (e: Error) => {
    assert.equal(e.name, "BuildError");
    assert.match(e.message, /^kustomization\.yaml: YAML aliases expand this document to more than 1,000,000 nodes/);
    return true;
  });
});

test("a build under too small a POLICY_BUILD_MEMORY is stopped with one line", async (t) => {
  const saved = process.env.POLICY_BUILD_MEMORY;
  process.env.POLICY_BUILD_MEMORY = "8";
  t.after(() => (saved === undefined ? delete process.env.POLICY_BUILD_MEMORY : (process.env.POLICY_BUILD_MEMORY = saved)));
  const r = await graph("component-patch");
  assert.equal(r.code, 2);
  assert.equal(r.errors.length, 1);
  // kubectl cannot map its heap in 8 MiB: it dies of SIGSEGV before it prints anything.
  assert.match(r.errors[0]!, /kustomize build of \S+ fails: the build was killed by SIGSEGV under POLICY_BUILD_MEMORY 8 MiB: not checked$/);
  assert.ok(!r.errors[0]!.includes("\n"));
});

test("a build that runs too long is stopped at POLICY_BUILD_TIMEOUT with one line", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "slow-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const kubectl = join(dir, "kubectl");
  writeFileSync(kubectl, "#!/bin/sh\nsleep 30\n", { mode: 0o755 });
  const saved = { KUBECTL: process.env.KUBECTL, POLICY_BUILD_TIMEOUT: process.env.POLICY_BUILD_TIMEOUT };
  process.env.KUBECTL = kubectl;
  process.env.POLICY_BUILD_TIMEOUT = "1";
  t.after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  const started = Date.now();
  const r = await graph("follow-path");
  assert.equal(r.code, 2);
  assert.deepEqual(r.errors, [
    "Pulumi.dev.yaml: Kustomization flux-system/flux-system: kustomize build of ./cluster/dev fails: the build took longer than 1 s (POLICY_BUILD_TIMEOUT) and was stopped: not checked",
  ]);
  assert.ok(Date.now() - started < 15_000);
});

test("a ResourceSet whose input sets × resources are too many to render is a finding, not a minute-long render", async () => {
  for (const r of [await graph("resourceset-product"), await policy(join(FIXTURES, "resourceset-product"), ".")]) {
    assert.deepEqual(r.findings, ["cluster/dev/rset.yaml:2 mandatory content-verified ResourceSet flux-system/product"]);
    assert.match(r.messages[0]!, /renders more than 5,000,000 nodes from 2000 input sets/);
    assert.equal(r.code, 1);
  }
});

test("the expansion bound counts aliases as a walk would, shared objects once", () => {
  const [bomb] = parseDocuments(
    "a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n",
    false,
  );
  assert.doesNotThrow(() => assertBoundedExpansion(bomb!.doc)); // 1,000 leaves
  assert.throws(() => assertBoundedExpansion(bomb!.doc, 500), BoundError);
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  assert.throws(() => assertBoundedExpansion(cyclic), BoundError);
});

test("an object applied twice is reported once per rule (and once as applied twice)", async () => {
  const r = await graph("applied-twice-once");
  assert.deepEqual(r.findings, [
    "shared/secret.yaml:1 mandatory content-verified Secret web/token",
    "shared/secret.yaml:1 mandatory no-plaintext-secrets Secret web/token",
  ]);
  assert.equal(r.code, 1);
});
