// Loading and validating the `flux-gitops:*` stack configuration, from the Pulumi engine or from a
// Pulumi.<stack>.yaml file. Errors are one line: `<source>: flux-gitops:<key> <what is wrong>`.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import type { z } from "zod";
import { CONFIG_NAMESPACE as NAMESPACE } from "../contract.ts";
import { UserError } from "../errors.ts";
import { isDnsLabel } from "../grammar/kubernetes.ts";
import { escapeUnprintable } from "../grammar/text.ts";
import { loadBounded } from "../yaml.ts";
import { SECRET_KEYS, stackConfigFor, type StackConfig } from "./schema.ts";

export { stackConfigSchema, CORE_COMPONENTS, EXTRA_COMPONENTS } from "./schema.ts";
export type { StackConfig } from "./schema.ts";
export { NAMESPACE };

/** Invalid configuration; `message` is the single line to show the user. */
export class ConfigError extends UserError {
  override name = "ConfigError";
}

/**
 * `flux-gitops:a.b[0].c` (or `<prefix>a.b[0].c`); a key holding unprintable characters shows them escaped, so the
 * message stays one line.
 */
function keyPath(path: readonly PropertyKey[], prefix = NAMESPACE + ":"): string {
  let out = prefix;
  path.forEach((seg, i) => {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += (i === 0 ? "" : ".") + escapeUnprintable(String(seg));
  });
  return out;
}

function issueText(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "is required";
      return issue.message.startsWith("must ") ? issue.message : `must be ${article(issue.expected)}`;
    case "unrecognized_keys":
      return "is not a known setting";
    case "invalid_key":
      // A record's key: the path names it, the key's own first issue says what is wrong.
      return issue.issues[0]?.message ?? issue.message;
    case "invalid_value":
      if (issue.input === undefined) return "is required";
      return `must be one of: ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  if (expected === "int") return "an integer";
  if (expected === "record") return "a mapping";
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** Keys that reach an object's prototype when assigned; never a setting, refused wherever they occur. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/**
 * A copy of parsed config data in which every mapping is an object without a prototype, so the schema
 * can never read an inherited key. Refuses prototype keys, and mappings that already had theirs replaced.
 */
function withoutPrototypes(value: unknown, path: PropertyKey[], source: string, prefix?: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => withoutPrototypes(v, [...path, i], source, prefix));
  if (typeof value !== "object" || value === null || value instanceof Date) return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null)
    throw new ConfigError(`${source}: ${keyPath(path, prefix)} must be a plain mapping (its prototype was replaced)`);
  const copy: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value)) {
    if (PROTOTYPE_KEYS.has(key)) {
      throw new ConfigError(
        `${source}: ${keyPath([...path, key], prefix)} is not allowed (__proto__, constructor and prototype are never settings)`,
      );
    }
    copy[key] = withoutPrototypes((value as Record<string, unknown>)[key], [...path, key], source, prefix);
  }
  return copy;
}

/** A config value as the engine hands it (PULUMI_CONFIG, `runtime.allConfig()`): structured values arrive as JSON text; plain strings stay strings. */
function decodeConfigText(text: unknown): unknown {
  if (typeof text !== "string") return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The `flux-gitops:*` entries of the config the engine hands a program or a policy pack (full keys to JSON text), decoded. */
export function engineConfigValues(config: Record<string, unknown>): Record<string, unknown> {
  return namespacedValues(Object.entries(config).map(([key, text]) => [key, decodeConfigText(text)]));
}

/** The `flux-gitops:*` entries of a stack's config, keyed without the namespace, in an object without a prototype. */
function namespacedValues(entries: Iterable<[string, unknown]>): Record<string, unknown> {
  const values: Record<string, unknown> = Object.create(null);
  for (const [key, value] of entries) {
    if (key.startsWith(NAMESPACE + ":")) values[key.slice(NAMESPACE.length + 1)] = value;
  }
  return values;
}

/**
 * Validate the `flux-gitops:*` values of one stack (keys without the namespace prefix) and fill in
 * defaults. Throws ConfigError naming the first offending key, as `<keyPrefix><key>` (default: the
 * config key, `flux-gitops:<key>`; the FluxGitOps component names its argument, `args.<key>`).
 */
export function parseStackConfig(
  values: Record<string, unknown>,
  stack: string,
  source = `stack ${stack}`,
  keyPrefix = NAMESPACE + ":",
): StackConfig {
  if (!isDnsLabel(stack)) {
    throw new ConfigError(`${source}: stack name '${stack}' must be a lowercase RFC 1123 name (it names cluster/<stack>)`);
  }
  const result = stackConfigFor(stack).safeParse(withoutPrototypes(values, [], source, keyPrefix), { reportInput: true });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path;
    throw new ConfigError(`${source}: ${keyPath(path, keyPrefix)} ${issueText(issue)}`);
  }
  return result.data;
}

export function plaintextSecret(stack: string, key: string): ConfigError {
  return new ConfigError(
    `Pulumi.${stack}.yaml: ${NAMESPACE}:${key} is stored in plaintext; set it with pulumi config set --secret ${NAMESPACE}:${key} <value>`,
  );
}

/** Parse the `flux-gitops:*` entries of a Pulumi.<stack>.yaml file. Secure values stay opaque. */
export function readStackConfigFile(file: string, stack: string): StackConfig {
  let doc: unknown;
  try {
    // Bounded before the prototype-stripping copy below expands shared references (infra/yaml.ts).
    doc = loadBounded(readFileSync(file, "utf8"), { filename: file });
  } catch (err) {
    const reason = err instanceof yaml.YAMLException ? err.reason : (err as Error).message;
    throw new ConfigError(`${file}: cannot read stack config: ${reason}`);
  }
  const config = (doc as { config?: unknown } | null)?.config ?? {};
  if (typeof config !== "object" || Array.isArray(config)) {
    throw new ConfigError(`${file}: 'config' must be a mapping of keys to values`);
  }
  const values = namespacedValues(Object.entries(config));
  const cfg = parseStackConfig(values, stack, file);
  for (const key of SECRET_KEYS) {
    if (typeof values[key] === "string") throw plaintextSecret(stack, key);
  }
  return cfg;
}

/** Stack names that have a Pulumi.<stack>.yaml in `rootDir`, sorted. */
export function listStacks(rootDir: string): string[] {
  return readdirSync(rootDir)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** Path of the stack config file for `stack` in `rootDir`. */
export function stackConfigFile(rootDir: string, stack: string): string {
  return join(rootDir, `Pulumi.${stack}.yaml`);
}
