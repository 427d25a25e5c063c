// `npm run promote -- dev prod` in-process on a copy of the repository: it reads the tags dev runs from
// cluster/dev (an automation commit included) and writes them as prod's promoted values.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { main as promote, promotedFile } from "../../stacks/promote.ts";
import { runInProcess } from "../support/in-process.ts";
import { ROOT } from "../support/paths.ts";
import { copyOfRenderedRepo } from "../support/temp-repo.ts";

const RELEASE = join("cluster", "dev", "apps", "helmrelease_flux-system_remla-app.yaml");

test("the committed promoted file holds what cluster/dev runs (promote is up to date)", async () => {
  const r = await runInProcess(promote, ["dev", "prod"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /already holds dev's image values/);
});

test("an automation commit in dev reaches prod's definitions by promote", async (t) => {
  const root = copyOfRenderedRepo(t, "promote");
  const file = join(root, RELEASE);
  writeFileSync(file, readFileSync(file, "utf8").replace("tag: v1.6.0 #", "tag: v1.7.2 #"));
  const r = await runInProcess(promote, ["dev", "prod", "--root", root]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^appService\.image\.tag: v1\.6\.0 -> v1\.7\.2$/m);
  assert.match(r.stdout, /^appFrontend\.image\.tag: v1\.5\.1 \(unchanged\)$/m);
  const written = join(root, promotedFile("prod"));
  const promoted = ((await import(pathToFileURL(written).href)) as { default: unknown }).default;
  assert.deepEqual(promoted, {
    appFrontend: { image: { tag: "v1.5.1" } },
    appService: { image: { tag: "v1.7.2" } },
    modelService: { image: { tag: "v0.5.0" } },
  });
  // The same generator wrote the committed file: only the promoted tag differs.
  const committed = readFileSync(join(ROOT, promotedFile("prod")), "utf8");
  assert.equal(readFileSync(written, "utf8"), committed.replace('tag: "v1.6.0"', 'tag: "v1.7.2"'));
});

test("bad arguments and environments are one line, nothing written", async (t) => {
  const root = copyOfRenderedRepo(t, "promote");
  const cases: [string[], number, RegExp][] = [
    [["dev"], 2, /^promote: expected two environments/],
    [["dev", "dev"], 2, /^promote: promote needs two different environments/],
    [["dev", "staging"], 1, /^promote: no environment "staging" \(stacks: dev, prod\)/],
    [["prod", "dev"], 1, /^promote: dev runs its own image automation/],
  ];
  for (const [args, code, message] of cases) {
    const r = await runInProcess(promote, [...args, "--root", root]);
    assert.equal(r.code, code, args.join(" "));
    assert.match(r.stderr, message);
    assert.equal(r.stderr.split("\n").length, 2, "one line");
  }
  rmSync(join(root, RELEASE));
  const r = await runInProcess(promote, ["dev", "prod", "--root", root]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /helmrelease_flux-system_remla-app\.yaml is missing; run npm run render first/);
  assert.equal(existsSync(join(root, "stacks")), false, "nothing written");
});
