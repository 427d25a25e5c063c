// References that resolve to nothing in Git. The checker sees only what Git holds: an object that names a
// source which is not there takes whatever the cluster has under that name, at a URL nobody checked. Each
// such reference is a content-verified problem of the referring object, in every environment.
import { type CheckedObject } from "./runner.ts";
import { field, text } from "./rules/model.ts";
import { checkoutRef } from "./rules/sources.ts";
import type { StackView } from "./stacks.ts";
import { normalizeUrl } from "./urls.ts";

/** Records on `object` that it takes `what` from a source not defined in Git. */
export function unresolvedSource(object: CheckedObject, what: string): void {
  (object.problems ??= []).push({ message: `it ${what}; define the source in Git`, at: ["spec", "sourceRef"] });
}

/** The repository part of a URL, scheme aside (ssh and https reach the same repository). */
const repoIdentity = (url: string) => normalizeUrl(url)?.replace(/^(ssh|https):\/\//, "");

/**
 * A GitRepository whose artifact is this repository's sync branch as graph mode builds it: the same
 * repository, Flux checks out the sync branch (in Flux's order of ref fields) and builds the same artifact
 * (no spec.ignore, spec.include or recurseSubmodules of its own).
 */
export function isThisRepository(source: Record<string, unknown>, view: StackView): boolean {
  if (!view.repository) return false;
  const url = text(field(source, "spec", "url")) ?? "?";
  const checkout = checkoutRef(field(source, "spec", "ref"));
  const branch = view.repository.branch;
  const sameRef =
    (checkout.by === "branch" && checkout.value === branch) || (checkout.by === "name" && checkout.value === `refs/heads/${branch}`);
  // recurseSubmodules: source-controller clones every submodule .gitmodules names into the artifact (from
  // any URL), so the artifact is not this repository's (fluxcd/source-controller v1.8.5 GitRepository reconciler).
  const sameArtifact =
    field(source, "spec", "ignore") === undefined &&
    field(source, "spec", "include") === undefined &&
    field(source, "spec", "recurseSubmodules") !== true;
  return repoIdentity(url) === repoIdentity(view.repository.url) && sameRef && sameArtifact;
}
