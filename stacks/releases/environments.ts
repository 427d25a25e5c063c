// Environments are declared once: a Pulumi.<env>.yaml in the repository root, and beside it the
// typed definition stacks/environments/<env>.ts (default export) of what that environment deploys.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError, type StackConfig } from "../../infra/config/index.ts";
import type { Environment } from "../../infra/render/write.ts";
import { environment, type EnvironmentDefinition } from "./index.ts";

export const DEFINITIONS_DIR = join(import.meta.dirname, "..", "environments");

/** The objects environment `cfg.stack` deploys, from its definition file. */
export async function loadEnvironment(cfg: StackConfig, source: string): Promise<Environment> {
  const file = join(DEFINITIONS_DIR, `${cfg.stack}.ts`);
  if (!existsSync(file)) {
    const defined = readdirSync(DEFINITIONS_DIR)
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
  return environment(cfg, definition.default);
}
