// Each task guide in docs/ followed end to end, in a copy of the repository, by its own text
// (test/support/guide.ts): the commands a reader runs must pass, and the result must be what the guide says.
// The network is the one stand-in: `git clone https://github.com/<chart repository>` reaches a local
// repository holding a chart `helm create` made under the guide's name and version (git's insteadOf).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { helmBinary } from "../../infra/helm/binary.ts";
import { copyRepository, followGuide, gitEnv, guideSteps } from "../support/guide.ts";
import { ROOT } from "../support/paths.ts";

const GUIDES = readdirSync(join(ROOT, "docs")).filter((f) => f.startsWith("guide-") && f.endsWith(".md"));

test("every guide's code blocks are directed and its steps parse", () => {
  assert.deepEqual(GUIDES.sort(), ["guide-new-environment.md", "guide-notifications.md", "guide-release-in-one-environment.md"]);
  for (const guide of GUIDES) assert.ok(guideSteps(`docs/${guide}`).length > 0, guide);
});

test("a code block without its test comment is refused", (t) => {
  const dir = mkdtempSync(join(ROOT, "docs", ".guide-check-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "g.md"), "# g\n\n```sh\nnpm run render\n```\n");
  assert.throws(() => guideSteps(`docs/${dir.split("/").pop()}/g.md`), /a code block without a <!-- test: … --> comment: npm run render/);
});

/** A local Git repository standing in for `url` at `tag`, holding `helm create <name>` at `path` with Chart.yaml version `version`. */
async function standIn(work: string, name: string, version: string, tag: string, path: string): Promise<string> {
  const repo = join(work, "upstream");
  const env = gitEnv();
  execFileSync("git", ["init", "-q", "-b", "main", repo], { env });
  mkdirSync(join(repo, path, ".."), { recursive: true });
  execFileSync(await helmBinary(4), ["create", join(repo, path)], {
    env: { ...env, HELM_CONFIG_HOME: work, HELM_DATA_HOME: work, HELM_CACHE_HOME: work },
  });
  // helm create's test hook pulls busybox by no tag, which npm run verify rightly refuses; the real charts have none.
  rmSync(join(repo, path, "templates", "tests"), { recursive: true });
  const chart = join(repo, path, "Chart.yaml");
  writeFileSync(
    chart,
    readFileSync(chart, "utf8")
      .replace(/^name: .*$/m, `name: ${name}`)
      .replace(/^version: .*$/m, `version: ${version}`),
  );
  for (const args of [
    ["add", "-A"],
    ["commit", "-qm", "chart"],
    ["tag", tag],
  ])
    execFileSync("git", args, { cwd: repo, env });
  return pathToFileURL(repo).href;
}

test("guide: a new release in one environment: dev gets the exporter and its source, prod nothing; every check passes", async (t) => {
  const work = mkdtempSync(join(tmpdir(), "guide-release-"));
  const dir = copyRepository();
  t.after(() => [work, dir].forEach((d) => rmSync(d, { recursive: true, force: true })));
  const upstream = await standIn(
    work,
    "prometheus-blackbox-exporter",
    "9.0.1",
    "prometheus-blackbox-exporter-9.0.1",
    "charts/prometheus-blackbox-exporter",
  );
  const prodBefore = execFileSync("git", ["ls-tree", "-r", "HEAD", "cluster/prod"], { cwd: dir, encoding: "utf8" });
  followGuide(
    "docs/guide-release-in-one-environment.md",
    dir,
    gitEnv({
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: `url.${upstream}.insteadOf`,
      GIT_CONFIG_VALUE_0: "https://github.com/prometheus-community/helm-charts",
    }),
  );
  assert.ok(existsSync(join(dir, "charts", "prometheus-blackbox-exporter-9.0.1.tgz")));
  const dev = join(dir, "cluster/dev");
  assert.match(readFileSync(join(dev, "apps/helmrelease_flux-system_blackbox-exporter.yaml"), "utf8"), /targetNamespace: monitoring/);
  assert.match(
    readFileSync(join(dev, "infrastructure/controllers/gitrepository_flux-system_prometheus-blackbox-exporter.yaml"), "utf8"),
    /tag: prometheus-blackbox-exporter-9\.0\.1/,
  );
  assert.equal(
    execFileSync("git", ["ls-tree", "-r", "HEAD", "cluster/prod"], { cwd: dir, encoding: "utf8" }),
    prodBefore,
    "prod unchanged",
  );
  assert.equal(
    execFileSync("git", ["status", "--porcelain"], { cwd: dir, encoding: "utf8" }),
    "",
    "the guide committed everything it made",
  );
});
