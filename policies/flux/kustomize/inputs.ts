// What a build reads before kubectl does: every local file and folder a kustomization names (resources,
// components, patches, generators), and the entries it would fetch over the network.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve, sep } from "node:path";
import { loadAllBounded } from "../../../infra/yaml.ts";
import { isRemoteEntry } from "../../urls.ts";
import { generatedResources, kustomizationFile } from "./generator.ts";

export interface BuildInput {
  /** The entry as written (`resources: [<entry>]`, a patch path, a generator file). */
  entry: string;
  /** Absolute path of the kustomization file that names it. */
  file: string;
  /** The kustomization key that names it. */
  key: string;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** Every path a kustomization file names, with the key that names it; `key=path` generator files split. */
function pathsOf(doc: Record<string, unknown>): { entry: string; key: string; tree: boolean }[] {
  const out: { entry: string; key: string; tree: boolean }[] = [];
  const add = (v: unknown, key: string, tree = false) => {
    const s = str(v);
    if (s) out.push({ entry: s, key, tree });
  };
  for (const key of ["resources", "components", "bases"]) for (const r of asList(doc[key])) add(r, key, true);
  for (const key of ["crds", "configurations", "patchesStrategicMerge", "generators", "transformers", "validators"]) {
    for (const r of asList(doc[key])) add(r, key);
  }
  for (const key of ["patches", "patchesJson6902", "replacements"]) {
    for (const p of asList(doc[key])) add((p as Record<string, unknown> | null)?.path, key);
  }
  for (const key of ["configMapGenerator", "secretGenerator"]) {
    for (const g of asList(doc[key]) as (Record<string, unknown> | null)[]) {
      for (const f of asList(g?.files)) if (typeof f === "string") add(f.replace(/^[^=]*=/, ""), key);
      for (const f of asList(g?.envs)) add(f, key);
      add(g?.env, key);
    }
  }
  add((doc.openapi as Record<string, unknown> | null | undefined)?.path, "openapi");
  return out;
}

/**
 * What a build of `dir` (with the Flux spec's components) reads that Flux would not build offline or at all:
 * remote entries (fetched over the network) and paths that resolve outside `root` (Flux builds on a file
 * system confined to the artifact, fluxcd/pkg kustomize/filesys fs_secure.go, and refuses them).
 */
export function buildInputs(
  dir: string,
  components: string[],
  root: string,
): { remote: BuildInput[]; outside: BuildInput[]; local: string[] } {
  const remote: BuildInput[] = [];
  const outside: BuildInput[] = [];
  /** Every file or folder inside `root` a kustomization names (what kustomize will read besides `dir`). */
  const local: string[] = [];
  const seen = new Set<string>();
  const inside = (p: string) => p === root || p.startsWith(root + sep);
  const visitDir = (d: string) => {
    const file = kustomizationFile(d);
    if (file) visitFile(file);
    else if (existsSync(d) && statSync(d).isDirectory()) {
      for (const r of generatedResources(d)) if (kustomizationFile(r)) visitFile(kustomizationFile(r)!);
    }
  };
  const visitFile = (file: string) => {
    if (seen.has(file) || seen.size > 500) return;
    seen.add(file);
    let docs: unknown[];
    try {
      docs = loadAllBounded(readFileSync(file, "utf8"));
    } catch {
      return; // kustomize reports it
    }
    const doc = docs[0];
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return;
    const base = dirname(file);
    for (const { entry, key, tree } of pathsOf(doc as Record<string, unknown>)) {
      const localPath = resolve(base, entry);
      if (tree && !existsSync(localPath) && isRemoteEntry(entry)) remote.push({ entry, file, key });
      else if (!inside(localPath)) outside.push({ entry, file, key });
      else {
        local.push(localPath);
        if (tree && existsSync(localPath) && statSync(localPath).isDirectory()) visitDir(localPath);
      }
    }
  };
  visitDir(dir);
  for (const c of components) {
    const localPath = resolve(dir, c);
    if (!inside(localPath)) outside.push({ entry: c, file: dir, key: "spec.components" });
    else {
      local.push(localPath);
      visitDir(localPath);
    }
  }
  return { remote, outside, local };
}
