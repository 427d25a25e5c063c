// What Flux applies twice, and what it never applies: an object two Kustomizations apply (the last one wins), and
// files in the sync folder that no kustomization includes.
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { unincludedFiles } from "../../infra/included.ts";
import type { CheckedObject } from "../runner.ts";
import { field } from "../rules/model.ts";
import type { Walk } from "./state.ts";

/**
 * The files of the sync folder (repository-relative) that no kustomization Flux applies includes: they sit
 * in cluster/<env> but are never applied (infra/render/included.ts, the renderer's check). Symlinks are
 * not followed; a missing folder holds none.
 */
export function notApplied(root: string, folder: string): string[] {
  const files = new Map<string, () => string>();
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(join(root, folder, dir), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const rel = dir === "" ? e.name : `${dir}/${e.name}`;
      if (e.isDirectory() && e.name !== ".git" && e.name !== "node_modules") walk(rel);
      else if (e.isFile() && !lstatSync(join(root, folder, rel)).isSymbolicLink())
        files.set(rel, () => readFileSync(join(root, folder, rel), "utf8"));
    }
  };
  walk("");
  return unincludedFiles(folder, files).map((f) => `${folder}/${f}`);
}

/** Group, kind, namespace and name: what the API server keys an object by. */
function identityOf(doc: Record<string, unknown>): string {
  const apiVersion = String(doc.apiVersion);
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
  return `${group}/${String(doc.kind)}/${String(field(doc, "metadata", "namespace") ?? "")}/${String(field(doc, "metadata", "name"))}`;
}

/** An object applied by two Flux Kustomizations (or ResourceSets): whichever applies last wins. */
export function appliedTwice(walk: Walk, objects: CheckedObject[]): void {
  const first = new Map<string, { by: string; o: CheckedObject }>();
  for (const o of objects) {
    const by = walk.appliers.get(o);
    if (by === undefined) continue;
    const id = `${walk.clusters.get(o) ?? ""}|${identityOf(o.doc)}`;
    const seen = first.get(id);
    // Two clusters (spec.kubeConfig) hold two objects: the hub-and-spoke layout applies one path to each.
    if (seen === undefined) first.set(id, { by, o });
    else if (seen.by !== by) {
      (o.problems ??= []).push({
        message: `applied by ${seen.by} and by ${by}: Flux applies both and the last one wins, so what runs is not what either says; keep one definition`,
      });
    }
  }
}
