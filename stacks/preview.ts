// npm run preview -- <env> [--format text|json] [--stack-file FILE]
// The resources `pulumi up` would register for stack <env>, from the real program: index.js (Pulumi.yaml's
// main) started through @pulumi/pulumi/cmd/run as `pulumi preview` starts it, with the config of the
// user's Pulumi.<env>.yaml, against the in-process engine of infra/preview/engine.ts. No Pulumi CLI, cloud,
// cluster or GitHub is needed: no provider runs, so nothing is created, and what providers compute
// (ids, generated keys) is unknown. Every secret is printed as [secret]: values the program marks
// secret, and stack config values stored `secure:` (which the preview cannot decrypt and passes on as
// "[secret]").
// Exit 0: the program ran and registered its resources; 1: the program failed (its errors are printed);
// 2: bad arguments or no such stack.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { defineCli, isMain, runCli, UsageError, userCwd, type Io } from "../infra/cli.ts";
import { listStacks } from "../infra/config/index.ts";
import { isSecretValue, readStackConfigEntries, runProgram, UNKNOWN, type EngineRegistration } from "../infra/preview/engine.ts";
import { REPOSITORY_ROOT } from "../infra/repository.ts";

export const MASK = "[secret]";

/** Inputs whose values say what a resource is (scalars only; nested paths `a.b`). */
const KEY_PATHS = [
  ["metadata", "name"],
  ["metadata", "namespace"],
  ["spec", "url"],
  ["spec", "ref"],
  ["spec", "path"],
  ["spec", "sourceRef", "name"],
  ["spec", "distribution", "version"],
  ["repositoryOpts", "repo"],
];
const MAX_VALUE = 80;

/** A wire value with every secret replaced by the mask (the SDK's secret wrapper, whatever it holds). */
function masked(value: unknown): unknown {
  if (isSecretValue(value)) return MASK;
  if (value === UNKNOWN) return "(known after up)";
  if (Array.isArray(value)) return value.map(masked);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v)]));
  return value;
}

function show(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === MASK) return MASK;
  // JSON.stringify returns undefined for a function or a symbol, which its type leaves out.
  const text = typeof value === "string" ? value : (JSON.stringify(value) as string | undefined);
  if (text === undefined || text === "{}" || text === "[]") return undefined;
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/** The key fields of a registration: its top-level scalar inputs and the KEY_PATHS it has, secrets masked. */
export function keyFields(reg: EngineRegistration): Record<string, string> {
  const inputs = masked(reg.inputs) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(inputs)) {
    if (k.startsWith("__")) continue;
    if (v === MASK || (typeof v !== "object" && v !== undefined)) {
      const s = show(v);
      if (s !== undefined) out[k] = s;
    }
  }
  for (const path of KEY_PATHS) {
    let v: unknown = inputs;
    for (const p of path) v = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[p] : undefined;
    const s = show(v);
    if (s !== undefined) out[path.join(".")] = s;
  }
  return out;
}

export interface PreviewedResource {
  type: string;
  name: string;
  /** The parent's `type name`, "" for the stack. */
  parent: string;
  parentUrn: string;
  urn: string;
  fields: Record<string, string>;
}

function resources(regs: EngineRegistration[]): PreviewedResource[] {
  const byUrn = new Map(regs.map((r) => [r.urn, r]));
  return regs.map((r) => {
    const parent = byUrn.get(r.parent);
    return {
      type: r.type,
      name: r.name,
      parent: parent ? `${parent.type} ${parent.name}` : "",
      parentUrn: r.parent,
      urn: r.urn,
      fields: keyFields(r),
    };
  });
}

function tree(list: PreviewedResource[]): string {
  const children = new Map<string, PreviewedResource[]>();
  const urns = new Set(list.map((r) => r.urn));
  const parentOf = (r: PreviewedResource) => (urns.has(r.parentUrn) ? r.parentUrn : "");
  for (const r of list) children.set(parentOf(r), [...(children.get(parentOf(r)) ?? []), r]);
  const lines: string[] = [];
  const walk = (urn: string, depth: number) => {
    for (const r of children.get(urn) ?? []) {
      const fields = Object.entries(r.fields).map(([k, v]) => `${k}=${v}`);
      lines.push(`${"  ".repeat(depth)}${r.type} ${r.name}${fields.length ? `  ${fields.join(" ")}` : ""}`);
      walk(r.urn, depth + 1);
    }
  };
  walk("", 0);
  return lines.join("\n");
}

const USAGE = "npm run preview -- <env> [--format text|json] [--stack-file FILE]";

export const cli = defineCli({
  name: "preview",
  usage: USAGE,
  help: {
    summary: [
      "Lists the resources `pulumi up` would register for stack <env> (type, name, parent, key fields), from the real",
      "program (index.js → stacks/program.ts, started through @pulumi/pulumi/cmd/run as the Pulumi CLI starts it) with",
      "the config in Pulumi.<env>.yaml. Needs no Pulumi CLI, cloud, cluster or GitHub: no provider runs and nothing",
      "is created. Every secret is shown as [secret]; config stored `secure:` is passed to the program as [secret].",
    ].join("\n"),
    positionals: { "<env>": "the stack: a Pulumi.<env>.yaml in the project root" },
    flags: {
      format: "text (an indented tree: children under their parent) or json (a list with type, name, parent, urn, fields)",
      "stack-file": "read the stack config from FILE instead of Pulumi.<env>.yaml (relative to where you stand), e.g. a draft",
    },
    exits: {
      0: "the program ran and its resources are listed",
      1: "the program failed (its error lines are printed)",
      2: "bad arguments, or no Pulumi.<env>.yaml",
    },
    examples: ["npm run preview -- dev", "npm run preview -- prod --format json", "npm run preview -- staging --stack-file draft.yaml"],
  },
  allowPositionals: true,
  options: { format: { type: "string", default: "text" }, "stack-file": { type: "string" } },
  async run({ values, positionals, env }, io) {
    if (positionals.length !== 1) throw new UsageError(`expected one stack, e.g. dev (usage: ${USAGE})`);
    const [stack] = positionals as [string];
    if (values.format !== "text" && values.format !== "json") throw new UsageError(`--format must be text or json, not "${values.format}"`);
    const root = REPOSITORY_ROOT;
    const stacks = listStacks(root);
    let file: string;
    if (values["stack-file"] !== undefined) {
      file = resolve(userCwd("preview", env), values["stack-file"]);
      if (!existsSync(file)) throw new UsageError(`--stack-file ${file}: no such file`);
    } else {
      if (!stacks.includes(stack))
        throw new UsageError(`no stack ${stack}: there is no Pulumi.${stack}.yaml in ${root} (stacks: ${stacks.join(", ")})`);
      file = join(root, `Pulumi.${stack}.yaml`);
    }
    let config;
    try {
      config = readStackConfigEntries(file);
    } catch (err) {
      throw new UsageError(`${file}: cannot be read as a stack file: ${(err as Error).message.split("\n")[0]}`);
    }
    // The CLI would decrypt `secure:` values; the preview cannot, and never shows them: the program gets the mask.
    for (const [key, value] of Object.entries(config))
      if (typeof value === "object" && value !== null && "secure" in value) config[key] = { secure: MASK };
    const run = await runProgram({ root: resolve(root), stack, config, dryRun: true });
    const errors = run.engine.logs.filter((l) => l.severity === "error");
    if (run.code !== 0 || errors.length > 0) {
      for (const e of errors) io.err(`preview: ${stack}: ${e.message.trim().split("\n")[0]}\n`);
      if (errors.length === 0)
        io.err(`preview: ${stack}: the program exited with ${run.code}: ${run.stderr.trim().split("\n").at(-1) ?? ""}\n`);
      return 1;
    }
    const list = resources(run.engine.registrations);
    if (values.format === "json") io.out(`${JSON.stringify(list, null, 2)}\n`);
    else io.out(`preview: ${stack} (${file}): ${list.length} resources\n${tree(list)}\n`);
    return 0;
  },
});

export function main(argv: string[], io?: Io, env?: NodeJS.ProcessEnv): Promise<number> {
  return runCli(cli, argv, io, env);
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
