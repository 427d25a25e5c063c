// The files Flux builds from: source-controller's artifact (.sourceignore with go-git's matcher, no
// symlinked kustomization file).
// Fixtures: test/policies/fixtures/<case>/ (a repository root with its Pulumi.<env>.yaml), run through `npm run policy`
// (test/support/policy-harness.ts); kubectl and Helm must be installed: a missing one fails these tests, never skips them.
import assert from "node:assert/strict";
import { copyArtifact, ignored, matchOne, parsePattern, readPatterns } from "../../policies/flux/artifact.ts";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tmpdir } from "node:os";
import { FIXTURES, graph } from "../support/policy-harness.ts";

test("graph mode builds Flux's artifact: a symlinked or source-ignored kustomization.yaml is not there", async () => {
  const r = await graph("artifact");
  assert.deepEqual(r.findings, [
    "ignored/evil.yaml:1 mandatory git-source-allowed HelmRepository flux-system/evil-ignored",
    "linked/evil.yaml:1 mandatory git-source-allowed HelmRepository flux-system/evil",
  ]);
  assert.equal(r.code, 1);
});

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
