// npm run charts -- verify | refresh [--only <archive>]... | add <chart>... [--dir DIR]
// The chart cache in charts/ (infra/helm/cache.ts): `verify` checks every archive against the sha256 in
// charts/lock.json (and that no archive is unlocked); `refresh` rebuilds archives from the charts' Git
// tags with real Helm and rewrites their digests (needs the network: git clones of the chart repositories);
// `add` locks charts of CHARTS (stacks/releases/charts.ts) the cache does not hold yet, and builds them the same way.
// Exit 0: the cache is whole (verify) or rebuilt (refresh); 1: a problem, one line each; 2: bad arguments.
import { defineCli, isMain, runCli, UsageError, type Io } from "../infra/cli.ts";
import { CHART_CACHE_DIR } from "../infra/helm/cache.ts";
import { refreshCache, verifyCache } from "../infra/helm/refresh.ts";
import type { LockEntry } from "../infra/helm/cache.ts";
import { CHARTS, type ChartName } from "./releases/charts.ts";

const USAGE = "npm run charts -- verify | refresh [--only <archive>]... | add <chart>... [--dir DIR]";

/** A new lock entry for chart `name` of CHARTS: archive <name>-<version>.tgz, no dependencies, digests to fill in. */
function lockEntryOf(name: string): LockEntry {
  if (!Object.hasOwn(CHARTS, name)) throw new UsageError(`no chart ${name} in CHARTS (stacks/releases/charts.ts); pin it there first`);
  const pin = CHARTS[name as ChartName];
  if (!("tag" in pin.ref)) throw new UsageError(`${name}: the cache holds charts at a tag; CHARTS pins ${JSON.stringify(pin.ref)}`);
  return {
    archive: `${name}-${pin.version}.tgz`,
    url: pin.url,
    tag: pin.ref.tag,
    path: pin.path,
    dependencies: [],
    kubeVersion: "",
    sha256: "",
  };
}

export const cli = defineCli({
  name: "charts",
  usage: USAGE,
  help: {
    summary: [
      "The chart cache in charts/: verify checks every archive against the sha256 in charts/lock.json (and that no",
      "archive is unlocked); refresh rebuilds archives from the charts' Git tags with real Helm and rewrites their",
      "digests; add locks charts of CHARTS (stacks/releases/charts.ts) the cache does not hold yet and builds them",
      "the same way (refresh and add need the network: git clones of the chart repositories).",
    ].join("\n"),
    positionals: { "verify | refresh | add <chart>...": "what to do (add: the names of charts in CHARTS)" },
    flags: {
      only: "refresh: rebuild only this archive (repeatable), e.g. metallb-0.14.9.tgz",
      dir: "the cache folder (default: charts/)",
    },
    exits: { 0: "the cache is whole (verify), rebuilt (refresh) or extended (add)", 1: "a problem, one line each", 2: "bad arguments" },
    examples: ["npm run charts -- verify", "npm run charts -- refresh --only metallb-0.14.9.tgz"],
  },
  allowPositionals: true,
  options: { only: { type: "string", multiple: true }, dir: { type: "string" } },
  async run({ values, positionals }, io) {
    const dir = values.dir ?? CHART_CACHE_DIR;
    const [verb, ...rest] = positionals;
    if (verb === "add") {
      if (rest.length === 0) throw new UsageError(`add needs the name of a chart in CHARTS (usage: ${USAGE})`);
      if (values.only) throw new UsageError(`--only goes with refresh (usage: ${USAGE})`);
      const done = await refreshCache({ dir, add: rest.map(lockEntryOf), log: (line) => io.err(`${line}\n`) });
      for (const e of done) io.out(`charts: ${e.archive} sha256 ${e.sha256} (added to charts/lock.json)\n`);
      return 0;
    }
    if (rest.length > 0 || (verb !== "verify" && verb !== "refresh"))
      throw new UsageError(`expected verify, refresh or add (usage: ${USAGE})`);
    if (verb === "verify") {
      if (values.only) throw new UsageError(`--only goes with refresh (usage: ${USAGE})`);
      const problems = verifyCache(dir);
      for (const p of problems) io.err(`charts: ${p}\n`);
      if (problems.length === 0) io.out(`charts: every archive in ${dir} has its locked sha256\n`);
      return problems.length === 0 ? 0 : 1;
    }
    const done = await refreshCache({ dir, only: values.only, log: (line) => io.err(`${line}\n`) });
    for (const e of done) io.out(`charts: ${e.archive} sha256 ${e.sha256}\n`);
    return 0;
  },
});

export function main(argv: string[], io?: Io, env?: NodeJS.ProcessEnv): Promise<number> {
  return runCli(cli, argv, io, env);
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
