// One pattern for the project's command-line tools (`npm run render`, `policy`, `verify`, `promote`,
// `charts`, `diff`, `preview`): flags parsed by node:util; the help is declared once per tool (what it
// does, each flag, the exit codes, examples) and `--help` prints it and exits 0; a bad flag is one line
// with the usage and exits 2; a flag npm took for itself (`npm run render --check`, without `--`) is
// refused with the command that passes it; an error the user can fix (a UserError) is one line prefixed
// with the tool's name and exits with its code; so is a failure of the machine (a full disk, a permission,
// a name too long: `ioFailure` in errors.ts), which exits 1. Anything else is a bug and keeps its stack trace.
// A reader that closes the tool's standard output early (`npm run render -- --check | head -1`) ends the
// output with one line on stderr (EPIPE), not a stack trace; the tool's work and exit code are its own.
// Output goes through an `Io`, so tests call a tool's `main()` in-process.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { ioFailure, ioFailureText, UserError } from "./errors.ts";

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** Standard output was closed by its reader (EPIPE): nothing more is written to it. */
let stdoutClosed = false;

export const PROCESS_IO: Io = {
  out: (text) => void (stdoutClosed || process.stdout.write(text)),
  err: (text) => process.stderr.write(text),
};

/** Turns a closed standard output (EPIPE, reported asynchronously on the stream) into one line on stderr, once. */
function watchStdout(name: string): void {
  if (process.stdout.listeners("error").length > 0) return;
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (stdoutClosed) return;
    stdoutClosed = true;
    const why = err.code === "EPIPE" ? "the reader closed it (EPIPE, e.g. | head)" : ioFailureText(err, process.cwd());
    process.stderr.write(`${name}: standard output ended early: ${why}; the rest of the output is not shown\n`);
  });
}

/** Exit code of a bad flag or argument. */
export const USAGE_EXIT = 2;

/** Wrong arguments a tool finds after parsing: one line, the usage exit code. */
export class UsageError extends UserError {
  override readonly exitCode = USAGE_EXIT;
}

/** What `--help` prints; declared once per tool, next to its flags (test/entrypoints/help.test.ts checks every tool). */
export interface Help<O> {
  /** What the tool does: one or more sentences. */
  summary: string;
  /** Every flag, by its name without `--`: what it does. */
  flags: { [K in keyof O]: string };
  /** Positional arguments (e.g. `<env>...`), if the tool takes any. */
  positionals?: Record<string, string>;
  /** Every exit code the tool returns, with what it means. */
  exits: Record<number, string>;
  /** Complete commands as a user types them, at least two. */
  examples: [string, string, ...string[]];
}

export interface Cli<O extends ParseArgsOptionsConfig> {
  /** Prefix of every error line and the npm script that runs the tool, e.g. `render`. */
  name: string;
  usage: string;
  help: Help<O>;
  options: O;
  allowPositionals?: boolean;
  /** Exit code of a failure of the machine (a full disk, a permission, a name too long); 1 unless given. */
  ioFailureExit?: number;
  run(
    args: {
      values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>["values"];
      positionals: string[];
      /** The environment the tool was started with (tests give their own). */
      env: NodeJS.ProcessEnv;
    },
    io: Io,
  ): Promise<number> | number;
}

/** A tool's definition, typed from its options (so `help.flags` must describe every flag). */
export function defineCli<O extends ParseArgsOptionsConfig>(cli: Cli<O>): Cli<O> {
  return cli;
}

/** The text `--help` prints. */
export function helpText<O extends ParseArgsOptionsConfig>(cli: Cli<O>): string {
  const rows: [string, string][] = [
    ...Object.entries(cli.help.positionals ?? {}),
    ...Object.entries(cli.options).map(([name, option]): [string, string] => [
      `${option.short ? `-${option.short}, ` : ""}--${name}${option.type === "string" ? ` ${placeholder(name)}` : ""}`,
      (cli.help.flags as Record<string, string>)[name]!,
    ]),
    ["-h, --help", "print this help and exit 0"],
  ];
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  const exits = Object.entries(cli.help.exits).map(([code, what]) => `  ${code}  ${what}`);
  return [
    `usage: ${cli.usage}`,
    "",
    cli.help.summary,
    "",
    "arguments and flags:",
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}${v}`),
    "",
    "exit codes:",
    ...exits,
    "",
    "examples:",
    ...cli.help.examples.map((e) => `  ${e}`),
    "",
  ].join("\n");
}

function placeholder(flag: string): string {
  return flag === "root" || flag === "dir" ? "DIR" : flag.split("-").at(-1)!.toUpperCase();
}

/**
 * Flags npm kept for itself: `npm run render --check` (no `--`) does not pass `--check` to the script;
 * npm stores it as its own config and exports it as `npm_config_check=true` (`--root DIR` becomes
 * `npm_config_root=true` and a stray positional `DIR`). Seen only when npm runs this tool's script.
 */
export function swallowedFlags(name: string, options: ParseArgsOptionsConfig, env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.npm_lifecycle_event !== name) return [];
  return [...Object.keys(options), "help"].filter((flag) => env[`npm_config_${flag.replaceAll("-", "_")}`] !== undefined);
}

/**
 * The folder the user typed the command in: under `npm run <this tool>` npm starts the script in the
 * package's root and records the user's folder in INIT_CWD; otherwise the process's working folder.
 */
export function userCwd(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.npm_lifecycle_event === name && env.INIT_CWD ? env.INIT_CWD : process.cwd();
}

export async function runCli<O extends ParseArgsOptionsConfig>(
  cli: Cli<O>,
  argv: string[],
  io: Io = PROCESS_IO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (io === PROCESS_IO) watchStdout(cli.name);
  const swallowed = swallowedFlags(cli.name, cli.options, env);
  if (swallowed.length > 0) {
    const flags = swallowed.map((f) => `--${f}`).join(" ");
    io.err(
      `${cli.name}: npm kept ${flags} for itself (its flags go after --), so the tool never saw ${swallowed.length === 1 ? "it" : "them"}; ` +
        `run: npm run ${cli.name} -- ${flags}${argv.length > 0 ? ` ${argv.join(" ")}` : ""}\n`,
    );
    return USAGE_EXIT;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...cli.options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: cli.allowPositionals ?? false,
    });
  } catch (err) {
    io.err(`${cli.name}: ${(err as Error).message.split("\n")[0]} (usage: ${cli.usage})\n`);
    return USAGE_EXIT;
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.out(helpText(cli));
    return 0;
  }
  try {
    return await cli.run({ values: parsed.values as never, positionals: parsed.positionals, env }, io);
  } catch (err) {
    if (err instanceof UserError) {
      io.err(`${cli.name}: ${err.message}\n`);
      return err.exitCode;
    }
    const failure = ioFailure(err);
    if (failure !== undefined) {
      io.err(`${cli.name}: ${ioFailureText(failure, process.cwd())}\n`);
      return cli.ioFailureExit ?? 1;
    }
    throw err;
  }
}

/** True when `moduleUrl` is the script node was started with (not an import of it). */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}
