// The chart cache the project owns: charts/<archive>.tgz, one per chart pin (Git URL, tag, chart
// folder), each `helm package` of the folder at that tag with the dependencies source-controller would
// download vendored from their own Git tags, and charts/lock.json holding every archive's sha256.
// Rendering a chart reads it from here, never from the network; `npm run charts -- refresh` rebuilds
// the archives from Git where the network allows (infra/helm/refresh.ts).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { UserError } from "../errors.ts";
import { REPOSITORY_ROOT } from "../repository.ts";

/** The repository's chart cache folder. */
export const CHART_CACHE_DIR = join(REPOSITORY_ROOT, "charts");
export const LOCK_FILE = "lock.json";

/** A problem with the chart cache or a pin it does not hold; the message is one line. */
export class ChartCacheError extends UserError {
  override name = "ChartCacheError";
}

const gitSource = { url: z.string().url(), tag: z.string().min(1), path: z.string().min(1) };

const dependency = z.union([
  z.object({ into: z.string().min(1), ...gitSource }).strict(),
  z.object({ into: z.string().min(1), stub: z.object({ name: z.string().min(1), version: z.string().min(1) }).strict() }).strict(),
]);

const entry = z
  .object({
    archive: z.string().regex(/^[A-Za-z0-9._-]+\.tgz$/, "must be a file name ending in .tgz"),
    ...gitSource,
    /** Vendored into the chart folder before packaging: a chart folder of another Git tag, or a stub. */
    dependencies: z.array(dependency),
    /** The packaged Chart.yaml's `kubeVersion` constraint, as `helm show chart` reads it; empty: none. */
    kubeVersion: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be a sha256 in lowercase hex"),
  })
  .strict();

const lockSchema = z.object({ $comment: z.string().optional(), charts: z.array(entry) }).strict();

export type LockEntry = z.infer<typeof entry>;
export type ChartLock = z.infer<typeof lockSchema>;

/** Where a HelmRelease's chart comes from, as source-controller sees it: a Git URL, a tag and a folder. */
export interface ChartPin {
  url: string;
  tag: string;
  path: string;
}

export const pinName = (p: ChartPin) => `${p.url}@${p.tag}:${p.path}`;

/** Chart folders compare as source-controller resolves them: relative to the artifact root. */
const cleanPath = (p: string) => p.replace(/^(\.\/)+/, "").replace(/\/+$/, "");

export function readLock(dir = CHART_CACHE_DIR): ChartLock {
  const file = join(dir, LOCK_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ChartCacheError(`${file}: ${(e as Error).message.split("\n")[0]}`);
  }
  const parsed = lockSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ChartCacheError(`${file}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  const seen = new Set<string>();
  for (const e of parsed.data.charts) {
    const key = pinName({ ...e, path: cleanPath(e.path) });
    if (seen.has(key)) throw new ChartCacheError(`${file}: ${key} is locked twice`);
    seen.add(key);
  }
  return parsed.data;
}

/** The lock entry of `pin`, if the cache holds one. */
export function lockEntry(pin: ChartPin, lock: ChartLock): LockEntry | undefined {
  return lock.charts.find((e) => e.url === pin.url && e.tag === pin.tag && cleanPath(e.path) === cleanPath(pin.path));
}

export const sha256File = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** The cached archive of `pin`, its digest checked against the lock; one line naming the pin when there is none. */
export function cachedChart(pin: ChartPin, dir = CHART_CACHE_DIR, lock = readLock(dir)): { file: string; entry: LockEntry } {
  const found = lockEntry(pin, lock);
  if (!found) {
    throw new ChartCacheError(
      `no cached chart for ${pinName(pin)}: add it to charts/${LOCK_FILE} and run \`npm run charts -- refresh\` (docs/testing.md)`,
    );
  }
  const file = join(dir, found.archive);
  let digest: string;
  try {
    digest = sha256File(file);
  } catch {
    throw new ChartCacheError(`charts/${found.archive} (locked for ${pinName(pin)}) is missing: run \`npm run charts -- refresh\``);
  }
  if (digest !== found.sha256) {
    throw new ChartCacheError(`charts/${found.archive}: sha256 ${digest} is not the one charts/${LOCK_FILE} holds (${found.sha256})`);
  }
  return { file, entry: found };
}
