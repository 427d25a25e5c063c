// Every object validates as the API server would take it: a built-in kind against the Kubernetes
// OpenAPI schema (`kubernetes-models`, one model class per group/version/Kind) and its group/version
// served by the view's Kubernetes minor (api-versions-<minor>.json); a custom resource against the
// openAPIV3Schema of the served version of the CRD in the view that provides it; a Flux kind against
// `@kubernetes-models/flux-cd` (the Flux CRDs come with Pulumi's install, not as objects of the view).
// Also refused: kinds the deprecation guide says were removed (removed-apis.ts). kubernetes-models has
// no alpha versions, so an alpha kind is "known to nothing" (alpha APIs are off by default anyway).
// Not checked: CEL rules (`x-kubernetes-validations`) and string formats of CRD schemas.
import { Ajv, type ValidateFunction } from "ajv";
import type { ClusterObject, ClusterView, Finding } from "../model.ts";
import { servedApiVersions } from "./api-versions.ts";
import { REMOVED_IN } from "./removed-apis.ts";
import { asArray, asRecord, crdsFor, finding, groupVersion, isFluxGroup, isRecord, modelFor, str, type Rec } from "./common.ts";

export const NAME = "schema";

// strict: false lets the x-kubernetes-* keywords through; `nullable` is an Ajv keyword (OpenAPI).
// Formats are not checked: the API server checks only some, differently from Ajv's.
// Patterns are Go RE2 (kube-openapi validates with Go's regexp): a `(?i)` at the start (after `^`)
// becomes the JS flag (prometheus-operator's CRDs have `^(?i)(abort|warn)?$`); a pattern JS cannot
// read fails the compile and is a finding.
const goRegExp = (pattern: string, flags: string): RegExp => {
  const m = /^(\^?)\(\?i\)/.exec(pattern);
  return m ? new RegExp(m[1]! + pattern.slice(m[0].length), `${flags}i`) : new RegExp(pattern, flags);
};
goRegExp.code = "goRegExp";
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false, code: { regExp: goRegExp } });
const compiled = new WeakMap<Rec, ValidateFunction | string>();

function compile(schema: Rec): ValidateFunction | string {
  let fn = compiled.get(schema);
  if (fn === undefined) {
    try {
      fn = ajv.compile(schema);
    } catch (e) {
      fn = (e as Error).message;
    }
    compiled.set(schema, fn);
  }
  return fn;
}

const errorText = (errors: { instancePath?: string; message?: string }[] | null | undefined): string =>
  (errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`)
    .join("; ");

function againstCrd(o: ClusterObject, crds: ClusterObject[], version: string): Finding[] {
  const crd = crds[0]!;
  const crdName = str(asRecord(crd.manifest.metadata).name) ?? "<no name>";
  const entry = asArray(asRecord(crd.manifest.spec).versions).find((v) => isRecord(v) && v.name === version);
  if (!isRecord(entry)) return [finding(NAME, o, `CRD ${crdName} (${crd.origin}) has no version ${version}`)];
  if (entry.served !== true) return [finding(NAME, o, `CRD ${crdName} (${crd.origin}) does not serve version ${version}`)];
  const schema = asRecord(entry.schema).openAPIV3Schema;
  if (!isRecord(schema))
    return [finding(NAME, o, `CRD ${crdName} (${crd.origin}) has no openAPIV3Schema for ${version}, so the object cannot be checked`)];
  const fn = compile(schema);
  if (typeof fn === "string") return [finding(NAME, o, `the schema of CRD ${crdName} version ${version} cannot be read: ${fn}`)];
  return fn(o.manifest) ? [] : [finding(NAME, o, `invalid against CRD ${crdName} ${version}: ${errorText(fn.errors)}`)];
}

export function schema(view: ClusterView): Finding[] {
  const out: Finding[] = [];
  const kubeVersion = str(view.kubeVersion) ?? "";
  const minor = /^v?([0-9]+\.[0-9]+)(\.|$)/.exec(kubeVersion)?.[1];
  const served = minor === undefined ? undefined : servedApiVersions(minor);
  let builtins = 0;
  for (const [i, raw] of asArray(view.objects).entries()) {
    const o = raw as ClusterObject;
    if (!isRecord(raw) || !isRecord(o.manifest)) {
      out.push({
        check: NAME,
        object: `objects[${i}] (${isRecord(raw) ? String(o.origin) : "?"})`,
        message: "is not an object with a manifest",
      });
      continue;
    }
    const m = o.manifest;
    const gv = groupVersion(m.apiVersion);
    if (gv === undefined || typeof m.kind !== "string" || m.kind === "") {
      out.push(finding(NAME, o, `has no valid apiVersion and kind (${JSON.stringify(m.apiVersion)}, ${JSON.stringify(m.kind)})`));
      continue;
    }
    const meta: unknown = m.metadata;
    if (!isRecord(meta) || (typeof meta.name !== "string" && typeof meta.generateName !== "string") || meta.name === "") {
      out.push(finding(NAME, o, "has no metadata.name"));
      continue;
    }
    const [group, version] = gv;
    const crds = group === "" ? [] : crdsFor(view, group, m.kind);
    if (crds.length > 0) {
      out.push(...againstCrd(o, crds, version));
      continue;
    }
    const model = modelFor(m.apiVersion, m.kind);
    if (model === undefined) {
      out.push(
        finding(
          NAME,
          o,
          isFluxGroup(group)
            ? `${m.apiVersion} ${m.kind} is not a Flux kind known to @kubernetes-models/flux-cd`
            : `${m.apiVersion} ${m.kind} is known neither to kubernetes-models, nor to a CRD in the view, nor to Flux`,
        ),
      );
      continue;
    }
    try {
      new model(m).validate();
    } catch (e) {
      const err = e as { errors?: { instancePath?: string; message?: string }[]; message?: string };
      out.push(finding(NAME, o, `invalid ${m.apiVersion} ${m.kind}: ${err.errors ? errorText(err.errors) : String(err.message)}`));
    }
    if (isFluxGroup(group)) continue;
    builtins++;
    if (served !== undefined && !served.has(String(m.apiVersion)))
      out.push(finding(NAME, o, `${m.apiVersion} is not served by Kubernetes ${minor} (api-versions-${minor}.json)`));
    else if (minor !== undefined && (REMOVED_IN[`${m.apiVersion}/${m.kind}`] ?? Infinity) <= Number(minor.split(".")[1]))
      out.push(
        finding(
          NAME,
          o,
          `${m.apiVersion} ${m.kind} was removed in Kubernetes 1.${REMOVED_IN[`${m.apiVersion}/${m.kind}`]} (deprecation guide)`,
        ),
      );
  }
  if (served === undefined && builtins > 0)
    out.push({
      check: NAME,
      object: `Kubernetes ${kubeVersion || "<no version>"} (${view.environment})`,
      message: `no list of the group/versions Kubernetes ${minor ?? kubeVersion} serves (infra/verify/checks/api-versions-<minor>.json), so built-in kinds cannot be checked against it`,
    });
  return out;
}
