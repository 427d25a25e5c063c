// Environments are declared once: a Pulumi.<env>.yaml in the repository root, and beside it the
// typed definition stacks/environments/<env>.ts (default export) of what that environment deploys.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError, type StackConfig } from "../../infra/config/index.ts";
import semver from "semver";
import { lockEntry, pinName, readLock } from "../../infra/helm/cache.ts";
import { chartPinOf, type Manifest } from "../../infra/helm/release.ts";
import type { Environment } from "../../infra/render/write.ts";
import { environment, type EnvironmentDefinition } from "./index.ts";

export const DEFINITIONS_DIR = join(import.meta.dirname, "..", "environments");

/** The objects environment `cfg.stack` deploys, from its definition file (in `definitions`: tests pass their own). */
export async function loadEnvironment(cfg: StackConfig, source: string, definitions = DEFINITIONS_DIR): Promise<Environment> {
  const file = join(definitions, `${cfg.stack}.ts`);
  if (!existsSync(file)) {
    const defined = readdirSync(definitions)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => f.slice(0, -3));
    throw new ConfigError(
      `${source}: stack "${cfg.stack}" has no release definition; add stacks/environments/${cfg.stack}.ts (defined: ${defined.join(", ")})`,
    );
  }
  const definition = (await import(pathToFileURL(file).href)) as { default?: EnvironmentDefinition };
  if (definition.default === undefined) {
    throw new ConfigError(`stacks/environments/${cfg.stack}.ts: must export default the environment's definition`);
  }
  const env = environment(cfg, definition.default);
  checkChartKubeVersions(env, cfg, source);
  return env;
}

/**
 * Every chart an environment installs must accept the stack's Kubernetes version (its Chart.yaml
 * `kubeVersion`, as charts/lock.json holds it): Helm refuses to install it otherwise. A chart the cache
 * does not hold is left to `npm run verify`, which refuses to pass it.
 */
export function checkChartKubeVersions(env: Environment, cfg: StackConfig, source: string, lock = readLock()) {
  const objects = [...env.objects, ...(env.layers ?? []).flatMap((l) => l.objects)].map((o) => JSON.parse(JSON.stringify(o)) as Manifest);
  for (const hr of objects.filter((o) => o.kind === "HelmRelease")) {
    let pin;
    try {
      pin = chartPinOf(hr, objects);
    } catch {
      continue;
    }
    const constraint = lockEntry(pin, lock)?.kubeVersion;
    if (constraint && !semver.satisfies(cfg.kubernetes.version, constraint, { includePrerelease: true })) {
      throw new ConfigError(
        `${source}: flux-gitops:kubernetes.version ${cfg.kubernetes.version} is not one chart ${pinName(pin)} (HelmRelease ${hr.metadata?.name}) installs on: its kubeVersion is '${constraint}'`,
      );
    }
  }
}
