// npm run charts -- verify | refresh [--only <archive>]... | add <chart>... [--dir DIR]
// The chart cache in charts/ (infra/helm/cache.ts): `verify` checks every archive against the sha256 in
// charts/lock.json (and that no archive is unlocked); `refresh` rebuilds archives from the charts' Git
// tags with real Helm and rewrites their digests (needs the network: git clones of the chart repositories);
// `add` locks charts of CHARTS (stacks/releases/charts.ts) the cache does not hold yet, and builds them the same way.
// Exit 0: the cache is whole (verify) or rebuilt (refresh); 1: a problem, one line each; 2: bad arguments.
import { isMain, runCli, UsageError, type Io } from "../infra/cli.ts";
import { CHART_CACHE_DIR } from "../infra/helm/cache.ts";
import { refreshCache, verifyCache } from "../infra/helm/refresh.ts";
import { readLock, type LockEntry } from "../infra/helm/cache.ts";
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

export function main(argv: string[], io?: Io): Promise<number> {
  return runCli(
    {
      name: "charts",
      usage: USAGE,
      allowPositionals: true,
      options: { only: { type: "string", multiple: true }, dir: { type: "string" } },
      async run({ values, positionals }, io) {
        const dir = values.dir ?? CHART_CACHE_DIR;
        const [verb, ...rest] = positionals;
        if (verb === "add") {
          if (rest.length === 0) throw new UsageError(`add needs the name of a chart in CHARTS (usage: ${USAGE})`);
          if (values.only) throw new UsageError(`--only goes with refresh (usage: ${USAGE})`);
          // What is locked already at the same place is done (rebuilt if its archive is not whole): `add` may run twice.
          const lock = readLock(dir);
          const broken = new Set(verifyCache(dir).map((p) => p.split(":")[0]));
          const add: LockEntry[] = [];
          const rebuild: string[] = [];
          for (const entry of rest.map(lockEntryOf)) {
            const same = lock.charts.find(
              (e) => e.archive === entry.archive && e.url === entry.url && e.tag === entry.tag && e.path === entry.path,
            );
            if (!same) add.push(entry);
            else if (broken.has(`charts/${same.archive}`)) rebuild.push(same.archive);
            else io.out(`charts: ${same.archive} is locked already\n`);
          }
          const log = (line: string) => io.err(`${line}\n`);
          const done = [
            ...(rebuild.length > 0 ? await refreshCache({ dir, only: rebuild, log }) : []),
            ...(add.length > 0 ? await refreshCache({ dir, add, log }) : []),
          ];
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
    },
    argv,
    io,
  );
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
