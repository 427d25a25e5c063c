// What routes traffic finds what serves it: every Ingress names (spec.ingressClassName, or the old
// kubernetes.io/ingress.class annotation) an IngressClass of the view — without either, a default
// IngressClass must exist — and every Istio Gateway's spec.selector matches the pod-template labels of
// some workload of the view, in any namespace (istiod's default, PILOT_SCOPE_GATEWAY_TO_NAMESPACE=false).
import type { ClusterView, Finding } from "../model.ts";
import { asRecord, finding, groupVersion, isRecord, isWorkload, nameOf, objectsOf, str } from "./common.ts";

export const NAME = "selectors";

const podLabels = (m: Record<string, unknown>): Record<string, unknown> | undefined => {
  const kind = m.kind;
  const template =
    kind === "Pod" ? m : kind === "CronJob" ? asRecord(asRecord(asRecord(m.spec).jobTemplate).spec).template : asRecord(m.spec).template;
  const labels = asRecord(asRecord(template).metadata).labels;
  return isRecord(labels) ? labels : undefined;
};

export function selectors(view: ClusterView): Finding[] {
  const out: Finding[] = [];
  const objects = objectsOf(view);
  const classes = objects.filter(
    (o) => o.manifest.kind === "IngressClass" && groupVersion(o.manifest.apiVersion)?.[0] === "networking.k8s.io",
  );
  const classNames = new Set(classes.map((o) => nameOf(o.manifest)));
  const defaults = classes.filter(
    (o) => asRecord(asRecord(o.manifest.metadata).annotations)["ingressclass.kubernetes.io/is-default-class"] === "true",
  );
  const workloads = objects.filter((o) => isWorkload(o.manifest));
  for (const o of objects) {
    const m = o.manifest;
    const group = groupVersion(m.apiVersion)?.[0];
    if (m.kind === "Ingress" && (group === "networking.k8s.io" || group === "extensions")) {
      const fromSpec = asRecord(m.spec).ingressClassName;
      const fromAnnotation = asRecord(asRecord(m.metadata).annotations)["kubernetes.io/ingress.class"];
      const name = fromSpec ?? fromAnnotation;
      if (name === undefined) {
        if (defaults.length !== 1)
          out.push(
            finding(
              NAME,
              o,
              `names no IngressClass, and the view has ${defaults.length === 0 ? "no default IngressClass" : `${defaults.length} default IngressClasses`}`,
            ),
          );
        continue;
      }
      const where = fromSpec !== undefined ? "spec.ingressClassName" : "annotation kubernetes.io/ingress.class";
      if (typeof name !== "string") out.push(finding(NAME, o, `${where} is not a string`));
      else if (!classNames.has(name))
        out.push(
          finding(
            NAME,
            o,
            `${where} ${name} names no IngressClass in the view (${classNames.size === 0 ? "there is none" : [...classNames].join(", ")})`,
          ),
        );
    } else if (m.kind === "Gateway" && group === "networking.istio.io") {
      const selector = asRecord(m.spec).selector;
      if (!isRecord(selector) || Object.keys(selector).length === 0) {
        out.push(finding(NAME, o, "has no spec.selector, so which gateway pods serve it cannot be told"));
        continue;
      }
      const matched = workloads.some((w) => {
        const labels = podLabels(w.manifest);
        return labels !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v);
      });
      if (!matched) {
        const wanted = Object.entries(selector)
          .map(([k, v]) => `${k}=${str(v) ?? JSON.stringify(v)}`)
          .join(",");
        out.push(finding(NAME, o, `spec.selector ${wanted} matches the pod labels of no workload in the view`));
      }
    }
  }
  return out;
}
