// Audit trail: every Flux object flux-gitops creates or renders names its environment, repository
// and path, so `kubectl get -l flux-gitops.io/environment=prod` finds them and policies can tell a
// production environment from the object alone.
import type { StackConfig } from "./config/index.ts";

export const LABELS = {
  managedBy: "app.kubernetes.io/managed-by",
  environment: "flux-gitops.io/environment",
  production: "flux-gitops.io/production",
} as const;

export const ANNOTATIONS = {
  repository: "flux-gitops.io/repository",
  path: "flux-gitops.io/path",
} as const;

export function auditMetadata(cfg: Pick<StackConfig, "stack" | "production" | "repository" | "syncPath">): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  return {
    labels: {
      [LABELS.managedBy]: "flux-gitops",
      [LABELS.environment]: cfg.stack,
      [LABELS.production]: String(cfg.production),
    },
    annotations: {
      [ANNOTATIONS.repository]: `${cfg.repository.host}/${cfg.repository.owner}/${cfg.repository.name}`,
      [ANNOTATIONS.path]: cfg.syncPath,
    },
  };
}
