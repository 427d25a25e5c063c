// Secret hygiene: every stack, with both install strategies and every secret setting the schema has,
// runs under mocks with recognisable canaries — real ssh-keygen private keys from the tls mock, token
// and webhook URLs in the config, an HMAC key from the random mock. No canary may appear in a stack
// output, in a registration input outside a Pulumi secret, or on the console; rendering every
// environment (even from a stack file holding the secrets in plaintext) must not copy one into
// cluster/; and no file in Git may hold a private key or a token.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc.js";
import { listStacks, NAMESPACE } from "../../infra/config/index.ts";
import { SECRET_KEYS, type SecretKey } from "../../infra/config/schema.ts";
import { main as render } from "../../stacks/render.ts";
import { runInProcess } from "../support/in-process.ts";
import { isSecretAt, ROOT, runStack, type KeyMaterial, type StackRun } from "../support/pulumi-mocks.ts";
import { sshFingerprint, sshKeygen } from "../support/sshd.ts";
import { TEST_STACKS, testStackFile } from "../support/stacks.ts";

// Canaries are assembled at run time so this file's own text never looks like a real secret.
const canary = (tag: string) => `CANARY${tag}${"x".repeat(4)}${"7".repeat(8)}`;
const SECRETS: Record<SecretKey, string> = {
  githubStatusToken: ["ghp", canary("ghtoken").padEnd(36, "Z")].join("_"),
  slackWebhookUrl: `https://hooks.slack.com/services/T0${canary("team")}/B0${canary("hook")}/${canary("slack")}`,
  teamsWebhookUrl: `https://acme.webhook.office.com/webhookb2/${canary("teams")}`,
  genericWebhookUrl: `https://alerts.example.com/flux?token=${canary("generic")}`,
  imageRegistryPassword: ["ghp", canary("registry").padEnd(36, "R")].join("_"),
  alertmanagerSmtpPassword: canary("smtp").padEnd(24, "S"),
};
const HMAC = canary("hmac").padEnd(48, "Q");

/** Image automation needs its controllers: the stack's flux settings with them added. */
function withImageControllers(flux: Record<string, unknown> | undefined): Record<string, unknown> {
  return { ...flux, componentsExtra: ["image-reflector-controller", "image-automation-controller"] };
}

/** Turns on everything that uses a secret: commit status, Slack, Teams, generic webhook, receiver, registry access. */
const ALL_ON = {
  // `{ secure }`: set as `pulumi config set --secret` would (the harness passes them as secret config).
  ...Object.fromEntries(Object.entries(SECRETS).map(([k, v]) => [`${NAMESPACE}:${k}`, { secure: v }])),
  [`${NAMESPACE}:notifications`]: { githubStatus: true, slack: { channel: "#deploys" }, teams: true, generic: true },
  [`${NAMESPACE}:receiver`]: { enabled: true, ingress: { host: "flux-webhook.example.com" } },
  [`${NAMESPACE}:imageAutomation`]: { enabled: true, registry: { server: "ghcr.io", username: "remla-bot" } },
};

const keyDir = mkdtempSync(join(tmpdir(), "hygiene-keys-"));
process.on("exit", () => rmSync(keyDir, { recursive: true, force: true }));
/** Real OpenSSH key material from ssh-keygen (ed25519 whatever was asked: only the text matters here). */
const privateKeys: string[] = [];
let generated = 0;
function realKeys(name: string): KeyMaterial {
  const path = join(keyDir, `${name}-${++generated}`);
  sshKeygen(path, "ed25519");
  const privateKeyOpenssh = readFileSync(path, "utf8");
  privateKeys.push(privateKeyOpenssh);
  return {
    privateKeyOpenssh,
    publicKeyOpenssh: readFileSync(`${path}.pub`, "utf8"),
    publicKeyFingerprintSha256: sshFingerprint(`${path}.pub`),
  };
}

/** The strings to look for: each secret, and every base64 line of each private key. */
function canaries(): string[] {
  const keyLines = privateKeys.flatMap((k) => k.split("\n").filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l)));
  return [...Object.values(SECRETS), HMAC, ...keyLines];
}

function leaks(text: string): string[] {
  return canaries()
    .filter((c) => text.includes(c))
    .map((c) => `${c.slice(0, 24)}…`);
}

/** Every string of a wire value outside Pulumi secret wrappers. */
function plainStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (value && typeof value === "object" && (value as Record<string, unknown>)[specialSigKey] !== specialSecretSig) {
    for (const v of Object.values(value)) plainStrings(v, out);
  }
  return out;
}

/** Runs `fn` with everything written to the console and to stdout/stderr captured. */
async function captureConsole<T>(fn: () => Promise<T>): Promise<{ result: T; output: string }> {
  let output = "";
  const methods = ["log", "info", "warn", "error", "debug", "trace"] as const;
  const saved = methods.map((m) => console[m]);
  const [out, err] = [process.stdout.write, process.stderr.write];
  const sink = (...args: unknown[]) => {
    output += `${args.map(String).join(" ")}\n`;
    return true;
  };
  for (const m of methods) console[m] = sink;
  process.stdout.write = sink as typeof process.stdout.write;
  process.stderr.write = sink as typeof process.stderr.write;
  try {
    return { result: await fn(), output };
  } finally {
    methods.forEach((m, i) => (console[m] = saved[i]!));
    [process.stdout.write, process.stderr.write] = [out, err];
  }
}

test("every secret setting the schema has gets a canary", () => {
  assert.deepEqual(Object.keys(SECRETS).sort(), [...SECRET_KEYS].sort());
});

const STACKS = TEST_STACKS;
for (const stack of STACKS) {
  for (const install of ["helm", "operator"]) {
    test(`${stack} (${install} install): no key, token or webhook secret outside a Pulumi secret`, async () => {
      privateKeys.length = 0; // canaries of this run only
      const flux = {
        ...withImageControllers((yaml.load(readFileSync(testStackFile(stack), "utf8")) as any).config[`${NAMESPACE}:flux`]),
        install,
      };
      const { result: run, output } = (await captureConsole(() =>
        runStack(stack, { config: { ...ALL_ON, [`${NAMESPACE}:flux`]: flux }, keys: realKeys, randomResult: () => HMAC }),
      )) as { result: StackRun; output: string };

      // The canaries really went in: each one is somewhere in the inputs, inside a secret.
      const everything = JSON.stringify(run.registrations.map((r) => r.inputs));
      for (const c of canaries()) assert.ok(everything.includes(c), `canary ${c.slice(0, 20)}… never reached the program`);
      const keySecret = run.registrations.find(
        (r) => r.type === "kubernetes:core/v1:Secret" && JSON.stringify(r.inputs).includes("identity"),
      );
      assert.ok(keySecret && isSecretAt(keySecret.wireInputs, ["stringData"]), "the deploy key Secret's data is a Pulumi secret");
      const keySecrets = run.registrations.filter(
        (r) => r.type === "kubernetes:core/v1:Secret" && JSON.stringify(r.inputs).includes("identity"),
      );
      assert.equal(keySecrets.length, 2, "the sync's and the image automation's key Secrets");
      const registrySecret = run.one("kubernetes:core/v1:Secret", "image-registry-auth");
      assert.equal(registrySecret.inputs.type, "kubernetes.io/dockerconfigjson");
      assert.ok(isSecretAt(registrySecret.wireInputs, ["stringData"]), "the registry Secret's data is a Pulumi secret");

      for (const reg of run.registrations) {
        assert.deepEqual(leaks(plainStrings(reg.wireInputs).join("\n")), [], `${reg.type} ${reg.name} has a secret in plaintext`);
      }
      for (const [name, { value }] of Object.entries(run.outputs)) {
        assert.deepEqual(leaks(JSON.stringify(value) ?? ""), [], `stack output ${name} holds a secret`);
      }
      assert.deepEqual(leaks(output), [], "the console shows a secret");
    });
  }
}

/** Copies of the stack files with everything secret-bearing turned on, secrets as `secure` values. */
function stackFiles(root: string, secret: (value: string) => unknown): void {
  for (const stack of STACKS) {
    const file = join(root, `Pulumi.${stack}.yaml`);
    copyFileSync(testStackFile(stack), file);
    const doc = yaml.load(readFileSync(file, "utf8")) as { config: Record<string, unknown> };
    Object.assign(doc.config, ALL_ON, Object.fromEntries(Object.entries(SECRETS).map(([k, v]) => [`${NAMESPACE}:${k}`, secret(v)])));
    doc.config[`${NAMESPACE}:flux`] = withImageControllers(doc.config[`${NAMESPACE}:flux`] as Record<string, unknown> | undefined);
    writeFileSync(file, yaml.dump(doc));
  }
}

test("rendering every environment never copies a secret setting into cluster/", async (t) => {
  const root = mkdtempSync(join(tmpdir(), "hygiene-render-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  stackFiles(root, (v) => ({ secure: v }));
  const r = await runInProcess(render, ["--root", root]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(leaks(r.stdout + r.stderr), []);
  for (const stack of STACKS) {
    const dir = join(root, "cluster", stack);
    // Layer subfolders too.
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    assert.ok(files.length > 10);
    for (const e of files) {
      const f = join(e.parentPath, e.name);
      assert.deepEqual(leaks(readFileSync(f, "utf8")), [], f);
    }
  }
});

test("a secret pasted into a stack file as plain text stops the render without repeating it", async (t) => {
  const root = mkdtempSync(join(tmpdir(), "hygiene-plain-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  stackFiles(root, (v) => v);
  const r = await runInProcess(render, ["--root", root]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^render: [^\n]+ is stored in plaintext; set it with pulumi config set --secret [^\n]+\n$/);
  assert.deepEqual(leaks(r.stdout + r.stderr), []);
  assert.deepEqual(
    readdirSync(root).sort(),
    STACKS.map((s) => `Pulumi.${s}.yaml`),
    "nothing rendered",
  );
});

// What a real secret looks like in a file: a PEM/OpenSSH private key block with a base64 body, or a
// token / webhook URL in the format its service issues.
const SECRET_PATTERNS: [string, RegExp][] = [
  ["private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----\r?\n(?:[A-Za-z0-9+/=]{40,}\r?\n)+/],
  ["GitHub token", /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{40,}/],
  ["Slack token or webhook", /\bxox[abprs]-[A-Za-z0-9-]{10,}|hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{20,}/],
  ["Teams webhook", /webhook\.office\.com\/webhookb2\/[0-9a-f-]{36}@/],
  ["AWS access key", /\bAKIA[0-9A-Z]{16}\b/],
];

test("the patterns recognise what this test's own canaries look like", () => {
  if (privateKeys.length === 0) realKeys("pattern");
  const samples = [privateKeys[0]!, SECRETS.githubStatusToken, SECRETS.slackWebhookUrl.replace(/CANARY\w+/g, "ABCDEFGHIJKLMNOPQRSTUVWX")];
  const found = samples.map((s) => SECRET_PATTERNS.find(([, re]) => re.test(s))?.[0]);
  assert.deepEqual(found, ["private key", "GitHub token", "Slack token or webhook"]);
});

test("no file in Git (committed cluster/, fixtures, goldens, stack files) holds a private key or token", () => {
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
  assert.ok(
    files.some((f) => f.startsWith("cluster/")),
    "the scan covers cluster/",
  );
  const found: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(join(ROOT, file), "utf8");
    } catch {
      continue; // listed but deleted in the working tree
    }
    for (const [what, re] of SECRET_PATTERNS) if (re.test(text)) found.push(`${file}: ${what}`);
  }
  assert.deepEqual(found, []);
});

test("secret settings in the committed stack files are encrypted (secure:), never plain text", () => {
  for (const stack of listStacks(ROOT)) {
    const config =
      (yaml.load(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> }).config ?? {};
    for (const [key, value] of Object.entries(config)) {
      const secretKey = SECRET_KEYS.some((k) => key === `${NAMESPACE}:${k}`) || /token|password|secret/i.test(key);
      if (secretKey)
        assert.ok(typeof (value as { secure?: unknown })?.secure === "string", `Pulumi.${stack}.yaml ${key} must be set with --secret`);
    }
  }
});
