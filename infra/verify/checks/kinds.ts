// Every custom resource's kind exists when it is applied: a CRD of the view provides its group and
// kind, and arrives before it — at an earlier install layer (Flux applies a layer once those it
// dependsOn are Ready), in the same HelmRelease (Helm installs a chart's CRDs first), in the same
// layer's Git objects (kustomize-controller applies CustomResourceDefinitions in a first stage,
// fluxcd/pkg ssa `ApplyAllStaged`), or from a HelmRelease that its HelmRelease dependsOn (directly or
// not) in the same layer (helm-controller waits for those to be Ready). Built-in and Flux kinds are
// left to the schema check.
import type { ClusterObject, ClusterView, Finding } from "../model.ts";
import { asArray, asRecord, crdsFor, finding, groupVersion, isFluxGroup, modelFor, nameOf, namespaceOf, objectsOf, str } from "./common.ts";

export const NAME = "kinds";

const RELEASE = "HelmRelease ";
const isGitOrigin = (origin: string) => !origin.startsWith(RELEASE) && origin !== "Pulumi";

/** `namespace/name` of every HelmRelease `id` dependsOn, directly or through others. */
function dependencies(view: ClusterView, id: string): Set<string> {
  const releases = new Map<string, ClusterObject>();
  for (const o of objectsOf(view)) {
    if (o.manifest.kind === "HelmRelease" && groupVersion(o.manifest.apiVersion)?.[0] === "helm.toolkit.fluxcd.io")
      releases.set(`${namespaceOf(o.manifest) ?? ""}/${nameOf(o.manifest) ?? ""}`, o);
  }
  const out = new Set<string>();
  const queue = [id];
  while (queue.length > 0) {
    const at = queue.pop()!;
    const hr = releases.get(at);
    if (hr === undefined) continue;
    for (const d of asArray(asRecord(hr.manifest.spec).dependsOn)) {
      const name = str(asRecord(d).name);
      if (name === undefined) continue;
      const dep = `${str(asRecord(d).namespace) ?? namespaceOf(hr.manifest) ?? ""}/${name}`;
      if (!out.has(dep)) {
        out.add(dep);
        queue.push(dep);
      }
    }
  }
  return out;
}

const layerName = (view: ClusterView, layer: number) =>
  layer < 0
    ? "before any layer"
    : `layer ${layer}${asArray(view.layers)[layer] !== undefined ? ` (${String(asArray(view.layers)[layer])})` : ""}`;

export function kinds(view: ClusterView): Finding[] {
  const out: Finding[] = [];
  const deps = new Map<string, Set<string>>();
  for (const o of objectsOf(view)) {
    const m = o.manifest;
    const gv = groupVersion(m.apiVersion);
    if (gv === undefined || typeof m.kind !== "string") continue; // the schema check reports it
    const [group] = gv;
    if (group === "" || isFluxGroup(group) || modelFor(m.apiVersion, m.kind) !== undefined) continue;
    const crds = crdsFor(view, group, m.kind);
    if (crds.length === 0) {
      out.push(finding(NAME, o, `no CustomResourceDefinition in the view provides ${m.kind} of ${group}`));
      continue;
    }
    const origin = String(o.origin);
    const layer = typeof o.layer === "number" ? o.layer : Number.NaN;
    const provided = crds.some((c) => {
      if (typeof c.layer !== "number" || Number.isNaN(layer)) return false;
      if (c.layer < layer) return true;
      if (c.layer !== layer) return false;
      if (c.origin === origin) return true;
      if (isGitOrigin(c.origin) && isGitOrigin(origin)) return true;
      if (!origin.startsWith(RELEASE) || !c.origin.startsWith(RELEASE)) return false;
      const id = origin.slice(RELEASE.length);
      if (!deps.has(id)) deps.set(id, dependencies(view, id));
      return deps.get(id)!.has(c.origin.slice(RELEASE.length));
    });
    if (!provided) {
      const where = crds.map((c) => `${nameOf(c.manifest) ?? "<no name>"} from ${c.origin} at ${layerName(view, c.layer)}`).join(", ");
      out.push(
        finding(
          NAME,
          o,
          `applied at ${layerName(view, layer)}, but its CustomResourceDefinition (${where}) is neither at an earlier layer, nor in the same release, nor in a HelmRelease it dependsOn`,
        ),
      );
    }
  }
  return out;
}
