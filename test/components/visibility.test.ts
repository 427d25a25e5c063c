// Deployment visibility under Pulumi mocks: config errors of the new keys, GitHub commit status and
// chat alerts (Provider/Alert v1beta3), the GitHub push Receiver and its webhook, and that no token,
// webhook URL or HMAC key is ever plaintext in an input or output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { specialSigKey, specialSecretSig } from "@pulumi/pulumi/runtime/rpc.js";
import { parseStackConfig, readStackConfigFile, ConfigError } from "../../infra/config/index.ts";
import { runStack, isSecretAt, type StackRun, TYPES } from "../support/pulumi-mocks.ts";

const T = TYPES;

const SECRETS = {
  githubStatusToken: "ghp_MOCKSTATUSTOKEN0123456789",
  slackWebhookUrl: "https://hooks.slack.com/services/T000/B000/MOCKSLACKSECRET",
  teamsWebhookUrl: "https://example.webhook.office.com/webhookb2/MOCKTEAMSSECRET",
  genericWebhookUrl: "https://alerts.example.com/flux/MOCKGENERICSECRET",
};
const HMAC = "mock-hmac-token-receiver-token";
// printf '%s' "mock-hmac-token-receiver-tokengithub-receiverflux-system" | sha256sum
const HOOK_PATH = "/hook/1d4feb60fde9e41fb442d0cb2b0940fd875a5504a3924196422e96c4236ff0ab";

const secretConfig = Object.fromEntries(Object.entries(SECRETS).map(([k, v]) => [`flux-gitops:${k}`, { secure: v }]));
const ALL_ON = {
  ...secretConfig,
  "flux-gitops:notifications": {
    githubStatus: true,
    eventSeverity: "error",
    eventSources: [
      { kind: "HelmRelease", name: "*" },
      { kind: "GitRepository", name: "remla-operation", namespace: "flux-system" },
    ],
    slack: { channel: "#deploys", username: "flux" },
    teams: true,
    generic: true,
  },
  "flux-gitops:receiver": {
    enabled: true,
    publicBaseUrl: "https://hooks.dev.example.com/",
    ingress: {
      host: "flux-webhook.dev.example.com",
      className: "nginx",
      tlsSecretName: "flux-webhook-tls",
      annotations: { "cert-manager.io/cluster-issuer": "letsencrypt" },
    },
  },
};

let allOn: Promise<StackRun> | undefined;
const runAllOn = () => (allOn ??= runStack("dev", { config: ALL_ON }));

const repo = { owner: "acme", name: "platform" };

// [config values, expected message after "stack dev: "]
const BAD: [Record<string, unknown>, string][] = [
  [{ notifications: { githubStatus: "yes" } }, "flux-gitops:notifications.githubStatus must be a boolean"],
  [{ notifications: { eventSeverity: "warning" } }, 'flux-gitops:notifications.eventSeverity must be one of: "info", "error"'],
  [{ notifications: { eventSources: [] } }, "flux-gitops:notifications.eventSources must name at least one event source"],
  [
    { notifications: { eventSources: [{ kind: "Deployment", name: "x" }] } },
    'flux-gitops:notifications.eventSources[0].kind must be one of: "Kustomization", "HelmRelease", "GitRepository", "HelmRepository", "HelmChart", "OCIRepository", "Bucket", "ImageRepository", "ImagePolicy", "ImageUpdateAutomation"',
  ],
  [{ notifications: { eventSources: [{ kind: "HelmRelease" }] } }, "flux-gitops:notifications.eventSources[0].name is required"],
  [
    { notifications: { eventSources: [{ kind: "HelmRelease", name: "*", namespace: "Apps" }] } },
    "flux-gitops:notifications.eventSources[0].namespace must be a lowercase RFC 1123 name (a-z, 0-9, '-')",
  ],
  [
    { notifications: { slack: { channel: "" } }, slackWebhookUrl: "x" },
    "flux-gitops:notifications.slack.channel must be a non-empty string",
  ],
  [{ notifications: { slack: {} }, slackWebhookUrl: "x" }, "flux-gitops:notifications.slack.channel is required"],
  [{ notifications: { slack: { channel: "#a", url: "x" } } }, "flux-gitops:notifications.slack.url is not a known setting"],
  [{ notifications: { teams: "yes" } }, "flux-gitops:notifications.teams must be a boolean"],
  [{ notifications: { pagerduty: true } }, "flux-gitops:notifications.pagerduty is not a known setting"],
  [
    { notifications: { githubStatus: true } },
    "flux-gitops:githubStatusToken is required when notifications.githubStatus is true (pulumi config set --secret flux-gitops:githubStatusToken <value>)",
  ],
  [
    { notifications: { slack: { channel: "#a" } } },
    "flux-gitops:slackWebhookUrl is required when notifications.slack is set (pulumi config set --secret flux-gitops:slackWebhookUrl <value>)",
  ],
  [
    { notifications: { teams: true } },
    "flux-gitops:teamsWebhookUrl is required when notifications.teams is true (pulumi config set --secret flux-gitops:teamsWebhookUrl <value>)",
  ],
  [
    { notifications: { generic: true } },
    "flux-gitops:genericWebhookUrl is required when notifications.generic is true (pulumi config set --secret flux-gitops:genericWebhookUrl <value>)",
  ],
  [{ githubStatusToken: "" }, "flux-gitops:githubStatusToken must be a non-empty string (set it with pulumi config set --secret)"],
  [{ slackWebhookUrl: 42 }, "flux-gitops:slackWebhookUrl must be a non-empty string (set it with pulumi config set --secret)"],
  [{ receiver: { enabled: "on" } }, "flux-gitops:receiver.enabled must be a boolean"],
  [
    { receiver: { enabled: true } },
    "flux-gitops:receiver.publicBaseUrl is required when receiver.enabled is true (or set receiver.ingress.host)",
  ],
  [
    { receiver: { publicBaseUrl: "ftp://hooks.example.com" } },
    "flux-gitops:receiver.publicBaseUrl must be an http(s) URL such as https://flux-webhook.example.com",
  ],
  [{ receiver: { ingress: {} } }, "flux-gitops:receiver.ingress.host is required"],
  [
    { receiver: { ingress: { host: "Hooks.Example.com" } } },
    "flux-gitops:receiver.ingress.host must be a lowercase DNS name such as flux-webhook.example.com",
  ],
  [
    { receiver: { ingress: { host: "h.example.com", className: "" } } },
    "flux-gitops:receiver.ingress.className must be a non-empty string",
  ],
  [
    { receiver: { ingress: { host: "h.example.com", tlsSecretName: "Bad_Name" } } },
    "flux-gitops:receiver.ingress.tlsSecretName must be a lowercase RFC 1123 name (a-z, 0-9, '-')",
  ],
  [
    { receiver: { ingress: { host: "h.example.com", annotations: { a: 1 } } } },
    "flux-gitops:receiver.ingress.annotations.a must be a string",
  ],
  [{ receiver: { port: 9292 } }, "flux-gitops:receiver.port is not a known setting"],
  [
    {
      receiver: { enabled: true, publicBaseUrl: "https://h.example.com" },
      flux: { components: ["source-controller", "kustomize-controller"] },
    },
    "flux-gitops:flux.components must include notification-controller when notifications or the receiver are enabled",
  ],
  [
    { notifications: { teams: true }, teamsWebhookUrl: "x", flux: { components: ["source-controller"] } },
    "flux-gitops:flux.components must include notification-controller when notifications or the receiver are enabled",
  ],
  [
    { flux: { operator: { chartVersion: "latest" } } },
    "flux-gitops:flux.operator.chartVersion must be an exact chart version such as 0.49.0",
  ],
  [{ flux: { operator: { version: "0.33.0" } } }, "flux-gitops:flux.operator.version is not a known setting"],
];

for (const [values, message] of BAD) {
  test(`rejects ${JSON.stringify(values)}`, () => {
    assert.throws(
      () => parseStackConfig({ kubernetes: { version: "1.32.4" }, repository: repo, ...values }, "dev"),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.message, `stack dev: ${message}`);
        assert.doesNotMatch(err.message, /\n/);
        return true;
      },
    );
  });
}

test("a config error never repeats a secret value", () => {
  const values = {
    kubernetes: { version: "1.32.4" },
    repository: repo,
    githubStatusToken: SECRETS.githubStatusToken,
    notifications: { githubStatus: true, eventSeverity: "all" },
  };
  assert.throws(
    () => parseStackConfig(values, "dev"),
    (err: Error) => !err.message.includes(SECRETS.githubStatusToken),
  );
  // The parsed config records only that a secret is set, never its value.
  const cfg = parseStackConfig({ ...values, notifications: { githubStatus: true } }, "dev");
  assert.equal(cfg.githubStatusToken, true);
  assert.doesNotMatch(JSON.stringify(cfg), /MOCKSTATUSTOKEN/);
});

test("defaults: notifications and receiver are off; chat alerts watch flux-system and every HelmRelease", () => {
  const cfg = parseStackConfig({ kubernetes: { version: "1.32.4" }, repository: repo }, "dev");
  assert.deepEqual(cfg.notifications, {
    githubStatus: false,
    eventSeverity: "info",
    eventSources: [
      { kind: "Kustomization", name: "flux-system" },
      { kind: "HelmRelease", name: "*" },
    ],
    teams: false,
    generic: false,
  });
  assert.deepEqual(cfg.receiver, { enabled: false });
  assert.equal(cfg.flux.operator.chartVersion, "0.49.0");
});

test("Pulumi.<stack>.yaml may hold the secret keys as encrypted values", () => {
  const dir = mkdtempSync(join(tmpdir(), "flux-gitops-visibility-"));
  const file = join(dir, "Pulumi.qa.yaml");
  writeFileSync(
    file,
    "config:\n  flux-gitops:kubernetes: {version: 1.32.4}\n  flux-gitops:repository:\n    owner: acme\n    name: platform\n  flux-gitops:notifications:\n    githubStatus: true\n  flux-gitops:githubStatusToken:\n    secure: v1:AAAABBBBCCCC\n",
  );
  assert.equal(readStackConfigFile(file, "qa").notifications.githubStatus, true);
  writeFileSync(
    file,
    "config:\n  flux-gitops:kubernetes: {version: 1.32.4}\n  flux-gitops:repository:\n    owner: acme\n    name: platform\n  flux-gitops:githubStatusToken:\n    secure: 7\n",
  );
  assert.throws(() => readStackConfigFile(file, "qa"), {
    message: `${file}: flux-gitops:githubStatusToken must be a non-empty string (set it with pulumi config set --secret)`,
  });
});

test("the Pulumi program stops with one line when an enabled channel has no secret", async () => {
  await assert.rejects(runStack("dev", { config: { "flux-gitops:notifications": { githubStatus: true } } }), (err: unknown) => {
    assert.ok(pulumi.RunError.isInstance(err as Error));
    assert.equal(
      (err as Error).message,
      "Pulumi.dev.yaml: flux-gitops:githubStatusToken is required when notifications.githubStatus is true (pulumi config set --secret flux-gitops:githubStatusToken <value>)",
    );
    return true;
  });
});

test("GitHub commit status: a github Provider for the repository, alerting on the flux-system Kustomization", async () => {
  const r = await runAllOn();
  const provider = r.one(T.provider, "github-status-provider").inputs;
  assert.equal(provider.apiVersion, "notification.toolkit.fluxcd.io/v1beta3");
  assert.deepEqual(provider.spec, {
    type: "github",
    address: "https://github.com/remla25-team3/flux-gitops",
    secretRef: { name: "github-status-secret" },
  });
  const alert = r.one(T.alert, "github-status-alert").inputs;
  assert.equal(alert.apiVersion, "notification.toolkit.fluxcd.io/v1beta3");
  assert.deepEqual(alert.spec.providerRef, { name: "github-status" });
  // Commit statuses need the revision only Kustomization events carry; info so successes post too.
  assert.deepEqual(alert.spec.eventSources, [{ kind: "Kustomization", name: "flux-system" }]);
  assert.equal(alert.spec.eventSeverity, "info");
  // …and the Kustomization's own health then covers the HelmReleases it applied.
  assert.equal(r.one(T.kustomization).inputs.spec.wait, true);
  const secret = r.one(T.secret, "github-status-secret");
  assert.deepEqual(secret.inputs.stringData, { token: SECRETS.githubStatusToken });
  assert.ok(isSecretAt(secret.wireInputs, ["stringData", "token"]));
});

test("without commit statuses the Kustomization does not wait for health (core behaviour unchanged)", async () => {
  const r = await runStack("dev");
  assert.equal(r.one(T.kustomization).inputs.spec.wait, undefined);
  assert.equal(r.byType(T.provider).length + r.byType(T.alert).length + r.byType(T.receiver).length, 0);
});

test("Slack, Teams and generic webhooks use the configured severity and event sources", async () => {
  const r = await runAllOn();
  const expected = {
    slack: { type: "slack", channel: "#deploys", username: "flux" },
    msteams: { type: "msteams" },
    generic: { type: "generic" },
  };
  const urls = { slack: SECRETS.slackWebhookUrl, msteams: SECRETS.teamsWebhookUrl, generic: SECRETS.genericWebhookUrl };
  for (const [name, spec] of Object.entries(expected)) {
    assert.deepEqual(r.one(T.provider, `${name}-provider`).inputs.spec, { ...spec, secretRef: { name: `${name}-secret` } });
    const alert = r.one(T.alert, `${name}-alert`).inputs;
    assert.equal(alert.spec.eventSeverity, "error");
    assert.deepEqual(alert.spec.eventSources, [
      { kind: "HelmRelease", name: "*" },
      { kind: "GitRepository", name: "remla-operation", namespace: "flux-system" },
    ]);
    assert.deepEqual(alert.spec.eventMetadata, { environment: "dev" });
    assert.equal(alert.metadata.labels["flux-gitops.io/environment"], "dev");
    assert.equal(alert.metadata.annotations["flux-gitops.io/repository"], "github.com/remla25-team3/flux-gitops");
    const secret = r.one(T.secret, `${name}-secret`);
    assert.deepEqual(secret.inputs.stringData, { address: urls[name as keyof typeof urls] });
    assert.ok(isSecretAt(secret.wireInputs, ["stringData", "address"]));
  }
});

test("audit trail: every new Flux object carries exactly its name, namespace and the audit labels/annotations", async () => {
  const r = await runAllOn();
  const audit = {
    labels: { "app.kubernetes.io/managed-by": "flux-gitops", "flux-gitops.io/environment": "dev", "flux-gitops.io/production": "false" },
    annotations: { "flux-gitops.io/repository": "github.com/remla25-team3/flux-gitops", "flux-gitops.io/path": "cluster/dev" },
  };
  const objects = [...r.byType(T.provider), ...r.byType(T.alert), ...r.byType(T.receiver)];
  assert.equal(objects.length, 9);
  for (const o of objects) {
    assert.deepEqual(o.inputs.metadata, { name: o.inputs.metadata.name, namespace: "flux-system", ...audit }, `${o.type} ${o.name}`);
  }
});

test("Providers wait for the install and their Secret; Alerts wait for their Provider", async () => {
  const r = await runAllOn();
  const release = r.one(T.release).urn;
  for (const name of ["github-status", "slack", "msteams", "generic"]) {
    const provider = r.one(T.provider, `${name}-provider`);
    assert.ok(provider.dependencies.includes(release), `${name} Provider waits for the Flux install`);
    assert.ok(provider.dependencies.includes(r.one(T.secret, `${name}-secret`).urn), `${name} Provider waits for its Secret`);
    const alert = r.one(T.alert, `${name}-alert`);
    assert.ok(alert.dependencies.includes(release));
    assert.ok(alert.dependencies.includes(provider.urn), `${name} Alert waits for its Provider`);
  }
});

test("Receiver: github type, push and ping, triggers the flux-system GitRepository, token in a Secret", async () => {
  const r = await runAllOn();
  const receiver = r.one(T.receiver, "github-receiver");
  assert.deepEqual(receiver.inputs.spec, {
    type: "github",
    events: ["ping", "push"],
    secretRef: { name: "github-receiver-token" },
    resources: [{ apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", name: "flux-system" }],
  });
  assert.ok(receiver.dependencies.includes(r.one(T.release).urn));
  const secret = r.one(T.secret, "github-receiver-token");
  assert.deepEqual(secret.inputs.stringData, { token: HMAC });
  assert.ok(isSecretAt(secret.wireInputs, ["stringData", "token"]));
  assert.ok(receiver.dependencies.includes(secret.urn));
  // The HMAC key is generated by Pulumi: 48 letters and digits.
  assert.deepEqual(r.one(T.password).inputs, { length: 48, special: false });
});

test("the webhook path is Flux's /hook/sha256(token+name+namespace), output as a plain value", async () => {
  const r = await runAllOn();
  assert.deepEqual(r.outputs.webhookPath, { value: HOOK_PATH, secret: false });
  assert.deepEqual(r.outputs.webhookUrl, { value: `https://hooks.dev.example.com${HOOK_PATH}`, secret: false });
});

test("GitHub webhook: push events to the receiver URL, signed with the HMAC key kept secret", async () => {
  const r = await runAllOn();
  const hook = r.one(T.webhook);
  assert.equal(hook.inputs.repository, "flux-gitops");
  assert.deepEqual(hook.inputs.events, ["push"]);
  assert.equal(hook.inputs.active, true);
  assert.deepEqual(hook.inputs.configuration, {
    url: `https://hooks.dev.example.com${HOOK_PATH}`,
    contentType: "json",
    secret: HMAC,
    insecureSsl: false,
  });
  assert.ok(isSecretAt(hook.wireInputs, ["configuration", "secret"]));
  assert.ok(!isSecretAt(hook.wireInputs, ["configuration", "url"]), "the URL is not a secret");
  // Created after (and deleted before) the Receiver and the Ingress that serve it.
  assert.ok(hook.dependencies.includes(r.one(T.receiver).urn));
  assert.ok(hook.dependencies.includes(r.one(T.ingress).urn));
});

test("Ingress: only /hook/ of the webhook-receiver Service, on the configured host, class and TLS", async () => {
  const r = await runAllOn();
  const ingress = r.one(T.ingress, "webhook-receiver").inputs;
  assert.equal(ingress.metadata.namespace, "flux-system");
  assert.equal(ingress.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt");
  assert.deepEqual(ingress.spec, {
    ingressClassName: "nginx",
    rules: [
      {
        host: "flux-webhook.dev.example.com",
        http: { paths: [{ path: "/hook/", pathType: "Prefix", backend: { service: { name: "webhook-receiver", port: { number: 80 } } } }] },
      },
    ],
    tls: [{ hosts: ["flux-webhook.dev.example.com"], secretName: "flux-webhook-tls" }],
  });
});

test("the public URL defaults to https://<ingress host>; no Ingress unless asked", async () => {
  const viaIngress = await runStack("dev", {
    config: { "flux-gitops:receiver": { enabled: true, ingress: { host: "hooks.example.com" } } },
  });
  assert.match(viaIngress.one(T.webhook).inputs.configuration.url, /^https:\/\/hooks\.example\.com\/hook\/[0-9a-f]{64}$/);
  assert.equal(viaIngress.one(T.ingress).inputs.spec.tls, undefined);
  const external = await runStack("dev", { config: { "flux-gitops:receiver": { enabled: true, publicBaseUrl: "http://10.0.0.5:8080" } } });
  assert.equal(external.byType(T.ingress).length, 0);
  assert.equal(external.one(T.webhook).inputs.configuration.url, `http://10.0.0.5:8080${HOOK_PATH}`);
});

/** Every string in a wire value outside secret wrappers. */
function plainStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (value && typeof value === "object" && (value as Record<string, unknown>)[specialSigKey] !== specialSecretSig) {
    Object.values(value).forEach((v) => plainStrings(v, out));
  }
  return out;
}

test("no token, webhook URL or HMAC key is plaintext in any registration or stack output", async () => {
  const r = await runAllOn();
  const secrets = [...Object.values(SECRETS), HMAC];
  // The scan sees through everything but secret wrappers (the Secrets' own names are plain).
  assert.ok(plainStrings(r.one(T.secret, "slack-secret").wireInputs).includes("slack-secret"));
  for (const reg of r.registrations) {
    for (const s of plainStrings(reg.wireInputs)) {
      for (const secret of secrets) assert.ok(!s.includes(secret), `${reg.type} ${reg.name} has a plaintext secret`);
    }
  }
  const outputs = JSON.stringify(r.outputs);
  for (const secret of secrets) assert.ok(!outputs.includes(secret), "a stack output holds a secret");
});
