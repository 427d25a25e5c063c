// The stack config schema rule by rule: every default, every cross-field rule with the line it gives,
// and the patterns of the constrained strings (anchored at both ends). Written to kill the mutants
// StrykerJS made of infra/config (docs/testing.md, "Mutation testing").
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listStacks, parseStackConfig, readStackConfigFile } from "../../infra/config/index.ts";
import { hostKeyLine } from "../support/ssh-keys.ts";

const repository = { owner: "acme", name: "platform" };
const parse = (values: Record<string, unknown>) => parseStackConfig({ kubernetes: { version: "1.32.4" }, repository, ...values }, "dev");
const refused = (values: Record<string, unknown>, line: string) =>
  assert.throws(() => parse(values), { name: "ConfigError", message: `stack dev: flux-gitops:${line}` }, JSON.stringify(values));
const accepted = (values: Record<string, unknown>) => assert.doesNotThrow(() => parse(values), JSON.stringify(values));

test("every default, as the program and the renderer see it", () => {
  assert.deepEqual(JSON.parse(JSON.stringify(parse({}))), {
    kubernetes: { version: "1.32.4" },
    repository: { owner: "acme", name: "platform", branch: "main", host: "github.com" },
    production: false,
    flux: {
      install: "helm",
      version: "2.7.5",
      namespace: "flux-system",
      components: ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"],
      componentsExtra: [],
      networkPolicy: true,
      watchAllNamespaces: true,
      clusterDomain: "cluster.local",
      tolerationKeys: [],
      logLevel: "info",
      registry: "ghcr.io/fluxcd",
      multitenancy: { noCrossNamespaceRefs: false, noRemoteBases: false },
      keepOnDestroy: false,
      operator: { chartVersion: "0.49.0" },
    },
    deployKey: { algorithm: "ed25519", ecdsaCurve: "P384", rsaBits: 4096, readOnly: true, rotation: 0 },
    sync: { gitInterval: "1m", kustomizationInterval: "10m", timeout: "5m" },
    notifications: {
      githubStatus: false,
      eventSeverity: "info",
      eventSources: [
        { kind: "Kustomization", name: "flux-system" },
        { kind: "HelmRelease", name: "*" },
      ],
      teams: false,
      generic: false,
    },
    receiver: { enabled: false },
    imageAutomation: {
      enabled: false,
      scanInterval: "5m",
      interval: "10m",
      author: { name: "fluxcdbot", email: "fluxcdbot@users.noreply.github.com" },
    },
    stack: "dev",
    syncPath: { folder: "cluster/dev", flux: "./cluster/dev" },
  });
  assert.deepEqual(parse({ receiver: { ingress: { host: "a.example.com" } } }).receiver.ingress, {
    host: "a.example.com",
    annotations: {},
  });
  assert.equal(parse({ receiver: { publicBaseUrl: "https://hooks.example.com//" } }).receiver.publicBaseUrl, "https://hooks.example.com");
});

test("cross-field rules: each secret a feature needs, the notification-controller, knownHosts, the receiver URL", () => {
  const secret = (key: string, when: string) => `${key} is required when ${when} (pulumi config set --secret flux-gitops:${key} <value>)`;
  refused({ notifications: { githubStatus: true } }, secret("githubStatusToken", "notifications.githubStatus is true"));
  refused({ notifications: { slack: { channel: "ops" } } }, secret("slackWebhookUrl", "notifications.slack is set"));
  refused({ notifications: { teams: true } }, secret("teamsWebhookUrl", "notifications.teams is true"));
  refused({ notifications: { generic: true } }, secret("genericWebhookUrl", "notifications.generic is true"));
  accepted({ notifications: { githubStatus: true }, githubStatusToken: { secure: "v1:abc" } });
  accepted({ notifications: { slack: { channel: "ops" } }, slackWebhookUrl: "https://hooks.slack.com/x" });
  accepted({ notifications: { teams: true }, teamsWebhookUrl: { secure: "x" } });
  accepted({ notifications: { generic: true }, genericWebhookUrl: { secure: "x" } });
  refused({ githubStatusToken: " " }, "githubStatusToken must be a non-empty string (set it with pulumi config set --secret)");
  refused({ githubStatusToken: { secure: 7 } }, "githubStatusToken must be a non-empty string (set it with pulumi config set --secret)");
  refused({ githubStatusToken: 7 }, "githubStatusToken must be a non-empty string (set it with pulumi config set --secret)");
  refused({ githubStatusToken: null }, "githubStatusToken must be a non-empty string (set it with pulumi config set --secret)");

  const noNotification = { components: ["source-controller", "kustomize-controller", "helm-controller"] };
  const needsController = "flux.components must include notification-controller when notifications or the receiver are enabled";
  refused({ flux: noNotification, receiver: { enabled: true, publicBaseUrl: "https://x.example.com" } }, needsController);
  refused({ flux: noNotification, notifications: { teams: true }, teamsWebhookUrl: { secure: "x" } }, needsController);
  accepted({ flux: noNotification });

  refused(
    { kubernetes: { version: "1.32.4" }, repository: { ...repository, host: "git.example.com" } },
    "knownHosts is required when repository.host is 'git.example.com' (only github.com host keys are pinned)",
  );
  accepted({
    kubernetes: { version: "1.32.4" },
    repository: { ...repository, host: "git.example.com" },
    knownHosts: hostKeyLine("git.example.com"),
  });

  refused(
    { receiver: { enabled: true } },
    "receiver.publicBaseUrl is required when receiver.enabled is true (or set receiver.ingress.host)",
  );
  accepted({ receiver: { enabled: true, publicBaseUrl: "https://x.example.com" } });
  accepted({ receiver: { enabled: true, ingress: { host: "x.example.com" } } });
});

test("cross-field rules: image automation needs its controllers, and a private registry its password", () => {
  const both = ["image-reflector-controller", "image-automation-controller"];
  refused(
    { imageAutomation: { enabled: true } },
    `flux.componentsExtra must include ${both.join(" and ")} when imageAutomation.enabled is true`,
  );
  refused(
    { imageAutomation: { enabled: true }, flux: { componentsExtra: ["image-reflector-controller"] } },
    "flux.componentsExtra must include image-automation-controller when imageAutomation.enabled is true",
  );
  accepted({ imageAutomation: { enabled: true }, flux: { componentsExtra: both } });
  accepted({ imageAutomation: { enabled: false } });

  const registry = { server: "ghcr.io", username: "bot" };
  refused(
    { imageAutomation: { enabled: true, registry }, flux: { componentsExtra: both } },
    "imageRegistryPassword is required when imageAutomation.registry is set (pulumi config set --secret flux-gitops:imageRegistryPassword <value>)",
  );
  accepted({ imageAutomation: { enabled: true, registry }, flux: { componentsExtra: both }, imageRegistryPassword: { secure: "x" } });
  accepted({ imageAutomation: { enabled: false, registry } });
  refused({ imageAutomation: { enabled: false, registry: { server: "ghcr.io" } } }, "imageAutomation.registry.username is required");
  refused(
    { imageAutomation: { enabled: false, registry: { ...registry, server: "  " } } },
    "imageAutomation.registry.server must be a non-empty string",
  );
});

test("every notification channel needs notification-controller; knownHosts must hold a line", () => {
  const noNotification = { components: ["source-controller", "kustomize-controller", "helm-controller"] };
  const needsController = "flux.components must include notification-controller when notifications or the receiver are enabled";
  refused({ flux: noNotification, notifications: { githubStatus: true }, githubStatusToken: { secure: "x" } }, needsController);
  refused({ flux: noNotification, notifications: { slack: { channel: "ops" } }, slackWebhookUrl: { secure: "x" } }, needsController);
  refused({ flux: noNotification, notifications: { generic: true }, genericWebhookUrl: { secure: "x" } }, needsController);
  refused({ knownHosts: " \n " }, "knownHosts must be a non-empty string");
});

test("repository names, hosts and .git folders: what GitHub and Git take, nothing more", () => {
  const name = (n: string) => ({ kubernetes: { version: "1.32.4" }, repository: { ...repository, name: n } });
  for (const n of ["app.git", "App.GIT"]) refused(name(n), "repository.name must not be '.' or '..' or end in .git");
  for (const n of [".", ".."]) assert.throws(() => parse(name(n)), { message: /^stack dev: flux-gitops:repository\.name must /u }, n);
  accepted(name("app.github"));
  accepted(name(".github"));
  const host = (h: string) => ({
    kubernetes: { version: "1.32.4" },
    repository: { ...repository, host: h },
    knownHosts: hostKeyLine(h.includes(":") ? `[${h.replace(":", "]:")}` : h),
  });
  for (const h of ["a", "git.example.com:2222", "A1.example.com"]) accepted(host(h));
  for (const h of ["_x.example.com", "x.example.com_", "x.example.com:", "-x.example.com"]) {
    refused(host(h), "repository.host must be a host name such as github.com (optionally with :port)");
  }
  for (const path of ["cluster/x.git/dev", "cluster/gitx/b", "cluster/a.git.b"]) accepted({ syncPath: path });
  for (const path of [".git/x", "cluster/.GIT./b", "cluster/git~1/b", ".github/dev", "cluster/a/.gitx/b"])
    assert.throws(() => parse({ syncPath: path }), { message: /^stack dev: flux-gitops:syncPath /u }, path);
});

test("constrained strings are matched whole: durations, names, versions, URLs, hosts, paths", () => {
  const cases: [Record<string, unknown>, string, string[], string[]][] = [
    [{}, "sync.gitInterval", ["1m", "1.5h", "1.25h", "10m30s", "250ms"], ["x1m", "1mx", "1.m", "1.5.5h", "m"]],
    [{}, "flux.namespace", ["flux-system", "a"], ["-flux", "flux-", "Flux", "flux_system"]],
    [{}, "flux.operator.chartVersion", ["0.33.0", "10.20.30"], ["v0.33.0", "0.33.0-rc1", "0.33", "10.20."]],
    [
      {},
      "receiver.publicBaseUrl",
      ["https://a.example.com", "http://a.example.com/hook"],
      ["ftp://a.example.com", "https://a.example.com/x y", "xhttps://a", "https://"],
    ],
    [{}, "receiver.ingress.host", ["a.example.com", "a"], ["-a.example.com", "a.example.com-", "A.example.com", "a_b.example.com"]],
    [
      {},
      "syncPath",
      ["cluster/dev", "./cluster/dev/", "cluster/c", "cluster/a:b"],
      ["\\\\server\\share", "C:\\cluster", "c:/x", "./", ".", "/", "c", "cluster"],
    ],
  ];
  for (const [, path, good, bad] of cases) {
    const at = (value: string): Record<string, unknown> => {
      const keys = path.split(".");
      const values: Record<string, unknown> = {};
      let cur = values;
      keys.slice(0, -1).forEach((k) => (cur = (cur[k] = k === "ingress" ? { host: "a.example.com" } : {}) as Record<string, unknown>));
      cur[keys.at(-1)!] = value;
      return values;
    };
    for (const value of good) accepted(at(value));
    for (const value of bad)
      assert.throws(
        () => parse(at(value)),
        { message: new RegExp(`^stack dev: flux-gitops:${path.replace(/\./g, "\\.")} must `) },
        `${path} = ${value}`,
      );
  }
  for (const stack of ["Dev", "-dev", "dev-", "dev_1"]) {
    assert.throws(() => parseStackConfig({ kubernetes: { version: "1.32.4" }, repository }, stack), {
      message: `stack ${stack}: stack name '${stack}' must be a lowercase RFC 1123 name (it names cluster/<stack>)`,
    });
  }
  assert.doesNotThrow(() => parseStackConfig({ kubernetes: { version: "1.32.4" }, repository }, "d"));
});

test("types by name: integers, mappings, strings", () => {
  refused({ deployKey: { rsaBits: "x" } }, "deployKey.rsaBits must be an integer");
  refused({ deployKey: { rotation: 1.5 } }, "deployKey.rotation must be an integer");
  refused({ receiver: { ingress: { host: "a.b", annotations: 5 } } }, "receiver.ingress.annotations must be a mapping");
  refused({ kubernetes: { version: "1.32.4" }, repository: { ...repository, branch: 7 } }, "repository.branch must be a string");
  refused({ production: "yes" }, "production must be a boolean");
  refused(
    { kubernetes: { version: "1.32.4" }, repository: { ...repository, branch: "   " } },
    "repository.branch must be a valid Git branch name (no '..', '@{', spaces or ~^:?*[\\; no part starting with '.' or ending in '.lock'; not starting with '-')",
  );
  refused({ deployKey: { rsaBits: 16384 } }, "deployKey.rsaBits must be at most 8192");
  accepted({ notifications: { eventSeverity: "info" } });
  accepted({ notifications: { eventSeverity: "error" } });
  // Strings are trimmed before they are checked and kept.
  assert.equal(parse({ syncPath: " ./cluster/x/ " }).syncPath.folder, "cluster/x");
  assert.equal(parse({ receiver: { publicBaseUrl: " https://x.example.com/ " } }).receiver.publicBaseUrl, "https://x.example.com");
  refused({ flux: { tolerationKeys: "x" } }, "flux.tolerationKeys must be an array");
});

test("stack files: config must be a mapping, only flux-gitops keys count, stacks are Pulumi.<stack>.y(a)ml", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "schema-rules-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "Pulumi.dev.yaml");
  for (const config of ["[1, 2]", "5", "'text'"]) {
    writeFileSync(file, `config: ${config}\n`);
    assert.throws(() => readStackConfigFile(file, "dev"), { message: `${file}: 'config' must be a mapping of keys to values` });
  }
  // Only the flux-gitops namespace counts: other namespaces, and names that merely start the same, are ignored.
  writeFileSync(
    file,
    "config:\n  other:syncPath: /etc\n  flux-gitopsx:syncPath: /etc\n  flux-gitops:repository: {owner: acme, name: platform}\n  flux-gitops:kubernetes: {version: 1.32.4}\n",
  );
  assert.equal(readStackConfigFile(file, "dev").syncPath.folder, "cluster/dev");
  writeFileSync(file, "");
  assert.throws(() => readStackConfigFile(file, "dev"), { message: `${file}: flux-gitops:repository is required` });
  writeFileSync(file, "config: {flux-gitops:repository: [\n");
  assert.throws(() => readStackConfigFile(file, "dev"), { message: new RegExp(`^${file}: cannot read stack config: `) });
  for (const name of ["Pulumi.prod.yml", "Pulumi.a.b.yaml", "xPulumi.x.yaml", "Pulumi.y.yaml.bak", "Pulumi.yaml", "Pulumi.z.json"])
    writeFileSync(join(dir, name), "");
  assert.deepEqual(listStacks(dir), ["a.b", "dev", "prod"]);
});
