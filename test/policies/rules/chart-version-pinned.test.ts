// The rule chart-version-pinned called directly on Subjects (the shape both front ends build): its decisions, the field each
// finding points at, and its level. Its YAML and pack cases are the shared table's (test/support/analyzer-cases.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Subject } from "../../../policies/rules/model.ts";
import { EXACT_VERSION } from "../../../policies/rules/sources.ts";
import { check, facts, obj } from "../../support/rule-subject.ts";

const release = (spec: Record<string, unknown>, extra: Partial<Subject> = {}) => obj("HelmRelease", { spec }, extra);

const oci = (ref: Record<string, unknown> | undefined, extra: Partial<Subject> = {}) =>
  obj("OCIRepository", { spec: { url: "oci://ghcr.io/acme/app", ...(ref ? { ref } : {}) } }, extra);

test("EXACT_VERSION: exact versions only", () => {
  for (const v of ["1.2.3", "v1.2.3", "=1.2.3", "1.2.3-rc.1", "1.2.3+build.5", "10.20.30-alpha-1+x.y"]) assert.ok(EXACT_VERSION.test(v), v);
  for (const v of [
    "1.2",
    "1.2.x",
    "^1.2.3",
    "~1.2.3",
    ">=1.2.3",
    "1.2.3 ",
    " 1.2.3",
    "1.2.3.4",
    "*",
    "1.2.3-",
    "1.2.3+",
    "a1.2.3",
    "1.2.3-rc_1",
  ]) {
    assert.equal(EXACT_VERSION.test(v), false, v);
  }
});

test("chart-version-pinned: OCI artifacts by digest, exact semver or a release tag", () => {
  const prod = { stack: facts({ production: true }) };
  for (const ref of [
    { digest: "sha256:abc" },
    { digest: "sha256:abc", tag: "latest" },
    { semver: " 1.2.3 " },
    { tag: "6.5.0" },
    { tag: "v1.0" },
    { tag: "xenial" },
  ]) {
    assert.deepEqual(check("chart-version-pinned", oci(ref, prod)), [], JSON.stringify(ref));
  }
  assert.deepEqual(check("chart-version-pinned", oci({ semver: ">=1.0.0" }, prod)), [
    {
      message:
        "OCIRepository flux-system/app does not pin its artifact (semver >=1.0.0): set spec.ref.digest, spec.ref.tag to a release (not latest, not 1.x) or spec.ref.semver to an exact version such as 1.2.3.",
      at: ["spec", "ref", "semver"],
    },
  ]);
  assert.deepEqual(check("chart-version-pinned", oci(undefined, prod)), [
    {
      message:
        "OCIRepository flux-system/app does not pin its artifact (tag none): set spec.ref.digest, spec.ref.tag to a release (not latest, not 1.x) or spec.ref.semver to an exact version such as 1.2.3.",
      at: ["spec", "ref", "tag"],
    },
  ]);
  assert.deepEqual(check("chart-version-pinned", oci({ tag: "latest" })), [
    {
      message:
        "OCIRepository flux-system/app does not pin its artifact (tag latest): set spec.ref.digest, spec.ref.tag to a release (not latest, not 1.x) or spec.ref.semver to an exact version such as 1.2.3.",
      at: ["spec", "ref", "tag"],
      level: "advisory",
    },
  ]);
  for (const tag of [
    "latest",
    "stable",
    "main",
    "master",
    "edge",
    "nightly",
    "dev",
    "1.x",
    "1.X",
    "1.*",
    "x.1",
    "1-x",
    "*",
    ">1",
    "~1",
    "^1",
    "1|2",
    "1,2",
    "1 2",
    "<1",
  ]) {
    assert.equal(check("chart-version-pinned", oci({ tag }, prod)).length, 1, tag);
  }
  assert.equal(check("chart-version-pinned", oci({ semver: "1.2.3", tag: "6.5.0" }, prod)).length, 0, "semver wins over tag");
  for (const tag of ["1.0.0-dev", "stable-1.2.3", "v2-main-1"])
    assert.deepEqual(check("chart-version-pinned", oci({ tag }, prod)), [], tag);
  assert.equal(check("chart-version-pinned", oci({ tag: "latest\t" }, prod)).length, 1, "a tag is trimmed before it is judged");
  assert.equal(check("chart-version-pinned", oci({ semver: "1.x", tag: "6.5.0" }, prod)).length, 1);
});

test("chart-version-pinned: HelmRelease and HelmChart from a HelmRepository need an exact version", () => {
  const prod = { stack: facts({ production: true }) };
  const hr = (version: string | undefined, kind = "HelmRepository") =>
    release(
      { chart: { spec: { chart: "nginx", sourceRef: { kind, name: "charts" }, ...(version === undefined ? {} : { version }) } } },
      prod,
    );
  assert.deepEqual(check("chart-version-pinned", hr("4.11.3")), []);
  assert.deepEqual(check("chart-version-pinned", hr(" 4.11.3 ")), []);
  assert.deepEqual(check("chart-version-pinned", hr("4.x")), [
    {
      message:
        "HelmRelease flux-system/app takes chart nginx from a HelmRepository without an exact version (4.x): set the chart version to a release such as 4.11.3.",
      at: ["spec", "chart", "spec", "version"],
    },
  ]);
  assert.match(check("chart-version-pinned", hr(undefined))[0]!.message, /without an exact version \(none\)/);
  assert.deepEqual(check("chart-version-pinned", hr("4.x", "GitRepository")), []);
  const chart = (version: string, extra: Partial<Subject> = {}) =>
    obj("HelmChart", { spec: { sourceRef: { kind: "HelmRepository", name: "charts" }, version } }, { ...prod, ...extra });
  assert.deepEqual(check("chart-version-pinned", chart("1.2.3")), []);
  assert.deepEqual(check("chart-version-pinned", chart("*")), [
    {
      message:
        "HelmChart flux-system/app takes chart ? from a HelmRepository without an exact version (*): set the chart version to a release such as 4.11.3.",
      at: ["spec", "version"],
    },
  ]);
  assert.equal(check("chart-version-pinned", chart("*", { stack: facts({}) }))[0]!.level, "advisory", "advisory outside production");
  assert.deepEqual(
    check("chart-version-pinned", obj("Kustomization", { spec: { chart: { spec: { sourceRef: { kind: "HelmRepository" } } } } })),
    [],
  );
  assert.deepEqual(check("chart-version-pinned", obj("Kustomization", { spec: { sourceRef: { kind: "HelmRepository" } } })), []);
});
