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
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, resolve, sep } from "node:path";
import yaml from "js-yaml";
import { loadAllBounded, loadBounded } from "../../infra/yaml.ts";
import { buildLimits } from "../bounds.ts";
import {
  BuildError,
  type BuiltObject,
  type FluxBuildSpec,
  MissingKustomizeError,
  ORIGIN,
  generatedKustomization,
  kustomizationFile,
  rel,
} from "./kustomize/generator.ts";
let workCounter = 0;

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
