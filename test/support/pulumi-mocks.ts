// Runs the real Pulumi entry point (stacks/program.ts) under Pulumi's mock monitor and records every
// registration exactly as the engine would receive it: type, name, URN, parent, inputs (with their
// secret markers), the dependency URNs that the engine orders by, and the resource options.
import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings.js";
import * as rpc from "@pulumi/pulumi/runtime/rpc.js";
import gstruct from "google-protobuf/google/protobuf/struct_pb.js";

const { Struct } = gstruct;

export { ROOT } from "./paths.ts";
import { testStackFile } from "./stacks.ts";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/** Type tokens of the resources the stacks register. */
export const TYPES = {
  gitops: "flux-gitops:index:FluxGitOps",
  privateKey: "tls:index/privateKey:PrivateKey",
  deployKey: "github:index/repositoryDeployKey:RepositoryDeployKey",
  namespace: "kubernetes:core/v1:Namespace",
  release: "kubernetes:helm.sh/v3:Release",
  secret: "kubernetes:core/v1:Secret",
  gitRepository: "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository",
  kustomization: "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization",
  instance: "kubernetes:fluxcd.controlplane.io/v1:FluxInstance",
  provider: "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Provider",
  alert: "kubernetes:notification.toolkit.fluxcd.io/v1beta3:Alert",
  receiver: "kubernetes:notification.toolkit.fluxcd.io/v1:Receiver",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  webhook: "github:index/repositoryWebhook:RepositoryWebhook",
  password: "random:index/randomPassword:RandomPassword",
} as const;

export interface Registration {
  type: string;
  name: string;
  urn: string;
  parent: string;
  custom: boolean;
  /** Inputs with secrets unwrapped. */
  inputs: Record<string, any>;
  /** Inputs as serialized for the engine (secret values wrapped in the secret signature). */
  wireInputs: Record<string, any>;
  /** URNs this resource waits for (explicit dependsOn and implicit output dependencies). */
  dependencies: string[];
  retainOnDelete: boolean;
  deleteBeforeReplace: boolean;
  additionalSecretOutputs: string[];
}

export interface KeyMaterial {
  privateKeyOpenssh: string;
  publicKeyOpenssh: string;
  publicKeyFingerprintSha256: string;
}

function isSecure(v: unknown): v is { secure: string } {
  return typeof v === "object" && v !== null && typeof (v as { secure?: unknown }).secure === "string";
}

export interface RunOptions {
  /**
   * Override or add `flux-gitops:*` (or any) config values, keyed by full key. `undefined` deletes;
   * `{ secure: "value" }` sets a secret value (as `pulumi config set --secret` would).
   */
  config?: Record<string, unknown>;
  /** Config values taken as is instead of reading Pulumi.<stack>.yaml. */
  replaceConfig?: Record<string, unknown>;
  /** Key material the mocked tls provider returns (default: unique fake text per key name). */
  keys?: (name: string, inputs: Record<string, any>) => KeyMaterial;
  /** `result` the mocked random provider returns for a RandomPassword (default: `mock-hmac-token-<name>`). */
  randomResult?: (name: string) => string;
}

export interface StackRun {
  registrations: Registration[];
  /** Stack exports, resolved, with whether each is secret. */
  outputs: Record<string, { value: unknown; secret: boolean }>;
  /** Tokens of invokes the program made (each one also failed the run). */
  invokes: string[];
  byType(type: string): Registration[];
  one(type: string, name?: string): Registration;
}

/** The tests' own config of `stack` (test/support/stacks.ts) as Pulumi passes it to a program: full keys, structured values as JSON text. */
export function stackConfig(stack: string): Record<string, unknown> {
  const doc = yaml.load(readFileSync(testStackFile(stack), "utf8")) as { config?: Record<string, unknown> };
  return { ...(doc.config ?? {}) };
}

export function fakeKeys(name: string): KeyMaterial {
  return {
    privateKeyOpenssh: `-----BEGIN OPENSSH PRIVATE KEY-----\nMOCK-PRIVATE-${name}\n-----END OPENSSH PRIVATE KEY-----\n`,
    publicKeyOpenssh: `ssh-ed25519 MOCKPUBLIC${name.replace(/[^A-Za-z0-9]/g, "")}\n`,
    publicKeyFingerprintSha256: `SHA256:mockfingerprint-${name}`,
  };
}

/** Replace every secret wrapper by the value it wraps. */
function unwrapSecrets(value: any): any {
  if (value === null || typeof value !== "object") return value;
  if (value[SIG_KEY] === SECRET_SIG) return unwrapSecrets(value.value);
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
}

function hasSecret(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  if ((value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG) return true;
  return Object.values(value).some(hasSecret);
}

/** Whether `path` (e.g. ["stringData"]) of a wire input is, or lies inside, a secret. */
export function isSecretAt(wire: Record<string, any>, path: string[]): boolean {
  let cur: any = wire;
  for (const key of path) {
    if (cur && typeof cur === "object" && cur[SIG_KEY] === SECRET_SIG) return true;
    cur = cur?.[key];
  }
  return hasSecret(cur) || (cur && typeof cur === "object" && cur[SIG_KEY] === SECRET_SIG);
}

let runCount = 0;

/** Run stacks/program.ts for `stack` under mocks and resolve once every registration is done. */
export async function runStack(stack: string, options: RunOptions = {}): Promise<StackRun> {
  const registrations: Registration[] = [];
  const invokes: string[] = [];
  const keys = options.keys ?? ((name: string) => fakeKeys(name));
  const randomResult = options.randomResult ?? ((name: string) => `mock-hmac-token-${name}`);

  const config = { ...(options.replaceConfig ?? stackConfig(stack)), ...options.config };
  // Like the engine: a `{ secure: value }` entry reaches the program as a secret config value.
  const wireConfig: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [k, v] of Object.entries(config)) {
    if (v === undefined) continue;
    if (isSecure(v)) {
      wireConfig[k] = v.secure;
      secretKeys.push(k);
    } else {
      wireConfig[k] = typeof v === "string" ? v : JSON.stringify(v);
    }
  }

  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const state: Record<string, any> = { ...args.inputs };
        // Outputs a provider computes: tls key material, a random password's result.
        if (args.type === TYPES.privateKey) Object.assign(state, keys(args.name, args.inputs));
        if (args.type === TYPES.password) state.result = randomResult(args.name);
        return { id: `${args.name}-id`, state };
      },
      call(args) {
        invokes.push(args.token);
        throw new Error(`unexpected invoke ${args.token}`);
      },
    },
    "flux-gitops",
    stack,
    false,
  );
  pulumi.runtime.setAllConfig(wireConfig, secretKeys);

  const monitor = settings.getMonitor() as any;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: any) => {
    const wireInputs = req.getObject()?.toJavaScript() ?? {};
    const record = {
      type: req.getType(),
      name: req.getName(),
      parent: req.getParent(),
      custom: req.getCustom(),
      wireInputs,
      dependencies: req.getDependenciesList(),
      retainOnDelete: req.getRetainondelete() ?? false,
      deleteBeforeReplace: req.getDeletebeforereplace(),
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    };
    return register(req, (err: unknown, resp: any) => {
      if (!err) {
        // Like the engine, mark the outputs the resource declares secret (e.g. tls private keys).
        const state = resp.getObject().toJavaScript();
        for (const key of record.additionalSecretOutputs) {
          if (key in state) state[key] = { [SIG_KEY]: SECRET_SIG, value: state[key] };
        }
        resp.setObject(Struct.fromJavaScript(state));
        registrations.push({ ...record, urn: resp.getUrn(), inputs: unwrapSecrets(rpc.deserializeProperties(req.getObject())) });
      }
      callback(err, resp);
    });
  };

  const failures: unknown[] = [];
  const onRejection = (err: unknown) => failures.push(err);
  process.on("unhandledRejection", onRejection);
  try {
    const program = await import(`../../stacks/program.ts?run=${++runCount}`);
    const outputs: StackRun["outputs"] = {};
    for (const [name, value] of Object.entries(program)) {
      if (pulumi.Output.isInstance(value)) {
        const o = value as pulumi.Output<unknown>;
        const [resolved, secret] = await Promise.all([new Promise((resolve) => o.apply(resolve)), (o as any).isSecret as Promise<boolean>]);
        outputs[name] = { value: resolved, secret };
      } else {
        outputs[name] = { value, secret: false };
      }
    }
    // Internal to the SDK (not in its typings): resolves once every outstanding RPC has finished.
    await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    if (failures.length > 0) throw failures[0];
    if (invokes.length > 0) throw new Error(`unexpected invoke(s): ${invokes.join(", ")}`);
    return {
      registrations,
      outputs,
      invokes,
      byType: (type) => registrations.filter((r) => r.type === type),
      one(type, name) {
        const found = registrations.filter((r) => r.type === type && (name === undefined || r.name === name));
        if (found.length !== 1) throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
        return found[0]!;
      },
    };
  } finally {
    process.off("unhandledRejection", onRejection);
  }
}
