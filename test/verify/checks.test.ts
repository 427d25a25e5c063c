// The install checks (infra/verify/checks) on small hand-built ClusterViews: for each check a view it
// passes and one it fails, and hostile inputs (missing metadata, specs that are not objects), which are
// findings rather than passes. The whole environments are checked in environments.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { CHECKS, runChecks } from "../../infra/verify/checks/index.ts";
import { addresses, ipv4Range } from "../../infra/verify/checks/addresses.ts";
import { apiVersionsFile, apiVersionsPath, formatApiVersionsFile } from "../../infra/verify/checks/api-versions.ts";
import { images, imageProblem } from "../../infra/verify/checks/images.ts";
import { kinds } from "../../infra/verify/checks/kinds.ts";
import { mounts } from "../../infra/verify/checks/mounts.ts";
import { schema } from "../../infra/verify/checks/schema.ts";
import { selectors } from "../../infra/verify/checks/selectors.ts";
import type { ClusterObject, ClusterView, Finding, Manifest } from "../../infra/verify/model.ts";

const at = (manifest: unknown, layer = 0, origin = "HelmRelease flux-system/app", hook = false): ClusterObject =>
  ({ manifest, layer, origin, ...(hook ? { hook } : {}) }) as ClusterObject;
const view = (...objects: ClusterObject[]): ClusterView => ({
  environment: "test",
  kubeVersion: "1.32.4",
  layers: ["controllers", "configs", "apps"],
  objects,
});
const lines = (fs: Finding[]) => fs.map((f) => `${f.check}: ${f.object}: ${f.message}`);

const pod = (spec: Record<string, unknown>, labels: Record<string, string> = { app: "web" }) => ({ metadata: { labels }, spec });
const deployment = (name: string, spec: Record<string, unknown>, namespace = "apps", labels?: Record<string, string>): Manifest => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace },
  spec: { selector: { matchLabels: labels ?? { app: "web" } }, template: pod(spec, labels) },
});
const container = (image: string, extra: Record<string, unknown> = {}) => ({ name: "c", image, ...extra });
const configMap = (name: string, namespace = "apps"): Manifest => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace } });
const secret = (name: string, namespace = "apps"): Manifest => ({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace } });

const crd = (group: string, kind: string, plural: string, schema: Record<string, unknown>, versions = ["v1"]): Manifest => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: `${plural}.${group}` },
  spec: {
    group,
    names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
    scope: "Namespaced",
    versions: versions.map((name, i) => ({ name, served: true, storage: i === 0, schema: { openAPIV3Schema: schema } })),
  },
});
const widgetSchema = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      required: ["size"],
      properties: { size: { type: "integer", format: "int32" }, mode: { type: "string", pattern: "^(?i)(small|big)$", nullable: true } },
    },
  },
};
const widgetCrd = crd("example.com", "Widget", "widgets", widgetSchema);
const widget = (spec: unknown, name = "w"): Manifest => ({
  apiVersion: "example.com/v1",
  kind: "Widget",
  metadata: { name, namespace: "apps" },
  spec,
});

test("CHECKS holds the six checks and runChecks gives every finding of each", () => {
  assert.deepEqual(Object.keys(CHECKS), ["schema", "kinds", "mounts", "images", "addresses", "selectors"]);
  const bad = view(at(deployment("web", { containers: [container("nginx")] })));
  assert.deepEqual(
    runChecks(bad).map((f) => f.check),
    ["images"],
  );
  assert.deepEqual(runChecks(view()), []);
});

test("schema: built-in kinds validate against kubernetes-models, and their group/version must be served by the Kubernetes minor", () => {
  const good = deployment("web", { containers: [container("nginx:1.27")] });
  assert.deepEqual(lines(schema(view(at(good)))), []);
  const bad = { ...good, spec: { replicas: "three", selector: {}, template: 5 } };
  assert.deepEqual(lines(schema(view(at(bad)))), [
    "schema: Deployment apps/web (HelmRelease flux-system/app): invalid apps/v1 Deployment: /spec/replicas must be integer; /spec/template must be object",
  ]);
  // resource.k8s.io/v1 is in kubernetes-models 5.1.0 (Kubernetes 1.34) but not served by 1.32.
  const deviceClass = { apiVersion: "resource.k8s.io/v1", kind: "DeviceClass", metadata: { name: "gpu" }, spec: {} };
  assert.deepEqual(lines(schema(view(at(deviceClass)))), [
    "schema: DeviceClass gpu (HelmRelease flux-system/app): resource.k8s.io/v1 is not served by Kubernetes 1.32 (api-versions-1.32.json)",
  ]);
  const pdb = {
    apiVersion: "policy/v1beta1",
    kind: "PodDisruptionBudget",
    metadata: { name: "p", namespace: "apps" },
    spec: { maxUnavailable: 1 },
  };
  assert.deepEqual(lines(schema(view(at(pdb), at({ ...pdb, apiVersion: "policy/v1" })))), [
    "schema: PodDisruptionBudget apps/p (HelmRelease flux-system/app): policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25 (deprecation guide)",
  ]);
  assert.deepEqual(lines(schema({ ...view(at(pdb)), kubeVersion: "1.24.0" })).length, 1, "no list for 1.24");
  const vap = { apiVersion: "admissionregistration.k8s.io/v1alpha1", kind: "ValidatingAdmissionPolicy", metadata: { name: "v" }, spec: {} };
  assert.deepEqual(lines(schema(view(at(vap)))), [
    "schema: ValidatingAdmissionPolicy v (HelmRelease flux-system/app): admissionregistration.k8s.io/v1alpha1 ValidatingAdmissionPolicy is known neither to kubernetes-models, nor to a CRD in the view, nor to Flux",
  ]);
  assert.deepEqual(lines(schema({ ...view(at(good)), kubeVersion: "1.99.0" })), [
    "schema: Kubernetes 1.99.0 (test): no list of the group/versions Kubernetes 1.99 serves (infra/verify/checks/api-versions-<minor>.json), so built-in kinds cannot be checked against it",
  ]);
});

test("schema: custom resources validate against the served version of their CRD in the view, Flux kinds against the Flux models", () => {
  assert.deepEqual(lines(schema(view(at(widgetCrd), at(widget({ size: 3, mode: "BIG" })), at(widget({ size: 3, mode: null }, "n"))))), []);
  assert.deepEqual(lines(schema(view(at(widgetCrd), at(widget({ size: "3", mode: "huge" }))))), [
    'schema: Widget apps/w (HelmRelease flux-system/app): invalid against CRD widgets.example.com v1: /spec/size must be integer; /spec/mode must match pattern "^(?i)(small|big)$"',
  ]);
  const unserved = crd("example.com", "Widget", "widgets", widgetSchema);
  (unserved.spec as { versions: { served: boolean }[] }).versions[0]!.served = false;
  assert.deepEqual(lines(schema(view(at(unserved), at(widget({ size: 1 }))))), [
    "schema: Widget apps/w (HelmRelease flux-system/app): CRD widgets.example.com (HelmRelease flux-system/app) does not serve version v1",
  ]);
  assert.deepEqual(lines(schema(view(at(widget({ size: 1 }))))), [
    "schema: Widget apps/w (HelmRelease flux-system/app): example.com/v1 Widget is known neither to kubernetes-models, nor to a CRD in the view, nor to Flux",
  ]);
  const hr = {
    apiVersion: "helm.toolkit.fluxcd.io/v2",
    kind: "HelmRelease",
    metadata: { name: "a", namespace: "flux-system" },
    spec: { interval: "10m" },
  };
  assert.deepEqual(
    lines(
      schema(view(at({ ...hr, spec: { ...hr.spec, chart: { spec: { chart: "x", sourceRef: { kind: "GitRepository", name: "g" } } } } }))),
    ),
    [],
  );
  assert.match(
    lines(schema(view(at({ ...hr, spec: { interval: 10 } }))))[0]!,
    /invalid helm\.toolkit\.fluxcd\.io\/v2 HelmRelease: .*interval must be string/,
  );
  assert.deepEqual(lines(schema(view(at({ ...hr, apiVersion: "helm.toolkit.fluxcd.io/v9" })))), [
    "schema: HelmRelease flux-system/a (HelmRelease flux-system/app): helm.toolkit.fluxcd.io/v9 HelmRelease is not a Flux kind known to @kubernetes-models/flux-cd",
  ]);
});

test("schema: hostile objects are findings, never passes", () => {
  const found = lines(
    schema(
      view(
        at(null),
        at({ apiVersion: "v1", kind: "ConfigMap" }),
        at({ apiVersion: "v1", kind: "ConfigMap", metadata: "x" }),
        at({ kind: "ConfigMap", metadata: { name: "a" } }),
        at({ apiVersion: "a/b/c", kind: "X", metadata: { name: "a" } }),
        at({ apiVersion: "apps/v1", kind: "../../../package", metadata: { name: "a" } }),
        at({ apiVersion: "apps/v1", kind: "DeploymentSpec", metadata: { name: "a" } }),
        at({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "x" }, data: "not a map" }),
        at(crd("example.com", "Widget", "widgets", { type: "object", properties: { spec: { type: "string", pattern: "(?<!x)(" } } })),
        at(widget("x")),
      ),
    ),
  );
  assert.deepEqual(found.slice(0, 7), [
    "schema: objects[0] (HelmRelease flux-system/app): is not an object with a manifest",
    "schema: ConfigMap <no name> (HelmRelease flux-system/app): has no metadata.name",
    "schema: ConfigMap <no name> (HelmRelease flux-system/app): has no metadata.name",
    'schema: ConfigMap a (HelmRelease flux-system/app): has no valid apiVersion and kind (undefined, "ConfigMap")',
    'schema: X a (HelmRelease flux-system/app): has no valid apiVersion and kind ("a/b/c", "X")',
    "schema: ../../../package a (HelmRelease flux-system/app): apps/v1 ../../../package is known neither to kubernetes-models, nor to a CRD in the view, nor to Flux",
    "schema: DeploymentSpec a (HelmRelease flux-system/app): apps/v1 DeploymentSpec is known neither to kubernetes-models, nor to a CRD in the view, nor to Flux",
  ]);
  assert.match(found[7]!, /ConfigMap x\/a .*invalid v1 ConfigMap: \/data must be object/);
  assert.match(found[8]!, /Widget apps\/w .*the schema of CRD widgets\.example\.com version v1 cannot be read/);
  assert.equal(found.length, 9);
  assert.deepEqual(lines(schema({ ...view(at(configMap("a"))), objects: "nope" as unknown as ClusterObject[] })), []);
});

test("api-versions-1.32.json is what Helm 3.17.2 (client-go v0.32) lists as .Capabilities.APIVersions", async () => {
  const fresh = formatApiVersionsFile(await apiVersionsFile("1.32"));
  assert.equal(readFileSync(apiVersionsPath("1.32"), "utf8"), fresh, "run: bash .ci/node infra/verify/checks/api-versions.ts");
  const list = (JSON.parse(fresh) as { apiVersions: string[] }).apiVersions;
  for (const v of ["v1", "apps/v1", "batch/v1", "networking.k8s.io/v1", "resource.k8s.io/v1beta1"]) assert.ok(list.includes(v), v);
  for (const v of ["resource.k8s.io/v1", "resource.k8s.io/v1beta2"]) assert.ok(!list.includes(v), `${v} came after 1.32`);
});

test("kinds: a custom resource's CRD comes at an earlier layer, from the same release, from the same layer's Git, or from a release it dependsOn", () => {
  const cr = at(widget({ size: 1 }), 1, "HelmRelease flux-system/app");
  assert.deepEqual(lines(kinds(view(at(widgetCrd, 0, "HelmRelease flux-system/crds"), cr))), []);
  assert.deepEqual(lines(kinds(view(at(widgetCrd, 1, "HelmRelease flux-system/app"), cr))), []);
  assert.deepEqual(
    lines(kinds(view(at(widgetCrd, 1, "cluster/test/configs"), at(widget({ size: 1 }), 1, "cluster/test/configs/w.yaml")))),
    [],
  );
  const hr = (name: string, dependsOn?: { name: string; namespace?: string }[]) =>
    at(
      { apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", metadata: { name, namespace: "flux-system" }, spec: { dependsOn } },
      1,
      "cluster/test/apps",
    );
  const sameLayer = [at(widgetCrd, 1, "HelmRelease flux-system/crds"), cr, hr("crds")];
  assert.deepEqual(
    lines(kinds(view(...sameLayer, hr("app", [{ name: "middle" }]), hr("middle", [{ name: "crds", namespace: "flux-system" }])))),
    [],
  );
  assert.deepEqual(lines(kinds(view(...sameLayer, hr("app")))), [
    "kinds: Widget apps/w (HelmRelease flux-system/app): applied at layer 1 (configs), but its CustomResourceDefinition (widgets.example.com from HelmRelease flux-system/crds at layer 1 (configs)) is neither at an earlier layer, nor in the same release, nor in a HelmRelease it dependsOn",
  ]);
  assert.deepEqual(lines(kinds(view(at(widgetCrd, 2, "HelmRelease flux-system/crds"), cr))).length, 1);
  assert.deepEqual(lines(kinds(view(cr))), [
    "kinds: Widget apps/w (HelmRelease flux-system/app): no CustomResourceDefinition in the view provides Widget of example.com",
  ]);
  // Built-in and Flux kinds need no CRD of the view; a layer that is not a number cannot tell.
  assert.deepEqual(
    lines(
      kinds(view(at(configMap("a")), at({ apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", metadata: { name: "g" } }))),
    ),
    [],
  );
  assert.equal(kinds(view(at(widgetCrd, 0), { ...cr, layer: "1" as unknown as number })).length, 1);
});

test("mounts: every Secret and ConfigMap a pod uses non-optionally exists in its namespace or is made by something named", () => {
  const uses = deployment("web", {
    containers: [
      container("nginx:1.27", {
        env: [
          { name: "A", valueFrom: { secretKeyRef: { name: "env-secret", key: "k" } } },
          { name: "B", valueFrom: { configMapKeyRef: { name: "env-cm", key: "k", optional: true } } },
        ],
        envFrom: [{ configMapRef: { name: "from-cm" } }],
      }),
    ],
    initContainers: [container("busybox:1.36", { envFrom: [{ secretRef: { name: "init-secret" } }] })],
    imagePullSecrets: [{ name: "pull" }],
    volumes: [
      { name: "a", secret: { secretName: "vol-secret" } },
      { name: "b", configMap: { name: "kube-root-ca.crt" } },
      { name: "c", projected: { sources: [{ configMap: { name: "proj-cm" } }, { secret: { name: "opt", optional: true } }] } },
      { name: "d", emptyDir: {} },
    ],
  });
  const present = [
    secret("env-secret"),
    configMap("from-cm"),
    secret("init-secret"),
    secret("pull"),
    secret("vol-secret"),
    configMap("proj-cm"),
  ].map((m) => at(m));
  assert.deepEqual(lines(mounts(view(at(uses), ...present))), []);
  assert.deepEqual(lines(mounts(view(at(uses), ...present.slice(1), at(secret("env-secret", "other"))))), [
    "mounts: Deployment apps/web (HelmRelease flux-system/app): uses Secret apps/env-secret (spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef), which nothing in the view creates",
  ]);
  assert.deepEqual(
    lines(mounts(view(at(uses)))).map((l) => l.replace(/.*uses (\S+ \S+) .*/, "$1")),
    [
      "Secret apps/vol-secret",
      "ConfigMap apps/proj-cm",
      "Secret apps/init-secret",
      "Secret apps/env-secret",
      "ConfigMap apps/from-cm",
      "Secret apps/pull",
    ],
  );
});

test("mounts: the Prometheus operator's Alertmanager and Prometheus spec.secrets and spec.configMaps must exist", () => {
  const am = (spec: unknown): Manifest => ({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Alertmanager",
    metadata: { name: "main", namespace: "monitoring" },
    spec,
  });
  const prom = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Prometheus",
    metadata: { name: "p", namespace: "monitoring" },
    spec: { configMaps: ["rules"] },
  };
  assert.deepEqual(lines(mounts(view(at(am({ secrets: ["alertmanager-smtp"] })), at(secret("alertmanager-smtp", "monitoring"))))), []);
  assert.deepEqual(lines(mounts(view(at(am({ secrets: ["alertmanager-smtp"] })), at(prom)))), [
    "mounts: Alertmanager monitoring/main (HelmRelease flux-system/app): uses Secret monitoring/alertmanager-smtp (spec.secrets[0]), which nothing in the view creates",
    "mounts: Prometheus monitoring/p (HelmRelease flux-system/app): uses ConfigMap monitoring/rules (spec.configMaps[0]), which nothing in the view creates",
  ]);
  assert.deepEqual(lines(mounts(view(at(am({ secrets: "alertmanager-smtp" })), at(am(7))))), [
    "mounts: Alertmanager monitoring/main (HelmRelease flux-system/app): spec.secrets is not a list, so what it mounts cannot be told",
    "mounts: Alertmanager monitoring/main (HelmRelease flux-system/app): spec is not an object, so what it mounts cannot be told",
  ]);
});

test("mounts: Secrets and ConfigMaps made by kube-webhook-certgen create Jobs, MetalLB's controller and istiod count; nothing else does", () => {
  const operator = at(
    deployment(
      "operator",
      { containers: [container("op:1")], volumes: [{ name: "tls", secret: { secretName: "admission" } }] },
      "monitoring",
    ),
  );
  const certgen = (args: string[], image = "registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.4.1") =>
    at(
      {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: "admission-create", namespace: "monitoring" },
        spec: {
          template: {
            spec: {
              containers: [
                container(image, { args, env: [{ name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }] }),
              ],
            },
          },
        },
      },
      0,
      "HelmRelease flux-system/app",
      true,
    );
  assert.deepEqual(lines(mounts(view(operator, certgen(["create", "--namespace=$(POD_NAMESPACE)", "--secret-name=admission"])))), []);
  assert.deepEqual(
    lines(
      mounts(
        view(
          operator,
          certgen(["create", "--namespace=monitoring", "--secret-name=admission"], "ghcr.io/jkroepke/kube-webhook-certgen:1.8.7"),
        ),
      ),
    ),
    [],
  );
  for (const args of [
    ["patch", "--namespace=monitoring", "--secret-name=admission"],
    ["create", "--namespace=other", "--secret-name=admission"],
    ["create", "--namespace=$(UNKNOWN)", "--secret-name=admission"],
  ])
    assert.equal(mounts(view(operator, certgen(args))).length, 1, args.join(" "));
  assert.equal(mounts(view(operator, certgen(["create", "--namespace=monitoring", "--secret-name=admission"], "busybox:1.36"))).length, 1);

  const speaker = at(
    deployment(
      "speaker",
      {
        containers: [container("quay.io/metallb/speaker:v0.14.9")],
        volumes: [{ name: "ml", secret: { secretName: "metallb-memberlist" } }],
      },
      "metallb-system",
    ),
  );
  const controller = (env: unknown[]) =>
    at(deployment("controller", { containers: [container("quay.io/metallb/controller:v0.14.9", { env })] }, "metallb-system"));
  assert.deepEqual(lines(mounts(view(speaker, controller([{ name: "METALLB_ML_SECRET_NAME", value: "metallb-memberlist" }])))), []);
  assert.equal(mounts(view(speaker, controller([]))).length, 1);

  const injected = at(
    deployment("web", { containers: [container("nginx:1.27")], volumes: [{ name: "ca", configMap: { name: "istio-ca-root-cert" } }] }),
  );
  const istiod = at(deployment("istiod", { containers: [container("docker.io/istio/pilot:1.25.5")] }, "istio-system"));
  assert.deepEqual(lines(mounts(view(injected, istiod))), []);
  assert.equal(mounts(view(injected)).length, 1);
});

test("mounts: hostile workloads are findings", () => {
  assert.deepEqual(
    lines(
      mounts(
        view(
          at({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "a", namespace: "x" }, spec: "nope" }),
          at({
            apiVersion: "apps/v1",
            kind: "StatefulSet",
            metadata: { name: "b", namespace: "x" },
            spec: { template: { spec: { containers: "c", volumes: {} } } },
          }),
          at({
            apiVersion: "batch/v1",
            kind: "CronJob",
            metadata: { name: "c", namespace: "x" },
            spec: { jobTemplate: { spec: { template: 1 } } },
          }),
          at({ apiVersion: "v1", kind: "Pod", spec: { containers: [container("a:1", { envFrom: [{ secretRef: {} }] })] } }),
          at({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "p", namespace: "x" },
            spec: { containers: [container("a:1", { envFrom: [{ secretRef: { name: 5 } }] })] },
          }),
        ),
      ),
    ),
    [
      "mounts: Deployment x/a (HelmRelease flux-system/app): spec is not an object, so its pods cannot be told",
      "mounts: StatefulSet x/b (HelmRelease flux-system/app): spec.template.spec.volumes is not a list, so what it mounts cannot be told",
      "mounts: StatefulSet x/b (HelmRelease flux-system/app): spec.template.spec.containers is not a list, so what it mounts cannot be told",
      "mounts: CronJob x/c (HelmRelease flux-system/app): spec.jobTemplate.spec.template is not an object, so its pods cannot be told",
      "mounts: Pod <no name> (HelmRelease flux-system/app): has no namespace, so the Secrets and ConfigMaps it uses cannot be looked up",
      "mounts: Pod x/p (HelmRelease flux-system/app): spec.containers[0].envFrom[0].secretRef names no Secret",
    ],
  );
});

test("images: pinned, released images only, hooks included; image: auto only with istiod", () => {
  for (const ok of [
    "nginx:1.27",
    "registry.k8s.io/ingress-nginx/controller:v1.11.0@sha256:" + "a".repeat(64),
    "localhost:5000/app:v1",
    "nginx@sha256:" + "0".repeat(64),
  ])
    assert.equal(imageProblem(ok), undefined, ok);
  assert.deepEqual(
    [
      "nginx",
      "nginx:latest",
      "localhost:5000/app",
      "gcr.io/istio-testing/pilot:1.26-dev",
      "gcr.io/k8s-staging-ingress-nginx/controller:v1",
      "nginx@sha256:abc",
      "nginx:",
    ].map(imageProblem),
    [
      "has neither tag nor digest (pulls :latest)",
      "is :latest",
      "has neither tag nor digest (pulls :latest)",
      "comes from a testing registry (^gcr.io/istio-testing/)",
      "comes from a testing registry (^(gcr.io|us-docker.pkg.dev|[a-z-]*-docker.pkg.dev)/k8s-staging-)",
      "has a malformed digest",
      "has an empty tag",
    ],
  );
  assert.deepEqual(
    lines(images(view(at(deployment("web", { containers: [container("nginx:1.27")], initContainers: [container("busybox:1.36")] }))))),
    [],
  );
  const job = at(
    {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "j", namespace: "x" },
      spec: { template: { spec: { initContainers: [container("busybox")], containers: [container("gcr.io/istio-testing/app:1")] } } },
    },
    0,
    "HelmRelease flux-system/app",
    true,
  );
  assert.deepEqual(lines(images(view(job))), [
    "images: Job x/j (HelmRelease flux-system/app, hook): spec.template.spec.initContainers[0] image busybox has neither tag nor digest (pulls :latest)",
    "images: Job x/j (HelmRelease flux-system/app, hook): spec.template.spec.containers[0] image gcr.io/istio-testing/app:1 comes from a testing registry (^gcr.io/istio-testing/)",
  ]);
  const gateway = at(deployment("gw", { containers: [container("auto")] }, "istio-system"));
  assert.deepEqual(lines(images(view(gateway))), [
    'images: Deployment istio-system/gw (HelmRelease flux-system/app): spec.template.spec.containers[0] has image "auto", which only Istio\'s injection webhook replaces, and istiod is not in the view',
  ]);
  assert.deepEqual(
    lines(images(view(gateway, at(deployment("istiod", { containers: [container("docker.io/istio/pilot:1.25.5")] }, "istio-system"))))),
    [],
  );
  assert.deepEqual(
    lines(
      images(
        view(
          at(deployment("a", { containers: [{ name: "c" }, 5] })),
          at(deployment("b", {})),
          at({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "d" }, spec: { template: null } }),
        ),
      ),
    ),
    [
      "images: Deployment apps/a (HelmRelease flux-system/app): spec.template.spec.containers[1] is not an object, so its images cannot be told",
      "images: Deployment apps/a (HelmRelease flux-system/app): spec.template.spec.containers[0] has no image",
      "images: Deployment apps/b (HelmRelease flux-system/app): spec.template.spec has no containers",
      "images: DaemonSet d (HelmRelease flux-system/app): spec.template is not an object, so its pods cannot be told",
    ],
  );
});

const pool = (addresses: unknown, name = "pool"): Manifest => ({
  apiVersion: "metallb.io/v1beta1",
  kind: "IPAddressPool",
  metadata: { name, namespace: "metallb-system" },
  spec: { addresses },
});
const lb = (name: string, ip?: string, annotations?: Record<string, string>, type = "LoadBalancer"): Manifest => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace: "ingress", annotations },
  spec: { type, ports: [{ port: 80 }], ...(ip === undefined ? {} : { loadBalancerIP: ip }) },
});

test("addresses: every LoadBalancer IP lies in a MetalLB IPAddressPool of the view", () => {
  assert.deepEqual(ipv4Range("10.0.0.0/30"), [167772160, 167772163]);
  assert.deepEqual(ipv4Range("10.0.0.5/30"), [167772164, 167772167]);
  assert.deepEqual(ipv4Range("10.0.0.1-10.0.0.9"), [167772161, 167772169]);
  for (const bad of ["10.0.0.9-10.0.0.1", "10.0.0.256/24", "fd00::/64", "10.0.0.0/33", "x"]) assert.equal(ipv4Range(bad), undefined, bad);
  const pools = [at(pool(["10.20.30.200-10.20.30.219"])), at(pool(["192.168.1.0/24"], "other"))];
  assert.deepEqual(
    lines(
      addresses(
        view(
          ...pools,
          at(lb("a", "10.20.30.219")),
          at(lb("b", undefined, { "metallb.io/loadBalancerIPs": "10.20.30.200,192.168.1.7" })),
          at(lb("c")),
          at(lb("d", "1.2.3.4", {}, "ClusterIP")),
        ),
      ),
    ),
    [],
  );
  assert.deepEqual(
    lines(
      addresses(
        view(
          ...pools,
          at(lb("a", "10.20.30.220")),
          at(lb("b", undefined, { "metallb.universe.tf/loadBalancerIPs": "10.20.30.201, fd00::1" })),
          at(lb("c", "192.168.1.7", { "metallb.io/address-pool": "pool" })),
          at(lb("d", "192.168.1.7", { "metallb.universe.tf/address-pool": "missing" })),
        ),
      ),
    ),
    [
      "addresses: Service ingress/a (HelmRelease flux-system/app): spec.loadBalancerIP 10.20.30.220 is in no MetalLB IPAddressPool of the view (pool, other)",
      'addresses: Service ingress/b (HelmRelease flux-system/app): annotation metallb.universe.tf/loadBalancerIPs "fd00::1" is not an IPv4 address, so it cannot be checked against the pools',
      "addresses: Service ingress/c (HelmRelease flux-system/app): spec.loadBalancerIP 192.168.1.7 is in no MetalLB IPAddressPool of the view named pool (pool, other)",
      "addresses: Service ingress/d (HelmRelease flux-system/app): names IPAddressPool missing, which is not in the view",
    ],
  );
  assert.deepEqual(lines(addresses(view(at(lb("a", "10.0.0.1")), at(pool("10.0.0.0/8")), at(pool(["fd00::/64", 7], "v6"))))), [
    "addresses: IPAddressPool metallb-system/pool (HelmRelease flux-system/app): spec.addresses is not a list",
    'addresses: IPAddressPool metallb-system/v6 (HelmRelease flux-system/app): address "fd00::/64" is not an IPv4 range or CIDR, so it is not checked',
    "addresses: IPAddressPool metallb-system/v6 (HelmRelease flux-system/app): address 7 is not an IPv4 range or CIDR, so it is not checked",
    "addresses: Service ingress/a (HelmRelease flux-system/app): spec.loadBalancerIP 10.0.0.1 is in no MetalLB IPAddressPool of the view (pool, v6)",
  ]);
  assert.deepEqual(lines(addresses(view(at(lb("a", "10.0.0.1"))))), [
    "addresses: Service ingress/a (HelmRelease flux-system/app): spec.loadBalancerIP 10.0.0.1 is in no MetalLB IPAddressPool of the view (there is none)",
  ]);
});

test("selectors: Ingresses name an IngressClass of the view; Istio Gateways select the pods of some workload", () => {
  const ingressClass = (name: string, isDefault = false): Manifest => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "IngressClass",
    metadata: { name, ...(isDefault ? { annotations: { "ingressclass.kubernetes.io/is-default-class": "true" } } : {}) },
    spec: { controller: "k8s.io/ingress-nginx" },
  });
  const ingress = (name: string, className?: unknown, annotation?: string): Manifest => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name, namespace: "apps", ...(annotation ? { annotations: { "kubernetes.io/ingress.class": annotation } } : {}) },
    spec: className === undefined ? {} : { ingressClassName: className },
  });
  assert.deepEqual(lines(selectors(view(at(ingressClass("nginx")), at(ingress("a", "nginx")), at(ingress("b", undefined, "nginx"))))), []);
  assert.deepEqual(lines(selectors(view(at(ingressClass("nginx", true)), at(ingress("c"))))), []);
  assert.deepEqual(
    lines(
      selectors(
        view(
          at(ingressClass("nginx")),
          at(ingress("a", "traefik")),
          at(ingress("b", undefined, "istio")),
          at(ingress("c")),
          at(ingress("d", 5)),
        ),
      ),
    ),
    [
      "selectors: Ingress apps/a (HelmRelease flux-system/app): spec.ingressClassName traefik names no IngressClass in the view (nginx)",
      "selectors: Ingress apps/b (HelmRelease flux-system/app): annotation kubernetes.io/ingress.class istio names no IngressClass in the view (nginx)",
      "selectors: Ingress apps/c (HelmRelease flux-system/app): names no IngressClass, and the view has no default IngressClass",
      "selectors: Ingress apps/d (HelmRelease flux-system/app): spec.ingressClassName is not a string",
    ],
  );

  const gateway = (selector: unknown): Manifest => ({
    apiVersion: "networking.istio.io/v1beta1",
    kind: "Gateway",
    metadata: { name: "gw", namespace: "apps" },
    spec: { selector, servers: [] },
  });
  const ingressGateway = at(
    deployment("istio-ingress", { containers: [container("auto")] }, "istio-system", { app: "istio-ingress", istio: "ingress" }),
  );
  assert.deepEqual(lines(selectors(view(ingressGateway, at(gateway({ istio: "ingress" }))))), []);
  assert.deepEqual(lines(selectors(view(ingressGateway, at(gateway({ istio: "ingressgateway" })), at(gateway({})), at(gateway("x"))))), [
    "selectors: Gateway apps/gw (HelmRelease flux-system/app): spec.selector istio=ingressgateway matches the pod labels of no workload in the view",
    "selectors: Gateway apps/gw (HelmRelease flux-system/app): has no spec.selector, so which gateway pods serve it cannot be told",
    "selectors: Gateway apps/gw (HelmRelease flux-system/app): has no spec.selector, so which gateway pods serve it cannot be told",
  ]);
  // A Service's selector labels are not pod labels.
  assert.equal(
    selectors(
      view(
        at({ apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "x", labels: { istio: "ingress" } }, spec: {} }),
        at(gateway({ istio: "ingress" })),
      ),
    ).length,
    1,
  );
});
