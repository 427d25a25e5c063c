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
import { existsSync } from "node:fs";
import { join, posix } from "node:path";
import { SYNC_NAME } from "../infra/contract.ts";
import { lockEntry, readLock, CHART_CACHE_DIR, type ChartPin } from "../infra/helm/cache.ts";
import { HelmRenderError, renderRelease, type Manifest } from "../infra/helm/release.ts";
import { UserError } from "../infra/errors.ts";
import { HelmUnavailableError } from "../infra/helm/binary.ts";
import { type CheckedObject } from "./runner.ts";
import { isThisRepository } from "./references.ts";
import { valuesFrom, viaChartRef, type ChartContext } from "./chart-inputs.ts";
import { field, text, type Problem } from "./rules/model.ts";
import type { StackView } from "./stacks.ts";

import { type Dependency, archiveChartYaml, asArray, dependencySources, missingInCache, missingInFolder } from "./chart-dependencies.ts";

const HELM_GROUP = "helm.toolkit.fluxcd.io/";
const SOURCE_GROUP = "source.toolkit.fluxcd.io/";
/** One chart's `helm template`: bounded in time (a template can loop); its output is bounded by maxBuffer. */
const RENDER_TIMEOUT_MS = 60_000;
/** Charts rendering charts: bounded. */
const MAX_DEPTH = 3;

const cleanPath = (p: string) => posix.normalize(`/${p}`).replace(/^\/+/, "").replace(/\/+$/, "");

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
  const namespace = text(field(release.doc, "metadata", "namespace")) ?? "default";
  const hr = viaChartRef(release.doc, all, namespace);
  if (hr === undefined) return [];
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
      notCached(release, ctx, `${id} installs chart ${path} from GitRepository ${refNamespace}/${refName} (${url})`);
      return [];
    }
    try {
      missing = missingInCache(entry, await archiveChartYaml(join(ctx.cacheDir ?? CHART_CACHE_DIR, entry.archive)));
    } catch (e) {
      return fail(`charts/${entry.archive} cannot be read: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  const dependencies = dependencySources(missing, release, ctx, local ? `chart ${path} of this repository` : `chart ${path} of ${url}`);
  const render = { hr, all, namespace, id, by: `${id} (chart ${path})`, chart, render: ctx.view.render };
  return [...dependencies, ...(await rendered(release, ctx, render, fail))];
}

interface RenderInput {
  hr: Record<string, unknown>;
  all: Record<string, unknown>[];
  namespace: string;
  id: string;
  /** Who applies what the chart renders (the release, naming its chart). */
  by: string;
  chart: { file: string; pin: ChartPin } | undefined;
  render: NonNullable<StackView["render"]>;
}

/** What the release's chart renders, as checked objects the release applies; none when Helm refuses it (`fail` says why). */
async function rendered(
  release: CheckedObject,
  ctx: ChartContext,
  r: RenderInput,
  fail: (message: string) => unknown,
): Promise<CheckedObject[]> {
  let out;
  try {
    out = await renderRelease(r.hr as Manifest, r.all as Manifest[], {
      kubeVersion: r.render.kubeVersion,
      helm: r.render.helm,
      apiVersions: crdApiVersions(r.all),
      valueFrom: valuesFrom(r.all, r.render.created, r.namespace),
      cacheDir: ctx.cacheDir,
      chart: r.chart,
      timeoutMs: RENDER_TIMEOUT_MS,
    });
  } catch (e) {
    // A missing Helm stops the run like a missing kubectl (exit 2, one line); anything else about this chart
    // (Helm refuses it, the cache's archive is not the locked one) is this release's finding.
    if (e instanceof HelmUnavailableError || (!(e instanceof HelmRenderError) && !(e instanceof UserError))) throw e;
    fail(e.message.replace(`${r.id}: `, ""));
    return [];
  }
  return [...out.objects, ...out.hooks].map((doc) => {
    const o: CheckedObject = {
      doc: doc as Record<string, unknown>,
      file: release.file,
      line: release.line,
      env: ctx.env,
      renderedBy: r.by,
    };
    ctx.appliers.set(o, r.by);
    return o;
  });
}

/** Another repository's chart the cache does not hold: checked as a source, like a Kustomization's (`what` says which). */
function notCached(release: CheckedObject, ctx: ChartContext, what: string): void {
  const message = `${what}: its URL is checked as a source, the chart's content is not verified here`;
  const id = what.slice(0, what.indexOf(" installs "));
  if (ctx.production)
    (release.problems ??= []).push({ message: `in production it ${message.replace(`${id} `, "")}`, at: ["spec", "chart"] });
  else ctx.result.notes.push({ file: release.file, line: release.line, message });
}

/** Each dependency source-controller downloads, as a HelmRepository subject of git-source-allowed. */
