// Rebuilds the chart cache from the charts' Git repositories, where the network allows: for each
// lock entry, the chart folder at its tag, with each dependency vendored from its own Git tag (or a
// stub Chart.yaml for one that is disabled by default), packaged by real Helm. Each archive replaces
// the old one through a temporary file and a rename, and the lock is rewritten the same way only after
// every archive is in place, so an interrupted refresh leaves the old cache or a cache whose digests
// `verify` reports; it never leaves a lock that holds a digest of a half-written archive.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { ChartCacheError, CHART_CACHE_DIR, LOCK_FILE, readLock, sha256File, type ChartLock, type LockEntry } from "./cache.ts";
import { helmBinary } from "./binary.ts";

const run = promisify(execFile);

/** Each lock entry whose archive is missing or does not have the locked digest, as one line each. */
export function verifyCache(dir = CHART_CACHE_DIR): string[] {
  const problems: string[] = [];
  const lock = readLock(dir);
  for (const e of lock.charts) {
    const file = join(dir, e.archive);
    if (!existsSync(file)) problems.push(`charts/${e.archive}: missing (locked for ${e.url}@${e.tag}:${e.path})`);
    else if (sha256File(file) !== e.sha256) problems.push(`charts/${e.archive}: sha256 ${sha256File(file)} is not the locked ${e.sha256}`);
  }
  const locked = new Set(lock.charts.map((e) => e.archive));
  for (const f of readdirSync(dir)) if (f.endsWith(".tgz") && !locked.has(f)) problems.push(`charts/${f}: not in charts/${LOCK_FILE}`);
  return problems;
}

async function git(args: string[], what: string): Promise<void> {
  try {
    await run("git", args, { env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new ChartCacheError(`${what}: git ${args[0]} fails: ${(err.stderr || err.message).trim().split("\n").pop()}`);
  }
}

/** The `kubeVersion` of a chart archive's Chart.yaml as Helm reads it ("" when it sets none). */
export async function chartKubeVersion(helm: string, archive: string): Promise<string> {
  const { stdout } = await run(helm, ["show", "chart", archive]);
  const meta = parse(stdout) as { kubeVersion?: unknown } | null;
  return typeof meta?.kubeVersion === "string" ? meta.kubeVersion : "";
}

/**
 * Rebuilds the archives of the lock entries `only` names (all when empty) in `dir`; returns the entries
 * rebuilt. `add`: new entries (their digests are filled in) that are built, and only those; the lock gains
 * them once every archive is in place, so a failed add leaves the lock as it was.
 */
export async function refreshCache(
  options: { dir?: string; only?: string[]; add?: LockEntry[]; log?: (line: string) => void } = {},
): Promise<LockEntry[]> {
  const dir = options.dir ?? CHART_CACHE_DIR;
  const log = options.log ?? (() => {});
  const lock = readLock(dir);
  for (const entry of options.add ?? []) {
    const same = lock.charts.find(
      (e) => e.archive === entry.archive || (e.url === entry.url && e.tag === entry.tag && e.path === entry.path),
    );
    if (same) throw new ChartCacheError(`charts/${LOCK_FILE}: ${entry.url}@${entry.tag}:${entry.path} is locked already (${same.archive})`);
  }
  if (options.add?.length) lock.charts.push(...options.add.map((e) => ({ ...e })));
  const only = options.add?.length ? options.add.map((e) => e.archive) : options.only;
  const chosen = lock.charts.filter((e) => !only?.length || only.includes(e.archive));
  for (const name of only ?? []) {
    if (!lock.charts.some((e) => e.archive === name)) throw new ChartCacheError(`charts/${LOCK_FILE}: no entry with archive ${name}`);
  }
  const helm = await helmBinary(4);
  const work = mkdtempSync(join(tmpdir(), "flux-gitops-charts-"));
  const clones = new Map<string, string>();
  /** A shallow clone of `url` at `tag`, once per run. */
  const checkout = async (url: string, tag: string): Promise<string> => {
    const key = `${url}@${tag}`;
    const known = clones.get(key);
    if (known) return known;
    const into = join(work, `src-${clones.size}`);
    await git(["clone", "--quiet", "--depth", "1", "--branch", tag, "--", url, into], `${url}@${tag}`);
    clones.set(key, into);
    return into;
  };
  const next: ChartLock = { ...lock, charts: lock.charts.map((e) => ({ ...e })) };
  try {
    for (const entry of chosen) {
      log(`charts: ${entry.archive} from ${entry.url}@${entry.tag}:${entry.path}`);
      const src = join(await checkout(entry.url, entry.tag), entry.path);
      if (!existsSync(join(src, "Chart.yaml"))) throw new ChartCacheError(`${entry.url}@${entry.tag}: ${entry.path} holds no Chart.yaml`);
      const chart = join(work, `build-${entry.archive}`, "chart");
      cpSync(src, chart, { recursive: true });
      for (const dep of entry.dependencies) {
        const into = join(chart, dep.into);
        rmSync(into, { recursive: true, force: true });
        if ("stub" in dep) {
          mkdirSync(into, { recursive: true });
          // JSON, a YAML every reader takes alike: Helm's YAML 1.1 reads a bare `off` or `no` as a boolean.
          writeFileSync(
            join(into, "Chart.yaml"),
            `${JSON.stringify({ apiVersion: "v2", name: dep.stub.name, version: dep.stub.version })}\n`,
          );
        } else {
          const depSrc = join(await checkout(dep.url, dep.tag), dep.path);
          if (!existsSync(join(depSrc, "Chart.yaml"))) throw new ChartCacheError(`${dep.url}@${dep.tag}: ${dep.path} holds no Chart.yaml`);
          cpSync(depSrc, into, { recursive: true });
        }
      }
      const out = join(work, `out-${entry.archive}`);
      mkdirSync(out);
      try {
        await run(helm, ["package", chart, "-d", out], {
          env: { ...process.env, HELM_CONFIG_HOME: work, HELM_CACHE_HOME: work, HELM_DATA_HOME: work },
        });
      } catch (e) {
        const err = e as { stderr?: string; message: string };
        throw new ChartCacheError(`${entry.archive}: helm package fails: ${(err.stderr || err.message).trim().split("\n").join(" ")}`);
      }
      const [packaged] = readdirSync(out);
      const tmp = join(dir, `.${entry.archive}.tmp`);
      cpSync(join(out, packaged!), tmp);
      renameSync(tmp, join(dir, entry.archive));
      const locked = next.charts.find((e) => e.archive === entry.archive)!;
      locked.sha256 = sha256File(join(dir, entry.archive));
      locked.kubeVersion = await chartKubeVersion(helm, join(dir, entry.archive));
    }
    const tmpLock = join(dir, `.${LOCK_FILE}.tmp`);
    writeFileSync(tmpLock, `${JSON.stringify(next, null, 2)}\n`);
    renameSync(tmpLock, join(dir, LOCK_FILE));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return next.charts.filter((e) => chosen.some((c) => c.archive === e.archive));
}
