// Runs a command-line tool's exported `main(argv, io)` in this process and collects what it prints, so a
// test of the tool's behaviour does not pay for a node process per case. Use a child process only when
// the process boundary itself is what a test is about (the launcher, the npm scripts, an entry point).
import type { Io } from "../../infra/cli.ts";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runInProcess(main: (argv: string[], io?: Io) => Promise<number>, argv: string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { out: (text) => void (stdout += text), err: (text) => void (stderr += text) });
  return { code, stdout, stderr };
}
