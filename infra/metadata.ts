// Audit trail: every Flux object flux-gitops creates or renders names its environment, repository
// and path, so `kubectl get -l flux-gitops.io/environment=prod` finds them and policies can tell a
// production environment from the object alone.
import { ANNOTATIONS, LABELS, MANAGED_BY } from "./contract.ts";
import type { StackConfig } from "./config/schema.ts";

/** Labels and annotations of one object. */
export interface Metadata {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export function auditMetadata(cfg: Pick<StackConfig, "stack" | "production" | "repository" | "syncPath">): Metadata {
  return {
    labels: {
      [LABELS.managedBy]: MANAGED_BY,
      [LABELS.environment]: cfg.stack,
      [LABELS.production]: String(cfg.production),
    },
    annotations: {
      [ANNOTATIONS.repository]: `${cfg.repository.host}/${cfg.repository.owner}/${cfg.repository.name}`,
      [ANNOTATIONS.path]: cfg.syncPath.folder,
    },
  };
}
