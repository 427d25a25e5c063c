// Pulumi entry point: the stack name is the environment (Pulumi.<stack>.yaml holds its settings).
// The settings go, by the same names, into the FluxGitOps component the flux-gitops package publishes
// (plugin.ts): one code path for `pulumi up` here and for programs that add the package.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../infra/config/index.ts";
import { loadStackSettings, loadStackSecrets } from "../infra/config/pulumi.ts";
import { SECRET_KEYS } from "../infra/config/schema.ts";
import { FluxGitOps, programOutputs, type FluxGitOpsArgs } from "../infra/components/gitops.ts";

function load() {
  try {
    return loadStackSettings();
  } catch (err) {
    // One line naming the key, no stack trace.
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

const { config, values } = load();
// The component checks them again with the same schema; checked here first, the errors name Pulumi.<stack>.yaml.
// The secret settings' decrypted text stays behind: they go in as the Pulumi secrets of loadStackSecrets.
const settings = Object.fromEntries(Object.entries(values).filter(([key]) => !(SECRET_KEYS as readonly string[]).includes(key)));
const gitops = new FluxGitOps(config.stack, { ...(settings as unknown as FluxGitOpsArgs), ...loadStackSecrets() });

export const deployKeyPublicKey = gitops.deployKeyPublicKey;
export const deployKeyFingerprint = gitops.deployKeyFingerprint;
export const repositoryUrl = gitops.repositoryUrl;
export const syncPath = gitops.syncPath;
export const fluxVersion = gitops.fluxVersion;
/** Path of the push webhook (e.g. `/hook/3f…`); derived from the HMAC token but not secret. */
export const webhookPath = gitops.webhookPath;
export const webhookUrl = programOutputs(gitops).webhookUrl;
