// An in-process stand-in for the Pulumi engine that a program started through @pulumi/pulumi/cmd/run talks
// to, so the real program (index.js → stacks/program.ts) runs with no Pulumi CLI, cloud or cluster: `npm run
// preview` lists what it registers, and the entry-point tests (test/entrypoints/) check it. It serves the
// ResourceMonitor and Engine gRPC services on the SDK's own generated service definitions
// (@pulumi/pulumi/proto/*_grpc_pb.js), so the request and response messages are exactly the wire format
// of the installed SDK. It records what the engine would be told and answers like the engine does:
//   - GetDeploymentInfo / SupportsFeature: the features listed in FEATURES (what the CLI's engine advertises
//     that this program's registrations depend on: secrets, resource references, output values, deletedWith,
//     alias specs);
//   - RegisterResource: records type, name, URN, parent, dependencies, property dependencies, secret outputs and
//     the wire inputs; answers with the URN the engine would build, an id (empty during preview) and the inputs
//     echoed as outputs, plus the outputs a provider computes when `computed` returns them (a provider is not run);
//   - RegisterResourceOutputs: records the outputs (the stack's exports for the root resource);
//   - Invoke: recorded and refused (this program makes none; a new one fails the run visibly);
//   - Engine Log / GetRootResource / SetRootResource, SignalAndWaitForShutdown.
// Everything else answers UNIMPLEMENTED, as grpc-js does for a service method without a handler.
// No provider runs: nothing is created anywhere, and what a provider would compute is unknown (or what
// `computed` returns). runProgram() then starts the program the way pulumi-language-nodejs does (see its constructArguments /
// execRuntime): `node <program dir>/node_modules/@pulumi/pulumi/cmd/run --monitor … --engine … --sync <dir>
// --organization … --project … --root-directory … --stack … --pwd <program dir> [--dry-run] --parallel N <entry>`,
// with PULUMI_CONFIG (keys `<namespace>:config:<key>`) and PULUMI_CONFIG_SECRET_KEYS in the environment.
// @grpc/grpc-js and google-protobuf are devDependencies (the SDK brings its own copies for the program):
// previewing is a development task, like rendering, and `npm ci` installs them.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import * as grpc from "@grpc/grpc-js";
import yaml from "js-yaml";
import resourceRpc from "@pulumi/pulumi/proto/resource_grpc_pb.js";
import resourcePb from "@pulumi/pulumi/proto/resource_pb.js";
import engineRpc from "@pulumi/pulumi/proto/engine_grpc_pb.js";
import enginePb from "@pulumi/pulumi/proto/engine_pb.js";
import structPb from "google-protobuf/google/protobuf/struct_pb.js";
import emptyPb from "google-protobuf/google/protobuf/empty_pb.js";

const Feature = resourcePb.ResourceMonitorFeature;
export const FEATURES = {
  secrets: Feature.RESOURCE_MONITOR_FEATURE_SECRETS,
  resourceReferences: Feature.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES,
  outputValues: Feature.RESOURCE_MONITOR_FEATURE_OUTPUT_VALUES,
  deletedWith: Feature.RESOURCE_MONITOR_FEATURE_DELETED_WITH,
  aliasSpecs: Feature.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS,
} as const;

/** The value the SDK sends for an output that is not known yet (@pulumi/pulumi runtime/rpc.js `unknownValue`, 3.270.0). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
const STACK_TYPE = "pulumi:pulumi:Stack";

export interface EngineRegistration {
  type: string;
  name: string;
  urn: string;
  parent: string;
  custom: boolean;
  /** URNs the resource waits for (explicit dependsOn and implicit output dependencies). */
  dependencies: string[];
  /** Per input property, the URNs its value came from. */
  propertyDependencies: Record<string, string[]>;
  /** Outputs the program asks the engine to keep secret. */
  additionalSecretOutputs: string[];
  /** Inputs as the SDK serialized them (secret values wrapped in the secret signature). */
  inputs: Record<string, any>;
  provider: string;
  deletedWith: string;
  retainOnDelete: boolean;
}

export interface LogEntry {
  severity: "debug" | "info" | "warning" | "error";
  message: string;
  urn: string;
}

export interface EngineOptions {
  project: string;
  stack: string;
  organization?: string;
  dryRun: boolean;
  /** Outputs a provider would compute for a resource (added to the echoed inputs); undefined: none. */
  computed?: (r: EngineRegistration) => Record<string, unknown> | undefined;
}

const SEVERITY = ["debug", "info", "warning", "error"] as const;

function toJs(s: { toJavaScript(): any } | undefined): Record<string, any> {
  return (s?.toJavaScript() as Record<string, any> | undefined) ?? {};
}

export function isSecretValue(v: unknown): boolean {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

export class RecordingEngine {
  readonly registrations: EngineRegistration[] = [];
  readonly logs: LogEntry[] = [];
  readonly invokes: string[] = [];
  /** RegisterResourceOutputs calls, by URN. */
  readonly outputs = new Map<string, Record<string, any>>();
  rootUrn = "";
  shutdownSignalled = false;
  readonly options: EngineOptions;
  private readonly server: grpc.Server;
  private readonly byUrn = new Map<string, EngineRegistration>();
  monitorAddress = "";
  engineAddress = "";

  private constructor(options: EngineOptions) {
    this.options = options;
    this.server = new grpc.Server();
  }

  static async start(options: EngineOptions): Promise<RecordingEngine> {
    const engine = new RecordingEngine(options);
    engine.serve();
    const port = await new Promise<number>((res, rej) =>
      engine.server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? rej(err) : res(p))),
    );
    // One server, both services: the CLI serves them separately, the SDK only needs two addresses.
    engine.monitorAddress = engine.engineAddress = `127.0.0.1:${port}`;
    return engine;
  }

  /** The stack's exports as registered on the root resource (wire form). */
  get stackOutputs(): Record<string, any> {
    return this.outputs.get(this.rootUrn) ?? {};
  }

  byType(type: string): EngineRegistration[] {
    return this.registrations.filter((r) => r.type === type);
  }

  one(type: string, name?: string): EngineRegistration {
    const found = this.byType(type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1)
      throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
    return found[0]!;
  }

  private urnFor(type: string, name: string, parent: string): string {
    const { project, stack } = this.options;
    const parentReg = parent ? this.byUrn.get(parent) : undefined;
    // Children of the stack resource do not carry its type; deeper children carry their parents' chain.
    const chain = parentReg && parentReg.type !== STACK_TYPE ? `${parent.split("::")[2]}$${type}` : type;
    return `urn:pulumi:${stack}::${project}::${chain}::${name}`;
  }

  private serve(): void {
    const { dryRun, project, stack, organization = "organization" } = this.options;
    const supported = Object.values(FEATURES) as number[];
    const monitor = {
      getDeploymentInfo: (_call: any, cb: grpc.sendUnaryData<any>) => {
        const info = new resourcePb.DeploymentInfo();
        info.setProject(project);
        info.setStack(stack);
        info.setOrganization(organization);
        info.setDryrun(dryRun);
        info.setSupportedfeaturesList(supported);
        cb(null, info);
      },
      supportsFeature: (call: any, cb: grpc.sendUnaryData<any>) => {
        const id = call.request.getId() as keyof typeof FEATURES;
        const resp = new resourcePb.SupportsFeatureResponse();
        resp.setHassupport(id in FEATURES);
        cb(null, resp);
      },
      registerResource: (call: any, cb: grpc.sendUnaryData<any>) => {
        const req = call.request;
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
          propertyDependencies[key] = deps.getUrnsList();
        });
        const reg: EngineRegistration = {
          type: req.getType(),
          name: req.getName(),
          parent: req.getParent(),
          urn: this.urnFor(req.getType(), req.getName(), req.getParent()),
          custom: req.getCustom(),
          dependencies: req.getDependenciesList(),
          propertyDependencies,
          additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
          inputs: toJs(req.getObject()),
          provider: req.getProvider(),
          deletedWith: req.getDeletedwith(),
          retainOnDelete: req.getRetainondelete() ?? false,
        };
        this.registrations.push(reg);
        this.byUrn.set(reg.urn, reg);
        const state: Record<string, unknown> = { ...reg.inputs, ...(this.options.computed?.(reg) ?? {}) };
        // Like the engine, outputs the program declared secret come back as secrets.
        for (const key of reg.additionalSecretOutputs) {
          if (key in state && !isSecretValue(state[key])) state[key] = { [SIG_KEY]: SECRET_SIG, value: state[key] };
        }
        const resp = new resourcePb.RegisterResourceResponse();
        resp.setUrn(reg.urn);
        if (reg.custom) resp.setId(dryRun ? "" : `${reg.name}-id`);
        resp.setObject(structPb.Struct.fromJavaScript(state as any));
        cb(null, resp);
      },
      registerResourceOutputs: (call: any, cb: grpc.sendUnaryData<any>) => {
        this.outputs.set(call.request.getUrn(), toJs(call.request.getOutputs()));
        cb(null, new emptyPb.Empty());
      },
      invoke: (call: any, cb: grpc.sendUnaryData<any>) => {
        this.invokes.push(call.request.getTok());
        cb({ code: grpc.status.UNIMPLEMENTED, details: `the test engine answers no invokes (${call.request.getTok()})` }, null);
      },
      signalAndWaitForShutdown: (_call: any, cb: grpc.sendUnaryData<any>) => {
        this.shutdownSignalled = true;
        cb(null, new emptyPb.Empty());
      },
    };
    const engine = {
      log: (call: any, cb: grpc.sendUnaryData<any>) => {
        const req = call.request;
        this.logs.push({ severity: SEVERITY[req.getSeverity() as number] ?? "info", message: req.getMessage(), urn: req.getUrn() });
        cb(null, new emptyPb.Empty());
      },
      getRootResource: (_call: any, cb: grpc.sendUnaryData<any>) => {
        const resp = new enginePb.GetRootResourceResponse();
        resp.setUrn(this.rootUrn);
        cb(null, resp);
      },
      setRootResource: (call: any, cb: grpc.sendUnaryData<any>) => {
        this.rootUrn = call.request.getUrn();
        cb(null, new enginePb.SetRootResourceResponse());
      },
    };
    this.server.addService(resourceRpc.ResourceMonitorService, monitor as any);
    this.server.addService(engineRpc.EngineService, engine as any);
  }

  close(): Promise<void> {
    return new Promise((res) => this.server.tryShutdown(() => res()));
  }
}

interface ProjectFile {
  name: string;
  main?: string;
  runtime: { name: string; options?: { typescript?: boolean; nodeargs?: string } };
}

/**
 * The program directory and entry point the CLI derives from Pulumi.yaml's `main` (pulumi/pulumi
 * getPwdMain): a file main runs from its own folder with its base name as the entry point; a folder
 * main runs from that folder with entry point ".".
 */
export function programLocation(root: string): { project: ProjectFile; programDir: string; entryPoint: string } {
  const project = yaml.load(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as ProjectFile;
  if (!project.main) return { project, programDir: root, entryPoint: "." };
  const main = resolve(root, project.main);
  if (relative(root, main).startsWith("..")) throw new Error("Pulumi.yaml main must be inside the project");
  const isDir = statSync(main).isDirectory();
  return isDir ? { project, programDir: main, entryPoint: "." } : { project, programDir: dirname(main), entryPoint: basename(main) };
}

/** A stack's config as Pulumi.<stack>.yaml holds it: `<namespace>:<key>` → value, `{ secure: … }` for a secret. */
export type StackConfigEntries = Record<string, unknown>;

/** The `config:` entries of a stack file. */
export function readStackConfigEntries(file: string): StackConfigEntries {
  const doc = yaml.load(readFileSync(file, "utf8")) as { config?: StackConfigEntries } | undefined;
  return { ...doc?.config };
}

/**
 * Stack config as the CLI passes it to the language host: full keys, structured values as JSON text; a
 * `{ secure: … }` value is passed as it stands (the CLI would pass it decrypted) and its key listed as secret.
 */
export function languageHostConfig(entries: StackConfigEntries) {
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(entries)) {
    if (value === undefined) continue;
    const secure = typeof value === "object" && value !== null && "secure" in value;
    const text = secure ? String((value as { secure: unknown }).secure) : typeof value === "string" ? value : JSON.stringify(value);
    if (secure) secretKeys.push(key);
    // pulumi-language-nodejs constructConfig: `<namespace>:<key>` becomes `<namespace>:config:<key>`.
    const colon = key.indexOf(":");
    config[`${key.slice(0, colon)}:config:${key.slice(colon + 1)}`] = text;
  }
  return { PULUMI_CONFIG: JSON.stringify(config), PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secretKeys) };
}

export interface CmdRunOptions {
  /** The project root (the folder holding Pulumi.yaml). */
  root: string;
  stack: string;
  /** The stack's config entries (e.g. readStackConfigEntries of its Pulumi.<stack>.yaml). */
  config: StackConfigEntries;
  dryRun: boolean;
  /** Node binary (default: this test's node, i.e. a new-enough one first on PATH). */
  node?: string;
  /** Extra node arguments before the run script (e.g. a preload). */
  nodeArgs?: string[];
  computed?: EngineOptions["computed"];
  timeoutMs?: number;
}

export interface CmdRunResult {
  engine: RecordingEngine;
  code: number | null;
  stdout: string;
  stderr: string;
  /** The command line, for failure messages. */
  argv: string[];
}

/** Starts the project's program through @pulumi/pulumi/cmd/run against a fresh RecordingEngine, as `pulumi preview`/`up` would. */
export async function runProgram(opts: CmdRunOptions): Promise<CmdRunResult> {
  const { project, programDir, entryPoint } = programLocation(opts.root);
  const engine = await RecordingEngine.start({ project: project.name, stack: opts.stack, dryRun: opts.dryRun, computed: opts.computed });
  // The language host resolves the run script from the program directory (locateModule), as Node would.
  const runPath = createRequire(join(programDir, "package.json")).resolve("@pulumi/pulumi/cmd/run");
  const syncDir = mkdtempSync(join(tmpdir(), "flux-gitops-sync-"));
  const nodeargs = (project.runtime.options?.nodeargs ?? "").split(/\s+/).filter(Boolean);
  const argv = [
    ...nodeargs,
    ...(opts.nodeArgs ?? []),
    runPath,
    "--monitor",
    engine.monitorAddress,
    "--engine",
    engine.engineAddress,
    "--sync",
    syncDir,
    "--organization",
    "organization",
    "--project",
    project.name,
    "--root-directory",
    opts.root,
    "--stack",
    opts.stack,
    "--pwd",
    programDir,
    ...(opts.dryRun ? ["--dry-run"] : []),
    "--parallel",
    "16",
    entryPoint,
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, ...languageHostConfig(opts.config) };
  if (project.runtime.options?.typescript !== false) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  const child = spawn(opts.node ?? process.execPath, argv, { cwd: programDir, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const timer = setTimeout(() => child.kill(), opts.timeoutMs ?? 90_000);
  const code = await new Promise<number | null>((res) => child.once("close", (c) => res(c)));
  clearTimeout(timer);
  await engine.close();
  return { engine, code, stdout, stderr, argv: [opts.node ?? process.execPath, ...argv] };
}
