// A Flux Kustomization as graph mode walks it: where it is written, what it applies from which source, and the
// cluster it applies to.
import { join, posix } from "node:path";
import { SYNC_NAME } from "../../infra/contract.ts";
import { isThisRepository } from "../references.ts";
import type { CheckResult } from "../result.ts";
import type { CheckedObject } from "../runner.ts";
import { field, text } from "../rules/model.ts";
import type { StackView } from "../stacks.ts";

export interface FluxNode {
  name: string;
  namespace: string;
  spec: Record<string, unknown>;
  /** Where the Flux Kustomization is written (absolute), and its line. */
  file: string;
  line: number;
  /** The checked object of this Kustomization (none for the sync Kustomization Pulumi creates). */
  object?: CheckedObject;
  /** The cluster its parent applied it to ("" for the local one); see clusterOf. */
  cluster?: string;
}

/** The Kustomization's label in messages and as the applier of what it builds. */
export const labelOf = (node: { namespace: string; name: string }) => `Kustomization ${node.namespace}/${node.name}`;

/** `securejoin(root, path)`: a path can never leave the repository. */
export function inRepo(root: string, path: string): string {
  return join(root, posix.normalize(`/${path}`));
}

/**
 * Content Flux applies that is not checked here: a note, and in production a content-verified finding on
 * the Kustomization (production must not run what nobody checked).
 */
export function notVerified(node: FluxNode, message: string, production: boolean, result: CheckResult): void {
  if (production && node.object) {
    const what = message.replace(`Kustomization ${node.namespace}/${node.name} `, "");
    (node.object.problems ??= []).push({ message: `in production it ${what}`, at: ["spec", "sourceRef"] });
  } else result.notes.push({ file: node.file, line: node.line, message });
}

/**
 * The cluster a Kustomization applies to: its parent's, then its own `spec.kubeConfig` (a Secret or
 * ConfigMap reference, in the Kustomization's namespace) when it sets one.
 */
export function clusterOf(node: FluxNode): string {
  const kubeConfig = node.spec.kubeConfig;
  const own = kubeConfig === undefined || kubeConfig === null ? "" : `${node.namespace}:${JSON.stringify(kubeConfig)}`;
  return [node.cluster ?? "", own].filter((c) => c !== "").join(" > ");
}

export function sourceRef(node: FluxNode): { kind: string; name: string; namespace: string } {
  const ref = node.spec.sourceRef;
  return {
    kind: text(field(ref, "kind")) ?? "GitRepository",
    name: text(field(ref, "name")) ?? "",
    namespace: text(field(ref, "namespace")) ?? node.namespace,
  };
}

/**
 * "follow", "unknown" (source not seen yet), the note that says why the content is not verified, or a
 * finding when what the source pulls is not even checked as a source (submodules).
 */
export function sourceOf(
  node: FluxNode,
  fluxNamespace: string,
  view: StackView,
  built: Record<string, unknown>[],
): string | { finding: string } {
  const ref = sourceRef(node);
  if (ref.kind === "GitRepository" && ref.name === SYNC_NAME && ref.namespace === fluxNamespace) return "follow";
  const source = built.find(
    (d) =>
      d.kind === ref.kind &&
      String(d.apiVersion).startsWith("source.toolkit.fluxcd.io/") &&
      field(d, "metadata", "name") === ref.name &&
      (field(d, "metadata", "namespace") ?? node.namespace) === ref.namespace,
  );
  if (!source) return "unknown";
  const url = text(field(source, "spec", "url")) ?? text(field(source, "spec", "endpoint")) ?? "?";
  if (ref.kind === "GitRepository" && isThisRepository(source, view)) return "follow";
  if (ref.kind === "GitRepository" && field(source, "spec", "recurseSubmodules") === true) {
    // recurseSubmodules: source-controller clones every submodule .gitmodules names, from any URL, into the
    // artifact (v1.8.2 gitrepository_controller.go passes RecurseSubmodules to the clone): not this repository.
    return {
      finding:
        `Kustomization ${node.namespace}/${node.name} applies ${String(node.spec.path ?? "./")} from GitRepository ` +
        `${ref.namespace}/${ref.name} (${url}) with recurseSubmodules: Flux also pulls every submodule its .gitmodules names, ` +
        "from any URL, and that content is not verified here; drop recurseSubmodules or vendor the submodules",
    };
  }
  return (
    `Kustomization ${node.namespace}/${node.name} applies ${String(node.spec.path ?? "./")} from ${ref.kind} ` +
    `${ref.namespace}/${ref.name} (${url}): its URL is checked as a source, its content is not verified here`
  );
}
