// Everything one environment deploys, as typed objects ready for the renderer.
import { ConfigError, type StackConfig } from "../../infra/config/index.ts";
import { namespace } from "../../infra/render/objects.ts";
import { auditMetadata } from "../../infra/metadata.ts";
import type { Environment, RenderObject } from "../../infra/render/write.ts";
import { ENVIRONMENTS, type DeepPartial } from "./environments.ts";
import { INGRESS_NGINX_DEFAULTS, ingressNginx } from "./ingress-nginx.ts";
import { REMLA_DEFAULTS, remla } from "./remla.ts";

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

/** Stamps the audit labels and annotations on every object; they win over any set by a definition. */
function stamp(objects: RenderObject[], cfg: StackConfig): RenderObject[] {
  const audit = auditMetadata(cfg);
  for (const obj of objects) {
    obj.metadata = {
      ...obj.metadata,
      labels: { ...obj.metadata?.labels, ...audit.labels },
      annotations: { ...obj.metadata?.annotations, ...audit.annotations },
    };
  }
  return objects;
}

/** The objects of environment `cfg.stack`, rendered to `cfg.syncPath` (the folder Flux syncs). */
export function environment(cfg: StackConfig, source: string): Environment {
  if (!Object.hasOwn(ENVIRONMENTS, cfg.stack)) {
    throw new ConfigError(
      `${source}: stack "${cfg.stack}" has no release definition; add "${cfg.stack}" to ENVIRONMENTS in stacks/releases/environments.ts (defined: ${Object.keys(ENVIRONMENTS).join(", ")})`,
    );
  }
  const def = ENVIRONMENTS[cfg.stack]!;
  const ns = cfg.flux.namespace;
  const [nginxSource, nginx] = ingressNginx({ namespace: ns, values: merge(INGRESS_NGINX_DEFAULTS, def.ingressNginx) });
  const [remlaSource, app] = remla({ namespace: ns, ref: def.remlaRef, values: merge(REMLA_DEFAULTS, def.remla), dependsOn: [nginx] });
  const releases = [nginx, app];
  // Under the lockdown's --default-service-account, releases in the Flux namespace must name the
  // helm-controller's account, or they would be applied with the tenant default (no rights).
  if (cfg.flux.multitenancy.defaultServiceAccount) {
    for (const release of releases) release.spec = { ...release.spec!, serviceAccountName: "helm-controller" };
  }
  const targets = [...new Set(releases.map((r) => r.spec?.targetNamespace).filter((n): n is string => !!n))];
  const objects = [...targets.map((name) => namespace({ name })), nginxSource, remlaSource, ...releases];
  return { name: cfg.stack, dir: cfg.syncPath, objects: stamp(objects, cfg) };
}
