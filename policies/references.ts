// References that resolve to nothing in Git. The checker sees only what Git holds: an object that names a
// source which is not there takes whatever the cluster has under that name, at a URL nobody checked. Each
// such reference is a content-verified problem of the referring object, in every environment.
import type { CheckedObject } from "./checker.ts";

/** Records on `object` that it takes `what` from a source not defined in Git. */
export function unresolvedSource(object: CheckedObject, what: string): void {
  (object.problems ??= []).push({ message: `it ${what}; define the source in Git`, at: ["spec", "sourceRef"] });
}
