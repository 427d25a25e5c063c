// Starts policies/ and talks to it over the Analyzer gRPC service whose definitions ship in @pulumi/pulumi.
// start() runs `node index.ts` directly (the rule tests); startLikeCli() goes through the CLI's own entry,
// @pulumi/pulumi/cmd/run-policy-pack and policies/package.json's main (test/entrypoints/). Both give the pack:
//   - working directory: the pack directory (the pack reads its version from ./package.json),
//   - arguments: <engine address> <program directory> (".")  — @pulumi/policy 1.21 never dials the engine,
//   - environment: PULUMI_CONFIG (the stack config as a JSON map of full keys to strings), PULUMI_NODEJS_PROJECT,
//     PULUMI_NODEJS_STACK, PULUMI_NODEJS_DRY_RUN, PULUMI_NODEJS_ORGANIZATION,
//   - the pack prints the port it serves on as the first stdout line.
// `--policy-pack-config` reaches the pack as a Configure call; `configure()` sends the same file shape.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { createInterface } from "node:readline";
import * as grpc from "@grpc/grpc-js";
import yaml from "js-yaml";
import analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb.js";
import analyzerPb from "@pulumi/pulumi/proto/analyzer_pb.js";
import type { EngineRegistration } from "./engine.ts";
import structPb from "google-protobuf/google/protobuf/struct_pb.js";
import emptyPb from "google-protobuf/google/protobuf/empty_pb.js";

export const PACK_DIR = join(import.meta.dirname, "..", "..", "policies");

/** What the engine knows about a registered resource (the mocks harness records the same fields). */
export interface AnalyzerInput {
  type: string;
  name: string;
  urn: string;
  parent?: string;
  /** Inputs as serialized for the engine (secrets keep their signature). */
  properties: Record<string, unknown>;
  dependencies?: string[];
}

/** A resource the program registered through cmd/run, as the engine hands it to the analyzer. */
export function analyzerInput(r: EngineRegistration): AnalyzerInput {
  return { type: r.type, name: r.name, urn: r.urn, parent: r.parent || undefined, properties: r.inputs, dependencies: r.dependencies };
}

export interface Diagnostic {
  policy: string;
  level: "advisory" | "mandatory";
  message: string;
  urn: string;
}

const LEVELS: Record<string, number> = {
  advisory: analyzerPb.EnforcementLevel.ADVISORY,
  mandatory: analyzerPb.EnforcementLevel.MANDATORY,
  disabled: analyzerPb.EnforcementLevel.DISABLED,
};

function struct(value: Record<string, unknown>) {
  return structPb.Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));
}

function options(r: AnalyzerInput) {
  const opts = new analyzerPb.AnalyzerResourceOptions();
  if (r.parent) opts.setParent(r.parent);
  return opts;
}

function diagnostics(resp: { getDiagnosticsList(): any[] }): Diagnostic[] {
  return resp.getDiagnosticsList().map((d) => ({
    policy: d.getPolicyname(),
    level: d.getEnforcementlevel() === analyzerPb.EnforcementLevel.MANDATORY ? "mandatory" : "advisory",
    message: d.getMessage(),
    urn: d.getUrn(),
  }));
}

/** The fields AnalyzeRequest and AnalyzerResource share: type, name, URN, properties, options. */
function describeResource<T extends analyzerPb.AnalyzeRequest | analyzerPb.AnalyzerResource>(msg: T, r: AnalyzerInput): T {
  msg.setType(r.type);
  msg.setName(r.name);
  msg.setUrn(r.urn);
  msg.setProperties(struct(r.properties));
  msg.setOptions(options(r));
  return msg;
}

export interface CliPackOptions {
  stack: string;
  /** Stack config, full keys (e.g. `github:owner`); structured values are sent as JSON text. */
  stackConfig?: Record<string, unknown>;
  /** Address the pack is given as the engine's (the test engine's, for its Log service). */
  engineAddress: string;
  dryRun?: boolean;
  /** Node binary (default: this test's node). */
  node?: string;
  /** Extra node arguments before the run script (e.g. a preload). */
  nodeArgs?: string[];
}

/**
 * The command the Pulumi CLI runs for a Node.js policy pack (pkg/resource/plugin NewPolicyAnalyzer with the
 * `pulumi-analyzer-policy` shim of sdk/nodejs/dist): in the pack directory, `node <require.resolve of
 * @pulumi/pulumi/cmd/run-policy-pack from there> <engine address> . -<option>=<value>…` (PulumiPolicy.yaml's
 * runtime options), environment: the CLI's own plus PULUMI_CONFIG (`<namespace>:<key>` keys) and
 * PULUMI_[NODEJS_]ORGANIZATION / PROJECT / STACK / DRY_RUN (constructEnv).
 */
export function cliPolicyPackCommand(options: CliPackOptions): { command: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv } {
  const policyProject = yaml.load(readFileSync(join(PACK_DIR, "PulumiPolicy.yaml"), "utf8")) as {
    runtime: { name: string; options?: Record<string, unknown> };
  };
  const runtimeOptions = Object.entries(policyProject.runtime.options ?? {}).map(([k, v]) => `-${k}=${String(v)}`);
  const runPath = createRequire(join(PACK_DIR, "package.json")).resolve("@pulumi/pulumi/cmd/run-policy-pack");
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.stackConfig ?? {})) config[k] = typeof v === "string" ? v : JSON.stringify(v);
  const dryRun = String(options.dryRun ?? true);
  const env: NodeJS.ProcessEnv = { ...process.env, PULUMI_CONFIG: JSON.stringify(config) };
  for (const prefix of ["PULUMI_NODEJS_", "PULUMI_"]) {
    env[`${prefix}ORGANIZATION`] = "organization";
    env[`${prefix}PROJECT`] = "flux-gitops";
    env[`${prefix}STACK`] = options.stack;
    env[`${prefix}DRY_RUN`] = dryRun;
  }
  return {
    command: options.node ?? process.execPath,
    args: [...(options.nodeArgs ?? []), runPath, options.engineAddress, ".", ...runtimeOptions],
    cwd: PACK_DIR,
    env,
  };
}

export class PolicyPackProcess {
  readonly child: ChildProcess;
  readonly client: any;
  readonly stderr: string[];

  private constructor(child: ChildProcess, client: any, stderr: string[]) {
    this.child = child;
    this.client = client;
    this.stderr = stderr;
  }

  /** Starts the pack for `stack` with the given stack config (full keys, e.g. `github:owner`). */
  static async start(stack: string, stackConfig: Record<string, unknown> = {}): Promise<PolicyPackProcess> {
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(stackConfig)) config[k] = typeof v === "string" ? v : JSON.stringify(v);
    const child = spawn(process.execPath, ["index.ts", "127.0.0.1:1", "."], {
      cwd: PACK_DIR,
      env: {
        ...process.env,
        PULUMI_CONFIG: JSON.stringify(config),
        PULUMI_NODEJS_PROJECT: "flux-gitops",
        PULUMI_NODEJS_STACK: stack,
        PULUMI_NODEJS_DRY_RUN: "true",
        PULUMI_NODEJS_ORGANIZATION: "organization",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    return PolicyPackProcess.connect(child);
  }

  /** Starts the pack exactly as the CLI does (see cliPolicyPackCommand). */
  static async startLikeCli(options: CliPackOptions): Promise<PolicyPackProcess> {
    const { command, args, cwd, env } = cliPolicyPackCommand(options);
    return PolicyPackProcess.connect(spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] }));
  }

  private static async connect(child: ChildProcess): Promise<PolicyPackProcess> {
    const stderr: string[] = [];
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
    const port = await new Promise<number>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.once("line", (line) => resolve(Number(line.trim())));
      child.once("exit", (code) => reject(new Error(`policy pack exited (${code}) before printing its port: ${stderr.join("")}`)));
    });
    if (!Number.isInteger(port) || port <= 0) throw new Error(`policy pack printed no port: ${stderr.join("")}`);
    const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new PolicyPackProcess(child, client, stderr);
  }

  private call<T>(method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      this.client[method](request, (err: Error | null, resp: T) => (err ? reject(err) : resolve(resp)));
    });
  }

  async info(): Promise<{ name: string; version: string; policies: { name: string; level: string }[] }> {
    const resp: any = await this.call("getAnalyzerInfo", new emptyPb.Empty());
    const names = Object.fromEntries(Object.entries(LEVELS).map(([k, v]) => [v, k]));
    return {
      name: resp.getName(),
      version: resp.getVersion(),
      policies: resp.getPoliciesList().map((p: any) => ({ name: p.getName(), level: names[p.getEnforcementlevel()]! })),
    };
  }

  /**
   * Sends a config in the `--policy-pack-config` file shape as the CLI does: one Configure call carrying every
   * policy, each with its level from the file or else the policy's default level (from GetAnalyzerInfo).
   */
  async configure(config: Record<string, unknown>): Promise<void> {
    const req = new analyzerPb.ConfigureAnalyzerRequest();
    for (const { name, level } of (await this.info()).policies) {
      const entry = config[name] ?? {};
      const { enforcementLevel, ...props } = typeof entry === "string" ? { enforcementLevel: entry } : (entry as Record<string, unknown>);
      const policy = new analyzerPb.PolicyConfig();
      policy.setEnforcementlevel(LEVELS[typeof enforcementLevel === "string" ? enforcementLevel : level]!);
      policy.setProperties(struct(props));
      req.getPolicyconfigMap().set(name, policy);
    }
    await this.call("configure", req);
  }

  async analyze(r: AnalyzerInput): Promise<Diagnostic[]> {
    return diagnostics(await this.call("analyze", describeResource(new analyzerPb.AnalyzeRequest(), r)));
  }

  async analyzeStack(resources: AnalyzerInput[]): Promise<Diagnostic[]> {
    const req = new analyzerPb.AnalyzeStackRequest();
    req.setResourcesList(
      resources.map((r) => {
        const res = describeResource(new analyzerPb.AnalyzerResource(), r);
        if (r.parent) res.setParent(r.parent);
        res.setDependenciesList(r.dependencies ?? []);
        return res;
      }),
    );
    return diagnostics(await this.call("analyzeStack", req));
  }

  /** Every resource through Analyze (as during preview), then the whole stack through AnalyzeStack. */
  async analyzeAll(resources: AnalyzerInput[]): Promise<Diagnostic[]> {
    const each = await Promise.all(resources.map((r) => this.analyze(r)));
    return [...each.flat(), ...(await this.analyzeStack(resources))];
  }

  async close(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill();
    await exited;
  }
}
