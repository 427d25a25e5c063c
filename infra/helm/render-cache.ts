// `helm template` is pure: the same Helm binary, chart archive, arguments and values give the same manifests. With
// FLUX_GITOPS_HELM_RENDER_CACHE naming a folder, a render is kept there once, as JSON (parsing a large chart's YAML
// output costs more than rendering it), as <sha256 of all of those>.json, and reused by later renders in any
// process. `npm test` sets it to a folder of its own for the run (.ci/test): the tests render the same releases
// many times. Off otherwise: `npm run verify` and `npm run policy` always run Helm, so no file anyone could plant
// stands in for a render. Only a chart archive is keyed (its bytes hashed); a chart folder is always rendered. A
// failure to read or write the cache is no failure of the render: it renders. Only successful renders are kept.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Rendered manifests, as parsed. */
type Rendered = Record<string, unknown>[];

const DIR = () => process.env.FLUX_GITOPS_HELM_RENDER_CACHE || undefined;

/** The key of one render: undefined (not kept) when the chart is a folder or cannot be read. */
export function renderKey(helm: string, chart: string, args: string[], values: string): string | undefined {
  if (DIR() === undefined) return undefined;
  try {
    if (!statSync(chart).isFile()) return undefined;
    const hash = createHash("sha256");
    for (const part of [helm, readFileSync(chart).toString("base64"), JSON.stringify(args), values]) hash.update(`${part.length}:${part}`);
    return hash.digest("hex");
  } catch {
    return undefined;
  }
}

export function cachedRender(key: string | undefined): Rendered | undefined {
  if (key === undefined) return undefined;
  try {
    return JSON.parse(readFileSync(join(DIR()!, `${key}.json`), "utf8")) as Rendered;
  } catch {
    return undefined;
  }
}

export function keepRender(key: string | undefined, manifests: Rendered): void {
  if (key === undefined) return;
  try {
    const dir = DIR()!;
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `${key}.${process.pid}.${Date.now()}.tmp`);
    writeFileSync(tmp, JSON.stringify(manifests));
    renameSync(tmp, join(dir, `${key}.json`));
  } catch {
    // A cache that cannot be written only costs the next render its time.
  }
}
