// The rule git-source-allowed called directly on Subjects (the shape both front ends build): its decisions, the field each
// finding points at, and its level. Its YAML and pack cases are the shared table's (test/support/analyzer-cases.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { rules } from "../../../policies/rules/index.ts";
import type { Subject } from "../../../policies/rules/model.ts";
import { sourceUrl } from "../../../policies/rules/sources.ts";
import { check, facts, obj } from "../../support/rule-subject.ts";

const git = (spec: Record<string, unknown>, extra: Partial<Subject> = {}) => obj("GitRepository", { spec }, extra);

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
