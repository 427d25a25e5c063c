// A Git chart's dependencies that source-controller downloads when it builds the chart: those its Chart.yaml (or
// Chart.lock) requests and its charts/ folder lacks (fluxcd/source-controller v1.8.5
// internal/helm/chart/dependency_manager.go collectMissing), each a HelmRepository subject of git-source-allowed.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { type LockEntry } from "../infra/helm/cache.ts";
import { type CheckedObject } from "./runner.ts";
import { field, text } from "./rules/model.ts";
import type { ChartContext } from "./chart-inputs.ts";

export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export interface Dependency {
  name: string;
  alias?: string;
  repository: string;
}

/** The dependencies a Chart.yaml (or its Chart.lock, which takes precedence) requests. */
function requested(chartYaml: unknown, chartLock: unknown): Dependency[] {
  const list = chartLock !== undefined && chartLock !== null ? field(chartLock, "dependencies") : field(chartYaml, "dependencies");
  return asArray(list)
    .map((d) => ({ name: text(field(d, "name")) ?? "", alias: text(field(d, "alias")), repository: text(field(d, "repository")) ?? "" }))
    .filter((d) => d.name !== "");
}

const isLocal = (d: Dependency) => d.repository === "" || d.repository.startsWith("file://");

function readYaml(file: string): unknown {
  try {
    return yaml.load(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

/** Names of the subcharts in a chart folder's charts/ (a folder's Chart.yaml name, an archive's file name). */
function vendored(dir: string): string[] {
  const charts = join(dir, "charts");
  if (!existsSync(charts) || !statSync(charts).isDirectory()) return [];
  const out: string[] = [];
  for (const entry of readdirSync(charts, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      const name = text(field(readYaml(join(charts, entry.name, "Chart.yaml")), "name"));
      if (name) out.push(name);
    } else if (entry.isFile() && entry.name.endsWith(".tgz")) out.push(entry.name.replace(/-v?\d[^-]*(-[^-]+)?\.tgz$/, ""));
  }
  return out;
}

/** The dependencies source-controller downloads for a chart folder (see the header). */
export function missingInFolder(dir: string): Dependency[] {
  const reqs = requested(readYaml(join(dir, "Chart.yaml")), readYaml(join(dir, "Chart.lock")));
  const present = vendored(dir);
  if (present.length === reqs.length) return [];
  return reqs.filter((d) => !present.includes(d.alias ?? d.name));
}

/** The dependencies source-controller downloads for a cached chart: the ones the project vendored. */
export function missingInCache(entry: LockEntry, chartYaml: unknown): Dependency[] {
  const into = new Set(entry.dependencies.map((d) => d.into));
  return requested(chartYaml, undefined).filter((d) => into.has(`charts/${d.alias ?? d.name}`) || into.has(`charts/${d.name}`));
}

/** The Chart.yaml inside a chart archive: its first entry's folder holds it. */
export async function archiveChartYaml(file: string): Promise<unknown> {
  const { execFile } = await import("node:child_process");
  const list = (args: string[]) =>
    new Promise<string>((done, fail) =>
      execFile("tar", args, { maxBuffer: 64 * 1024 * 1024, encoding: "utf8" }, (e, out) => (e ? fail(e) : done(out))),
    );
  const first = (await list(["-tzf", file])).split("\n")[0] ?? "";
  const top = first.split("/")[0];
  return yaml.load(await list(["-xzOf", file, `${top}/Chart.yaml`]));
}

/** `group/version` and `group/version/Kind` of each CRD among `docs`, for `helm template --api-versions`. */
export function dependencySources(missing: Dependency[], release: CheckedObject, ctx: ChartContext, chart: string): CheckedObject[] {
  const namespace = text(field(release.doc, "metadata", "namespace")) ?? "default";
  return missing
    .filter((d) => !isLocal(d))
    .map((d) => ({
      doc: {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "HelmRepository",
        // Not a name any reference can hold: the subject never answers a lookup.
        metadata: { name: `dependency ${d.alias ?? d.name} of ${chart}`, namespace },
        spec: {
          url: d.repository.startsWith("@") || d.repository.startsWith("alias:") ? `(repository alias ${d.repository})` : d.repository,
        },
      },
      file: release.file,
      line: release.line,
      env: ctx.env,
    }));
}
