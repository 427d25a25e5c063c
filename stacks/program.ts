// Pulumi entry point: the stack name is the environment (Pulumi.<stack>.yaml holds its settings).
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../infra/config/index.ts";
import { loadStackConfig, loadStackSecrets } from "../infra/config/pulumi.ts";
import { FluxGitOps } from "../infra/components/gitops.ts";

function load() {
  try {
    return loadStackConfig();
  } catch (err) {
    // One line naming the key, no stack trace.
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

const config = load();
const gitops = new FluxGitOps(config.stack, { config, secrets: loadStackSecrets() });

export const deployKeyPublicKey = gitops.deployKey.publicKeyOpenssh;
export const deployKeyFingerprint = gitops.deployKey.fingerprint;
export const repositoryUrl = gitops.repositoryUrl;
export const syncPath = config.syncPath.flux;
export const fluxVersion = gitops.install.version;
/** Path of the push webhook (e.g. `/hook/3f…`); derived from the HMAC token but not secret. */
export const webhookPath = gitops.receiver?.webhookPath;
export const webhookUrl = gitops.receiver?.webhookUrl;
