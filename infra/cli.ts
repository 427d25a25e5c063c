// One pattern for the project's command-line tools (`npm run render`, `npm run policy`): flags
// parsed by node:util, `--help` prints the usage and exits 0, a bad flag is one line with the
// usage and exits 2, an error the user can fix (a UserError) is one line prefixed with the tool's
// name and exits with its code; so is a failure of the machine (a full disk, a permission, a name too
// long: `ioFailure` in errors.ts), which exits 1. Anything else is a bug and keeps its stack trace.
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

export interface Cli<O extends ParseArgsOptionsConfig> {
  /** Prefix of every error line, e.g. `render`. */
  name: string;
  usage: string;
  options: O;
  allowPositionals?: boolean;
  /** Exit code of a failure of the machine (a full disk, a permission, a name too long); 1 unless given. */
  ioFailureExit?: number;
  run(
    args: { values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>["values"]; positionals: string[] },
    io: Io,
  ): Promise<number> | number;
}

export async function runCli<O extends ParseArgsOptionsConfig>(cli: Cli<O>, argv: string[], io: Io = PROCESS_IO): Promise<number> {
  if (io === PROCESS_IO) watchStdout(cli.name);
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
    io.out(`usage: ${cli.usage}\n`);
    return 0;
  }
  try {
    return await cli.run({ values: parsed.values as never, positionals: parsed.positionals }, io);
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
