// npm run policy [-- --env NAME] [--format text|json] [--config file.json] [--root DIR]
//   graph mode (default): every environment (Pulumi.<env>.yaml in the root), built as Flux builds it.
// npm run policy -- [--exclude GLOB]... PATHS...
//   paths mode: the files under folders that are not an environment (.policyignore in the root adds globs).
// Exit 0: no mandatory finding; 1: a mandatory finding; 2: bad flags/config, kubectl missing, or a file
// Flux would apply that cannot be read or built (a permission, a full disk: one line, infra/cli.ts).
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { defineCli, isMain, runCli, userCwd, type Io } from "../infra/cli.ts";
import { type CheckResult, emptyResult, formatFinding, mergeResults } from "./result.ts";
import { checkPaths } from "./paths.ts";
import { PolicyConfigError, resolveConfig } from "./config.ts";
import { checkEnvironment } from "./graph/walk.ts";
import { rules } from "./rules/index.ts";
import { stackFileLookup } from "./stacks.ts";

/** The project's policy config, also given to `pulumi preview --policy-pack-config`. */
const DEFAULT_CONFIG = join(import.meta.dirname, "config.json");
/** Globs (one a line, # comments) that paths mode leaves out, read from the root. */
export const IGNORE_FILE = ".policyignore";

function loadConfig(path: string | undefined) {
  const file = path ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
  if (file === undefined) return resolveConfig(rules, {});
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new PolicyConfigError(
      `${file}: ${e instanceof SyntaxError ? `invalid JSON: ${e.message}` : `cannot read: ${(e as NodeJS.ErrnoException).code}`}`,
    );
  }
  return resolveConfig(rules, raw, file);
}

function ignoreGlobs(root: string): string[] {
  try {
    return readFileSync(join(root, IGNORE_FILE), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"))
      .map((l) => l.replace(/^\/+/, "").replace(/\/+$/, ""));
  } catch {
    return [];
  }
}

export const cli = defineCli({
  name: "policy",
  usage: "npm run policy -- [--env NAME] [--format text|json] [--config file.json] [--root DIR] | " + "[--exclude GLOB]... PATHS...",
  help: {
    summary: [
      "Checks what Flux applies against the policy rules (policies/rules, levels in policies/config.json).",
      "Without PATHS (graph mode): every environment (a Pulumi.<env>.yaml in the root), built from cluster/<env>",
      "as Flux builds it, following its Kustomizations and sources; a file in cluster/<env> that no kustomization",
      "includes is an error. With PATHS: the YAML files under them (node_modules and .git are never walked).",
    ].join("\n"),
    positionals: { "PATHS...": "files or folders to check, relative to the folder you run the command in (to --root when it is given)" },
    flags: {
      format: "text (file:line  level  rule  object  message) or json (findings, errors, notes, counts)",
      config: "a policy config file (JSON: rule → level or settings), relative to where you stand; default policies/config.json",
      root: "the repository root holding Pulumi.<env>.yaml and .policyignore (default: the project root under npm, else the current folder)",
      env: "graph mode: check only this environment (repeatable)",
      exclude: "paths mode: leave out files and folders matching this glob (repeatable; .policyignore adds more)",
    },
    exits: {
      0: "no mandatory finding",
      1: "a mandatory finding",
      2: "bad flags or config, kubectl missing, or a file Flux would apply that cannot be read, built or is never applied",
    },
    examples: ["npm run policy", "npm run policy -- --env prod --format json", "npm run policy -- --exclude 'charts/**' ."],
  },
  options: {
    format: { type: "string", default: "text" },
    config: { type: "string" },
    root: { type: "string" },
    env: { type: "string", multiple: true },
    exclude: { type: "string", multiple: true },
  },
  allowPositionals: true,
  // A file that cannot be read (a permission, a full disk for the build's temp folder) is unreadable input.
  ioFailureExit: 2,
  async run({ values, positionals, env }, io) {
    const { format, config } = values;
    if (format !== "text" && format !== "json") throw new PolicyConfigError(`--format must be text or json, not "${format}"`);
    // Paths the user typed are relative to where they stand (npm starts the script in the package root).
    const cwd = userCwd("policy", env);
    const settings = loadConfig(config === undefined || cwd === process.cwd() ? config : resolve(cwd, config));
    const root = resolve(cwd, values.root ?? process.cwd());
    let result: CheckResult;
    if (positionals.length) {
      if (values.env) throw new PolicyConfigError("--env selects environments in graph mode; give either --env or PATHS");
      // Relative to --root when it is given (as before), else to the folder the user stands in.
      const paths = values.root === undefined ? positionals.map((p) => resolve(cwd, p)) : positionals;
      result = checkPaths(paths, settings, { root, exclude: [...(values.exclude ?? []), ...ignoreGlobs(root)] });
    } else {
      if (values.exclude) throw new PolicyConfigError("--exclude applies to PATHS; graph mode checks all that Flux applies");
      const stacks = stackFileLookup(root).stacks();
      const envs = values.env ?? stacks;
      if (envs.length === 0) {
        throw new PolicyConfigError(`no Pulumi.<env>.yaml in ${root}: give the folders to check (npm run policy -- PATHS)`);
      }
      for (const env of envs) {
        if (!stacks.includes(env)) throw new PolicyConfigError(`--env ${env}: no Pulumi.${env}.yaml in ${root}`);
      }
      result = emptyResult();
      for (const env of envs) mergeResults(result, await checkEnvironment(env, settings, { root }));
    }
    const { findings, errors, notes, counts } = result;
    if (format === "json") {
      io.out(`${JSON.stringify({ findings, errors, notes, counts }, null, 2)}\n`);
    } else {
      for (const f of findings) io.out(`${formatFinding(f)}\n`);
      for (const n of notes) io.err(`${n.file}${n.line ? `:${n.line}` : ""}  note  ${n.message}\n`);
      for (const e of errors) io.err(`${e.file}: ${e.message}\n`);
    }
    const mandatory = findings.filter((f) => f.level === "mandatory").length;
    if (format === "text") {
      io.err(
        `policy: ${mandatory} mandatory, ${findings.length - mandatory} advisory finding(s), ` +
          `${errors.length} unreadable file(s); checked ${counts.objects} object(s) in ${counts.files} file(s)` +
          ` (skipped ${counts.templates} template(s), ${counts.skipped} non-Kubernetes document(s); ${notes.length} note(s))\n`,
      );
    }
    return errors.length ? 2 : mandatory ? 1 : 0;
  },
});

export function main(argv: string[], io?: Io, env?: NodeJS.ProcessEnv): Promise<number> {
  return runCli(cli, argv, io, env);
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
