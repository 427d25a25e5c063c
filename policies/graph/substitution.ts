// A Flux Kustomization's post-build variables, as kustomize-controller gathers them before it substitutes
// (fluxcd/pkg kustomize/v1.27.1 kustomize_varsub.go SubstituteVariables: only when there are variables; newlines
// are removed from every value). An optional substituteFrom object that Flux may or may not find (applied by a
// Kustomization this one does not depend on, or in Git but not applied before it) is a problem on the
// Kustomization: what Flux substitutes is not one known value.
import { sep } from "node:path";
import { findRef, substituteRefs, type SubstituteRef } from "../flux/substitute-from.ts";
import { field, text, type Problem } from "../rules/model.ts";
import { asArray } from "./locate.ts";
import { labelOf, type FluxNode } from "./node.ts";
import type { Walk } from "./state.ts";

export interface Substitution {
  vars: Record<string, string>;
  /** A variable's value is not known here (a substituteFrom object outside Git): uses of unset variables stay. */
  keepUnknown: boolean;
}

/** The variables of `node`'s postBuild, or undefined when Flux would substitute nothing. */
export function substitution(walk: Walk, node: FluxNode, problems: Problem[]): Substitution | undefined {
  const postBuild = node.spec.postBuild;
  if (postBuild === undefined || postBuild === null) return undefined;
  const out: Substitution = { vars: {}, keepUnknown: false };
  for (const ref of substituteRefs(node.spec)) addRef(walk, node, ref, out, problems);
  for (const [k, v] of Object.entries((field(postBuild, "substitute") as Record<string, unknown> | undefined) ?? {})) {
    out.vars[k] = String(v).replace(/\n/g, "");
  }
  if (Object.keys(out.vars).length === 0 && !out.keepUnknown && field(postBuild, "substituteStrategy") !== "Always") return undefined;
  return out;
}

/** The variables one substituteFrom object adds, or why they are not known here. */
function addRef(walk: Walk, node: FluxNode, ref: SubstituteRef, out: Substitution, problems: Problem[]): void {
  const { kind, name } = ref;
  const label = labelOf(node);
  const obj = findRef(walk.builtDocs, ref, node.namespace);
  if (!obj) {
    const file = ref.optional ? walk.inGit(ref, node.namespace) : undefined;
    if (file) {
      out.keepUnknown = true;
      problems.push({
        message:
          `substituteFrom ${kind}/${name} is optional and in Git (${file.split(sep).slice(-2).join("/")}), but not applied before ` +
          `${label}: Flux substitutes with or without it depending on what the cluster holds, so its variables count as unset here`,
        at: ["spec", "postBuild", "substituteFrom"],
      });
      return;
    }
    // Optional and absent: Flux skips it (LoadVariables), it adds no variables.
    // Required: it must exist in the cluster, with values not known here.
    if (ref.optional) return;
    out.keepUnknown = true;
    walk.result.notes.push({
      file: node.file,
      line: node.line,
      message: `${label}: substituteFrom ${kind}/${name} is not in Git: a value that uses one of its variables counts as unset here`,
    });
    return;
  }
  const by = walk.appliedBy.get(obj);
  if (ref.optional && by && !walk.ancestors(label).has(by) && !dependsOn(node).has(by)) {
    problems.push({
      message:
        `substituteFrom ${kind}/${name} is optional and applied by ${by}, which ${label} does not depend on (spec.dependsOn): ` +
        "Flux may substitute before it exists, with none of its variables; only the values with it are checked here",
      at: ["spec", "postBuild", "substituteFrom"],
    });
  }
  Object.assign(out.vars, variablesOf(kind, obj));
}

/** The Kustomizations `node` names in spec.dependsOn, by label. */
function dependsOn(node: FluxNode): Set<string> {
  return new Set(
    asArray(node.spec.dependsOn).map((d) =>
      labelOf({ namespace: text(field(d, "namespace")) ?? node.namespace, name: text(field(d, "name")) ?? "" }),
    ),
  );
}

/** A ConfigMap's or Secret's data (a Secret's base64-decoded) and stringData, newlines removed. */
function variablesOf(kind: string, obj: Record<string, unknown>): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries((field(obj, "data") as Record<string, unknown> | undefined) ?? {})) {
    if (typeof v === "string") vars[k] = (kind === "Secret" ? Buffer.from(v, "base64").toString("utf8") : v).replace(/\n/g, "");
  }
  for (const [k, v] of Object.entries((field(obj, "stringData") as Record<string, unknown> | undefined) ?? {})) {
    if (typeof v === "string") vars[k] = v.replace(/\n/g, "");
  }
  return vars;
}
