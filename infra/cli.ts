// One pattern for the project's command-line tools (`npm run render`, `npm run policy`): flags
// parsed by node:util, `--help` prints the usage and exits 0, a bad flag is one line with the
// usage and exits 2, an error the user can fix (a UserError) is one line prefixed with the tool's
// name and exits with its code. Anything else is a bug and keeps its stack trace.
// Output goes through an `Io`, so tests call a tool's `main()` in-process.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { UserError } from "./errors.ts";

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const PROCESS_IO: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

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
  run(
    args: { values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>["values"]; positionals: string[] },
    io: Io,
  ): Promise<number> | number;
}

export async function runCli<O extends ParseArgsOptionsConfig>(cli: Cli<O>, argv: string[], io: Io = PROCESS_IO): Promise<number> {
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
