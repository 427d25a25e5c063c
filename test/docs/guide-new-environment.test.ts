// docs/guide-new-environment.md, followed end to end in a copy of the repository by its own text (test/support/guide.ts): the commands a reader
// runs must pass, and the result must be what the guide says. A file of its own, so the guides run side by side.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { copyRepository, followGuide } from "../support/guide.ts";

test("guide: a new environment: staging is listed between dev and prod, rendered, verified and committed; dev and prod unchanged", async (t) => {
  const dir = copyRepository();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const before = execFileSync("git", ["ls-tree", "-r", "HEAD", "cluster/dev", "cluster/prod"], { cwd: dir, encoding: "utf8" });
  const log = followGuide("docs/guide-new-environment.md", dir);
  assert.match(log, /^dev\nstaging\nprod\n/m, "npm run stacks: deploy order");
  const pool = readFileSync(join(dir, "cluster/staging/infrastructure/configs/ipaddresspool_metallb-system_remla-pool.yaml"), "utf8");
  assert.match(pool, /192\.168\.57\.90-192\.168\.57\.99/);
  assert.equal(execFileSync("git", ["ls-tree", "-r", "HEAD", "cluster/dev", "cluster/prod"], { cwd: dir, encoding: "utf8" }), before);
  assert.equal(execFileSync("git", ["status", "--porcelain"], { cwd: dir, encoding: "utf8" }), "");
});
