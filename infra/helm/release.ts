// Renders a HelmRelease the way helm-controller installs it, with real Helm and the chart from the
// project's cache, so a test sees the objects the cluster would get. What is imitated, and from where
// (fluxcd/helm-controller v1.5.5, the controller of Flux 2.8; v1.4.5 of Flux 2.7 does the same):
// - release name `spec.releaseName`, else `<targetNamespace>-<name>` when targetNamespace is set, else the
//   name (api/v2/helmrelease_types.go GetReleaseName), shortened to 53 characters with a sha256 suffix
//   (internal/release/name.go ShortenName); namespace `spec.targetNamespace`, else the object's (GetReleaseNamespace);
// - CRDs of the chart's crds/ folders applied unless the policy is Skip (internal/action/install.go applyCRDs,
//   crdPolicyOrDefault: Create on install);
// - values: `spec.valuesFrom` in order, then `spec.values` over them (internal/chartutil/values.go ChartValuesFromReferences);
// - post-renderers: each `spec.postRenderers[].kustomize` (patches, images) with kustomize, not on hooks
//   (internal/postrender/build.go, PostRenderStrategyNoHooks);
// - `--kube-version` of the target cluster and the API versions it serves (helm-controller asks the API server).
// What it cannot imitate it refuses in one line (a chart from a HelmRepository or a branch, a valuesFrom
// it cannot resolve): it never renders something else instead.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments, stringify } from "yaml";
import { UserError } from "../errors.ts";
import { cachedChart, CHART_CACHE_DIR, type ChartPin } from "./cache.ts";
import { helmBinary, type HelmMajor } from "./binary.ts";
import { cachedRender, keepRender, renderKey } from "./render-cache.ts";

const run = promisify(execFile);

export type Manifest = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
};

/** The release could not be rendered as helm-controller would (or helm-controller would fail too); one line. */
export class HelmRenderError extends UserError {
  override name = "HelmRenderError";
}

export interface RenderTarget {
  /** Kubernetes version of the cluster (`kubernetes.version` of the stack), e.g. "1.32.4". */
  kubeVersion: string;
  /** Helm major of the cluster's helm-controller. */
  helm: HelmMajor;
  /** API versions (`group/version` or `group/version/Kind`) the cluster serves beyond Kubernetes' own, e.g. CRDs of earlier layers. */
  apiVersions?: string[];
  /**
   * Resolves one `spec.valuesFrom` entry to the value Helm gets (for a Secret Pulumi creates, a stand-in);
   * undefined: unknown, and the release is refused.
   */
  valueFrom?: (ref: ValuesReference) => unknown;
  /** The chart cache folder (default: the repository's charts/). */
  cacheDir?: string;
  /**
   * The chart to render instead of the cached archive of the release's pin: a chart folder or archive
   * source-controller would package as it is (a chart in the synced repository itself), and its pin.
   */
  chart?: { file: string; pin: ChartPin };
  /** Stop Helm after this many milliseconds (a hostile chart's template can loop); default: no bound. */
  timeoutMs?: number;
}

/** `spec.valuesFrom`: one key of a Secret/ConfigMap in the HelmRelease's namespace, optionally put at `targetPath` of the values. */
export interface ValuesReference {
  kind: "Secret" | "ConfigMap";
  name: string;
  valuesKey?: string;
  targetPath?: string;
  optional?: boolean;
}

export interface RenderedRelease {
  /** `namespace/name` of the HelmRelease. */
  id: string;
  releaseName: string;
  namespace: string;
  chart: ChartPin;
  /** What Helm applies: templates (post-rendered) and, unless the CRD policy is Skip, the crds/ folders. */
  objects: Manifest[];
  /** Hook objects (`helm.sh/hook`), run by Helm around install/upgrade; not post-rendered. */
  hooks: Manifest[];
}

const asRecord = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** helm-controller's ShortenName: names over 53 characters keep 40 and a 12-character sha256 suffix. */
export function shortenName(name: string): string {
  if (name.length <= 53) return name;
  return `${name.slice(0, 53 - 13)}-${createHash("sha256").update(name).digest("hex").slice(0, 12)}`;
}

export function releaseNameOf(hr: Manifest): string {
  const spec = asRecord(hr.spec);
  const name = hr.metadata?.name ?? "";
  if (typeof spec.releaseName === "string" && spec.releaseName !== "") return shortenName(spec.releaseName);
  if (typeof spec.targetNamespace === "string" && spec.targetNamespace !== "") return shortenName(`${spec.targetNamespace}-${name}`);
  return shortenName(name);
}

export function releaseNamespaceOf(hr: Manifest): string {
  const spec = asRecord(hr.spec);
  return typeof spec.targetNamespace === "string" && spec.targetNamespace !== ""
    ? spec.targetNamespace
    : (hr.metadata?.namespace ?? "default");
}

/** Where Helm keeps the release's history: `spec.storageNamespace`, else the HelmRelease's namespace (GetStorageNamespace). */
export function storageNamespaceOf(hr: Manifest): string {
  const spec = asRecord(hr.spec);
  return typeof spec.storageNamespace === "string" && spec.storageNamespace !== ""
    ? spec.storageNamespace
    : (hr.metadata?.namespace ?? "default");
}

const idOf = (o: Manifest) => `${o.metadata?.namespace ?? "default"}/${o.metadata?.name ?? ""}`;

/** The chart pin of `hr`: its GitRepository (among `sources`) at a tag, and the chart folder. */
export function chartPinOf(hr: Manifest, sources: Manifest[]): ChartPin {
  const id = `HelmRelease ${idOf(hr)}`;
  const spec = asRecord(hr.spec);
  if (spec.chartRef !== undefined)
    throw new HelmRenderError(`${id}: spec.chartRef is not rendered from the chart cache (only Git-sourced charts are)`);
  const chart = asRecord(asRecord(spec.chart).spec);
  const ref = asRecord(chart.sourceRef);
  if (ref.kind !== "GitRepository") {
    throw new HelmRenderError(
      `${id}: its chart comes from a ${String(ref.kind)}, which the chart cache does not hold (only GitRepository charts)`,
    );
  }
  const ns = typeof ref.namespace === "string" ? ref.namespace : (hr.metadata?.namespace ?? "default");
  const source = sources.find(
    (s) =>
      s.kind === "GitRepository" &&
      s.apiVersion?.startsWith("source.toolkit.fluxcd.io/") &&
      s.metadata?.name === ref.name &&
      (s.metadata?.namespace ?? "default") === ns,
  );
  if (!source) throw new HelmRenderError(`${id}: GitRepository ${ns}/${String(ref.name)} of its chart is not in Git`);
  const git = asRecord(source.spec);
  const gitRef = asRecord(git.ref);
  if (typeof gitRef.tag !== "string" || Object.keys(gitRef).length !== 1) {
    throw new HelmRenderError(
      `${id}: GitRepository ${idOf(source)} follows ${JSON.stringify(gitRef)}, which no cached archive can stand for: pin a tag`,
    );
  }
  return { url: String(git.url), tag: gitRef.tag, path: String(chart.chart) };
}

/** Sets `value` at a Helm `--set`-style dotted path (the form of valuesFrom targetPath; no escapes or indexes). */
function setPath(values: Record<string, unknown>, path: string, value: unknown, id: string) {
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(path))
    throw new HelmRenderError(`${id}: valuesFrom targetPath ${JSON.stringify(path)} is not imitated (only plain dotted paths)`);
  const parts = path.split(".");
  let at = values;
  for (const p of parts.slice(0, -1)) {
    if (typeof at[p] !== "object" || at[p] === null) at[p] = {};
    at = at[p] as Record<string, unknown>;
  }
  at[parts.at(-1)!] = value;
}

/** `over` merged into `base` as Helm merges values maps (chartutil.MergeTables / helm-controller's transform.MergeMaps). */
function mergeMaps(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v !== null && typeof v === "object" && !Array.isArray(v) && b !== null && typeof b === "object" && !Array.isArray(b)
        ? mergeMaps(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

function valuesOf(hr: Manifest, target: RenderTarget): Record<string, unknown> {
  const id = `HelmRelease ${idOf(hr)}`;
  const spec = asRecord(hr.spec);
  let values: Record<string, unknown> = {};
  for (const raw of Array.isArray(spec.valuesFrom) ? spec.valuesFrom : []) {
    const ref = raw as ValuesReference;
    const got = target.valueFrom?.(ref);
    if (got === undefined) {
      if (ref.optional) continue;
      throw new HelmRenderError(
        `${id}: valuesFrom ${ref.kind} ${ref.name} is neither in Git nor created by Pulumi, so what Helm gets cannot be told`,
      );
    }
    if (ref.targetPath) setPath(values, ref.targetPath, got, id);
    else values = mergeMaps(values, asRecord(got));
  }
  return mergeMaps(values, asRecord(spec.values));
}

function oneLine(text: string): string {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .join(" ");
}

const isHook = (o: Manifest) => o.metadata?.annotations?.["helm.sh/hook"] !== undefined;

function parseManifests(text: string, where: string): Manifest[] {
  const out: Manifest[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new HelmRenderError(`${where}: output is not YAML: ${doc.errors[0]!.message.split("\n")[0]}`);
    const v = doc.toJS() as unknown;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) out.push(v as Manifest);
  }
  return out;
}

/** Lays `spec.postRenderers[].kustomize` over `objects` with kustomize, as helm-controller's Kustomize post-renderer does. */
async function postRender(hr: Manifest, objects: Manifest[], work: string): Promise<Manifest[]> {
  const renderers = Array.isArray(asRecord(hr.spec).postRenderers) ? (asRecord(hr.spec).postRenderers as unknown[]) : [];
  let current = objects;
  for (const [i, r] of renderers.entries()) {
    const k = asRecord(asRecord(r).kustomize);
    if (Object.keys(k).length === 0) continue;
    const dir = join(work, `post-render-${i}`);
    mkdirSync(dir);
    writeFileSync(join(dir, "rendered.yaml"), current.map((o) => stringify(o)).join("---\n"));
    writeFileSync(join(dir, "kustomization.yaml"), stringify({ resources: ["rendered.yaml"], patches: k.patches, images: k.images }));
    try {
      const { stdout } = await run(process.env.KUBECTL || "kubectl", ["kustomize", dir], { maxBuffer: 256 * 1024 * 1024 });
      current = parseManifests(stdout, `HelmRelease ${idOf(hr)} post-renderer ${i}`);
    } catch (e) {
      throw new HelmRenderError(
        `HelmRelease ${idOf(hr)}: post-renderer ${i} fails in kustomize: ${oneLine((e as { stderr?: string }).stderr || (e as Error).message)}`,
      );
    }
  }
  return current;
}

/** `helm template` itself, its output parsed (and kept in the render cache when it can be). */
async function helmTemplate(r: {
  helm: string;
  args: string[];
  work: string;
  id: string;
  target: RenderTarget;
  key: string | undefined;
}): Promise<Manifest[]> {
  const { helm, args, work, id, target } = r;
  let stdout: string;
  try {
    ({ stdout } = await run(helm, args, {
      maxBuffer: 256 * 1024 * 1024,
      timeout: target.timeoutMs ?? 0,
      env: { ...process.env, HELM_CACHE_HOME: work, HELM_CONFIG_HOME: work, HELM_DATA_HOME: work },
    }));
  } catch (e) {
    if ((e as { killed?: boolean }).killed && target.timeoutMs)
      throw new HelmRenderError(`${id}: helm template did not finish within ${target.timeoutMs / 1000}s`);
    throw new HelmRenderError(
      `${id}: Helm ${target.helm} (the cluster's helm-controller) refuses it: ${oneLine((e as { stderr?: string }).stderr || (e as Error).message)}`,
    );
  }
  const all = parseManifests(stdout, id);
  keepRender(r.key, all);
  return all;
}

/** Renders `hr` (a HelmRelease as it is in Git) with its chart from the cache, as helm-controller would install it. */
export async function renderRelease(hr: Manifest, sources: Manifest[], target: RenderTarget): Promise<RenderedRelease> {
  const id = `HelmRelease ${idOf(hr)}`;
  const pin = target.chart?.pin ?? chartPinOf(hr, sources);
  const file = target.chart?.file ?? cachedChart(pin, target.cacheDir ?? CHART_CACHE_DIR).file;
  const helm = await helmBinary(target.helm);
  const releaseName = releaseNameOf(hr);
  const namespace = releaseNamespaceOf(hr);
  const spec = asRecord(hr.spec);
  const crdPolicy = asRecord(spec.install).crds ?? "Create";
  const work = mkdtempSync(join(tmpdir(), "flux-gitops-helm-"));
  try {
    const valuesFile = join(work, "values.yaml");
    writeFileSync(valuesFile, JSON.stringify(valuesOf(hr, target)));
    const args = ["template", releaseName, file, "--namespace", namespace, "--kube-version", target.kubeVersion, "--values", valuesFile];
    if (crdPolicy !== "Skip") args.push("--include-crds");
    for (const v of target.apiVersions ?? []) args.push("--api-versions", v);
    // The helm binary's path names its version (.tools/helm/v<version>/helm); args hold the values file's path,
    // which differs per run, so the key takes the values' text instead.
    const key = renderKey(
      helm,
      file,
      args.filter((a) => a !== valuesFile),
      readFileSync(valuesFile, "utf8"),
    );
    const all = (cachedRender(key) as Manifest[] | undefined) ?? (await helmTemplate({ helm, args, work, id, target, key }));
    const hooks = all.filter(isHook);
    const objects = await postRender(
      hr,
      all.filter((o) => !isHook(o)),
      work,
    );
    return { id: idOf(hr), releaseName, namespace, chart: pin, objects, hooks };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
