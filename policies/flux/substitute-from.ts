// Where a Flux Kustomization's postBuild.substituteFrom objects come from, when the graph has not built them
// (yet). kustomize-controller reads them from the cluster at reconcile time (fluxcd/pkg kustomize/v1.27.1
// kustomize_varsub.go LoadVariables: an optional one that is not found adds no variables), so an object
// that is in Git but applied by another Kustomization is there or not depending on the order Flux applies
// them: the checker resolves it from Git when it can, and otherwise says it cannot (issue #20).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { field, text } from "../rules/model.ts";
import { parseDocuments } from "../yaml.ts";

export interface SubstituteRef {
  kind: string;
  name: string;
  optional: boolean;
}

export function substituteRefs(spec: Record<string, unknown>): SubstituteRef[] {
  const list = field(spec, "postBuild", "substituteFrom");
  return (Array.isArray(list) ? list : []).map((ref) => ({
    kind: text(field(ref, "kind")) ?? "",
    name: text(field(ref, "name")) ?? "",
    optional: field(ref, "optional") === true,
  }));
}

/** The object a substituteFrom reference names among `docs` (in the Kustomization's namespace). */
export function findRef(docs: Record<string, unknown>[], ref: SubstituteRef, namespace: string): Record<string, unknown> | undefined {
  return docs.find(
    (d) =>
      d.apiVersion === "v1" &&
      d.kind === ref.kind &&
      field(d, "metadata", "name") === ref.name &&
      (field(d, "metadata", "namespace") ?? namespace) === namespace,
  );
}

/**
 * Files in the artifact that hold a ConfigMap or Secret of that name (any namespace written, or none):
 * read once per run, only when a reference is not among the built objects.
 */
export function gitIndex(artifact: string): (ref: SubstituteRef, namespace: string) => string | undefined {
  let index: { kind: string; name: string; namespace?: string; file: string }[] | undefined;
  const build = () => {
    const out: NonNullable<typeof index> = [];
    const walk = (dir: string, depth: number) => {
      if (depth > 64) return;
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, e.name);
        if (e.isDirectory()) walk(path, depth + 1);
        else if (e.isFile() && /\.ya?ml$/.test(e.name)) {
          let docs;
          try {
            docs = parseDocuments(readFileSync(path, "utf8"), false);
          } catch {
            continue;
          }
          for (const { doc } of docs) {
            const kind = field(doc, "kind");
            if (kind !== "ConfigMap" && kind !== "Secret") continue;
            out.push({
              kind,
              name: String(field(doc, "metadata", "name")),
              namespace: text(field(doc, "metadata", "namespace")),
              file: path,
            });
          }
        }
      }
    };
    walk(artifact, 0);
    return out;
  };
  return (ref, namespace) => {
    index ??= build();
    return index.find((o) => o.kind === ref.kind && o.name === ref.name && (o.namespace === undefined || o.namespace === namespace))?.file;
  };
}
