// The install checks: what the cluster would refuse or never get right, over every object of one
// environment (infra/verify/model.ts). One module per check; `runChecks` runs them all.
import type { Check, ClusterView, Finding } from "../model.ts";
import { addresses } from "./addresses.ts";
import { images } from "./images.ts";
import { kinds } from "./kinds.ts";
import { mounts } from "./mounts.ts";
import { schema } from "./schema.ts";
import { selectors } from "./selectors.ts";

export const CHECKS: Record<string, Check> = {
  schema,
  kinds,
  mounts,
  images,
  addresses,
  selectors,
};

/** Every finding of every check, in the order of CHECKS. */
export function runChecks(view: ClusterView): Finding[] {
  return Object.values(CHECKS).flatMap((check) => check(view));
}
