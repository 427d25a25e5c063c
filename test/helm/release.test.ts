// The chart cache and the helm-controller imitation, with real Helm: charts are packaged by Helm in
// the test (or taken from charts/ and test/helm/fixtures/), rendered by the pinned Helm 3 and Helm 4
// binaries, and post-rendered by `kubectl kustomize`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHART_CACHE_DIR, ChartCacheError, cachedChart, readLock, sha256File } from "../../infra/helm/cache.ts";
import { helmBinary } from "../../infra/helm/binary.ts";
import { chartKubeVersion } from "../../infra/helm/refresh.ts";
import { HelmRenderError, renderRelease, releaseNameOf, shortenName, storageNamespaceOf, type Manifest } from "../../infra/helm/release.ts";
import { ROOT } from "../support/paths.ts";

const URL = "https://github.com/acme/charts";

function tempDir(t: { after(fn: () => void): void }, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A cache folder holding `archives` (file → pin) with a lock of their digests. */
function cacheWith(dir: string, archives: { file: string; tag: string; path: string }[]): string {
  const charts = archives.map((a) => ({
    archive: a.file.split("/").pop()!,
    url: URL,
    tag: a.tag,
    path: a.path,
    dependencies: [],
    kubeVersion: "",
    sha256: sha256File(a.file),
  }));
  for (const a of archives) copyFileSync(a.file, join(dir, a.file.split("/").pop()!));
  writeFileSync(join(dir, "lock.json"), JSON.stringify({ charts }));
  return dir;
}

/** A chart packaged by real Helm: a ConfigMap and a Job hook, a Secret, and a CRD in crds/. */
async function packagedChart(t: { after(fn: () => void): void }): Promise<string> {
  const dir = tempDir(t, "chart-");
  const chart = join(dir, "demo");
  mkdirSync(join(chart, "templates"), { recursive: true });
  mkdirSync(join(chart, "crds"));
  writeFileSync(join(chart, "Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 1.2.3\nkubeVersion: '>=1.30.0-0'\n");
  writeFileSync(join(chart, "values.yaml"), "greeting: hello\nsmtp: {}\n");
  writeFileSync(
    join(chart, "templates", "cm.yaml"),
    [
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata: {name: {{ .Release.Name }}-cm}",
      "data:",
      "  greeting: {{ .Values.greeting | quote }}",
      '  password: {{ .Values.smtp.password | default "none" | quote }}',
      "  kube: {{ .Capabilities.KubeVersion.Version | quote }}",
      '  monitoring: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" | quote }}',
      "---",
      "apiVersion: v1",
      "kind: Secret",
      "metadata: {name: hard-coded}",
      "stringData: {password: literal}",
      "---",
      "apiVersion: batch/v1",
      "kind: Job",
      "metadata: {name: hook, annotations: {helm.sh/hook: pre-install}}",
      "spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: 'busybox:1.36'}]}}}",
    ].join("\n"),
  );
  writeFileSync(
    join(chart, "crds", "crd.yaml"),
    "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.acme.io}\nspec: {group: acme.io, names: {kind: Widget, plural: widgets}, scope: Namespaced, versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]}\n",
  );
  execFileSync(await helmBinary(4), ["package", chart, "-d", dir], {
    env: { ...process.env, HELM_CONFIG_HOME: dir, HELM_CACHE_HOME: dir },
  });
  return join(dir, "demo-1.2.3.tgz");
}

const git = (ref: Record<string, string>, name = "acme"): Manifest => ({
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "GitRepository",
  metadata: { name, namespace: "flux-system" },
  spec: { url: URL, ref, interval: "10m" },
});

const release = (spec: Record<string, unknown>, name = "demo"): Manifest => ({
  apiVersion: "helm.toolkit.fluxcd.io/v2",
  kind: "HelmRelease",
  metadata: { name, namespace: "flux-system" },
  spec: { interval: "10m", chart: { spec: { chart: "./charts/demo", sourceRef: { kind: "GitRepository", name: "acme" } } }, ...spec },
});

const byKind = (objects: Manifest[], kind: string) => objects.filter((o) => o.kind === kind);
const dataOf = (objects: Manifest[]) => byKind(objects, "ConfigMap")[0]!.data as Record<string, string>;

test("a release renders as helm-controller installs it: name, namespace, values, kube version, API versions, CRDs, hooks apart", async (t) => {
  const cache = cacheWith(tempDir(t, "cache-"), [{ file: await packagedChart(t), tag: "v1.2.3", path: "charts/demo" }]);
  const hr = release({ releaseName: "team-app", targetNamespace: "apps", values: { greeting: "hi" } });
  for (const helm of [3, 4] as const) {
    const r = await renderRelease(hr, [git({ tag: "v1.2.3" })], {
      kubeVersion: "1.32.4",
      helm,
      cacheDir: cache,
      apiVersions: ["monitoring.coreos.com/v1"],
    });
    assert.equal(r.releaseName, "team-app");
    assert.equal(r.namespace, "apps");
    assert.deepEqual(r.chart, { url: URL, tag: "v1.2.3", path: "./charts/demo" });
    const [cm] = byKind(r.objects, "ConfigMap");
    assert.equal(cm!.metadata!.name, "team-app-cm");
    assert.deepEqual(cm!.data, { greeting: "hi", password: "none", kube: "v1.32.4", monitoring: "true" });
    assert.equal(byKind(r.objects, "CustomResourceDefinition").length, 1, "crds/ are applied (policy Create)");
    assert.deepEqual(
      r.hooks.map((h) => h.metadata!.name),
      ["hook"],
    );
    assert.equal(byKind(r.objects, "Job").length, 0);
  }
  // Without the API version the chart asks for, it renders the other branch.
  const bare = await renderRelease(hr, [git({ tag: "v1.2.3" })], { kubeVersion: "1.32.4", helm: 4, cacheDir: cache });
  assert.equal(dataOf(bare.objects).monitoring, "false");
  // A cluster older than the chart's kubeVersion is refused, as Helm refuses it.
  await assert.rejects(renderRelease(hr, [git({ tag: "v1.2.3" })], { kubeVersion: "1.29.0", helm: 4, cacheDir: cache }), (e: Error) => {
    assert.ok(e instanceof HelmRenderError);
    assert.match(e.message, /^HelmRelease flux-system\/demo: Helm 4 \(the cluster's helm-controller\) refuses it: .*kubeVersion.*1\.29\.0/);
    assert.doesNotMatch(e.message, /\n/);
    return true;
  });
});

test("crds Skip leaves crds/ out; valuesFrom goes under values; kustomize post-renderers patch templates, not hooks", async (t) => {
  const cache = cacheWith(tempDir(t, "cache-"), [{ file: await packagedChart(t), tag: "v1.2.3", path: "charts/demo" }]);
  const hr = release({
    targetNamespace: "apps",
    install: { crds: "Skip" },
    valuesFrom: [
      { kind: "Secret", name: "smtp", valuesKey: "password", targetPath: "smtp.password" },
      { kind: "Secret", name: "smtp", valuesKey: "greeting", targetPath: "greeting" },
    ],
    values: { greeting: "over" },
    postRenderers: [
      {
        kustomize: {
          patches: [
            {
              target: { kind: "Secret", name: "hard-coded" },
              patch: "$patch: delete\napiVersion: v1\nkind: Secret\nmetadata:\n  name: hard-coded\n",
            },
            { target: { kind: "Job" }, patch: "- op: add\n  path: /metadata/labels\n  value: {patched: 'yes'}\n" },
          ],
        },
      },
    ],
  });
  const asked: unknown[] = [];
  const r = await renderRelease(hr, [git({ tag: "v1.2.3" })], {
    kubeVersion: "1.32.4",
    helm: 4,
    cacheDir: cache,
    valueFrom: (ref) => (asked.push(ref), "from-pulumi"),
  });
  assert.equal(r.releaseName, "apps-demo", "targetNamespace-name without spec.releaseName");
  assert.equal(byKind(r.objects, "CustomResourceDefinition").length, 0);
  assert.equal(byKind(r.objects, "Secret").length, 0, "the patch deleted the chart's Secret");
  assert.equal(dataOf(r.objects).password, "from-pulumi");
  assert.equal(dataOf(r.objects).greeting, "over");
  assert.equal(r.hooks[0]!.metadata!.labels, undefined, "post-renderers do not touch hooks (PostRenderStrategyNoHooks)");
  assert.equal(asked.length, 2);
  // A valuesFrom nothing resolves is refused; an optional one is skipped.
  await assert.rejects(
    renderRelease(hr, [git({ tag: "v1.2.3" })], { kubeVersion: "1.32.4", helm: 4, cacheDir: cache }),
    /valuesFrom Secret smtp is neither in Git nor created by Pulumi/,
  );
  const optional = release({ valuesFrom: [{ kind: "ConfigMap", name: "x", optional: true }] });
  const o = await renderRelease(optional, [git({ tag: "v1.2.3" })], { kubeVersion: "1.32.4", helm: 4, cacheDir: cache });
  assert.equal(dataOf(o.objects).password, "none");
});

test("what the cache cannot stand for is refused in one line naming it", async (t) => {
  const cache = cacheWith(tempDir(t, "cache-"), [{ file: await packagedChart(t), tag: "v1.2.3", path: "charts/demo" }]);
  const target = { kubeVersion: "1.32.4", helm: 4 as const, cacheDir: cache };
  const cases: [Manifest, Manifest[], RegExp][] = [
    [
      release({}),
      [git({ branch: "main" })],
      /GitRepository flux-system\/acme follows \{"branch":"main"\}, which no cached archive can stand for: pin a tag/,
    ],
    // source-controller takes a commit over a tag: the archive of the tag would not be what Flux fetches.
    [release({}), [git({ tag: "v1.2.3", commit: "0123abc" })], /follows \{"tag":"v1.2.3","commit":"0123abc"\}/],
    [
      release({}),
      [git({ tag: "v9.9.9" })],
      /^no cached chart for https:\/\/github.com\/acme\/charts@v9\.9\.9:\.\/charts\/demo: add it to charts\/lock\.json/,
    ],
    [release({}), [], /GitRepository flux-system\/acme of its chart is not in Git/],
    [
      release({}),
      [{ ...git({ tag: "v1.2.3" }), apiVersion: "look.alike.io/v1" }],
      /GitRepository flux-system\/acme of its chart is not in Git/,
    ],
    [
      release({ chart: { spec: { chart: "demo", sourceRef: { kind: "HelmRepository", name: "acme" } } } }),
      [],
      /chart comes from a HelmRepository/,
    ],
    [release({ chartRef: { kind: "OCIRepository", name: "x" } }), [], /spec\.chartRef is not rendered/],
  ];
  for (const [hr, sources, message] of cases) {
    await assert.rejects(renderRelease(hr, sources, target), (e: Error) => {
      assert.match(e.message, message);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
  }
});

test("a cached archive whose digest is not the locked one, or a missing one, is refused", (t) => {
  const dir = tempDir(t, "cache-");
  const file = join(dir, "x.tgz");
  writeFileSync(file, "chart bytes");
  writeFileSync(
    join(dir, "lock.json"),
    JSON.stringify({
      charts: [{ archive: "x.tgz", url: URL, tag: "v1", path: "c", dependencies: [], kubeVersion: "", sha256: sha256File(file) }],
    }),
  );
  assert.equal(cachedChart({ url: URL, tag: "v1", path: "./c/" }, dir).file, file);
  writeFileSync(file, "other bytes");
  assert.throws(
    () => cachedChart({ url: URL, tag: "v1", path: "c" }, dir),
    /charts\/x\.tgz: sha256 [0-9a-f]{64} is not the one charts\/lock\.json holds/,
  );
  rmSync(file);
  assert.throws(() => cachedChart({ url: URL, tag: "v1", path: "c" }, dir), /charts\/x\.tgz \(locked for .*\) is missing/);
  writeFileSync(
    join(dir, "lock.json"),
    JSON.stringify({
      charts: [{ archive: "../x.tgz", url: URL, tag: "v1", path: "c", dependencies: [], kubeVersion: "", sha256: "0".repeat(64) }],
    }),
  );
  assert.throws(
    () => readLock(dir),
    (e: Error) => e instanceof ChartCacheError && /lock\.json: charts\.0\.archive: must be a file name ending in \.tgz/.test(e.message),
  );
  writeFileSync(join(dir, "lock.json"), "{");
  assert.throws(() => readLock(dir), ChartCacheError);
});

test("the repository's lock holds every archive in charts/ by its digest, and the kubeVersion Helm reads in it", async () => {
  const lock = readLock();
  assert.ok(lock.charts.length >= 8);
  const helm = await helmBinary(4);
  for (const e of lock.charts) {
    assert.equal(sha256File(join(CHART_CACHE_DIR, e.archive)), e.sha256, e.archive);
    assert.equal(await chartKubeVersion(helm, join(CHART_CACHE_DIR, e.archive)), e.kubeVersion, e.archive);
  }
  assert.ok(lock.charts.some((e) => e.kubeVersion !== ""));
  assert.equal(CHART_CACHE_DIR, join(ROOT, "charts"));
});

test("Helm 4 refuses the Istio 1.25.2 gateway chart's own values schema with the team's values; Helm 3 does not", async (t) => {
  const cache = cacheWith(tempDir(t, "cache-"), [
    { file: join(ROOT, "test/helm/fixtures/istio-1.25.2-gateway.tgz"), tag: "1.25.2", path: "manifests/charts/gateway" },
  ]);
  const hr = release({
    releaseName: "istio-ingress",
    targetNamespace: "istio-system",
    chart: { spec: { chart: "manifests/charts/gateway", sourceRef: { kind: "GitRepository", name: "acme" } } },
    values: { service: { type: "LoadBalancer" }, autoscaling: { enabled: true } },
  });
  await assert.rejects(
    renderRelease(hr, [git({ tag: "1.25.2" })], { kubeVersion: "1.32.4", helm: 4, cacheDir: cache }),
    /additional properties .* not allowed/,
  );
  const r = await renderRelease(hr, [git({ tag: "1.25.2" })], { kubeVersion: "1.32.4", helm: 3, cacheDir: cache });
  assert.equal(byKind(r.objects, "Deployment")[0]!.metadata!.name, "istio-ingress");
});

test("release and storage names follow helm-controller's api/v2 getters and ShortenName", () => {
  assert.equal(shortenName("a".repeat(53)), "a".repeat(53));
  const long = "b".repeat(60);
  const short = shortenName(long);
  assert.equal(short.length, 53);
  assert.match(short, /^b{40}-[0-9a-f]{12}$/);
  assert.equal(releaseNameOf({ metadata: { name: "x" }, spec: {} }), "x");
  assert.equal(releaseNameOf({ metadata: { name: "x" }, spec: { targetNamespace: "ns" } }), "ns-x");
  assert.equal(releaseNameOf({ metadata: { name: "x" }, spec: { targetNamespace: "ns", releaseName: "r" } }), "r");
  assert.equal(storageNamespaceOf({ metadata: { name: "x", namespace: "flux-system" }, spec: { targetNamespace: "ns" } }), "flux-system");
  assert.equal(storageNamespaceOf({ metadata: { name: "x", namespace: "flux-system" }, spec: { storageNamespace: "ns" } }), "ns");
});
