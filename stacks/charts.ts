// npm run charts -- verify | refresh [--only <archive>]... [--dir DIR]
// The chart cache in charts/ (infra/helm/cache.ts): `verify` checks every archive against the sha256 in
// charts/lock.json (and that no archive is unlocked); `refresh` rebuilds archives from the charts' Git
// tags with real Helm and rewrites their digests (needs the network: git clones of the chart repositories).
// Exit 0: the cache is whole (verify) or rebuilt (refresh); 1: a problem, one line each; 2: bad arguments.
import { isMain, runCli, UsageError, type Io } from "../infra/cli.ts";
import { CHART_CACHE_DIR } from "../infra/helm/cache.ts";
import { refreshCache, verifyCache } from "../infra/helm/refresh.ts";

const USAGE = "npm run charts -- verify | refresh [--only <archive>]... [--dir DIR]";

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
        if (rest.length > 0 || (verb !== "verify" && verb !== "refresh"))
          throw new UsageError(`expected verify or refresh (usage: ${USAGE})`);
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
