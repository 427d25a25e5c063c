// Every Secret and ConfigMap a pod uses non-optionally exists in its namespace — as an object of the
// view, or made by something named here (a certificate Job, a controller) — and so do those the
// Prometheus operator mounts into the pods it makes for an Alertmanager or a Prometheus. A missing one
// keeps the pod in ContainerCreating (volumes) or CreateContainerConfigError (env), so the release
// never becomes Ready.
import type { ClusterObject, ClusterView, Finding } from "../model.ts";
import {
  asArray,
  asRecord,
  containersOf,
  finding,
  groupVersion,
  hasIstiod,
  isRecord,
  isWorkload,
  nameOf,
  namespaceOf,
  objectsOf,
  podSpecOf,
  str,
  type Rec,
} from "./common.ts";

export const NAME = "mounts";

type RefKind = "Secret" | "ConfigMap";

interface Reference {
  kind: RefKind;
  name: string | undefined;
  /** Where the object refers to it, e.g. `spec.template.spec.volumes[0].secret`. */
  where: string;
  optional: boolean;
}

/** What a pod spec refers to: volumes (secret, configMap, projected sources), env, envFrom, imagePullSecrets. */
function podReferences(spec: Rec, path: string): { refs: Reference[]; problems: string[] } {
  const refs: Reference[] = [];
  const problems: string[] = [];
  const add = (kind: RefKind, source: unknown, nameField: string, where: string) => {
    const s = asRecord(source);
    refs.push({ kind, name: str(s[nameField]), where, optional: s.optional === true });
  };
  const volumes = spec.volumes;
  if (volumes !== undefined && volumes !== null && !Array.isArray(volumes)) problems.push(`${path}.volumes is not a list`);
  asArray(volumes).forEach((v, i) => {
    const at = `${path}.volumes[${i}]`;
    if (!isRecord(v)) return problems.push(`${at} is not an object`);
    if (v.secret !== undefined) add("Secret", v.secret, "secretName", `${at}.secret`);
    if (v.configMap !== undefined) add("ConfigMap", v.configMap, "name", `${at}.configMap`);
    if (v.projected !== undefined) {
      asArray(asRecord(v.projected).sources).forEach((s, j) => {
        const src = asRecord(s);
        if (src.secret !== undefined) add("Secret", src.secret, "name", `${at}.projected.sources[${j}].secret`);
        if (src.configMap !== undefined) add("ConfigMap", src.configMap, "name", `${at}.projected.sources[${j}].configMap`);
      });
    }
  });
  const { containers, problems: cProblems } = containersOf(spec);
  problems.push(...cProblems.map((p) => `${path}.${p}`));
  for (const { where, container } of containers) {
    const at = `${path}.${where}`;
    asArray(container.env).forEach((e, i) => {
      const from = asRecord(asRecord(e).valueFrom);
      if (from.secretKeyRef !== undefined) add("Secret", from.secretKeyRef, "name", `${at}.env[${i}].valueFrom.secretKeyRef`);
      if (from.configMapKeyRef !== undefined) add("ConfigMap", from.configMapKeyRef, "name", `${at}.env[${i}].valueFrom.configMapKeyRef`);
    });
    asArray(container.envFrom).forEach((e, i) => {
      const from = asRecord(e);
      if (from.secretRef !== undefined) add("Secret", from.secretRef, "name", `${at}.envFrom[${i}].secretRef`);
      if (from.configMapRef !== undefined) add("ConfigMap", from.configMapRef, "name", `${at}.envFrom[${i}].configMapRef`);
    });
  }
  // The kubelet pulls without a missing pull secret and fails on a private registry: counted as needed.
  asArray(spec.imagePullSecrets).forEach((s, i) => add("Secret", { name: asRecord(s).name }, "name", `${path}.imagePullSecrets[${i}]`));
  return { refs, problems };
}

/** What the Prometheus operator mounts for an Alertmanager or a Prometheus: `spec.secrets`, `spec.configMaps`. */
function operatorReferences(o: ClusterObject): { refs: Reference[]; problems: string[] } {
  const refs: Reference[] = [];
  const problems: string[] = [];
  const spec = o.manifest.spec;
  if (spec === undefined) return { refs, problems };
  if (!isRecord(spec)) return { refs, problems: ["spec is not an object"] };
  for (const [field, kind] of [
    ["secrets", "Secret"],
    ["configMaps", "ConfigMap"],
  ] as const) {
    const list = spec[field];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      problems.push(`spec.${field} is not a list`);
      continue;
    }
    list.forEach((name, i) => refs.push({ kind, name: str(name), where: `spec.${field}[${i}]`, optional: false }));
  }
  return { refs, problems };
}

/**
 * Secrets and ConfigMaps made at run time rather than applied: `namespace` is undefined for "every
 * namespace". Each rule names the upstream code that makes them.
 */
function madeByControllers(view: ClusterView): { kind: RefKind; namespace: string | undefined; name: string; by: string }[] {
  const made: { kind: RefKind; namespace: string | undefined; name: string; by: string }[] = [
    // kubernetes/kubernetes pkg/controller/certificates/rootcacertpublisher/publisher.go: the root CA
    // publisher (kube-controller-manager) writes ConfigMap `kube-root-ca.crt` into every namespace.
    { kind: "ConfigMap", namespace: undefined, name: "kube-root-ca.crt", by: "kube-controller-manager's root CA publisher" },
  ];
  // istio/istio pilot/pkg/serviceregistry/kube/controller/namespacecontroller.go: istiod writes
  // ConfigMap `istio-ca-root-cert` (CACertNamespaceConfigMap) into every namespace it watches.
  if (hasIstiod(view)) made.push({ kind: "ConfigMap", namespace: undefined, name: "istio-ca-root-cert", by: "istiod" });
  // kube-webhook-certgen `create` (kubernetes/ingress-nginx images/kube-webhook-certgen/rootfs/cmd/create.go,
  // and its fork jkroepke/kube-webhook-certgen that kube-prometheus-stack runs) makes Secret
  // `--secret-name` in `--namespace` holding the webhook's certificate; the charts run it as a hook Job.
  // metallb/metallb controller/main.go: the controller creates the memberlist Secret named by
  // `--ml-secret-name` (default env METALLB_ML_SECRET_NAME) in `--namespace` (default env
  // METALLB_NAMESPACE, else its own namespace) — the speakers mount it.
  for (const o of objectsOf(view)) {
    if (o.manifest.kind !== "Deployment" || !isWorkload(o.manifest)) continue;
    const pod = podSpecOf(o.manifest);
    if ("problem" in pod) continue;
    for (const { container } of containersOf(pod.spec).containers) {
      if (!/(^|\/)metallb\/controller(:|@|$)/.test(str(container.image) ?? "")) continue;
      const args = asArray(container.args).map((a) => expand(String(a), container, o));
      const env = (name: string) => str(asRecord(asArray(container.env).find((x) => asRecord(x).name === name)).value);
      const flag = (name: string) => args.find((a) => a?.startsWith(`--${name}=`) || a?.startsWith(`-${name}=`))?.replace(/^--?[^=]+=/, "");
      const secret = flag("ml-secret-name") ?? env("METALLB_ML_SECRET_NAME");
      const namespace = flag("namespace") ?? env("METALLB_NAMESPACE") ?? namespaceOf(o.manifest);
      if (secret && namespace)
        made.push({ kind: "Secret", namespace, name: secret, by: `MetalLB controller ${namespaceOf(o.manifest)}/${nameOf(o.manifest)}` });
    }
  }
  for (const o of objectsOf(view)) {
    if (o.manifest.kind !== "Job" || !isWorkload(o.manifest)) continue;
    const pod = podSpecOf(o.manifest);
    if ("problem" in pod) continue;
    for (const { container } of containersOf(pod.spec).containers) {
      if (!/(^|\/)kube-webhook-certgen(:|@|$)/.test(str(container.image) ?? "")) continue;
      const args = [...asArray(container.command), ...asArray(container.args)].map((a) => expand(String(a), container, o));
      if (!args.includes("create")) continue;
      const flag = (name: string) => args.find((a) => a?.startsWith(`--${name}=`))?.slice(name.length + 3);
      const secret = flag("secret-name");
      const namespace = flag("namespace");
      if (secret && namespace)
        made.push({
          kind: "Secret",
          namespace,
          name: secret,
          by: `kube-webhook-certgen create in Job ${namespaceOf(o.manifest)}/${nameOf(o.manifest)}`,
        });
    }
  }
  return made;
}

/** `$(VAR)` in a container argument, as the kubelet expands it from the container's env; undefined when it cannot tell. */
function expand(arg: string, container: Rec, o: ClusterObject): string | undefined {
  let unknown = false as boolean; // set in the callback below, which the type checker does not follow
  const out = arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (_, name: string) => {
    const e = asRecord(asArray(container.env).find((x) => asRecord(x).name === name));
    if (typeof e.value === "string") return e.value;
    if (asRecord(asRecord(e.valueFrom).fieldRef).fieldPath === "metadata.namespace" && namespaceOf(o.manifest) !== undefined)
      return namespaceOf(o.manifest)!;
    unknown = true;
    return "";
  });
  return unknown ? undefined : out;
}

export function mounts(view: ClusterView): Finding[] {
  const out: Finding[] = [];
  const objects = objectsOf(view);
  const present = new Set<string>();
  for (const o of objects) {
    const m = o.manifest;
    if ((m.kind === "Secret" || m.kind === "ConfigMap") && m.apiVersion === "v1")
      present.add(`${m.kind} ${namespaceOf(m) ?? ""}/${nameOf(m) ?? ""}`);
  }
  const made = madeByControllers(view);
  for (const o of objects) {
    const m = o.manifest;
    let found: { refs: Reference[]; problems: string[] };
    if (isWorkload(m)) {
      const pod = podSpecOf(m);
      if ("problem" in pod) {
        out.push(finding(NAME, o, pod.problem));
        continue;
      }
      found = podReferences(pod.spec, pod.path);
    } else if ((m.kind === "Alertmanager" || m.kind === "Prometheus") && groupVersion(m.apiVersion)?.[0] === "monitoring.coreos.com") {
      found = operatorReferences(o);
    } else continue;
    for (const p of found.problems) out.push(finding(NAME, o, `${p}, so what it mounts cannot be told`));
    const refs = found.refs.filter((r) => !r.optional);
    if (refs.length === 0) continue;
    const namespace = namespaceOf(m);
    if (namespace === undefined) {
      out.push(finding(NAME, o, "has no namespace, so the Secrets and ConfigMaps it uses cannot be looked up"));
      continue;
    }
    for (const r of refs) {
      if (r.name === undefined || r.name === "") {
        out.push(finding(NAME, o, `${r.where} names no ${r.kind}`));
        continue;
      }
      if (present.has(`${r.kind} ${namespace}/${r.name}`)) continue;
      if (made.some((x) => x.kind === r.kind && x.name === r.name && (x.namespace === undefined || x.namespace === namespace))) continue;
      out.push(finding(NAME, o, `uses ${r.kind} ${namespace}/${r.name} (${r.where}), which nothing in the view creates`));
    }
  }
  return out;
}
