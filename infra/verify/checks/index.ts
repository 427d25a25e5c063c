// The install checks: what the cluster would refuse or never get right, over every object of one
// environment (infra/verify/model.ts). One module per check; `runChecks` runs them all.
import type { Check, ClusterView, Finding } from "../model.ts";
import { kinds } from "./kinds.ts";
import { mounts } from "./mounts.ts";
import { schema } from "./schema.ts";

export const CHECKS: Record<string, Check> = {
  schema,
  kinds,
  mounts,
};

export function runChecks(view: ClusterView): Finding[] {
  return Object.values(CHECKS).flatMap((check) => check(view));
}
