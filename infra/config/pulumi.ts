// Reads the `flux-gitops:*` configuration of the running Pulumi stack.
import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config.js";
import { ConfigError, NAMESPACE, engineConfigValues, parseStackConfig, plaintextSecret, type StackConfig } from "./index.ts";
import { SECRET_KEYS, type SecretKey } from "./schema.ts";

/** The secret settings that are set, each as a Pulumi secret (never a plain string). */
export type StackSecrets = Partial<Record<SecretKey, pulumi.Output<string>>>;

/**
 * The running stack's `flux-gitops:*` settings, checked (errors name Pulumi.<stack>.yaml and the key): `values` as
 * the engine gave them (keys without the namespace; secret settings hold their decrypted text, so they must go no
 * further), `config` parsed with the defaults filled in.
 */
export function loadStackSettings(stack = pulumi.getStack()): { config: StackConfig; values: Record<string, unknown> } {
  const values = engineConfigValues(pulumi.runtime.allConfig());
  const cfg = parseStackConfig(values, stack, `Pulumi.${stack}.yaml`);
  // A token typed in as plain config would sit readable in Pulumi.<stack>.yaml, in Git.
  const isSecret = (runtimeConfig as unknown as { isConfigSecret(key: string): boolean }).isConfigSecret;
  for (const key of SECRET_KEYS) {
    if (values[key] !== undefined && !isSecret(`${NAMESPACE}:${key}`)) throw plaintextSecret(stack, key);
  }
  const githubOwner = new pulumi.Config("github").get("owner");
  if (githubOwner !== undefined && githubOwner !== cfg.repository.owner) {
    throw new ConfigError(
      `Pulumi.${stack}.yaml: github:owner '${githubOwner}' must equal flux-gitops:repository.owner '${cfg.repository.owner}'`,
    );
  }
  return { config: cfg, values };
}

/**
 * Read the secret settings (`pulumi config set --secret flux-gitops:<key>`) as Pulumi secrets.
 * loadStackSettings has already checked that the ones the config needs are present.
 */
export function loadStackSecrets(): StackSecrets {
  const config = new pulumi.Config(NAMESPACE);
  const secrets: StackSecrets = {};
  for (const key of SECRET_KEYS) {
    const value = config.getSecret(key);
    if (value !== undefined) secrets[key] = value;
  }
  return secrets;
}
