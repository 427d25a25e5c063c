// npm run stacks [-- --json] [--root DIR]
// The environments of this repository, from the one place they are declared: a Pulumi.<env>.yaml at the
// root (each read with the stack schema) with its definition stacks/environments/<env>.ts. In deploy order:
// the stacks with `flux-gitops:production: false` first, then the production ones, each group by name; the
// workflow's preview and up matrices are this list (`--json`), so a new stack needs no workflow edit.
// Exit 0: the list; 1: a stack file that does not parse or a stack without a definition, one line; 2: bad arguments.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { defineCli, isMain, runCli, type Io } from "../infra/cli.ts";
import { ConfigError, listStacks, readStackConfigFile, stackConfigFile } from "../infra/config/index.ts";
import { REPOSITORY_ROOT } from "../infra/repository.ts";

const USAGE = "npm run stacks [-- --json] [--root DIR]";

/** The stacks of `root` in deploy order (non-production first), each checked to have a definition. */
export function stacksInDeployOrder(root: string): string[] {
  const stacks = listStacks(root).map((stack) => {
    const file = stackConfigFile(root, stack);
    const cfg = readStackConfigFile(file, stack);
    if (!existsSync(join(root, "stacks", "environments", `${stack}.ts`)))
      throw new ConfigError(`${file}: stack "${stack}" has no release definition; add stacks/environments/${stack}.ts`);
    return { stack, production: cfg.production };
  });
  return stacks.sort((a, b) => Number(a.production) - Number(b.production) || a.stack.localeCompare(b.stack)).map((s) => s.stack);
}

export const cli = defineCli({
  name: "stacks",
  usage: USAGE,
  help: {
    summary: [
      "Lists the environments: every Pulumi.<env>.yaml at the root (read with the stack schema) that has its definition",
      "stacks/environments/<env>.ts, in deploy order (non-production first, then production, each by name).",
      "The workflow's preview and up matrices are this list (--json).",
    ].join("\n"),
    flags: {
      json: "print a JSON array (what the workflow reads) instead of one name a line",
      root: "the repository root (default: this checkout)",
    },
    exits: { 0: "the list", 1: "a stack file that does not parse, or a stack without a definition", 2: "bad arguments" },
    examples: ["npm run stacks", "npm run stacks -- --json"],
  },
  options: { json: { type: "boolean" }, root: { type: "string" } },
  run({ values }, io) {
    const stacks = stacksInDeployOrder(resolve(values.root ?? REPOSITORY_ROOT));
    io.out(values.json ? `${JSON.stringify(stacks)}\n` : stacks.map((s) => `${s}\n`).join(""));
    return 0;
  },
});

export function main(argv: string[], io?: Io, env?: NodeJS.ProcessEnv): Promise<number> {
  return runCli(cli, argv, io, env);
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
