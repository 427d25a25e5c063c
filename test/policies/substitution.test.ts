// Post-build substitution as kustomize-controller does it (fluxcd/pkg envsubst v1.5.0), substituteFrom
// resolved from Git where Flux would find it, and failing closed where it is not exact.
// Fixtures: test/policies/fixtures/<case>/ (a repository root with its Pulumi.<env>.yaml), run through `npm run policy`
// (test/support/policy-harness.ts); kubectl and Helm must be installed: a missing one fails these tests, never skips them.
import assert from "node:assert/strict";
import { SubstitutionError, Unsupported } from "../../policies/flux/envsubst/bytes.ts";
import { evaluateText, substitute } from "../../policies/flux/envsubst.ts";
import { test } from "node:test";
import { graph } from "../support/policy-harness.ts";

test("post-build substitution: nested defaults, escapes, unknown variables", () => {
  const opts = { vars: { APP: "web" }, keepUnknown: false };
  assert.equal(substitute("${CLAIM:-${APP}}-data", opts), "web-data");
  assert.equal(substitute("$${APP} ${MISSING}", opts), "${APP} ");
  assert.equal(substitute("${MISSING}", { ...opts, keepUnknown: true }), "${MISSING}");
});

test("post-build substitution reaches mapping keys: colliding or unknown keys are mandatory findings", async () => {
  const r = await graph("substitute-keys");
  assert.deepEqual(r.findings, [
    "sub/repo.yaml:2 mandatory content-verified GitRepository flux-system/sneaky",
    // the last key wins, as in Flux: the evil URL is what is checked
    "sub/repo.yaml:2 mandatory git-source-allowed GitRepository flux-system/sneaky",
    "unknown/repo.yaml:2 mandatory content-verified GitRepository flux-system/unknown",
  ]);
  assert.equal(r.code, 1);
});

test("substituteFrom: optional and absent adds no variables; required and absent counts as unset", async () => {
  const r = await graph("optional-substitute-from");
  assert.deepEqual(r.findings, [
    "optional/repo.yaml:2 mandatory git-ref-pinned GitRepository flux-system/optional",
    "required/repo.yaml:2 mandatory git-ref-pinned GitRepository flux-system/required",
  ]);
  assert.deepEqual(r.notes, [
    "cluster/prod/apps.yaml: Kustomization flux-system/required: substituteFrom ConfigMap/cluster-vars is not in Git: a value that uses one of its variables counts as unset here",
  ]);
  assert.equal(r.code, 1);
});

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

test("substituteFrom resolves only to a core ConfigMap: a look-alike of another group gives no values", async () => {
  const r = await graph("i20-substitute-group");
  // ${TAG} comes from a ConfigMap that is not in Git: unset, so the production GitRepository has no pin
  assert.deepEqual(r.findings, ["apps/repo.yaml:1 mandatory git-ref-pinned GitRepository flux-system/app"]);
  assert.deepEqual(r.notes, [
    "cluster/prod/apps.yaml: Kustomization flux-system/apps: substituteFrom ConfigMap/vars is not in Git: a value that uses one of its variables counts as unset here",
  ]);
  assert.equal(r.code, 1);
});
