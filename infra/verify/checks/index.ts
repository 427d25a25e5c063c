// The install checks: what the cluster would refuse or never get right, over every object of one
// environment (infra/verify/model.ts). One module per check; `runChecks` runs them all.
import type { Check, ClusterView, Finding } from "../model.ts";
import { schema } from "./schema.ts";

export const CHECKS: Record<string, Check> = {
  schema,
};

export function runChecks(view: ClusterView): Finding[] {
  return Object.values(CHECKS).flatMap((check) => check(view));
}
