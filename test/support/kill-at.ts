// Preload (`node --import`) that kills its process with SIGKILL just before the Nth change it makes to
// the file system ($FLUX_GITOPS_KILL_AT; 0 = never), so a test can stop a render at every point a crash
// or Ctrl-C could. It wraps node:fs's changing calls and re-exports them to ES modules
// (syncBuiltinESMExports), so `import { renameSync } from "node:fs"` in the renderer sees the wrapper.
// At a normal exit it prints `fs-changes: <count>` on stderr, so a test can learn how many points there are.
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";

const CHANGES = [
  "writeFileSync",
  "writeSync",
  "renameSync",
  "rmSync",
  "unlinkSync",
  "rmdirSync",
  "mkdirSync",
  "mkdtempSync",
  "symlinkSync",
  "copyFileSync",
  "linkSync",
  "chmodSync",
] as const;

const killAt = Number(process.env.FLUX_GITOPS_KILL_AT ?? "0");
let count = 0;
const calls = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const name of CHANGES) {
  const real = calls[name]!;
  calls[name] = (...args: unknown[]) => {
    count += 1;
    if (count === killAt) process.kill(process.pid, "SIGKILL");
    return real.apply(fs, args);
  };
}
syncBuiltinESMExports();
process.on("exit", () => process.stderr.write(`fs-changes: ${count}\n`));
