// Everything one environment deploys, as typed objects ready for the renderer: the shared release
// definitions of this folder with the environment's overrides (stacks/environments/<env>.ts).
import type { StackConfig } from "../../infra/config/index.ts";
import { auditMetadata } from "../../infra/metadata.ts";
import { namespace, type BuildContext, type GitRef } from "../../infra/render/objects.ts";
import type { Environment } from "../../infra/render/write.ts";
import { INGRESS_NGINX_DEFAULTS, ingressNginx, type IngressNginxValues } from "./ingress-nginx.ts";
import { REMLA_DEFAULTS, remla, type RemlaValues } from "./remla.ts";

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** What differs between environments, as typed overrides of the shared release definitions. */
export interface EnvironmentDefinition {
  /** Git ref of the remla chart: dev follows a branch, prod pins a release tag. */
  remlaRef: GitRef;
  remla?: DeepPartial<RemlaValues>;
  ingressNginx?: DeepPartial<IngressNginxValues>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `base` with `override` laid over it; nested objects merge, everything else is replaced. */
export function merge<T>(base: T, override: DeepPartial<T> | undefined): T {
  if (!isPlainObject(base) || !isPlainObject(override)) return (override ?? base) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value !== undefined) out[key] = merge(out[key], value as DeepPartial<unknown>);
  }
  return out as T;
}

/** The build context of environment `cfg.stack`: its Flux namespace, audit metadata and release account. */
export function buildContext(cfg: StackConfig): BuildContext {
  return {
    namespace: cfg.flux.namespace,
    metadata: auditMetadata(cfg),
    // Under the lockdown's --default-service-account, releases in the Flux namespace must name the
    // helm-controller's account, or they would be applied with the tenant default (no rights).
    serviceAccountName: cfg.flux.multitenancy.defaultServiceAccount ? "helm-controller" : undefined,
  };
}

/** The objects of environment `cfg.stack`, rendered to its sync folder (the folder Flux syncs). */
export function environment(cfg: StackConfig, def: EnvironmentDefinition): Environment {
  const ctx = buildContext(cfg);
  const [nginxSource, nginx] = ingressNginx({ values: merge(INGRESS_NGINX_DEFAULTS, def.ingressNginx) }, ctx);
  const [remlaSource, app] = remla({ ref: def.remlaRef, values: merge(REMLA_DEFAULTS, def.remla), dependsOn: [nginx] }, ctx);
  const releases = [nginx, app];
  const targets = [...new Set(releases.map((r) => r.spec?.targetNamespace).filter((n): n is string => !!n))];
  const objects = [...targets.map((name) => namespace({ name }, ctx)), nginxSource, remlaSource, ...releases];
  return { name: cfg.stack, dir: cfg.syncPath.folder, objects };
}
