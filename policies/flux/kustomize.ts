// Builds one Flux Kustomization's path the way kustomize-controller does. Read at kustomize-controller
// v1.7.3 (Flux 2.7.5, fluxcd/pkg/kustomize v1.24.0) and v1.8.3 (Flux 2.8.5, fluxcd/pkg/kustomize v1.27.1),
// internal/controller/kustomization_controller.go generate() + build(), and fluxcd/pkg
// kustomize/kustomize_generator.go Generator.WriteFile (the same in both versions but for its gitignore
// import):
//   - when the path has no kustomization file, one is generated listing every .yaml/.yml file (and every
//     sub-folder that has a kustomization file, not descended into) as `./<path>` resources, or
//     `namespace: _placeholder` when there are none (generateKustomization, scanManifests);
//   - the Flux spec's fields are written INTO that (or the existing) kustomization file: targetNamespace
//     replaces `namespace`, namePrefix / nameSuffix replace the file's own, spec.patches are appended after
//     the file's patches, spec.components after its components (ignoreMissingComponents drops the ones
//     that do not exist; a component must be a local relative path), spec.images replace an image of the
//     same name or are appended; an existing file without resources gets buildMetadata [originAnnotations];
//   - then krusty builds the path itself with LoadRestrictionsNone and no plugins (SecureBuild).
// So the file's components run before its patches, Flux's patches before the file's replacements, and a
// Flux namePrefix replaces the file's (an outer overlay, as this checker once used, orders them all after).
// An existing kustomization file gets Flux's fields in the artifact copy (never the repository) under an
// exclusive lock, and is put back after the build; a folder without one builds from the generated file in
// an overlay folder of its own (it is the only layer, so where it lies changes nothing). `kubectl kustomize`
// builds through an overlay that adds origin annotations (which map each built object back to its file,
// and are removed again).
//
// Why kubectl: its embedded kustomize (v5) is the same kustomize/api Flux builds with, kubectl is on every
// machine that talks to a cluster (and on this project's CI image), and it needs no plugin setup. The
// standalone `kustomize` binary would do the same; KUBECTL may name either (`kustomize build` is used then).
// Every build runs under a time and memory bound (./bounds.ts).
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import yaml from "js-yaml";
import { UserError } from "../../infra/errors.ts";
import { loadAllBounded, loadBounded } from "../../infra/yaml.ts";
import { assertBoundedExpansion, buildLimits } from "../bounds.ts";
import { isRemoteEntry } from "../urls.ts";

export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
const ORIGIN = "config.kubernetes.io/origin";

/**
 * The fields of a Flux Kustomization's spec that change what kustomize builds. A string field that is
 * present (even empty) replaces the file's own, as unstructured.NestedString's `ok` does in the generator.
 */
export interface FluxBuildSpec {
  targetNamespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  patches?: unknown[];
  components?: string[];
  ignoreMissingComponents?: boolean;
  images?: unknown[];
}

/** The build fields of a Flux Kustomization's spec, as the generator reads them. */
export function fluxBuildSpec(spec: Record<string, unknown>): FluxBuildSpec {
  const str = (key: string) => {
    const v = spec[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw new BuildError(`spec.${key} is not a string`);
    return v;
  };
  const list = (v: unknown) => (Array.isArray(v) ? v : []);
  return {
    targetNamespace: str("targetNamespace"),
    namePrefix: str("namePrefix"),
    nameSuffix: str("nameSuffix"),
    patches: list(spec.patches),
    components: list(spec.components).filter((c): c is string => typeof c === "string"),
    ignoreMissingComponents: spec.ignoreMissingComponents === true,
    images: list(spec.images),
  };
}

export interface BuiltObject {
  doc: Record<string, unknown>;
  /** Absolute path of the file the object came from (or of the kustomization that generated it); none: the Flux spec. */
  file?: string;
}

/** The build failed the way kustomize-controller's would: Flux would not apply this path. */
export class BuildError extends Error {
  override name = "BuildError";
}

/** kubectl (or kustomize) is missing: graph mode cannot work, say how to get it. */
export class MissingKustomizeError extends UserError {
  override name = "MissingKustomizeError";
  override readonly exitCode = 2;
}

export function kustomizationFile(dir: string): string | undefined {
  for (const name of KUSTOMIZATION_FILES) {
    const file = join(dir, name);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** What kustomize-controller generates for a folder without a kustomization file. */
function generatedResources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    // filepath.Walk's order: names sorted by bytes (os.ReadDir)
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)))) {
      const path = join(d, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const st = statSync(path);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue;
        }
      }
      if (isDir) {
        if (kustomizationFile(path)) out.push(path);
        else walk(path);
      } else if (isFile && /\.ya?ml$/.test(entry.name)) out.push(path);
    }
  };
  walk(dir);
  return out;
}

const rel = (from: string, to: string) => relative(from, to).split(sep).join("/") || ".";

let workCounter = 0;

/** kustomize's IsLocalRelativePath (fluxcd/pkg kustomize_generator.go): what spec.components may name. */
export function isLocalRelativePath(path: string): boolean {
  for (const p of ["git::", "gh:", "ssh://", "https://", "http://", "git@", "github.com:", "github.com/"]) {
    if (p.length < path.length && path.slice(0, p.length).toLowerCase() === p) return false;
  }
  return (
    !path.startsWith("/") &&
    !path
      .toLowerCase()
      .replace(/^file:\/\//, "")
      .startsWith("/")
  );
}

const has = (spec: FluxBuildSpec) =>
  spec.targetNamespace !== undefined ||
  spec.namePrefix !== undefined ||
  spec.nameSuffix !== undefined ||
  !!spec.patches?.length ||
  !!spec.components?.length ||
  !!spec.images?.length;

/**
 * The kustomization file kustomize-controller builds for `dir` (Generator.WriteFile): where it goes and its
 * content, or undefined when Flux would build the file in the folder unchanged (its round trip through
 * kustomize's types changes nothing kustomize reads).
 */
export function generatedKustomization(dir: string, spec: FluxBuildSpec): { file: string; content: Record<string, unknown> } | undefined {
  const existing = kustomizationFile(dir);
  let k: Record<string, unknown>;
  if (existing) {
    let doc: unknown;
    try {
      doc = yaml.load(readFileSync(existing, "utf8"));
      assertBoundedExpansion(doc); // it is written out again, aliases expanded
    } catch (e) {
      throw new BuildError(`${basename(existing)}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    }
    const resources =
      doc !== null && typeof doc === "object" && !Array.isArray(doc) ? (doc as Record<string, unknown>).resources : undefined;
    const noResources = !Array.isArray(resources) || resources.length === 0;
    if (!has(spec) && !noResources) return undefined;
    k = doc !== null && typeof doc === "object" && !Array.isArray(doc) ? { ...(doc as Record<string, unknown>) } : {};
    k.apiVersion ??= "kustomize.config.k8s.io/v1beta1";
    k.kind ??= "Kustomization";
    if (noResources) k.buildMetadata = ["originAnnotations"];
  } else {
    const resources = generatedResources(dir).map((p) => `./${rel(dir, p)}`);
    k = { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization" };
    if (resources.length) k.resources = resources;
    else k.namespace = "_placeholder";
  }
  const set = (key: string, v: string | undefined) => {
    if (v === undefined) return;
    if (v === "")
      delete k[key]; // omitempty: an empty Flux field removes the file's
    else k[key] = v;
  };
  set("namespace", spec.targetNamespace);
  set("namePrefix", spec.namePrefix);
  set("nameSuffix", spec.nameSuffix);
  if (spec.patches?.length) {
    const own = Array.isArray(k.patches) ? k.patches : [];
    k.patches = [
      ...own,
      ...spec.patches.map((p) => {
        const patch = (p ?? {}) as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        if (typeof patch.patch === "string" && patch.patch !== "") out.patch = patch.patch;
        const t = patch.target as Record<string, unknown> | undefined | null;
        if (t && typeof t === "object") {
          const target: Record<string, unknown> = {};
          for (const f of ["group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"]) {
            if (typeof t[f] === "string" && t[f] !== "") target[f] = t[f];
          }
          out.target = target;
        }
        return out;
      }),
    ];
  }
  const components: string[] = [];
  for (const c of spec.components ?? []) {
    if (!isLocalRelativePath(c)) throw new BuildError(`component path '${c}' must be local and relative`);
    if (spec.ignoreMissingComponents && !existsSync(join(dir, c))) continue;
    components.push(c);
  }
  if (components.length) k.components = [...(Array.isArray(k.components) ? k.components : []), ...components];
  if (spec.images?.length) {
    const images = Array.isArray(k.images) ? [...(k.images as unknown[])] : [];
    for (const i of spec.images) {
      const image = (i ?? {}) as Record<string, unknown>;
      const entry: Record<string, unknown> = {};
      for (const f of ["name", "newName", "newTag", "digest"]) if (typeof image[f] === "string" && image[f] !== "") entry[f] = image[f];
      const at = images.findIndex((e) => (e as Record<string, unknown> | null)?.name === (image.name ?? ""));
      if (at >= 0) images[at] = entry;
      else images.push(entry);
    }
    k.images = images;
  }
  return { file: existing ?? join(dir, "kustomization.yaml"), content: k };
}

/**
 * Builds that write a generated kustomization into the shared artifact copy hold it alone; builds of a
 * folder as it is share it. (Flux builds each Kustomization in its own copy of the artifact.)
 */
class ArtifactLock {
  private readers = 0;
  private writer = false;
  private waiting: (() => void)[] = [];
  private wake() {
    const w = this.waiting;
    this.waiting = [];
    w.forEach((f) => f());
  }
  async run<T>(exclusive: boolean, work: () => Promise<T>): Promise<T> {
    while (this.writer || (exclusive && this.readers > 0)) await new Promise<void>((r) => this.waiting.push(r));
    if (exclusive) this.writer = true;
    else this.readers++;
    try {
      return await work();
    } finally {
      if (exclusive) this.writer = false;
      else this.readers--;
      this.wake();
    }
  }
}
const locks = new Map<string, ArtifactLock>();

/** Writes the overlay that builds `dir` with origin annotations and nothing else; returns its folder. */
function writeOverlay(dir: string, workDir: string): string {
  const overlay = join(workDir, `k${++workCounter}`);
  mkdirSync(overlay, { recursive: true });
  const k = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources: [rel(overlay, dir)],
    buildMetadata: ["originAnnotations"],
  };
  writeFileSync(join(overlay, "kustomization.yaml"), yaml.dump(k));
  return overlay;
}

const HOW_TO_GET =
  "graph mode builds with `kubectl kustomize` as kustomize-controller does: install kubectl " +
  "(https://kubernetes.io/docs/tasks/tools/) or set KUBECTL to its path, or check folders with `npm run policy -- PATHS`";

/**
 * The reason of a failed build on one line: klog's `"command failed" err="…"` unquoted, or its multi-line
 * form (`err=<`, tab-indented lines, ` >`) joined; otherwise the first line kubectl printed.
 */
export function reason(stderr: string): string | undefined {
  const lines = stderr.split("\n");
  const at = lines.findIndex((l) => /"command failed" err=/.test(l));
  if (at >= 0) {
    const rest = lines[at]!.slice(lines[at]!.indexOf("err=") + 4);
    if (rest.trim() === "<") {
      const block: string[] = [];
      for (const l of lines.slice(at + 1)) {
        if (l.trim() === ">") break;
        if (l.trim() !== "") block.push(l.trim());
      }
      return block.join(" ");
    }
    try {
      return JSON.parse(rest.trim()) as string;
    } catch {
      return rest.trim();
    }
  }
  return lines
    .find((l) => l.trim() !== "")
    ?.replace(/^E\d+ [\d:.]+\s+\d+ \w+\.go:\d+\] /, "")
    .trim();
}

/**
 * Runs the build under its bounds: killed after the time bound, its address space capped by `ulimit -v`
 * (where the shell cannot set it, the time bound still holds), its output capped. Every failure is one line.
 */
function run(command: string, args: string[]): Promise<string> {
  const limits = buildLimits();
  const script = 'ulimit -v "$1" 2>/dev/null; shift; exec "$@"';
  return new Promise((done, fail) => {
    execFile(
      "/bin/sh",
      ["-c", script, "sh", String(limits.memoryMiB * 1024), command, ...args],
      { maxBuffer: limits.outputBytes, encoding: "utf8", timeout: limits.timeoutMs, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        if (!error) return done(stdout);
        const e = error as Error & { killed?: boolean; code?: string | number; signal?: string };
        if (e.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") {
          fail(
            new BuildError(`the build printed more than ${limits.outputBytes / 1024 / 1024} MiB (the policy's output bound): not checked`),
          );
        } else if (e.killed || (e.signal === "SIGKILL" && !/out of memory/.test(stderr))) {
          fail(
            new BuildError(`the build took longer than ${limits.timeoutMs / 1000} s (POLICY_BUILD_TIMEOUT) and was stopped: not checked`),
          );
        } else if (/out of memory|cannot allocate memory/i.test(stderr)) {
          fail(
            new BuildError(
              `the build needed more than ${limits.memoryMiB} MiB (POLICY_BUILD_MEMORY) and was stopped (a YAML alias bomb?): not checked`,
            ),
          );
        } else if (e.code === 127 && /not found|No such file/i.test(stderr)) {
          fail(new MissingKustomizeError(`${command} not found: ${HOW_TO_GET}`));
        } else if (e.signal && !stderr.trim()) {
          // Killed before it could say why: a Go runtime that cannot even map its heap under the address-space cap dies of SIGSEGV.
          fail(new BuildError(`the build was killed by ${e.signal} under POLICY_BUILD_MEMORY ${limits.memoryMiB} MiB: not checked`));
        } else fail(new BuildError(reason(stderr) ?? error.message.split("\n")[0]!));
      },
    );
  });
}

/** Maps the origin annotation back to a file and removes it (and an annotations map it leaves empty). */
function takeOrigin(doc: Record<string, unknown>, overlay: string): string {
  const meta = doc.metadata as Record<string, unknown> | undefined;
  const annotations = meta?.annotations as Record<string, string> | undefined;
  const origin = annotations?.[ORIGIN];
  if (annotations === undefined || origin === undefined) return overlay;
  delete annotations[ORIGIN];
  if (Object.keys(annotations).length === 0) delete meta!.annotations;
  const parsed = loadBounded(origin) as { path?: string; configuredIn?: string } | null;
  const path = parsed?.path ?? parsed?.configuredIn;
  return path ? resolve(overlay, path) : overlay;
}

/**
 * Builds `dir` as kustomize-controller does (the generated kustomization, see above). Throws BuildError
 * (Flux would fail too, or a bound was crossed) or MissingKustomizeError.
 */
export async function kustomizeBuild(dir: string, spec: FluxBuildSpec, workDir: string, root?: string): Promise<BuiltObject[]> {
  const overlay = writeOverlay(dir, workDir);
  const kubectl = process.env.KUBECTL || "kubectl";
  const args =
    basename(kubectl) === "kustomize"
      ? ["build", "--load-restrictor", "LoadRestrictionsNone", overlay]
      : ["kustomize", "--load-restrictor", "LoadRestrictionsNone", overlay];
  const key = root ?? workDir;
  if (!locks.has(key)) locks.set(key, new ArtifactLock());
  const lock = locks.get(key)!;
  let out: string | undefined;
  let generated: ReturnType<typeof generatedKustomization>;
  try {
    // The folder is read (and, unchanged, built) while no build has its generated file in place. A folder
    // without a kustomization file builds the same from a generated file anywhere (it is the only layer):
    // that one goes into the overlay, with its paths made relative to it, and needs no lock of its own.
    out = await lock.run(false, async () => {
      generated = generatedKustomization(dir, spec);
      if (generated && !kustomizationFile(dir)) {
        const k: Record<string, unknown> = { ...generated.content, buildMetadata: ["originAnnotations"] };
        const moved = (v: unknown) => (Array.isArray(v) ? v.map((p) => (typeof p === "string" ? rel(overlay, resolve(dir, p)) : p)) : v);
        if (k.resources) k.resources = moved(k.resources);
        if (k.components) k.components = moved(k.components);
        writeFileSync(join(overlay, "kustomization.yaml"), yaml.dump(k, { noRefs: true }));
        generated = undefined;
      } else if (generated) return undefined;
      return run(kubectl, args);
    });
    out ??= await lock.run(true, async () => {
      const g = (generated = generatedKustomization(dir, spec)!);
      const original = existsSync(g.file) ? readFileSync(g.file) : undefined;
      writeFileSync(g.file, yaml.dump(g.content, { noRefs: true }));
      try {
        return await run(kubectl, args);
      } finally {
        if (original) writeFileSync(g.file, original);
        else rmSync(g.file, { force: true });
      }
    });
  } catch (e) {
    // Paths in kustomize's reason relative to the repository, not to the temporary copy; without the
    // overlay's own layer of "accumulating resources from '<path>'" around the path's reason.
    if (e instanceof BuildError && root) {
      const message = e.message
        .split(`${rel(overlay, root)}/`)
        .join("")
        .split(`${root}${sep}`)
        .join("");
      const layer =
        /^accumulating resources: accumulation err='accumulating resources from '([^']*)': read \1: is a directory': recursed accumulation of path '\1': /;
      throw new BuildError(message.replace(layer, ""));
    }
    throw e;
  }
  const objects: BuiltObject[] = [];
  for (const doc of loadAllBounded(out)) {
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) continue;
    const d = doc as Record<string, unknown>;
    const file = takeOrigin(d, overlay);
    objects.push({ doc: d, file: file.startsWith(overlay + sep) || file === overlay ? undefined : file });
  }
  return objects;
}

/** Where a build reads something the checker must look at before building. */
export interface BuildInput {
  /** The entry as written (`resources: [<entry>]`, a patch path, a generator file). */
  entry: string;
  /** Absolute path of the kustomization file that names it. */
  file: string;
  /** The kustomization key that names it. */
  key: string;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

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
