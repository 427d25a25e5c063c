// The rule helmrelease-git-sourced called directly on Subjects (the shape both front ends build): its decisions, the field each
// finding points at, and its level. Its YAML and pack cases are the shared table's (test/support/analyzer-cases.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveConfig } from "../../../policies/config.ts";
import { rules } from "../../../policies/rules/index.ts";
import type { Subject } from "../../../policies/rules/model.ts";
import { trustedSources } from "../../../policies/rules/sources.ts";
import { check, obj } from "../../support/rule-subject.ts";

const release = (spec: Record<string, unknown>, extra: Partial<Subject> = {}) => obj("HelmRelease", { spec }, extra);

const fromRef = (sourceRef: Record<string, unknown>) => ({ chart: { spec: { chart: "c", sourceRef } } });

test("helmrelease-git-sourced: the source named, the field, and what to do", () => {
  assert.deepEqual(check("helmrelease-git-sourced", release(fromRef({ kind: "GitRepository", name: "app" }))), []);
  assert.deepEqual(check("helmrelease-git-sourced", obj("Kustomization", { spec: fromRef({ kind: "HelmRepository", name: "x" }) })), []);
  assert.deepEqual(check("helmrelease-git-sourced", release(fromRef({ kind: "HelmRepository", name: "charts", namespace: "web" }))), [
    {
      message:
        "HelmRelease flux-system/app takes its chart from HelmRepository/web/charts: use spec.chart.spec with sourceRef.kind GitRepository " +
        '(chart path in a Git repository), or allow {"kind","namespace","name","url"} of "HelmRepository/web/charts" in helmrelease-git-sourced.allowedSources.',
      at: ["spec", "chart", "spec", "sourceRef"],
    },
  ]);
  const [none] = check("helmrelease-git-sourced", release({}, { namespace: undefined }));
  assert.match(none!.message, /^HelmRelease app takes its chart from no source: .* of "Kind\/default\/name" in/);
  assert.match(check("helmrelease-git-sourced", release(fromRef({ name: "x" })))[0]!.message, /from no source: .*"Kind\/flux-system\/x"/);
  assert.match(
    check("helmrelease-git-sourced", release(fromRef({ kind: "HelmRepository" })))[0]!.message,
    /from HelmRepository\/flux-system\/name:/,
  );
  // chartRef, even to a GitRepository (Flux does not take charts from one that way).
  const [ref] = check("helmrelease-git-sourced", release({ chartRef: { kind: "GitRepository", name: "app" } }));
  assert.deepEqual(ref!.at, ["spec", "chartRef"]);
  assert.match(ref!.message, /takes its chart from spec\.chartRef \(GitRepository\/flux-system\/app\): /);
  // Only HelmReleases.
  assert.deepEqual(check("helmrelease-git-sourced", obj("HelmChart", { spec: fromRef({ kind: "HelmRepository", name: "x" }) })), []);
});

test("helmrelease-git-sourced: a HelmChart built from a GitRepository is Git-sourced; from anything else it is not", () => {
  const chart = (kind: string) => obj("HelmChart", { spec: { sourceRef: { kind, name: "src" } } }, { name: "built" });
  const lookups: [string, string | undefined, string][] = [];
  const lookup = (kindFound: string) => (k: string, ns: string | undefined, n: string) => {
    lookups.push([k, ns, n]);
    return k === "HelmChart" && n === "built" ? chart(kindFound) : undefined;
  };
  const hr = (kindFound: string) =>
    release({ chartRef: { kind: "HelmChart", name: "built", namespace: "charts" } }, { lookup: lookup(kindFound) });
  assert.deepEqual(check("helmrelease-git-sourced", hr("GitRepository")), []);
  assert.deepEqual(lookups, [["HelmChart", "charts", "built"]]);
  assert.equal(check("helmrelease-git-sourced", hr("HelmRepository")).length, 1);
  assert.equal(
    check("helmrelease-git-sourced", release({ chartRef: { kind: "HelmChart", name: "built" } })).length,
    1,
    "nothing to look up",
  );
  assert.equal(
    check("helmrelease-git-sourced", release({ chartRef: { kind: "HelmChart" } }, { lookup: lookup("GitRepository") })).length,
    1,
  );
  const anyChart = () => chart("GitRepository");
  assert.equal(
    check("helmrelease-git-sourced", release({ chartRef: { kind: "HelmChart" } }, { lookup: anyChart })).length,
    1,
    "a nameless ref",
  );
  assert.equal(
    check("helmrelease-git-sourced", release({ chartRef: { kind: "OCIRepository", name: "built" } }, { lookup: anyChart })).length,
    1,
    "only a HelmChart is looked up",
  );
});

test("helmrelease-git-sourced: allowed sources by identity, held to their URL when one is given", () => {
  const repo = (url: string | undefined) =>
    obj("HelmRepository", url === undefined ? { spec: {} } : { spec: { url } }, { name: "charts", namespace: "web" });
  const hr = (source?: Subject) => release(fromRef({ kind: "HelmRepository", name: "charts", namespace: "web" }), { lookup: () => source });
  const byUrl = {
    allowedSources: [{ kind: "HelmRepository", namespace: "web", name: "charts", url: "https://charts.example.com/stable" }],
  };
  assert.deepEqual(check("helmrelease-git-sourced", hr(), { allowedSources: ["HelmRepository/web/charts"] }), []);
  assert.deepEqual(
    check("helmrelease-git-sourced", hr(repo("https://anywhere.example.com")), { allowedSources: ["HelmRepository/web/charts"] }),
    [],
    "an entry without URL trusts the identity alone",
  );
  assert.deepEqual(check("helmrelease-git-sourced", hr(repo("https://charts.example.com/stable/")), byUrl), []);
  assert.deepEqual(check("helmrelease-git-sourced", hr(), byUrl), [], "the source is not in this run: nothing to compare");
  assert.deepEqual(check("helmrelease-git-sourced", hr(repo("https://evil.example.com")), byUrl), [
    {
      message:
        "HelmRelease flux-system/app takes its chart from HelmRepository/web/charts, which is allowed only from https://charts.example.com/stable but points at https://evil.example.com.",
      at: ["spec", "chart", "spec", "sourceRef"],
    },
  ]);
  assert.match(check("helmrelease-git-sourced", hr(repo(undefined)), byUrl)[0]!.message, /but points at no URL\.$/);
  assert.equal(check("helmrelease-git-sourced", hr(repo("https://charts.example.com/stable-evil")), byUrl).length, 1);
  // Identity is kind, namespace and name, each exact.
  for (const entry of ["HelmRepository/flux-system/charts", "HelmRepository/web/chart", "OCIRepository/web/charts"]) {
    assert.equal(check("helmrelease-git-sourced", hr(), { allowedSources: [entry] }).length, 1, entry);
  }
  // No namespace on the reference nor the release: Kubernetes' default namespace.
  const bare = release(fromRef({ kind: "HelmRepository", name: "charts" }), { namespace: undefined });
  assert.deepEqual(check("helmrelease-git-sourced", bare, { allowedSources: ["HelmRepository/default/charts"] }), []);
});

test("trusted sources: Kind/namespace/name strings or objects; anything else is refused", () => {
  assert.deepEqual(trustedSources.parse(["HelmRepository/web/charts.v2"]), [
    { kind: "HelmRepository", namespace: "web", name: "charts.v2", url: undefined },
  ]);
  assert.deepEqual(trustedSources.parse(undefined), []);
  assert.equal(trustedSources.safeParse(["HelmRepository/a/b"]).success, true, "one-character namespace and name");
  for (const bad of [
    "HelmRepository/web",
    "HelmRepository/web/charts/x",
    "Helm-Repository/web/charts",
    "HelmRepository/Web/charts",
    "HelmRepository/-web/charts",
    "HelmRepository/web-/charts",
    "HelmRepository/web/charts-",
    "HelmRepository/web/.charts",
    " HelmRepository/web/charts",
    "HelmRepository/web/charts ",
  ]) {
    assert.equal(trustedSources.safeParse([bad]).success, false, bad);
  }
  // The policy config names the form the entry was written in and what is wrong with it.
  const refusedAs = (entry: unknown, line: string) =>
    assert.throws(() => resolveConfig(rules, { "helmrelease-git-sourced": { allowedSources: [entry] } }), {
      name: "PolicyConfigError",
      message: `policy config: helmrelease-git-sourced.allowedSources.0${line}`,
    });
  refusedAs("HelmRepository/web", ": must be Kind/namespace/name");
  refusedAs({ kind: "K", namespace: "a", name: "b", url: "nope" }, ".url: must be a URL");
  refusedAs({ kind: "K", name: "b" }, ".namespace: Invalid input: expected string, received undefined");
  refusedAs(3, ": Invalid input");
  for (const bad of [
    { kind: "", namespace: "a", name: "b" },
    { kind: "K", namespace: "", name: "b" },
    { kind: "K", namespace: "a", name: "" },
  ]) {
    assert.equal(trustedSources.safeParse([bad]).success, false, JSON.stringify(bad));
  }
  assert.equal(trustedSources.safeParse([{ kind: "K", namespace: "a", name: "b", url: "not a url" }]).success, false);
  assert.equal(trustedSources.safeParse([{ kind: "K", namespace: "a", name: "b", extra: 1 }]).success, false);
  assert.equal(trustedSources.safeParse([{ kind: "K", namespace: "a", name: "b", url: "https://x.example.com" }]).success, true);
});
