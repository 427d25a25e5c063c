// Which files of an environment folder (cluster/<env>) Flux applies. Flux applies a folder through its
// kustomization.yaml when it has one, and then only what that file names (resources, patches, generator
// inputs, components, recursively); it generates one with every file only for a folder without it
// with every .yaml/.yml file below it, a subfolder holding its own kustomization file standing for its
// files (fluxcd/pkg kustomize/kustomize_generator.go, kustomize/v1.39.0: GenerateManifest, scanManifests).
// The folders Flux applies are the environment folder itself (the flux-system Kustomization's path)
// and the `spec.path` of every Flux Kustomization in it that points back into it (the layers). A YAML
// file that none of these reach is never applied, though it sits in the folder: render, `render --check`
// and `npm run policy` name it as an error (issue 19).
import { posix } from "node:path";
import yaml from "js-yaml";

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
const FLUX_KUSTOMIZATION_API = "kustomize.toolkit.fluxcd.io/";
const APPLIABLE = /\.(ya?ml|json)$/i;

/** Every path string a kustomization names (relative to its folder): resources, patches, generator inputs, … */
function references(doc: Record<string, unknown>): string[] {
  const out: string[] = [];
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  for (const key of ["resources", "components", "crds", "patchesStrategicMerge", "generators", "transformers", "validators", "bases"])
    out.push(...strings(doc[key]));
  for (const key of ["patches", "patchesJson6902", "replacements"]) {
    for (const p of Array.isArray(doc[key]) ? doc[key] : []) {
      const path = (p as { path?: unknown } | null)?.path;
      if (typeof path === "string") out.push(path);
    }
  }
  for (const key of ["configMapGenerator", "secretGenerator"]) {
    for (const g of Array.isArray(doc[key]) ? doc[key] : []) {
      const gen = (g ?? {}) as { files?: unknown; envs?: unknown; env?: unknown };
      // `files` entries may be `key=path`.
      out.push(...strings(gen.files).map((f) => f.slice(f.indexOf("=") + 1)), ...strings(gen.envs));
      if (typeof gen.env === "string") out.push(gen.env);
    }
  }
  const openapi = (doc.openapi as { path?: unknown } | undefined)?.path;
  if (typeof openapi === "string") out.push(openapi);
  return out;
}

function documents(text: string): Record<string, unknown>[] {
  try {
    return yaml.loadAll(text).filter((d): d is Record<string, unknown> => typeof d === "object" && d !== null && !Array.isArray(d));
  } catch {
    return []; // the policy check and the renderer report unreadable YAML themselves
  }
}

/**
 * The appliable files (.yaml, .yml, .json; not dot-files) of an environment folder that no folder Flux
 * applies includes, sorted. `files` maps every file's path below the folder (`/`-separated) to a reader
 * of its content; `dir` is the folder relative to the repository root (`cluster/dev`), as Flux
 * Kustomizations name it in `spec.path`.
 */
export function unincludedFiles(dir: string, files: ReadonlyMap<string, () => string>): string[] {
  const prefix = `${posix.normalize(dir).replace(/\/+$/, "")}/`;
  const cache = new Map<string, Record<string, unknown>[]>();
  const docs = (file: string) => {
    if (!cache.has(file)) cache.set(file, documents(files.get(file)!()));
    return cache.get(file)!;
  };
  const appliable = [...files.keys()].filter((f) => APPLIABLE.test(f) && !posix.basename(f).startsWith("."));
  const kustomizationIn = (folder: string) =>
    KUSTOMIZATION_FILES.map((k) => (folder === "" ? k : `${folder}/${k}`)).find((k) => files.has(k));
  const under = (folder: string, file: string) => folder === "" || file.startsWith(`${folder}/`);

  // The folders Flux applies: the environment folder, and every Flux Kustomization's path inside it.
  const roots = new Set<string>([""]);
  for (const file of appliable) {
    for (const doc of docs(file)) {
      if (doc.kind !== "Kustomization" || !String(doc.apiVersion ?? "").startsWith(FLUX_KUSTOMIZATION_API)) continue;
      const path = (doc.spec as { path?: unknown } | undefined)?.path;
      if (typeof path !== "string") continue;
      const target = posix.normalize(path.replace(/^\.?\/+/, "")).replace(/\/+$/, "");
      if (`${target}/` === prefix) roots.add("");
      else if (target.startsWith(prefix)) roots.add(target.slice(prefix.length));
    }
  }

  const included = new Set<string>();
  const visited = new Set<string>();
  const visitFolder = (folder: string) => {
    const k = kustomizationIn(folder);
    if (k === undefined) {
      // No kustomization.yaml: Flux generates one with every .yaml/.yml file below the folder; a
      // subfolder with its own kustomization file is applied through it.
      for (const f of appliable) {
        if (!under(folder, f) || !/\.ya?ml$/i.test(f)) continue;
        const parts = f.split("/").slice(0, -1);
        const start = folder === "" ? 0 : folder.split("/").length;
        const nested = parts
          .map((_, i) => parts.slice(0, i + 1).join("/"))
          .slice(start)
          .find((d) => kustomizationIn(d) !== undefined);
        if (nested === undefined) included.add(f);
        else visitFolder(nested);
      }
      return;
    }
    if (visited.has(k)) return;
    visited.add(k);
    included.add(k);
    for (const doc of docs(k)) {
      for (const ref of references(doc)) {
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref) || ref.startsWith("/")) continue; // remote or absolute: not this folder
        const target = posix.normalize(folder === "" ? ref : `${folder}/${ref}`).replace(/\/+$/, "");
        if (target.startsWith("..")) continue;
        if (files.has(target)) included.add(target);
        else if ([...files.keys()].some((f) => f.startsWith(`${target}/`)) && kustomizationIn(target) !== undefined) visitFolder(target);
      }
    }
  };
  for (const root of roots) visitFolder(root);
  return appliable.filter((f) => !included.has(f)).sort();
}

/** The one line that names a file Flux never applies. */
export function unincludedMessage(file: string): string {
  return `${file}: no kustomization.yaml includes it, so Flux never applies it; define it in stacks/ (npm run render writes it) or remove it`;
}
