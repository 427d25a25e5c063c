// Charts the graph installs from Git, rendered as helm-controller installs them (infra/helm/release.ts:
// real Helm, the release's values, post-renderers), so the rules run over what a chart really applies: a
// chart that renders a HelmRepository and a HelmRelease installs them through helm-controller.
//
// Where the chart comes from decides how it is rendered:
// - a chart in this repository (the sync GitRepository, or one graph mode follows as this repository): the
//   folder in Flux's artifact;
// - a chart of another repository at a tag the project's chart cache holds (charts/lock.json): the archive;
// - any other chart: its source URL is checked by the rules, its content is not (a note; in production a
//   content-verified finding, as for a Kustomization applying another source).
// What cannot be rendered (Helm refuses it, a valuesFrom that is not in Git, a chart with dependencies not
// in its folder) is a content-verified finding naming the reason: never a pass.
//
// Dependencies: source-controller builds a Git chart with the Chart.yaml (or Chart.lock) dependencies that
// are not in its charts/ folder by downloading each from its repository URL, with a HelmRepository of that
// URL or an ad-hoc one (fluxcd/source-controller v1.8.5 internal/helm/chart/dependency_manager.go Build,
// collectMissing: missing = requested by alias or name and not among the loaded subcharts; `file://` and
// empty repositories are local). Each such URL is a source under git-source-allowed, as a HelmRepository
// named after the dependency. In a cached archive the dependencies the project vendored (the lock entry's
// `dependencies`, `into: charts/<name>`) are the ones source-controller downloads.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, posix } from "node:path";
import yaml from "js-yaml";
import { SYNC_NAME } from "../infra/contract.ts";
import { lockEntry, readLock, CHART_CACHE_DIR, type ChartPin, type LockEntry } from "../infra/helm/cache.ts";
import { HelmRenderError, renderRelease, type Manifest, type ValuesReference } from "../infra/helm/release.ts";
import { UserError } from "../infra/errors.ts";
import { HelmUnavailableError } from "../infra/helm/binary.ts";
import { type CheckResult } from "./result.ts";
import { type CheckedObject, type EnvironmentContext } from "./runner.ts";
import { isThisRepository } from "./references.ts";
import { field, text, type Problem } from "./rules/model.ts";
import type { StackView } from "./stacks.ts";

export interface ChartContext {
  /** Flux's artifact of this repository (graph mode's copy). */
  artifact: string;
  view: StackView;
  env: EnvironmentContext;
  production: boolean;
  result: CheckResult;
  /** Which Flux object applies each checked object (graph mode's map): rendered objects are the release's. */
  appliers: WeakMap<CheckedObject, string>;
  /** The chart cache folder (default: the repository's charts/). */
  cacheDir?: string;
}

const HELM_GROUP = "helm.toolkit.fluxcd.io/";
const SOURCE_GROUP = "source.toolkit.fluxcd.io/";
/** One chart's `helm template`: bounded in time (a template can loop); its output is bounded by maxBuffer. */
const RENDER_TIMEOUT_MS = 60_000;
/** Charts rendering charts: bounded. */
const MAX_DEPTH = 3;

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const cleanPath = (p: string) => posix.normalize(`/${p}`).replace(/^\/+/, "").replace(/\/+$/, "");

interface Dependency {
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
function missingInFolder(dir: string): Dependency[] {
  const reqs = requested(readYaml(join(dir, "Chart.yaml")), readYaml(join(dir, "Chart.lock")));
  const present = vendored(dir);
  if (present.length === reqs.length) return [];
  return reqs.filter((d) => !present.includes(d.alias ?? d.name));
}

/** The dependencies source-controller downloads for a cached chart: the ones the project vendored. */
function missingInCache(entry: LockEntry, chartYaml: unknown): Dependency[] {
  const into = new Set(entry.dependencies.map((d) => d.into));
  return requested(chartYaml, undefined).filter((d) => into.has(`charts/${d.alias ?? d.name}`) || into.has(`charts/${d.name}`));
}

/** The Chart.yaml inside a chart archive: its first entry's folder holds it. */
async function archiveChartYaml(file: string): Promise<unknown> {
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
function crdApiVersions(docs: Record<string, unknown>[]): string[] {
  const out = new Set<string>();
  for (const d of docs) {
    if (d.kind !== "CustomResourceDefinition") continue;
    const group = text(field(d, "spec", "group"));
    const kind = text(field(d, "spec", "names", "kind"));
    for (const v of asArray(field(d, "spec", "versions"))) {
      const name = text(field(v, "name"));
      if (group && name) {
        out.add(`${group}/${name}`);
        if (kind) out.add(`${group}/${name}/${kind}`);
      }
    }
  }
  return [...out];
}

/** Renders every Git-sourced chart among `objects`; returns the objects they apply (and their dependency sources). */
export async function renderCharts(objects: CheckedObject[], ctx: ChartContext): Promise<CheckedObject[]> {
  const out: CheckedObject[] = [];
  let lock: ReturnType<typeof readLock> | undefined;
  let level = objects;
  for (let depth = 0; depth < MAX_DEPTH && level.length; depth++) {
    const all = [...objects, ...out].map((o) => o.doc);
    const next: CheckedObject[] = [];
    for (const release of level.filter((o) => o.doc.kind === "HelmRelease" && String(o.doc.apiVersion).startsWith(HELM_GROUP))) {
      next.push(...(await renderOne(release, all, ctx, () => (lock ??= readLock(ctx.cacheDir ?? CHART_CACHE_DIR)))));
    }
    out.push(...next);
    level = next;
  }
  if (level.some((o) => o.doc.kind === "HelmRelease")) {
    for (const o of level.filter((x) => x.doc.kind === "HelmRelease")) {
      (o.problems ??= []).push({ message: `charts render HelmReleases more than ${MAX_DEPTH} deep: not rendered here`, at: ["spec"] });
    }
  }
  return out;
}

async function renderOne(
  release: CheckedObject,
  all: Record<string, unknown>[],
  ctx: ChartContext,
  lock: () => ReturnType<typeof readLock>,
): Promise<CheckedObject[]> {
  let hr = release.doc;
  const namespace = text(field(hr, "metadata", "namespace")) ?? "default";
  // chartRef to a HelmChart built from a GitRepository: the same chart as spec.chart.spec naming it.
  const chartRef = field(hr, "spec", "chartRef");
  if (chartRef !== undefined && text(field(chartRef, "kind")) === "HelmChart") {
    const chartNamespace = text(field(chartRef, "namespace")) ?? namespace;
    const helmChart = all.find(
      (d) =>
        d.kind === "HelmChart" &&
        String(d.apiVersion).startsWith(SOURCE_GROUP) &&
        field(d, "metadata", "name") === text(field(chartRef, "name")) &&
        (text(field(d, "metadata", "namespace")) ?? "default") === chartNamespace,
    );
    if (helmChart === undefined || text(field(helmChart, "spec", "sourceRef", "kind")) !== "GitRepository") return [];
    const { chartRef: _, ...spec } = (field(hr, "spec") ?? {}) as Record<string, unknown>;
    const chartSpec = { ...(field(helmChart, "spec") as Record<string, unknown>) };
    chartSpec.sourceRef = { ...(chartSpec.sourceRef as Record<string, unknown>), namespace: chartNamespace };
    hr = { ...hr, spec: { ...spec, chart: { spec: chartSpec } } };
  }
  const id = `HelmRelease ${namespace}/${String(field(hr, "metadata", "name"))}`;
  const fail = (message: string, at: string[] = ["spec", "chart"]) => {
    const problem: Problem = { message: `its chart is not rendered here, so what it installs is not verified: ${message}`, at };
    (release.problems ??= []).push(problem);
    return [];
  };
  const chartSpec = field(hr, "spec", "chart", "spec");
  const ref = field(chartSpec, "sourceRef");
  if (field(hr, "spec", "chartRef") !== undefined || text(field(ref, "kind")) !== "GitRepository") return []; // not a Git chart
  const refName = text(field(ref, "name")) ?? "";
  const refNamespace = text(field(ref, "namespace")) ?? namespace;
  const path = cleanPath(text(field(chartSpec, "chart")) ?? "");
  const fluxNamespace = ctx.env.stack?.fluxNamespace;
  const source = all.find(
    (d) =>
      d.kind === "GitRepository" &&
      String(d.apiVersion).startsWith(SOURCE_GROUP) &&
      field(d, "metadata", "name") === refName &&
      (text(field(d, "metadata", "namespace")) ?? "default") === refNamespace,
  );
  const local = (refName === SYNC_NAME && refNamespace === fluxNamespace) || (source !== undefined && isThisRepository(source, ctx.view));
  if (!local && source === undefined) return []; // not in Git: helmrelease-git-sourced reports it
  if (ctx.view.render === undefined) return fail("the stack config gives no Kubernetes version and Flux version to render with");
  if (field(chartSpec, "valuesFiles") !== undefined || field(chartSpec, "valuesFile") !== undefined) {
    return fail("spec.chart.spec.valuesFiles are not merged here", ["spec", "chart", "spec", "valuesFiles"]);
  }
  let chart: { file: string; pin: ChartPin } | undefined;
  let missing: Dependency[];
  const url = text(field(source, "spec", "url")) ?? "";
  if (local) {
    const dir = join(ctx.artifact, path);
    if (!existsSync(join(dir, "Chart.yaml"))) return fail(`${path} holds no Chart.yaml in this repository (Flux fails to build it)`);
    chart = { file: dir, pin: { url: "(this repository)", tag: "", path } };
    missing = missingInFolder(dir);
  } else {
    const gitRef = field(source, "spec", "ref");
    const tag = text(field(gitRef, "tag"));
    const entry = tag !== undefined && Object.keys(gitRef as object).length === 1 ? lockEntry({ url, tag, path }, lock()) : undefined;
    if (entry === undefined) {
      // Another repository's chart the cache does not hold: checked as a source, like a Kustomization's.
      const message = `${id} installs chart ${path} from GitRepository ${refNamespace}/${refName} (${url}): its URL is checked as a source, the chart's content is not verified here`;
      if (ctx.production)
        (release.problems ??= []).push({ message: `in production it ${message.replace(`${id} `, "")}`, at: ["spec", "chart"] });
      else ctx.result.notes.push({ file: release.file, line: release.line, message });
      return [];
    }
    const file = join(ctx.cacheDir ?? CHART_CACHE_DIR, entry.archive);
    try {
      missing = missingInCache(entry, await archiveChartYaml(file));
    } catch (e) {
      return fail(`charts/${entry.archive} cannot be read: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  const created = ctx.view.render.created;
  const valueFrom = (r: ValuesReference) => {
    const inGit = all.find(
      (d) =>
        d.apiVersion === "v1" &&
        d.kind === r.kind &&
        field(d, "metadata", "name") === r.name &&
        (text(field(d, "metadata", "namespace")) ?? namespace) === namespace,
    );
    const made = created.find((o) => o.kind === r.kind && o.metadata?.name === r.name && o.metadata.namespace === namespace);
    const obj = (inGit ?? made) as Manifest | undefined;
    if (obj === undefined) return undefined;
    const key = r.valuesKey ?? "values.yaml";
    const raw =
      field(obj, "stringData", key) ??
      (typeof field(obj, "data", key) === "string"
        ? r.kind === "Secret"
          ? Buffer.from(String(field(obj, "data", key)), "base64").toString("utf8")
          : field(obj, "data", key)
        : undefined);
    if (typeof raw !== "string") return undefined;
    if (r.targetPath) return raw;
    try {
      return yaml.load(raw);
    } catch {
      return undefined;
    }
  };
  const dependencies = dependencySources(missing, release, ctx, local ? `chart ${path} of this repository` : `chart ${path} of ${url}`);
  let rendered;
  try {
    rendered = await renderRelease(hr as Manifest, all as Manifest[], {
      kubeVersion: ctx.view.render.kubeVersion,
      helm: ctx.view.render.helm,
      apiVersions: crdApiVersions(all),
      valueFrom,
      cacheDir: ctx.cacheDir,
      chart,
      timeoutMs: RENDER_TIMEOUT_MS,
    });
  } catch (e) {
    // A missing Helm stops the run like a missing kubectl (exit 2, one line); anything else about this chart
    // (Helm refuses it, the cache's archive is not the locked one) is this release's finding.
    if (e instanceof HelmUnavailableError || (!(e instanceof HelmRenderError) && !(e instanceof UserError))) throw e;
    fail(e.message.replace(`${id}: `, ""));
    return dependencies;
  }
  const by = `${id} (chart ${path})`;
  const objects = [...rendered.objects, ...rendered.hooks].map((doc) => {
    const o: CheckedObject = { doc: doc as Record<string, unknown>, file: release.file, line: release.line, env: ctx.env, renderedBy: by };
    ctx.appliers.set(o, by);
    return o;
  });
  return [...dependencies, ...objects];
}

/** Each dependency source-controller downloads, as a HelmRepository subject of git-source-allowed. */
function dependencySources(missing: Dependency[], release: CheckedObject, ctx: ChartContext, chart: string): CheckedObject[] {
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
