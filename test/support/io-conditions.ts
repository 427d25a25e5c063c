// Real I/O failures for the command-line tools' tests, made by the operating system rather than by a fake
// file system layer, so the tools meet them as a user would:
// - permissions: root ignores file modes, so when the tests run as root the tool runs as `nobody`
//   (`setpriv --reuid 65534 --regid 65534 --clear-groups`, util-linux) in a repository handed to nobody;
//   as any other user it runs as that user. Either way EACCES comes from the kernel.
// - a full disk: a tmpfs of a few pages mounted over a folder in a private mount namespace (`unshare --user
//   --map-root-user --mount`: a user namespace of its own, which root and, where the kernel allows user
//   namespaces, any user may create), filled so the tool's writes really fail with ENOSPC. The mount is
//   gone with the namespace: nothing outside the test sees it.
// - a closed pipe: the tool's stdout piped into `head -1` by bash.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { chmodSync, chownSync, lstatSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./paths.ts";

const NOBODY = 65534;
export const AS_ROOT = process.getuid?.() === 0;

/** Runs `fn` on `path` and everything below it (symlinks are not followed). */
function eachBelow(path: string, fn: (path: string, isDir: boolean) => void): void {
  const stat = lstatSync(path);
  if (stat.isDirectory()) for (const name of readdirSync(path)) eachBelow(join(path, name), fn);
  if (!stat.isSymbolicLink()) fn(path, stat.isDirectory());
}

/** `chmod -R`: folders get `dirMode`, files `fileMode` (the symbolic `a-w` as numbers). */
export function chmodTree(path: string, dirMode: number, fileMode: number): void {
  eachBelow(path, (p, isDir) => chmodSync(p, isDir ? dirMode : fileMode));
}

/** A temp folder handed to the user the tool will run as (nobody when the tests run as root); removed after the test. */
export function unprivilegedDir(t: { after(fn: () => void): void }, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  t.after(() => {
    // Whatever a test made read-only, its owner (or root) can make writable again to remove it.
    if (!AS_ROOT) eachBelow(dir, (p, isDir) => isDir && chmodSync(p, 0o700));
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Gives everything below `dir` to the user the tool runs as (a no-op unless the tests run as root). */
export function handOver(dir: string): void {
  if (AS_ROOT) eachBelow(dir, (p) => chownSync(p, NOBODY, NOBODY));
}

/** The argv that runs one of the project's CLIs (`stacks/render.ts`, …) through the npm scripts' launcher. */
export function cliArgv(script: string, args: string[]): string[] {
  return [process.execPath, join(ROOT, "infra/launch.mjs"), join(ROOT, script), ...args];
}

/** Runs a CLI as a user the file permissions apply to (see the top of this file). */
export function runUnprivileged(script: string, args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  const argv = cliArgv(script, args);
  const command = AS_ROOT ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", ...argv] : argv;
  return spawnSync(command[0]!, command.slice(1), {
    cwd: ROOT,
    encoding: "utf8",
    // The compile cache's folder belongs to whoever ran first; the tool must not depend on it.
    env: { ...process.env, ...env, NODE_DISABLE_COMPILE_CACHE: "1" },
  });
}

/**
 * Runs `script` (bash) in a private mount namespace where `$MNT` can be a tmpfs (`mount -t tmpfs -o size=…`),
 * with the environment `env`. Its stdout, stderr and status come back.
 */
export function inMountNamespace(script: string, env: Record<string, string>): SpawnSyncReturns<string> {
  return spawnSync(
    "unshare",
    ["--user", "--map-root-user", "--mount", "--propagation", "private", "bash", "-euo", "pipefail", "-c", script],
    {
      encoding: "utf8",
      env: { ...process.env, ...env, NODE_DISABLE_COMPILE_CACHE: "1" },
    },
  );
}

/** The lines of a tool's stderr that look like a stack trace (`    at …`, `Error: …` at the start of a line). */
export function traceLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => /^\s+at /.test(l) || /^[A-Za-z]*Error\b/.test(l) || /node:internal/.test(l));
}
