// The flux-gitops Pulumi package through the real plugin runner, without the CLI: PulumiPlugin.yaml → the
// language host's command line (test/support/plugin.ts) → @pulumi/pulumi/cmd/run-plugin → plugin.cjs → plugin.ts.
//   - GetSchema: the schema Pulumi's analyzer infers from infra/components/gitops.ts, held against the reviewed
//     golden file (schema.golden.json) and Pulumi's metaschema (pulumi-metaschema.json: pkg/codegen/schema/pulumi.json
//     of pulumi/pulumi v3.259.0, commit 0ac56e876614aedf12771d73ef7e80959b8a6fd4, the newest release tag the stored
//     mirror holds; the file is unchanged from 2026-04-29 to the mirror's head of 2026-08-21);
//   - Construct: dev's and prod's settings (built here, not read from Pulumi.<env>.yaml) against the test engine,
//     compared with what stacks/program.ts registers through cmd/run for the same config.
// Regenerate the golden file after a deliberate change: FLUX_GITOPS_WRITE_GOLDEN=1 (the run then fails, so the
// new file is reviewed in the diff before it passes), then `npx prettier --write test/package/schema.golden.json`.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import yaml from "js-yaml";
import { ROOT } from "../support/paths.ts";
import { FakeEngine, SECRET_SIG, SIG_KEY, runUnderCmdRun, type EngineRegistration } from "../support/engine.ts";
import { PluginProcess } from "../support/plugin.ts";
import { GITOPS_TYPE, CONFIG_NAMESPACE } from "../../infra/contract.ts";
import { OUTPUTS } from "../../infra/components/gitops.ts";
import { SECRET_KEYS, stackConfigSchema } from "../../infra/config/schema.ts";

const HERE = import.meta.dirname;
const GOLDEN = join(HERE, "schema.golden.json");
const METASCHEMA = join(HERE, "pulumi-metaschema.json");
const PROJECT = "flux-gitops";
const STACK_TYPE = "pulumi:pulumi:Stack";

let engine: FakeEngine;
let plugin: PluginProcess;
let schema: Record<string, any>;

before(async () => {
  engine = await FakeEngine.start({ project: PROJECT, stack: "dev", dryRun: true });
  plugin = await PluginProcess.start({ engineAddress: engine.engineAddress });
  schema = await plugin.getSchema();
});
after(async () => {
  await plugin?.stop();
  await engine?.close();
});

test("PulumiPlugin.yaml runs the package on nodejs from a CommonJS main, whose ES module bridge names the TypeScript entry", () => {
  const plugin = yaml.load(readFileSync(join(ROOT, "PulumiPlugin.yaml"), "utf8")) as { runtime: { name: string } };
  assert.equal(plugin.runtime.name, "nodejs");
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { main: string; exports: string; name: string };
  // run-plugin require()s the folder: main must be CommonJS (any Node can read it, ts-node never compiles it).
  assert.match(pkg.main, /\.cjs$/);
  // Pulumi's analyzer takes `exports` and reads the same path with .ts (provider/experimental/analyzer.js).
  assert.equal(pkg.exports.replace(/\.js$/, ".ts"), "./plugin.ts");
  assert.equal(pkg.name, GITOPS_TYPE.split(":")[0], "the package name is the type token's package");
});

test("GetSchema through cmd/run-plugin returns the reviewed golden schema", () => {
  const text = JSON.stringify(schema, null, 2) + "\n";
  if (process.env.FLUX_GITOPS_WRITE_GOLDEN) {
    writeFileSync(GOLDEN, text);
    assert.fail(`wrote ${GOLDEN}: review the diff, then run again without FLUX_GITOPS_WRITE_GOLDEN`);
  }
  assert.deepEqual(schema, JSON.parse(readFileSync(GOLDEN, "utf8")), "the schema changed: review it and regenerate the golden file");
});

function parses(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch {
    return false;
  }
}

test("the schema is a valid Pulumi package schema (Pulumi's metaschema, JSON Schema 2020-12)", () => {
  const ajv = new Ajv2020({
    strict: true,
    // The metaschema itself uses `"type": [..]` unions (e.g. a property's `const`).
    allowUnionTypes: true,
    allErrors: true,
    // The metaschema's two formats: a regular expression (Go's syntax; JavaScript's is close enough to reject junk)
    // and a URI reference (a `$ref`: relative, like `#/types/…` or `pulumi.json#/Any`, or absolute).
    formats: {
      regex: (s: string) => parses(() => new RegExp(s)),
      "uri-reference": (s: string) => !/\s/.test(s) && parses(() => new URL(s, "file:///")),
    },
  });
  const validate = ajv.compile(JSON.parse(readFileSync(METASCHEMA, "utf8")));
  assert.ok(validate(schema), ajv.errorsText(validate.errors, { separator: "\n" }));
  // The validator can say no: a property type Pulumi has not.
  const broken = structuredClone(schema);
  broken.resources[GITOPS_TYPE].properties.syncPath.type = "text";
  assert.equal(validate(broken), false, "a property of type 'text' must be rejected");
});

test(`the component is ${GITOPS_TYPE}, its outputs are exactly the Output<string> fields, its secrets Input<string>, every other setting plain`, () => {
  const resource = schema.resources[GITOPS_TYPE];
  assert.deepEqual(Object.keys(schema.resources), [GITOPS_TYPE]);
  assert.equal(resource.isComponent, true);
  // Outputs: exactly the public Output<string> fields; anything else on the class would show up here.
  assert.deepEqual(Object.keys(resource.properties), [...OUTPUTS]);
  for (const [name, prop] of Object.entries<any>(resource.properties)) {
    assert.equal(prop.type, "string", `${name} must be a string output`);
    assert.equal(prop.$ref, undefined, `${name} must not reference a type`);
  }
  assert.deepEqual([...resource.required].sort(), OUTPUTS.filter((o) => o !== "webhookPath").sort());
  // Secrets are Input<string> (not plain); every other setting is plain, so the constructor can check it at once.
  for (const key of SECRET_KEYS) assert.deepEqual(resource.inputProperties[key].plain, undefined, key);
  for (const [key, prop] of Object.entries<any>(resource.inputProperties)) {
    if (!(SECRET_KEYS as readonly string[]).includes(key)) assert.equal(prop.plain, true, `${key} must be plain`);
  }
  assert.deepEqual([...resource.requiredInputs].sort(), ["kubernetes", "repository"]);
});

/** A zod schema without its wrappers: the type underneath, and whether a setting may be left out. */
function unwrap(zod: any): { def: any; optional: boolean } {
  let def = zod._zod.def;
  let optional = false;
  for (;;) {
    if (["optional", "default", "prefault"].includes(def.type)) optional = true;
    const inner = def.innerType ?? def.in;
    if (!inner) return { def, optional };
    def = inner._zod.def;
  }
}

/**
 * Where the package schema's property `prop` differs from the stack config schema's setting `zod` (at `path`):
 * the same keys at every level, the same required ones, the same primitive types and the same enum values.
 */
function mirrorDiffs(path: string, zod: any, prop: any, optional: boolean, types: Record<string, any>): string[] {
  const { def } = unwrap(zod);
  const diffs: string[] = [];
  const ref = prop.$ref ? types[String(prop.$ref).replace("#/types/", "")] : undefined;
  if (prop.$ref && !ref) return [`${path}: ${prop.$ref} is not in the schema's types`];
  switch (def.type) {
    case "object": {
      if (ref?.type !== "object") return [`${path}: a mapping in the config, ${JSON.stringify(prop)} in the package`];
      const keys = Object.keys(def.shape);
      if (JSON.stringify(keys) !== JSON.stringify(Object.keys(ref.properties))) {
        diffs.push(`${path}: config keys ${keys.join(", ")} vs package ${Object.keys(ref.properties).join(", ")}`);
      }
      const required = keys.filter((k) => !unwrap(def.shape[k]).optional).sort();
      if (JSON.stringify(required) !== JSON.stringify([...(ref.required ?? [])].sort())) {
        diffs.push(`${path}: required ${required.join(", ")} vs package ${(ref.required ?? []).join(", ")}`);
      }
      for (const k of keys) {
        if (ref.properties[k])
          diffs.push(...mirrorDiffs(`${path}.${k}`, def.shape[k], ref.properties[k], unwrap(def.shape[k]).optional, types));
      }
      break;
    }
    case "array":
      if (prop.type !== "array") return [`${path}: a list in the config, ${JSON.stringify(prop)} in the package`];
      diffs.push(...mirrorDiffs(`${path}[]`, def.element, prop.items, false, types));
      break;
    case "record":
      if (prop.type !== "object" || prop.additionalProperties?.type !== "string") diffs.push(`${path}: a string map in the config`);
      break;
    case "enum": {
      const values = Object.values(def.entries).map(String).sort();
      const got = (ref?.enum ?? []).map((e: { value: unknown }) => String(e.value)).sort();
      if (JSON.stringify(values) !== JSON.stringify(got)) diffs.push(`${path}: values ${values.join(", ")} vs package ${got.join(", ")}`);
      break;
    }
    case "string":
    case "boolean":
    case "number":
      if (prop.type !== def.type) diffs.push(`${path}: ${def.type} in the config, ${JSON.stringify(prop)} in the package`);
      break;
    case "unknown": // a secret setting: text, as an Input<string>
      if (prop.type !== "string" || prop.plain) diffs.push(`${path}: a secret must be a non-plain string`);
      break;
    default:
      diffs.push(`${path}: no rule for a config setting of type ${def.type}`);
  }
  if (Boolean(prop.optional) !== optional) diffs.push(`${path}: ${optional ? "optional" : "required"} in the config`);
  return diffs;
}

test("the inputs mirror the stack config schema key by key: names, nesting, required keys, types and enum values", () => {
  const resource = schema.resources[GITOPS_TYPE];
  const top = { $ref: "#/types/args" };
  const types = { ...schema.types, args: { type: "object", properties: resource.inputProperties, required: resource.requiredInputs } };
  assert.deepEqual(mirrorDiffs("args", stackConfigSchema, top, false, types), []);
  // The comparison can fail: a key the config does not have, a missing enum value.
  const extra = structuredClone(types);
  extra.args.properties = { ...extra.args.properties, stack: { type: "string" } };
  assert.notDeepEqual(mirrorDiffs("args", stackConfigSchema, top, false, extra), []);
  const fewer = structuredClone(types);
  fewer["flux-gitops:index:FluxLogLevel"].enum.pop();
  assert.deepEqual(mirrorDiffs("args", stackConfigSchema, top, false, fewer), [
    "args.flux.logLevel: values debug, error, info vs package debug, info",
  ]);
});

// ---- Construct vs. the program ---------------------------------------------------------------------------------

const ns = (key: string) => `${CONFIG_NAMESPACE}:${key}`;
const REPOSITORY = { owner: "acme", name: "gitops", branch: "main" };

/** Each environment's settings, as full stack config keys (secrets as `{ secure }`), built here. */
const CONFIGS: Record<string, { stack: string; config: Record<string, unknown> }> = {
  dev: {
    stack: "dev",
    config: {
      "github:owner": REPOSITORY.owner,
      [ns("repository")]: REPOSITORY,
      [ns("production")]: false,
      [ns("kubernetes")]: { version: "1.32.4" },
      [ns("flux")]: { version: "2.7.5", logLevel: "debug", componentsExtra: ["image-reflector-controller", "image-automation-controller"] },
      [ns("deployKey")]: { algorithm: "ed25519", readOnly: true, rotation: 0 },
      [ns("sync")]: { gitInterval: "1m", kustomizationInterval: "10m" },
      [ns("imageAutomation")]: { enabled: true, scanInterval: "5m", interval: "10m" },
    },
  },
  prod: {
    stack: "prod",
    config: {
      "github:owner": REPOSITORY.owner,
      [ns("repository")]: REPOSITORY,
      [ns("production")]: true,
      [ns("kubernetes")]: { version: "1.32.4" },
      [ns("flux")]: {
        version: "2.7.5",
        logLevel: "info",
        networkPolicy: true,
        tolerationKeys: ["dedicated"],
        multitenancy: { noCrossNamespaceRefs: true, noRemoteBases: true },
      },
      [ns("deployKey")]: { algorithm: "ecdsa", ecdsaCurve: "P384", readOnly: true, rotation: 0 },
      [ns("sync")]: { gitInterval: "5m", kustomizationInterval: "10m", timeout: "10m" },
    },
  },
  // Everything with a secret or an optional output: commit statuses, Slack, the push webhook, a private registry,
  // Alertmanager's SMTP password, on the Flux Operator.
  "dev, every secret and the webhook": {
    stack: "dev",
    config: {
      [ns("repository")]: REPOSITORY,
      [ns("kubernetes")]: { version: "1.33.1" },
      [ns("flux")]: { install: "operator", componentsExtra: ["image-reflector-controller", "image-automation-controller"] },
      [ns("notifications")]: { githubStatus: true, eventSeverity: "error", slack: { channel: "#deploys" } },
      [ns("receiver")]: { enabled: true, ingress: { host: "flux-webhook.example.com", className: "nginx", annotations: { a: "b" } } },
      [ns("imageAutomation")]: { enabled: true, registry: { server: "ghcr.io", username: "bot" } },
      [ns("githubStatusToken")]: { secure: "ghp_status_token" },
      [ns("slackWebhookUrl")]: { secure: "https://hooks.slack.com/services/T/B/X" },
      [ns("imageRegistryPassword")]: { secure: "registry-password" },
      [ns("alertmanagerSmtpPassword")]: { secure: "smtp-password" },
    },
  },
};

/** What the tls and random providers compute, the same for both runs (`up`: key material flows everywhere). */
function computed(reg: EngineRegistration): Record<string, unknown> | undefined {
  if (reg.type === "tls:index/privateKey:PrivateKey") {
    return {
      privateKeyOpenssh: `-----BEGIN OPENSSH PRIVATE KEY-----\nFAKE-${reg.name}\n-----END OPENSSH PRIVATE KEY-----\n`,
      publicKeyOpenssh: `ssh-ed25519 FAKE${reg.name.replace(/[^A-Za-z0-9]/g, "")}\n`,
      publicKeyFingerprintSha256: `SHA256:fake-${reg.name}`,
    };
  }
  if (reg.type === "random:index/randomPassword:RandomPassword") return { result: `fake-token-${reg.name}` };
  return undefined;
}

/** The component's inputs as the engine sends them in Construct: the settings plain, the secrets wrapped. */
function constructInputs(config: Record<string, unknown>): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!key.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    const name = key.slice(CONFIG_NAMESPACE.length + 1);
    const secure = typeof value === "object" && value !== null && "secure" in value;
    inputs[name] = secure ? { [SIG_KEY]: SECRET_SIG, value: (value as { secure: string }).secure } : value;
  }
  return inputs;
}

/** The stack config as the engine puts it into ConstructRequest.config (`<namespace>:<key>` → text). */
function constructConfig(config: Record<string, unknown>): { config: Record<string, string>; secretKeys: string[] } {
  const out: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    const secure = typeof value === "object" && value !== null && "secure" in value;
    if (secure) secretKeys.push(key);
    out[key] = secure ? (value as { secure: string }).secure : typeof value === "string" ? value : JSON.stringify(value);
  }
  return { config: out, secretKeys };
}

/** A registration as the engine would compare it: everything it was told, dependency lists in a stable order. */
function comparable(r: EngineRegistration) {
  const propertyDependencies = Object.fromEntries(
    Object.entries(r.propertyDependencies)
      .map(([k, v]) => [k, [...v].sort()] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  return {
    ...r,
    dependencies: [...r.dependencies].sort(),
    propertyDependencies,
    additionalSecretOutputs: [...r.additionalSecretOutputs].sort(),
  };
}

// `up` for each (the key material flows into GitHub, the Secrets and the outputs); `preview` for the one with
// everything, where what providers compute is still unknown.
const RUNS = [
  ...Object.keys(CONFIGS).map((label) => ({ label, dryRun: false })),
  { label: "dev, every secret and the webhook", dryRun: true },
];

for (const { label, dryRun } of RUNS) {
  const { stack, config } = CONFIGS[label]!;
  test(`${label} (${dryRun ? "preview" : "up"}): Construct through the plugin registers what the program registers for the same config`, async () => {
    // In preview a provider has computed nothing yet: the key material and the webhook token stay unknown.
    const provides = dryRun ? undefined : computed;
    const program = await runUnderCmdRun({ stack, dryRun, replaceConfig: config, computed: provides });
    assert.equal(program.code, 0, `the program failed: ${program.stderr}\n${program.engine.logs.map((l) => l.message).join("\n")}`);
    const stackResource = program.engine.one(STACK_TYPE);

    const constructEngine = await FakeEngine.start({ project: PROJECT, stack, dryRun, computed: provides });
    try {
      const { config: cfg, secretKeys } = constructConfig(config);
      const result = await plugin.construct({
        project: PROJECT,
        stack,
        dryRun,
        monitorAddress: constructEngine.monitorAddress,
        type: GITOPS_TYPE,
        name: stack,
        parent: stackResource.urn,
        inputs: constructInputs(config),
        config: cfg,
        configSecretKeys: secretKeys,
      });
      const fromProgram = program.engine.registrations.filter((r) => r.type !== STACK_TYPE).map(comparable);
      const fromPackage = constructEngine.registrations.map(comparable);
      assert.ok(fromProgram.length >= 10, `the program registered ${fromProgram.length} resources`);
      const byUrn = (a: { urn: string }, b: { urn: string }) => a.urn.localeCompare(b.urn);
      assert.deepEqual(fromPackage.map((r) => r.urn).sort(), fromProgram.map((r) => r.urn).sort());
      assert.deepEqual(fromPackage.sort(byUrn), fromProgram.sort(byUrn));
      assert.equal(result.urn, constructEngine.one(GITOPS_TYPE).urn);
      assert.deepEqual(
        constructEngine.logs.filter((l) => l.severity === "error" || l.severity === "warning"),
        [],
      );

      // The outputs: the package's are the program's stack outputs (webhookUrl is the program's own).
      const { webhookUrl, ...stackOutputs } = program.engine.stackOutputs;
      assert.deepEqual(result.state, stackOutputs);
      assert.deepEqual(Object.keys(result.state).sort(), OUTPUTS.filter((o) => o in result.state).sort());
      const withWebhook = (config[ns("receiver")] as { enabled?: boolean } | undefined)?.enabled === true;
      assert.equal("webhookPath" in result.state, withWebhook);
      assert.equal(webhookUrl !== undefined, withWebhook);
      if (withWebhook && !dryRun) assert.match(result.state.webhookPath, /^\/hook\/[0-9a-f]{64}$/);
      assert.equal(result.state.syncPath, `./cluster/${stack}`);
      assert.ok(!JSON.stringify(result.state).includes("PRIVATE KEY"), "no private key in the outputs");
    } finally {
      await constructEngine.close();
    }
  });
}

test("Construct with a bad setting fails with one line naming args.<key>, and registers nothing", async () => {
  const constructEngine = await FakeEngine.start({ project: PROJECT, stack: "dev", dryRun: true });
  try {
    const inputs = constructInputs(CONFIGS.dev!.config);
    inputs.repository = { ...REPOSITORY, owner: "-acme" };
    await assert.rejects(
      plugin.construct({
        project: PROJECT,
        stack: "dev",
        dryRun: true,
        monitorAddress: constructEngine.monitorAddress,
        type: GITOPS_TYPE,
        name: "dev",
        parent: `urn:pulumi:dev::${PROJECT}::${STACK_TYPE}::${PROJECT}-dev`,
        inputs,
      }),
      (err: Error & { details?: string }) => {
        assert.match(err.details ?? err.message, /^FluxGitOps dev: args\.repository\.owner must be a GitHub user or organisation name/);
        assert.doesNotMatch(err.details ?? err.message, /\n/, "one line");
        return true;
      },
    );
    assert.deepEqual(constructEngine.registrations, []);
  } finally {
    await constructEngine.close();
  }
});
