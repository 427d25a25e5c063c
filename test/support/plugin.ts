// Starts the flux-gitops package the way `pulumi package add` and a program using it do, and talks to it over the
// ResourceProvider gRPC service of the SDK's own generated stubs (@pulumi/pulumi/proto/provider_grpc_pb.js).
// The CLI reads PulumiPlugin.yaml (runtime nodejs) and asks pulumi-language-nodejs to RunPlugin, which
// (pulumi/pulumi v3.259.0 sdk/nodejs/cmd/pulumi-language-nodejs/main.go RunPlugin; sdk/go/common/resource/plugin/
// plugin.go gives ProgramDirectory = the plugin folder and Args = the engine address):
//   - resolves @pulumi/pulumi/cmd/run-plugin from the plugin folder (locateModule),
//   - runs `node <run-plugin> [nodeargs] <plugin folder> <engine address>` in the CLI's working directory (the
//     consumer's program, req.Pwd), with PULUMI_NODEJS_TYPESCRIPT=true unless the options say typescript: false,
//   - reads the port the provider prints as its first stdout line.
// run-plugin then require()s the folder (package.json main) and serves the exported components
// (@pulumi/pulumi 3.270 cmd/run-plugin/run.js, provider/experimental/provider.js).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import * as grpc from "@grpc/grpc-js";
import yaml from "js-yaml";
import providerRpc from "@pulumi/pulumi/proto/provider_grpc_pb.js";
import providerPb from "@pulumi/pulumi/proto/provider_pb.js";
import structPb from "google-protobuf/google/protobuf/struct_pb.js";
import { ROOT } from "./paths.ts";

interface PluginProject {
  runtime: string | { name: string; options?: { typescript?: boolean; nodeargs?: string; tsconfig?: string } };
}

/** The command line, working directory and environment pulumi-language-nodejs's RunPlugin would use. */
export function languageHostPluginCommand(opts: { engineAddress: string; node?: string; nodeArgs?: string[]; pluginDir?: string }) {
  const pluginDir = opts.pluginDir ?? ROOT;
  const project = yaml.load(readFileSync(join(pluginDir, "PulumiPlugin.yaml"), "utf8")) as PluginProject;
  const runtime = typeof project.runtime === "string" ? { name: project.runtime } : project.runtime;
  if (runtime.name !== "nodejs") throw new Error(`PulumiPlugin.yaml runtime is ${runtime.name}, not nodejs`);
  const options = "options" in runtime ? (runtime.options ?? {}) : {};
  const runPlugin = createRequire(join(pluginDir, "package.json")).resolve("@pulumi/pulumi/cmd/run-plugin");
  const nodeargs = (options.nodeargs ?? "").split(/\s+/).filter(Boolean);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (options.typescript !== false) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;
  // The consumer's program directory: an empty one here (no tsconfig.json for ts-node to pick up).
  const cwd = mkdtempSync(join(tmpdir(), "flux-gitops-consumer-"));
  return {
    command: opts.node ?? process.execPath,
    args: [...(opts.nodeArgs ?? []), runPlugin, ...nodeargs, pluginDir, opts.engineAddress],
    cwd,
    env,
  };
}

export class PluginProcess {
  readonly client: any;
  private readonly child: ChildProcess;
  readonly port: number;
  /** What the plugin wrote to stderr so far. */
  readonly stderr: () => string;

  private constructor(child: ChildProcess, port: number, stderr: () => string) {
    this.child = child;
    this.port = port;
    this.stderr = stderr;
    this.client = new (providerRpc as any).ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }

  /** Start the package as the language host does; resolves once it printed its port. */
  static start(opts: { engineAddress: string; node?: string; nodeArgs?: string[] }): Promise<PluginProcess> {
    const { command, args, cwd, env } = languageHostPluginCommand(opts);
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    return new Promise((res, rej) => {
      const timer = setTimeout(() => {
        child.kill();
        rej(new Error(`the plugin printed no port within 60 s\nstderr: ${stderr}`));
      }, 60_000);
      child.once("exit", (code) => {
        clearTimeout(timer);
        rej(new Error(`the plugin exited (${code}) before printing its port\nstderr: ${stderr}`));
      });
      createInterface({ input: child.stdout! }).once("line", (line) => {
        clearTimeout(timer);
        const port = Number(line.trim());
        if (!Number.isInteger(port) || port <= 0) rej(new Error(`first stdout line is not a port: ${line}\nstderr: ${stderr}`));
        else res(new PluginProcess(child, port, () => stderr));
      });
    });
  }

  private call<T>(method: string, req: unknown): Promise<T> {
    return new Promise((res, rej) =>
      this.client[method](req, { deadline: Date.now() + 90_000 }, (err: grpc.ServiceError | null, resp: T) => (err ? rej(err) : res(resp))),
    );
  }

  /** GetSchema, as `pulumi package add` / `pulumi package get-schema` ask for it: the schema as parsed JSON. */
  async getSchema(): Promise<Record<string, any>> {
    const req = new providerPb.GetSchemaRequest();
    req.setVersion(0);
    const resp = await this.call<any>("getSchema", req);
    return JSON.parse(resp.getSchema());
  }

  /**
   * Construct, as the engine sends it when a program registers the component: inputs in wire form (secrets wrapped
   * in the secret signature), the stack's config as `<namespace>:<key>` → text.
   */
  async construct(req: {
    project: string;
    stack: string;
    organization?: string;
    dryRun: boolean;
    monitorAddress: string;
    type: string;
    name: string;
    parent: string;
    inputs: Record<string, unknown>;
    config?: Record<string, string>;
    configSecretKeys?: string[];
  }): Promise<{ urn: string; state: Record<string, any> }> {
    const r = new providerPb.ConstructRequest();
    r.setProject(req.project);
    r.setStack(req.stack);
    r.setOrganization(req.organization ?? "organization");
    r.setDryrun(req.dryRun);
    r.setParallel(16);
    r.setMonitorendpoint(req.monitorAddress);
    r.setType(req.type);
    r.setName(req.name);
    r.setParent(req.parent);
    r.setInputs(structPb.Struct.fromJavaScript(req.inputs as any));
    const config = r.getConfigMap();
    for (const [key, value] of Object.entries(req.config ?? {})) config.set(key, value);
    r.setConfigsecretkeysList(req.configSecretKeys ?? []);
    const resp = await this.call<any>("construct", r);
    return { urn: resp.getUrn(), state: (resp.getState()?.toJavaScript() as Record<string, any>) ?? {} };
  }

  /** Stop the process this helper started (by its own handle). */
  stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((res) => {
      this.child.once("exit", () => res());
      this.child.kill();
    });
  }
}
