// Graph mode: what Flux applies for one environment. Starts at the path of the environment's flux-system
// Kustomization (the stack's syncPath: Pulumi creates that Kustomization, it is not in Git), builds it the
// way kustomize-controller does (../flux/kustomize.ts), substitutes post-build variables where their values are
// known, renders ResourceSets, and follows every Flux Kustomization whose source is this repository.
// Content of other sources is checked as a source (its URL, by the rules) and noted as not verified.
// The walk's state is one object (Walk), made per environment.
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { SYNC_NAME } from "../../infra/contract.ts";
import { unincludedMessage } from "../../infra/included.ts";
import type { RuleSetting } from "../config.ts";
import { copyArtifact } from "../flux/artifact.ts";
import { findRef, gitIndex, substituteRefs } from "../flux/substitute-from.ts";
import { unresolvedSource } from "../references.ts";
import { display, emptyResult, type CheckResult } from "../result.ts";
import { runRules } from "../runner.ts";
import { stackFileLookup } from "../stacks.ts";
import { appliedTwice, notApplied } from "./applied.ts";
import { buildNode } from "./build.ts";
import { labelOf, notVerified, sourceOf, sourceRef, type FluxNode } from "./node.ts";
import { Walk } from "./state.ts";

export interface GraphOptions {
  root: string;
  /** Builds run at once (kubectl processes); default 4. */
  concurrency?: number;
}

/** Builds and checks the graph of one environment. */
export async function checkEnvironment(env: string, settings: RuleSetting[], options: GraphOptions): Promise<CheckResult> {
  const root = resolve(options.root);
  const view = stackFileLookup(root)(env);
  const stackFile = join(root, `Pulumi.${env}.yaml`);
  if (!view.facts) {
    const result = emptyResult();
    result.errors.push({ file: display(stackFile, root), message: view.error ?? "no flux-gitops config" });
    return result;
  }
  const walk = new Walk({ root, view, facts: view.facts, env });
  try {
    copyArtifact(root, walk.artifact);
    walk.inGit = gitIndex(walk.artifact);
    await follow(walk, stackFile, options.concurrency ?? 4);
    // Charts the graph installs from Git, rendered with real Helm: the rules run over what they render.
    // (Loaded when needed: Helm and its YAML library stay out of paths mode's start-up.)
    if (walk.objects.some((o) => o.doc.kind === "HelmRelease")) {
      const { renderCharts } = await import("../charts.ts");
      const { artifact, context, facts, result, appliers } = walk;
      walk.objects.push(
        ...(await renderCharts(walk.objects, { artifact, view, env: context, production: facts.production, result, appliers })),
      );
    }
  } finally {
    rmSync(walk.workDir, { recursive: true, force: true });
  }
  return finish(walk, settings);
}

/** The walk itself: level by level from the sync Kustomization, `limit` builds at a time. */
async function follow(walk: Walk, stackFile: string, limit: number): Promise<void> {
  const { facts } = walk;
  const sync = { kind: "GitRepository", name: SYNC_NAME };
  let level: FluxNode[] = [
    { name: SYNC_NAME, namespace: facts.fluxNamespace, spec: { path: facts.sync.flux, sourceRef: sync }, file: stackFile, line: 1 },
  ];
  const queue = new Queue();
  while (level.length) {
    const next: FluxNode[] = [];
    for (let i = 0; i < level.length; i += limit) {
      for (const built of await Promise.all(level.slice(i, i + limit).map((node) => buildNode(walk, node)))) {
        walk.add(built);
        next.push(...built.children);
      }
    }
    level = queue.next(walk, next);
  }
}

/** Which children the walk builds next: those from this repository, once; the others noted or found. */
class Queue {
  private readonly visited = new Set<string>();
  /** Children whose source is not built yet (a child may name a GitRepository built later). */
  private pending: FluxNode[] = [];
  /** Kustomizations whose substituteFrom objects are not built yet: they wait until nothing else can be built. */
  private waiting: FluxNode[] = [];
  private readonly deferred = new Set<string>();

  next(walk: Walk, children: FluxNode[]): FluxNode[] {
    const candidates = [...this.pending, ...children];
    this.pending = [];
    const level = candidates.filter((child) => this.decide(walk, child));
    if (level.length === 0 && this.waiting.length) {
      for (const child of this.waiting) this.visited.add(`${child.namespace}/${child.name}`);
      const waited = this.waiting;
      this.waiting = [];
      return waited;
    }
    if (level.length === 0) {
      for (const child of this.pending) unresolved(walk, child);
      this.pending = [];
    }
    return level;
  }

  /** True when `child` is built in the next level; otherwise it waits, is pending, or is noted. */
  private decide(walk: Walk, child: FluxNode): boolean {
    const key = `${child.namespace}/${child.name}`;
    if (this.visited.has(key)) return false;
    const decision = sourceOf(child, walk.facts.fluxNamespace, walk.view, walk.builtDocs);
    if (decision === "follow") {
      if (!this.deferred.has(key) && substituteRefs(child.spec).some((r) => !findRef(walk.builtDocs, r, child.namespace))) {
        this.deferred.add(key);
        this.waiting.push(child);
        return false;
      }
      this.visited.add(key);
      return true;
    }
    if (decision === "unknown") this.pending.push(child);
    else if (typeof decision === "object" && child.object) {
      (child.object.problems ??= []).push({ message: decision.finding.replace(/^Kustomization \S+ /, "it "), at: ["spec", "sourceRef"] });
    } else notVerified(child, typeof decision === "object" ? decision.finding : decision, walk.facts.production, walk.result);
    return false;
  }
}

/** A child whose source is nowhere among the checked objects: its URL and content are unknown, in every environment. */
function unresolved(walk: Walk, child: FluxNode): void {
  const ref = sourceRef(child);
  const message = `${labelOf(child)} applies ${String(child.spec.path ?? "./")} from ${ref.kind} ${ref.namespace}/${ref.name}, which is not among the checked objects: its content is not verified here`;
  if (child.object) unresolvedSource(child.object, message.replace(`${labelOf(child)} `, ""));
  else notVerified(child, message, walk.facts.production, walk.result);
}

/** The rules over everything the walk found, every path shown as the repository's. */
function finish(walk: Walk, settings: RuleSetting[]): CheckResult {
  const { result, objects, root, facts } = walk;
  appliedTwice(walk, objects);
  for (const file of notApplied(root, facts.sync.folder))
    result.errors.push({ file, message: unincludedMessage(file).slice(file.length + 2) });
  for (const o of objects) o.file = walk.real(o.file);
  result.counts.objects += objects.length;
  result.counts.files += new Set(objects.map((o) => o.file)).size;
  result.findings.push(...runRules(objects, settings, (f) => display(walk.real(f), root), true));
  for (const n of result.notes) n.file = display(walk.real(n.file), root);
  for (const e of result.errors) e.file = display(walk.real(e.file), root);
  return result;
}
