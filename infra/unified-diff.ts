// A unified diff of two texts, for people to read (`render --check`, `npm run diff`). It is git's own
// diff (`git diff --no-index`): the format reviewers read in every pull request, from a tool the project
// already needs (the repository is what Flux clones, and the tests need git), so no diff library is added.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserError } from "./errors.ts";

/**
 * The hunks that turn `before` into `after` under `--- <from>` / `+++ <to>` headers, ending in a
 * newline; "" when the texts are equal.
 */
export function unifiedDiff(before: string, after: string, from: string, to: string): string {
  if (before === after) return "";
  const dir = mkdtempSync(join(tmpdir(), "flux-gitops-diff-"));
  try {
    writeFileSync(join(dir, "a"), before);
    writeFileSync(join(dir, "b"), after);
    const r = spawnSync("git", ["diff", "--no-index", "--no-color", "--no-ext-diff", "--text", "-U3", "a", "b"], {
      cwd: dir,
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
    });
    if (r.error !== undefined) throw new UserError(`git is needed to show a diff: ${r.error.message}`);
    // Exit 1: the files differ (the diff is on stdout); anything else is git failing.
    if (r.status !== 1) throw new UserError(`git diff --no-index failed: ${r.stderr.split("\n")[0]}`);
    const hunks = r.stdout.slice(r.stdout.indexOf("\n@@") + 1);
    return `--- ${from}\n+++ ${to}\n${hunks}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
