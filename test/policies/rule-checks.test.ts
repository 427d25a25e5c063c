// Each source and reconcile rule called directly on the shape both front ends build (a Subject): the
// decisions, the field each finding points at, and the level, without YAML files or a pack process.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { StackFacts } from "../../infra/contract.ts";
import { resolveConfig } from "../../policies/config.ts";
import { rules } from "../../policies/rules/index.ts";
import type { Subject } from "../../policies/rules/model.ts";
import { EXACT_VERSION, checkoutRef, isPinned, isProduction, sourceUrl, trustedSources } from "../../policies/rules/sources.ts";
import { isSecretReference } from "../../policies/rules/reconcile.ts";

interface Found {
  message: string;
  at?: string[];
  level?: "advisory";
}

const API: Record<string, string> = {
  GitRepository: "source.toolkit.fluxcd.io/v1",
  OCIRepository: "source.toolkit.fluxcd.io/v1",
  HelmRepository: "source.toolkit.fluxcd.io/v1",
  HelmChart: "source.toolkit.fluxcd.io/v1",
  Bucket: "source.toolkit.fluxcd.io/v1",
  HelmRelease: "helm.toolkit.fluxcd.io/v2",
  Kustomization: "kustomize.toolkit.fluxcd.io/v1",
  Secret: "core/v1",
  KustomizeConfig: "kustomize.config.k8s.io/v1beta1",
};

/** A Subject of `kind` (Flux kinds by short name), in flux-system unless said otherwise. */
function obj(kind: string, props: Record<string, unknown>, extra: Partial<Subject> = {}): Subject {
  const k = kind === "KustomizeConfig" ? "Kustomization" : kind;
  return {
    type: `kubernetes:${API[kind]}:${k}`,
    name: "app",
    namespace: "flux-system",
    props,
    origin: "git",
    ancestors: [],
    environment: "dev",
    githubOwner: "acme",
    ...extra,
  };
}

function check(name: string, s: Subject, config: Record<string, unknown> = {}): Found[] {
  const rule = rules.find((r) => r.name === name)!;
  assert.equal(rule.kind, "resource");
  const out: Found[] = [];
  if (rule.kind === "resource") {
    rule.check(s, rule.config.parse(config), (message, at, level) =>
      out.push({ message, ...(at ? { at } : {}), ...(level ? { level } : {}) }),
    );
  }
  return out;
}

const facts = (over: Partial<StackFacts>): StackFacts =>
  ({
    environment: "dev",
    production: false,
    fluxNamespace: "flux-system",
    sync: { folder: "cluster/dev", flux: "./cluster/dev" },
    githubOwner: "acme",
    noRemoteBases: false,
    imageAutomation: false,
    repositoryName: "gitops",
    ...over,
  }) as StackFacts;

// ---- helmrelease-git-sourced ----

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

// ---- git-source-allowed ----

test("sourceUrl: spec.url, or a Bucket's endpoint (https unless insecure) and bucket name", () => {
  assert.equal(sourceUrl(obj("GitRepository", { spec: { url: "https://github.com/acme/app" } })), "https://github.com/acme/app");
  assert.equal(sourceUrl(obj("Bucket", { spec: { endpoint: "s3.example.com", bucketName: "b" } })), "https://s3.example.com/b");
  assert.equal(
    sourceUrl(obj("Bucket", { spec: { endpoint: "s3.example.com", bucketName: "b", insecure: true } })),
    "http://s3.example.com/b",
  );
  assert.equal(
    sourceUrl(obj("Bucket", { spec: { endpoint: "s3.example.com", bucketName: "b", insecure: "true" } })),
    "http://s3.example.com/b",
    "a non-boolean insecure is not trusted to mean https",
  );
  assert.equal(
    sourceUrl(obj("Bucket", { spec: { endpoint: "s3.example.com", bucketName: "b", insecure: false } })),
    "https://s3.example.com/b",
  );
  assert.equal(sourceUrl(obj("Bucket", { spec: { endpoint: "minio://m.example.com", bucketName: "b" } })), "minio://m.example.com/b");
  assert.equal(sourceUrl(obj("Bucket", { spec: { endpoint: "s3.example.com/a://b" } })), "https://s3.example.com/a://b/");
  assert.equal(sourceUrl(obj("Bucket", { spec: { endpoint: "s3.example.com" } })), "https://s3.example.com/");
  assert.equal(sourceUrl(obj("Bucket", { spec: { url: "https://x.example.com" } })), undefined);
  assert.equal(sourceUrl(obj("GitRepository", { spec: { endpoint: "x" } })), undefined);
});

const git = (spec: Record<string, unknown>, extra: Partial<Subject> = {}) => obj("GitRepository", { spec }, extra);

test("git-source-allowed: no URL, plain http, a URL nobody allowed, ssh without secret; each on its field", () => {
  assert.deepEqual(check("git-source-allowed", git({ url: "https://github.com/acme/app" })), []);
  assert.deepEqual(check("git-source-allowed", git({ url: "https://github.com/ACME/app" }, { githubOwner: "Acme" })), []);
  assert.deepEqual(check("git-source-allowed", git({})), [
    { message: "GitRepository flux-system/app has no spec.url: set the URL it pulls from.", at: ["spec", "url"] },
  ]);
  assert.deepEqual(check("git-source-allowed", obj("Bucket", { spec: {} })), [
    { message: "Bucket flux-system/app has no spec.endpoint: set the URL it pulls from.", at: ["spec", "endpoint"] },
  ]);
  assert.deepEqual(check("git-source-allowed", git({ url: "HTTP://github.com/acme/app" })), [
    {
      message:
        "GitRepository flux-system/app uses plain http (HTTP://github.com/acme/app): use https://, oci:// or ssh:// so the source is authenticated.",
      at: ["spec", "url"],
    },
  ]);
  assert.deepEqual(
    check("git-source-allowed", obj("Bucket", { spec: { endpoint: "s3.example.com", insecure: true } }), {
      allowedPrefixes: ["http://s3.example.com"],
    }),
    [
      {
        message:
          "Bucket flux-system/app uses plain http (http://s3.example.com/): use https://, oci:// or ssh:// so the source is authenticated.",
        at: ["spec", "endpoint"],
      },
    ],
  );
  assert.deepEqual(check("git-source-allowed", git({ url: "https://gitlab.com/acme/app" }, { namespace: undefined })), [
    {
      message:
        "GitRepository app pulls from https://gitlab.com/acme/app, which is not an allowed source (ssh://github.com/acme, https://github.com/acme): " +
        "use a repository of the configured GitHub owner (github:owner), add its prefix to git-source-allowed.allowedPrefixes, or trust " +
        '{"kind":"GitRepository","namespace":"default","name":"app","url":...} in allowedSources.',
      at: ["spec", "url"],
    },
  ]);
  // The owner's prefixes count for Git repositories only.
  const helm = obj("HelmRepository", { spec: { url: "https://github.com/acme/charts" } });
  assert.match(check("git-source-allowed", helm)[0]!.message, /\(none configured\)/);
  assert.deepEqual(check("git-source-allowed", helm, { allowedPrefixes: ["https://github.com/acme"] }), []);
  assert.deepEqual(check("git-source-allowed", git({ url: "ssh://git@github.com/acme/app" })).length, 1, "ssh without secretRef");
  assert.deepEqual(check("git-source-allowed", git({ url: "ssh://git@github.com/acme/app", secretRef: { name: "flux-system" } })), []);
  const [scp] = check("git-source-allowed", git({ url: "git@github.com:acme/app.git" }));
  assert.deepEqual(scp, {
    message:
      "GitRepository flux-system/app uses ssh without spec.secretRef: reference the Secret holding identity, identity.pub and known_hosts (flux-system for the sync repository).",
    at: ["spec", "url"],
  });
  assert.deepEqual(check("git-source-allowed", git({ url: "https://github.com/acme/app", secretRef: {} })), [], "https needs no secret");
  assert.deepEqual(
    check("git-source-allowed", git({ url: "https://github.com/acme/a@b:c" })),
    [],
    "an @ and : in an https path is not ssh",
  );
  assert.deepEqual(
    check("git-source-allowed", git({ url: "https://github.com/acme/http://x" })),
    [],
    "http:// inside the path is not the scheme",
  );
  assert.deepEqual(
    check("git-source-allowed", obj("HelmRepository", { spec: { url: "ssh://git@charts.example.com/x" } }), {
      allowedPrefixes: ["ssh://charts.example.com"],
    }),
    [],
    "only a GitRepository needs a secretRef for ssh",
  );
  assert.equal(
    rules.find((r) => r.name === "git-source-allowed")!.config.safeParse({ allowedPrefixes: ["not a url"] }).error?.issues[0]?.message,
    "must be a URL",
  );
  assert.equal(check("git-source-allowed", git({ url: "ssh://git@github.com/acme/app", secretRef: { name: "" } })).length, 1);
  // Not a source: no finding.
  assert.deepEqual(check("git-source-allowed", obj("HelmChart", { spec: {} })), []);
  assert.deepEqual(check("git-source-allowed", obj("Secret", { spec: {} })), []);
});

test("git-source-allowed: trusted sources by identity and URL, for that object only", () => {
  const trusted = { allowedSources: [{ kind: "OCIRepository", namespace: "flux-system", name: "app", url: "oci://ghcr.io/acme" }] };
  const oci = (url: string, extra: Partial<Subject> = {}) => obj("OCIRepository", { spec: { url } }, extra);
  assert.deepEqual(check("git-source-allowed", oci("oci://ghcr.io/acme/app"), trusted), []);
  assert.match(
    check("git-source-allowed", oci("oci://ghcr.io/evil/app"), trusted)[0]!.message,
    /not an allowed source \(oci:\/\/ghcr\.io\/acme\)/,
  );
  assert.match(check("git-source-allowed", oci("oci://ghcr.io/acme/app", { name: "other" }), trusted)[0]!.message, /\(none configured\)/);
  assert.equal(
    check("git-source-allowed", oci("oci://ghcr.io/acme/app"), { allowedSources: ["OCIRepository/flux-system/app"] }).length,
    1,
    "no URL, no trust",
  );
});

test("git-source-allowed: kustomize remote bases in resources, components and bases", () => {
  const kz = (key: string, entries: unknown[], extra: Partial<Subject> = {}) =>
    obj("KustomizeConfig", { [key]: entries }, { name: "apps", ...extra });
  for (const key of ["resources", "components", "bases"]) {
    assert.deepEqual(check("git-source-allowed", kz(key, ["https://github.com/acme/base//deploy?ref=v1"])), [], key);
    assert.deepEqual(check("git-source-allowed", kz(key, ["./local", "../up", 3, null])), [], `${key}: local entries`);
    assert.deepEqual(check("git-source-allowed", kz(key, ["https://github.com/evil/base"])), [
      {
        message:
          "kustomization apps takes remote base https://github.com/evil/base, which is not an allowed source (ssh://github.com/acme, https://github.com/acme): " +
          "vendor the files into this repository, or add its prefix to git-source-allowed.allowedPrefixes.",
        at: [key],
      },
    ]);
    assert.deepEqual(check("git-source-allowed", kz(key, ["https://github.com/acme/base"], { stack: facts({ noRemoteBases: true }) })), [
      {
        message:
          "kustomization apps takes remote base https://github.com/acme/base, but the stack sets flux.multitenancy.noRemoteBases: " +
          "kustomize-controller refuses to build it. Vendor the files into this repository.",
        at: [key],
      },
    ]);
  }
  assert.deepEqual(
    check("git-source-allowed", kz("resources", ["github.com/evil/base"], { githubOwner: undefined }))[0]!.message.includes(
      "(none configured)",
    ),
    true,
  );
  assert.deepEqual(
    check("git-source-allowed", kz("resources", ["git::https://git.example.com/x"]), { allowedPrefixes: ["https://git.example.com"] }),
    [],
  );
  assert.equal(check("git-source-allowed", kz("resources", ["https://%2f/"])).length, 1, "a remote entry that is no URL");
  assert.deepEqual(check("git-source-allowed", kz("patches", ["https://github.com/evil/base"])), [], "patches are not bases");
  assert.deepEqual(check("git-source-allowed", kz("resources", "https://github.com/evil/base" as unknown as unknown[])), [], "not a list");
});

test("every rule's config defaults", () => {
  assert.deepEqual(Object.fromEntries(rules.map((r) => [r.name, r.config.parse({})])), {
    "no-direct-helm": { allowedNames: [] },
    "no-direct-workloads": {},
    "helmrelease-git-sourced": { allowedSources: [] },
    "git-source-allowed": { allowedPrefixes: [], allowedSources: [] },
    "git-ref-pinned": { productionEnvironments: [], branchAllowed: ["flux-system"] },
    "chart-version-pinned": {},
    "sync-path-matches-env": {},
    "sync-prunes": {},
    "deploy-key-read-only": {},
    "one-write-key": {},
    "interval-bounds": { min: "1m", max: "24h" },
    "no-plaintext-secrets": {},
    "helmrelease-remediation": { minRetries: 1 },
    "single-flux-install": {},
    "sync-not-in-git": {},
    "content-verified": {},
  });
});

// ---- git-ref-pinned ----

test("checkoutRef: commit, then name, then tag, then semver, then branch, else master; empty counts as unset", () => {
  assert.deepEqual(checkoutRef({ commit: "abc", name: "n", tag: "t", semver: "s", branch: "b" }), { by: "commit", value: "abc" });
  assert.deepEqual(checkoutRef({ commit: "", name: "n", tag: "t", semver: "s", branch: "b" }), { by: "name", value: "n" });
  assert.deepEqual(checkoutRef({ tag: "t", semver: "s", branch: "b" }), { by: "tag", value: "t" });
  assert.deepEqual(checkoutRef({ semver: "s", branch: "b" }), { by: "semver", value: "s" });
  assert.deepEqual(checkoutRef({ branch: "b" }), { by: "branch", value: "b" });
  assert.deepEqual(checkoutRef({}), { by: "branch", value: "master", implicit: true });
  assert.deepEqual(checkoutRef(undefined), { by: "branch", value: "master", implicit: true });
  for (const by of ["commit", "tag", "semver"] as const) assert.ok(isPinned({ by, value: "x" }), by);
  assert.ok(isPinned({ by: "name", value: "refs/tags/v1" }));
  assert.equal(isPinned({ by: "name", value: "refs/heads/main" }), false);
  assert.equal(isPinned({ by: "name", value: "x/refs/tags/v1" }), false);
  assert.equal(isPinned({ by: "branch", value: "refs/tags/v1" }), false);
});

test("isProduction: the stack config, the label, or the rule's list; none can take it away", () => {
  assert.equal(isProduction(git({})), false);
  assert.ok(isProduction(git({}, { stack: facts({ production: true }) })));
  assert.ok(isProduction(obj("GitRepository", { metadata: { labels: { "flux-gitops.io/production": "true" } } })));
  assert.equal(isProduction(obj("GitRepository", { metadata: { labels: { "flux-gitops.io/production": "True" } } })), false);
  assert.ok(isProduction(git({}), ["dev"]));
  assert.equal(isProduction(git({}), ["prod"]), false);
  assert.equal(isProduction(git({}, { environment: undefined }), ["dev"]), false);
  assert.ok(
    isProduction(
      obj("GitRepository", { metadata: { labels: { "flux-gitops.io/production": "false" } } }, { stack: facts({ production: true }) }),
    ),
  );
});

test("git-ref-pinned: no ref anywhere; a moving ref in production unless it is the sync repository", () => {
  const prod = { stack: facts({ production: true }) };
  assert.deepEqual(check("git-ref-pinned", git({})), [
    {
      message: "GitRepository flux-system/app has no spec.ref: set ref.tag, ref.semver or ref.commit (ref.branch outside production).",
      at: ["spec", "ref"],
    },
  ]);
  assert.equal(check("git-ref-pinned", git({}, prod)).length, 1);
  assert.deepEqual(check("git-ref-pinned", git({ ref: { branch: "main" } })), []);
  assert.deepEqual(check("git-ref-pinned", git({ ref: { branch: "main" } }, prod)), [
    {
      message:
        "GitRepository flux-system/app follows a branch in production: pin ref.tag, ref.semver or ref.commit (or ref.name refs/tags/...; promote by changing the pin in Git).",
      at: ["spec", "ref"],
    },
  ]);
  assert.match(
    check("git-ref-pinned", git({ ref: { name: "refs/heads/main", tag: "v1" } }, prod))[0]!.message,
    /follows ref\.name refs\/heads\/main, which Flux checks out ahead of ref\.tag\/semver\/branch in production: /,
  );
  for (const ref of [{ tag: "v1" }, { semver: ">=1" }, { commit: "abc" }, { name: "refs/tags/v1" }]) {
    assert.deepEqual(check("git-ref-pinned", git({ ref }, prod)), [], JSON.stringify(ref));
  }
  assert.deepEqual(check("git-ref-pinned", git({ ref: { branch: "main" } }), { productionEnvironments: ["staging"] }), []);
  assert.equal(check("git-ref-pinned", git({ ref: { branch: "main" } }), { productionEnvironments: ["dev"] }).length, 1);
  // The sync repository (by default flux-system in the Flux namespace) may follow its branch.
  const sync = (extra: Partial<Subject>) => git({ ref: { branch: "main" } }, { name: "flux-system", ...prod, ...extra });
  assert.deepEqual(check("git-ref-pinned", sync({})), []);
  assert.equal(check("git-ref-pinned", sync({ namespace: "web" })).length, 1);
  assert.equal(check("git-ref-pinned", sync({ stack: facts({ production: true, fluxNamespace: "flux" }) })).length, 1);
  assert.deepEqual(check("git-ref-pinned", sync({ name: "app" }), { branchAllowed: ["app"] }), []);
  assert.equal(check("git-ref-pinned", sync({}), { branchAllowed: ["other"] }).length, 1);
  assert.deepEqual(check("git-ref-pinned", obj("OCIRepository", { spec: {} })), [], "Git repositories only");
});

// ---- chart-version-pinned ----

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

const oci = (ref: Record<string, unknown> | undefined, extra: Partial<Subject> = {}) =>
  obj("OCIRepository", { spec: { url: "oci://ghcr.io/acme/app", ...(ref ? { ref } : {}) } }, extra);

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

// ---- reconcile rules ----

const sync = (spec: Record<string, unknown>, extra: Partial<Subject> = {}) =>
  obj("Kustomization", { spec }, { name: "flux-system", ...extra });

test("sync-path-matches-env: the stack's sync folder, the template's, or cluster/<env>", () => {
  assert.deepEqual(check("sync-path-matches-env", sync({ path: "./cluster/dev" })), []);
  assert.deepEqual(check("sync-path-matches-env", sync({ path: "cluster/dev/" })), [], "the same folder written otherwise");
  assert.deepEqual(check("sync-path-matches-env", sync({ path: "./cluster/prod" })), [
    {
      message:
        'Kustomization flux-system/flux-system syncs ./cluster/prod but environment "dev" must sync ./cluster/dev: fix the sync path in the stack config (or sync-path-matches-env.pathTemplate).',
    },
  ]);
  assert.match(check("sync-path-matches-env", sync({}))[0]!.message, /syncs the repository root but/);
  const moved = { stack: facts({ sync: { folder: "deploy/dev", flux: "./deploy/dev" } }) };
  assert.deepEqual(check("sync-path-matches-env", sync({ path: "./deploy/dev" }, moved)), []);
  assert.match(check("sync-path-matches-env", sync({ path: "./cluster/dev" }, moved))[0]!.message, /must sync \.\/deploy\/dev:/);
  assert.deepEqual(check("sync-path-matches-env", sync({ path: "./envs/dev" }), { pathTemplate: "envs/{env}" }), []);
  assert.deepEqual(
    check("sync-path-matches-env", sync({ path: "./envs/dev" }, moved), { pathTemplate: "envs/{env}" }),
    [],
    "the template wins",
  );
  assert.match(
    check("sync-path-matches-env", sync({ path: "./cluster/dev" }), { pathTemplate: "{env}/{env}" })[0]!.message,
    /must sync \.\/dev\/dev:/,
  );
  assert.deepEqual(
    check("sync-path-matches-env", sync({ path: "./x" }, { environment: undefined })),
    [],
    "no environment, nothing to compare",
  );
  assert.deepEqual(check("sync-path-matches-env", sync({ path: "./x" }, { name: "apps" })), [], "only the sync");
  assert.throws(() => check("sync-path-matches-env", sync({}), { pathTemplate: "envs/dev" }), /\{env\}/);
});

test("sync-prunes: the sync must prune, exactly true", () => {
  assert.deepEqual(check("sync-prunes", sync({ prune: true })), []);
  for (const prune of [false, "true", undefined]) {
    assert.deepEqual(check("sync-prunes", sync({ prune })), [
      {
        message:
          "Kustomization flux-system/flux-system does not prune: set spec.prune: true so objects deleted from Git are deleted from the cluster.",
      },
    ]);
  }
  assert.deepEqual(check("sync-prunes", sync({ prune: false }, { name: "apps" })), []);
});

test("interval-bounds: a duration within min..max; anything else is named", () => {
  const at = (interval: unknown, extra: Partial<Subject> = {}) => obj("GitRepository", { spec: { interval } }, extra);
  assert.deepEqual(check("interval-bounds", at("1m")), []);
  assert.deepEqual(check("interval-bounds", at("24h")), []);
  assert.deepEqual(check("interval-bounds", obj("GitRepository", { spec: {} })), []);
  assert.deepEqual(check("interval-bounds", at("59s")), [
    {
      message:
        "GitRepository flux-system/app reconciles every 59s, outside 1m..24h: pick an interval in range (or change interval-bounds.min / max).",
    },
  ]);
  assert.equal(check("interval-bounds", at("24h1s")).length, 1);
  assert.deepEqual(check("interval-bounds", at(5)), [
    { message: "GitRepository flux-system/app has spec.interval 5, which is not a duration: use e.g. 1m, 10m or 1h." },
  ]);
  assert.match(check("interval-bounds", at("often"))[0]!.message, /spec\.interval "often", which is not a duration/);
  assert.match(check("interval-bounds", at(["1m"]))[0]!.message, /spec\.interval \["1m"\], which is not a duration/);
  assert.deepEqual(check("interval-bounds", at("30s"), { min: "30s", max: "1m" }), []);
  assert.equal(check("interval-bounds", at("2m"), { min: "30s", max: "1m" }).length, 1);
  assert.deepEqual(check("interval-bounds", obj("Secret", { spec: { interval: "1s" } })), [], "Flux objects only");
  assert.throws(() => check("interval-bounds", at("1m"), { min: "soon" }), /must be a duration such as 30s, 5m or 1h/);
});

test("isSecretReference: placeholders and references alone or joined by punctuation", () => {
  for (const v of [
    "${TOKEN}",
    "${SCHEME}://${HOST}:${PORT}",
    "op://vault/item/field",
    "vault://secret/data/x#y",
    "sops://x",
    "awssm://x",
    "gcpsm://x",
    "azkv://x",
    "ref+vault://x",
    "<path:secret/data/x#key>",
    "${A}-${B}",
  ]) {
    assert.ok(isSecretReference(v), v);
  }
  for (const v of ["hunter2", "${A}x", "pre${A}", "op://", "op:/x", "http://x", "<path:>", "${A} secret", "", "-"]) {
    assert.equal(isSecretReference(v), false, v);
  }
});

const secret = (data: Record<string, unknown>) => obj("Secret", data, { name: "token" });

test("no-plaintext-secrets: Secret data decoded, stringData as is; the field named", () => {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  assert.deepEqual(check("no-plaintext-secrets", secret({ data: { a: b64("hunter2"), b: b64("${X}") } })), [
    {
      message:
        "Secret flux-system/token (a) committed in plaintext: encrypt it with SOPS (sops --encrypt --in-place <file>) and give the Kustomization a spec.decryption, reference the value (${VAR}, op://...), or create the Secret outside Git.",
      at: ["data"],
    },
  ]);
  assert.deepEqual(check("no-plaintext-secrets", secret({ stringData: { a: "hunter2", b: "${X}", c: "" } }))[0]!.at, ["stringData"]);
  assert.match(check("no-plaintext-secrets", secret({ stringData: { a: "x", b: "y" } }))[0]!.message, /\(a, b\) committed/);
  assert.deepEqual(check("no-plaintext-secrets", secret({ data: { a: b64("${X}") } })), [], "a base64 placeholder");
  assert.deepEqual(check("no-plaintext-secrets", secret({ data: { a: "" } })), []);
  assert.deepEqual(check("no-plaintext-secrets", secret({ stringData: { a: null } })), []);
  assert.equal(check("no-plaintext-secrets", secret({ stringData: { a: 42 } })).length, 1, "a number is a value");
  assert.equal(check("no-plaintext-secrets", secret({ data: { a: "not base64!" } })).length, 1, "not base64: checked as it is");
  assert.equal(check("no-plaintext-secrets", secret({ data: { a: "abc" } })).length, 1, "length not a multiple of 4");
  assert.equal(check("no-plaintext-secrets", secret({ data: { a: "//79" } })).length, 1, "bytes that are not UTF-8 stay base64 text");
  assert.deepEqual(check("no-plaintext-secrets", secret({ data: ["x"], stringData: "y" })), []);
  assert.deepEqual(check("no-plaintext-secrets", secret({ data: null, stringData: null })), []);
  assert.equal(check("no-plaintext-secrets", secret({ stringData: { a: b64("${X}") } })).length, 1, "stringData is never decoded");
  assert.deepEqual(check("no-plaintext-secrets", { ...secret({ stringData: { a: "x" } }), type: "github:index/x:Y" }), []);
  assert.deepEqual(check("no-plaintext-secrets", obj("HelmRelease", { secretGenerator: [{ literals: ["a=b"] }] })), []);
  assert.deepEqual(check("no-plaintext-secrets", obj("GitRepository", { stringData: { a: "x" } })), []);
});

test("no-plaintext-secrets: kustomize secretGenerator literals, by generator and key", () => {
  const kz = (secretGenerator: unknown) => obj("KustomizeConfig", { secretGenerator }, { name: "kustomization" });
  assert.deepEqual(check("no-plaintext-secrets", kz([{ name: "db", literals: ["user=${USER}", "password=hunter2=x", "empty="] }])), [
    {
      message:
        "kustomization secretGenerator literals (db.password) committed in plaintext: encrypt it with SOPS (sops --encrypt --in-place <file>) and give the Kustomization a spec.decryption, reference the value (${VAR}, op://...), or create the Secret outside Git.",
      at: ["secretGenerator"],
    },
  ]);
  assert.match(check("no-plaintext-secrets", kz([{ literals: ["a=b"] }]))[0]!.message, /\(\?\.a\)/);
  assert.match(
    check("no-plaintext-secrets", kz([{ name: "db", literals: ["a=b", "token=="] }]))[0]!.message,
    /\(db\.a, db\.token\) committed/,
  );
  assert.deepEqual(check("no-plaintext-secrets", kz([{ name: "db", literals: "a=b" }])), []);
  assert.deepEqual(check("no-plaintext-secrets", kz({ name: "db" })), []);
  assert.deepEqual(
    check("no-plaintext-secrets", obj("Kustomization", { secretGenerator: [{ literals: ["a=b"] }] })),
    [],
    "Flux's Kustomization has none",
  );
});

test("sync-not-in-git: the objects Pulumi owns in the Flux namespace, by kind, group and name", () => {
  const owned: [string, string, string][] = [
    ["GitRepository", "source.toolkit.fluxcd.io/v1", "flux-system"],
    ["GitRepository", "source.toolkit.fluxcd.io/v1", "flux-system-automation"],
    ["Kustomization", "kustomize.toolkit.fluxcd.io/v1", "flux-system"],
    ["Secret", "core/v1", "flux-system"],
    ["Secret", "core/v1", "flux-system-automation"],
  ];
  for (const [kind, api, name] of owned) {
    const s = { type: `kubernetes:${api}:${kind}`, name, namespace: "flux-system", props: {}, origin: "git", ancestors: [] } as Subject;
    assert.deepEqual(check("sync-not-in-git", s), [
      {
        message: `${kind} flux-system/${name} is created by Pulumi (flux-gitops); defined in Git it would redefine what Flux syncs (its source, branch or path) once Flux applies it: remove it from Git and change the stack config instead.`,
      },
    ]);
    assert.equal(check("sync-not-in-git", { ...s, namespace: undefined }).length, 1, "no namespace may land in the Flux namespace");
    assert.deepEqual(check("sync-not-in-git", { ...s, namespace: "web" }), []);
    assert.deepEqual(check("sync-not-in-git", { ...s, name: "apps" }), []);
  }
  assert.deepEqual(
    check("sync-not-in-git", { ...sync({}), type: "kubernetes:kustomize.config.k8s.io/v1beta1:Kustomization" }),
    [],
    "another group",
  );
  assert.deepEqual(check("sync-not-in-git", obj("Kustomization", {}, { name: "flux-system-automation" })), []);
  assert.deepEqual(check("sync-not-in-git", obj("HelmRelease", {}, { name: "flux-system" })), []);
  assert.deepEqual(check("sync-not-in-git", { ...sync({}), type: "nope" }), []);
  assert.equal(check("sync-not-in-git", sync({}, { namespace: "flux", stack: facts({ fluxNamespace: "flux" }) })).length, 1);
  assert.deepEqual(check("sync-not-in-git", sync({}, { stack: facts({ fluxNamespace: "flux" }) })), []);
});

test("content-verified: every problem the checker could not verify, on its field", () => {
  assert.deepEqual(
    check("content-verified", obj("Kustomization", {}, { problems: [{ message: "m1", at: ["spec"] }, { message: "m2" }] })),
    [{ message: "Kustomization flux-system/app: m1", at: ["spec"] }, { message: "Kustomization flux-system/app: m2" }],
  );
  assert.deepEqual(check("content-verified", obj("Kustomization", {})), []);
});

test("helmrelease-remediation: retries at least minRetries, -1, or RetryOnFailure", () => {
  const hr = (upgrade: unknown) => release({ upgrade });
  assert.deepEqual(check("helmrelease-remediation", hr({ remediation: { retries: 1 } })), []);
  assert.deepEqual(check("helmrelease-remediation", hr({ remediation: { retries: -1 } })), []);
  assert.deepEqual(check("helmrelease-remediation", hr({ strategy: { name: "RetryOnFailure" } })), []);
  assert.deepEqual(check("helmrelease-remediation", hr({ remediation: { retries: 0 } })), [
    {
      message:
        "HelmRelease flux-system/app does not remediate failed upgrades: set spec.upgrade.remediation.retries (>= 1, or -1 for unlimited) and keep strategy rollback, or use upgrade.strategy.name RetryOnFailure.",
      at: ["spec", "upgrade", "remediation", "retries"],
    },
  ]);
  for (const upgrade of [
    undefined,
    {},
    { remediation: { retries: "3" } },
    { remediation: { retries: -2 } },
    { strategy: { name: "Rollback" } },
  ]) {
    assert.equal(check("helmrelease-remediation", hr(upgrade)).length, 1, JSON.stringify(upgrade));
  }
  assert.deepEqual(check("helmrelease-remediation", hr({ remediation: { retries: 3 } }), { minRetries: 3 }), []);
  assert.match(check("helmrelease-remediation", hr({ remediation: { retries: 2 } }), { minRetries: 3 })[0]!.message, /\(>= 3, or -1/);
  assert.deepEqual(check("helmrelease-remediation", obj("Kustomization", { spec: {} })), []);
  assert.throws(() => check("helmrelease-remediation", hr({}), { minRetries: 0 }), /Too small: expected number to be >=1/);
  assert.throws(() => check("helmrelease-remediation", hr({}), { minRetries: 1.5 }), /expected int/);
});
