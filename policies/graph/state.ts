// The state of one environment's walk (graph mode, ./walk.ts), in one object: what it has built, who applied what
// and where, the artifact it builds from, and its result so far.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import type { StackFacts } from "../../infra/contract.ts";
import type { SubstituteRef } from "../flux/substitute-from.ts";
import { emptyResult } from "../result.ts";
import type { CheckedObject, EnvironmentContext } from "../runner.ts";
import type { StackView } from "../stacks.ts";
import { Files } from "./locate.ts";
import { labelOf, type FluxNode } from "./node.ts";

/** Everything one environment's walk knows and has found so far. */
export class Walk {
  readonly result = emptyResult();
  readonly files = new Files();
  /** Every object built so far, and their documents (what later sources and substituteFrom are looked up in). */
  readonly objects: CheckedObject[] = [];
  readonly builtDocs: Record<string, unknown>[] = [];
  /** Which Flux Kustomization (or ResourceSet) applies each checked object. */
  readonly appliers = new WeakMap<CheckedObject, string>();
  /** The cluster each checked object is applied to ("" for the local one). */
  readonly clusters = new WeakMap<CheckedObject, string>();
  /** Which Kustomization (label) applied a built document. */
  readonly appliedBy = new WeakMap<object, string>();
  /** Each Kustomization's parent (label → the label of the Kustomization that applied it). */
  private readonly parentOf = new Map<string, string | undefined>();
  /** The artifact Flux would build from (no symlinks, .sourceignore applied), never the tree, and a scratch folder. */
  readonly workDir = mkdtempSync(join(tmpdir(), "policy-graph-"));
  readonly artifact = join(this.workDir, "artifact");
  /** The artifact file that holds a ConfigMap or Secret, when the graph has not built it. */
  inGit: (ref: SubstituteRef, namespace: string) => string | undefined = () => undefined;

  readonly root: string;
  readonly view: StackView;
  readonly facts: StackFacts;
  readonly context: EnvironmentContext;

  constructor(options: { root: string; view: StackView; facts: StackFacts; env: string }) {
    this.root = options.root;
    this.view = options.view;
    this.facts = options.facts;
    this.context = { environment: options.env, stack: options.facts, githubOwner: options.view.githubOwner };
  }

  /** The Kustomizations that applied this one, its parent first: what they applied exists before it. */
  ancestors(label: string): Set<string> {
    const out = new Set<string>();
    for (let p = this.parentOf.get(label); p !== undefined && !out.has(p); p = this.parentOf.get(p)) out.add(p);
    return out;
  }

  /** Records what one build gave: its objects, and its child Kustomizations' parent. */
  add(built: { objects: CheckedObject[]; children: FluxNode[] }): void {
    for (const o of built.objects) this.appliedBy.set(o.doc, this.appliers.get(o) ?? "");
    for (const c of built.children) this.parentOf.set(labelOf(c), c.object ? this.appliers.get(c.object) : undefined);
    this.objects.push(...built.objects);
    this.builtDocs.push(...built.objects.map((o) => o.doc));
  }

  /** A path below the artifact as the same path below the repository (what findings name). */
  real(file: string): string {
    return file.startsWith(this.artifact + sep) ? join(this.root, relative(this.artifact, file)) : file;
  }
}
