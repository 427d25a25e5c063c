// One Flux Kustomization built as kustomize-controller builds it (../flux/kustomize.ts), its post-build variables
// substituted, and every object of the output a checked object that knows its file, its line and who applies it;
// the Flux Kustomizations among them are the walk's next nodes.
import { existsSync, readFileSync } from "node:fs";
import { posix, relative, sep } from "node:path";
import { substituteObject } from "../flux/envsubst.ts";
import { BuildError, fluxBuildSpec, type FluxBuildSpec } from "../flux/kustomize/generator.ts";
import { buildInputs, type BuildInput } from "../flux/kustomize/inputs.ts";
import { kustomizeBuild } from "../flux/kustomize.ts";
import { objectsOf } from "../objects.ts";
import type { CheckedObject } from "../runner.ts";
import { field, text, type Problem } from "../rules/model.ts";
import { lineOfField } from "../yaml.ts";
import { findDocument, locateInFile, patchDocs, patchesUnder, patchSets, same, yamlFilesAt, type PatchSource } from "./locate.ts";
import { clusterOf, inRepo, labelOf, type FluxNode } from "./node.ts";
import { substitution, type Substitution } from "./substitution.ts";
import type { Walk } from "./state.ts";

const FLUX_KUSTOMIZE_GROUP = "kustomize.toolkit.fluxcd.io/";
const SUBSTITUTE = "kustomize.toolkit.fluxcd.io/substitute";

export interface Built {
  objects: CheckedObject[];
  children: FluxNode[];
}

/** What a build reads, once checked: its folder, Flux's build spec and the remote bases as subjects. */
interface Prepared {
  dir: string;
  spec: FluxBuildSpec;
  remoteBases: CheckedObject[];
}

export async function buildNode(walk: Walk, node: FluxNode): Promise<Built> {
  const prepared = prepare(walk, node);
  if (!("dir" in prepared)) return { objects: prepared.stop, children: [] };
  const { dir, spec, remoteBases } = prepared;
  let built;
  try {
    built = await kustomizeBuild(dir, spec, walk.workDir, walk.artifact);
  } catch (e) {
    if (!(e instanceof BuildError)) throw e;
    return fail(walk, node, `kustomize build of ${pathOf(node)} fails: ${e.message}`);
  }
  const substituteProblems: Problem[] = [];
  const substitute = substitution(walk, node, substituteProblems);
  if (substituteProblems.length && node.object) (node.object.problems ??= []).push(...substituteProblems);
  const fluxPatches: PatchSource[] = spec.patches!.map((p) => ({
    file: node.file,
    line: node.file.endsWith(".yaml") ? locateInFile(walk.files, node.file, node.line, ["spec", "patches"]) : node.line,
    docs: patchDocs(text(field(p, "patch")) ?? ""),
  }));
  const patches = [...fluxPatches, ...patchesUnder(walk.files, dir)];
  const out: Built = { objects: [...remoteBases], children: [] };
  for (const b of built) addBuilt(walk, node, { doc: b.doc, file: b.file, substitute, patches }, out);
  return out;
}

const pathOf = (node: FluxNode) => text(node.spec.path) ?? "./";

function fail(walk: Walk, node: FluxNode, message: string, objects: CheckedObject[] = []): Built {
  walk.result.errors.push({ file: node.file, message: `${labelOf(node)}: ${message}` });
  return { objects, children: [] };
}

/** The build's folder and spec, or the objects to keep when it cannot be built (an error says why). */
function prepare(walk: Walk, node: FluxNode): Prepared | { stop: CheckedObject[] } {
  const root = walk.artifact;
  const path = pathOf(node);
  const dir = inRepo(root, path);
  const label = labelOf(node);
  if (!existsSync(dir)) return { stop: fail(walk, node, `path ${path} not found in the repository (Flux would fail to build it)`).objects };
  let spec: FluxBuildSpec;
  try {
    spec = fluxBuildSpec(node.spec);
  } catch (e) {
    if (!(e instanceof BuildError)) throw e;
    return { stop: fail(walk, node, `kustomize build of ${path} fails: ${e.message}`).objects };
  }
  // What the build would fetch or read from outside the artifact: checked before (never by) kubectl.
  const inputs = buildInputs(dir, spec.components ?? [], root);
  const remoteBases = remoteBaseObjects(walk, inputs.remote, label);
  const refused = inputs.outside[0];
  const remote = inputs.remote[0];
  if (refused || remote) {
    const message = refused
      ? `${refused.key} ${refused.entry} (${posix.normalize(relative(root, refused.file).split(sep).join("/"))}) is outside the repository: Flux builds inside its source artifact and refuses it`
      : `${remote!.key} ${remote!.entry} (${relative(root, remote!.file).split(sep).join("/")}) is a remote base, which cannot be fetched here: this path is not verified`;
    return { stop: fail(walk, node, `kustomize build of ${path} fails: ${message}`, remoteBases).objects };
  }
  // A YAML file kustomize reads whose aliases expand past the limits would make kubectl expand them (a
  // hang): refused before the build, naming the file.
  for (const file of yamlFilesAt([dir, ...inputs.local])) {
    const why = walk.files.refused(file);
    if (why !== undefined) {
      walk.result.errors.push({ file, message: `${why} (${label} builds it with kustomize)` });
      return { stop: [] };
    }
  }
  return { dir, spec, remoteBases };
}

interface BuiltDocument {
  doc: Record<string, unknown>;
  /** The source file kustomize read it from, when known. */
  file?: string;
  substitute: Substitution | undefined;
  /** Every patch that may have set a field, Flux's own first. */
  patches: PatchSource[];
}

/** One document of the build's output, substituted, as checked objects (a List or ResourceSet gives several). */
function addBuilt(walk: Walk, node: FluxNode, b: BuiltDocument, out: Built): void {
  const disabled =
    field(b.doc, "metadata", "labels", SUBSTITUTE) === "disabled" || field(b.doc, "metadata", "annotations", SUBSTITUTE) === "disabled";
  const problems: Problem[] = [];
  const doc = b.substitute && !disabled ? (substituteObject(b.doc, b.substitute, problems) as Record<string, unknown>) : b.doc;
  const kind = String(doc.kind);
  const file = b.file ?? node.file;
  const at = b.file ? findDocument(walk.files, b.file, kind, String(field(doc, "metadata", "name"))) : undefined;
  const line = at?.line ?? node.line;
  const locate = (fieldPath: string[]) => {
    const value = field(doc, ...fieldPath);
    if (at && same(field(at.doc, ...fieldPath), value)) return { file, line };
    for (const p of [...b.patches].reverse()) {
      const i = p.docs.findIndex((d) => patchSets(d, kind, fieldPath, value));
      if (i < 0) continue;
      const startLine = p.parsed?.docs[i]?.line ?? p.line;
      return { file: p.file, line: p.parsed ? lineOfField(p.parsed.source, startLine, fieldPath) : p.line };
    }
    return undefined;
  };
  const cluster = clusterOf(node);
  const sets = objectsOf({ doc, line }, "");
  for (const o of sets.objects) {
    const own = o.via ? o.problems : [...problems, ...(o.problems ?? [])];
    const checked: CheckedObject = {
      doc: o.doc,
      file,
      line,
      env: walk.context,
      locate: o.via ? undefined : locate,
      problems: own?.length ? own : undefined,
    };
    walk.appliers.set(checked, o.via ?? labelOf(node));
    walk.clusters.set(checked, cluster);
    out.objects.push(checked);
    if (String(o.doc.apiVersion).startsWith(FLUX_KUSTOMIZE_GROUP) && o.doc.kind === "Kustomization") {
      out.children.push({
        name: String(field(o.doc, "metadata", "name")),
        namespace: text(field(o.doc, "metadata", "namespace")) ?? "default",
        spec: (field(o.doc, "spec") ?? {}) as Record<string, unknown>,
        file,
        line,
        object: checked,
        cluster,
      });
    }
  }
  walk.result.notes.push(...sets.notes);
}

/**
 * The remote bases of a build as subjects for git-source-allowed: one kustomize Kustomization per file,
 * holding only its remote entries (so nothing else in the file is checked twice).
 */
function remoteBaseObjects(walk: Walk, remote: BuildInput[], label: string): CheckedObject[] {
  const root = walk.artifact;
  const byFile = new Map<string, BuildInput[]>();
  for (const r of remote) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  return [...byFile].map(([file, entries]) => {
    const doc: Record<string, unknown> = {
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      metadata: { name: relative(root, file).split(sep).join("/") },
    };
    for (const e of entries) doc[e.key] = [...((doc[e.key] as string[] | undefined) ?? []), e.entry];
    let source = "";
    try {
      source = readFileSync(file, "utf8");
    } catch {
      // line 1
    }
    const line = source ? lineOfField(source, 1, [entries[0]!.key]) : 1;
    const checked: CheckedObject = { doc, file, line, env: walk.context };
    walk.appliers.set(checked, `${label} (remote base)`);
    return checked;
  });
}
