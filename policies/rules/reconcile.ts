// Rules for how Flux reconciles: the sync path and pruning, intervals, secrets in Git, release remediation.
import { z } from "zod";
import { AUTOMATION_NAME, INSTANCE_NAME, SYNC_NAME, defaultSyncFolder, syncPath } from "../../infra/contract.ts";
import yaml from "js-yaml";
import { parseFluxDuration } from "../../infra/grammar/duration.ts";
import { dotenvPairs, isSopsDotenv, isSopsEncryptedTree, unencryptedSecretKeys } from "../../infra/sops.ts";
import {
  describe,
  field,
  fluxKind,
  fluxNamespace,
  isFluxSystemSync,
  kubernetesType,
  parseKubernetesType,
  resourceRule,
  text,
} from "./model.ts";
import type { Subject } from "./model.ts";

const duration = z.string().refine((v) => parseFluxDuration(v) !== undefined, "must be a duration such as 30s, 5m or 1h");

export const syncPathMatchesEnv = resourceRule({
  name: "sync-path-matches-env",
  description: "The flux-system Kustomization syncs the stack's syncPath (default ./cluster/<stack>).",
  enforcementLevel: "mandatory",
  origins: ["pulumi", "git"],
  config: z.strictObject({
    /** Expected path for every stack, `{env}` replaced by its name; default: each stack's own syncPath. */
    pathTemplate: z.string().includes("{env}").optional(),
  }),
  check(s, config, report) {
    if (!isFluxSystemSync(s) || s.environment === undefined) return;
    const expected = config.pathTemplate
      ? syncPath(config.pathTemplate.replaceAll("{env}", s.environment))
      : (s.stack?.sync ?? syncPath(defaultSyncFolder(s.environment)));
    const path = text(field(s.props, "spec", "path"));
    if (path === undefined || syncPath(path).folder !== expected.folder) {
      report(
        `${describe(s)} syncs ${path ?? "the repository root"} but environment "${s.environment}" must sync ` +
          `${expected.flux}: fix the sync path in the stack config (or sync-path-matches-env.pathTemplate).`,
      );
    }
  },
});

export const syncPrunes = resourceRule({
  name: "sync-prunes",
  description: "The flux-system Kustomization prunes what was removed from Git.",
  enforcementLevel: "advisory",
  origins: ["pulumi", "git"],
  config: z.strictObject({}),
  check(s, _config, report) {
    if (isFluxSystemSync(s) && field(s.props, "spec", "prune") !== true) {
      report(`${describe(s)} does not prune: set spec.prune: true so objects deleted from Git are deleted from the cluster.`);
    }
  },
});

export const intervalBounds = resourceRule({
  name: "interval-bounds",
  description: "Flux reconcile intervals stay within configurable bounds.",
  enforcementLevel: "advisory",
  origins: ["pulumi", "git"],
  config: z.strictObject({ min: duration.default("1m"), max: duration.default("24h") }),
  check(s, config, report) {
    if (fluxKind(s) === undefined) return;
    const interval = field(s.props, "spec", "interval");
    if (interval === undefined) return;
    const ms = typeof interval === "string" ? parseFluxDuration(interval) : undefined;
    if (ms === undefined) {
      report(`${describe(s)} has spec.interval ${JSON.stringify(interval)}, which is not a duration: use e.g. 1m, 10m or 1h.`);
    } else if (ms < parseFluxDuration(config.min)! || ms > parseFluxDuration(config.max)!) {
      report(
        `${describe(s)} reconciles every ${interval as string}, outside ${config.min}..${config.max}: ` +
          "pick an interval in range (or change interval-bounds.min / max).",
      );
    }
  },
});

/**
 * A value that is not a secret itself: a `${VAR}` placeholder (Flux substitution, envsubst), an `op://`
 * (1Password), `vault:`/`ref+` (vals), `<path:...>` (argocd-vault-plugin) or `sops://` reference, alone or
 * joined by punctuation only.
 */
export function isSecretReference(value: string): boolean {
  const rest = value
    .replace(/\$\{[^}]*\}/g, "")
    .replace(/\b(?:op|vault|sops|awssm|gcpsm|azkv|ref\+[a-z]+):\/\/\S+/g, "")
    .replace(/<path:[^>]+>/g, "");
  return rest !== value && !/[A-Za-z0-9]/.test(rest);
}

/**
 * A value that is a whole SOPS-encrypted file (secretGenerator `files`): YAML, JSON, the binary store's JSON
 * envelope, or dotenv. kustomize-controller decrypts such a file before the build
 * (kustomize-controller v1.9.4 internal/decryptor/decryptor.go DecryptSources, DecryptResource).
 */
function isSopsEncryptedFile(value: string): boolean {
  if (!value.includes("ENC[")) return false;
  const pairs = dotenvPairs(value);
  if (pairs && isSopsDotenv(pairs)) return true;
  try {
    const docs = yaml.loadAll(value);
    return docs.some((d) => isSopsEncryptedTree(d)) && docs.every((d) => d === null || isSopsEncryptedTree(d));
  } catch {
    return false;
  }
}

function decoded(raw: string): string {
  // Go's base64 decoder (and so the API server) skips line breaks: kustomize wraps long values.
  const value = raw.replace(/[\r\n]/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) return raw;
  const plain = Buffer.from(value, "base64").toString("utf8");
  return plain.includes("\uFFFD") ? value : plain;
}

/** Values of a Secret (data decoded) or of kustomize secretGenerator literals that are real secrets. */
function plaintextValues(s: Subject): string[] {
  if (s.type === kubernetesType("v1", "Secret")) {
    // A SOPS ciphertext is not plaintext; any other value is checked as it is (a fake sops.mac changes nothing).
    const plain = new Set(unencryptedSecretKeys(s.props));
    // A Secret generated from a SOPS dotenv file (secretGenerator envs): its keys are the file's pairs,
    // ciphertexts and sops_ metadata; kustomize-controller decrypts the file before the build.
    const pairs: [string, string][] = [];
    for (const key of ["data", "stringData"]) {
      const map = field(s.props, key);
      if (map === null || typeof map !== "object" || Array.isArray(map)) continue;
      for (const [k, v] of Object.entries(map)) pairs.push([k, typeof v === "string" ? (key === "data" ? decoded(v) : v) : String(v)]);
    }
    const dotenv = isSopsDotenv(pairs);
    const out: string[] = [];
    for (const key of ["data", "stringData"]) {
      const map = field(s.props, key);
      if (map === null || typeof map !== "object" || Array.isArray(map)) continue;
      for (const [k, v] of Object.entries(map)) {
        if (!plain.has(`${key}.${k}`)) continue;
        const value = typeof v === "string" ? (key === "data" ? decoded(v) : v) : String(v ?? "");
        if (dotenv || isSopsEncryptedFile(value)) continue;
        if (value !== "" && !isSecretReference(value)) out.push(k);
      }
    }
    return out;
  }
  if (parseKubernetesType(s.type)?.group === "kustomize.config.k8s.io" && parseKubernetesType(s.type)?.kind === "Kustomization") {
    const gens = field(s.props, "secretGenerator");
    const out: string[] = [];
    for (const g of Array.isArray(gens) ? gens : []) {
      const literals = field(g, "literals");
      for (const l of Array.isArray(literals) ? literals : []) {
        const [k, ...v] = String(l).split("=");
        const value = v.join("=");
        if (value !== "" && !isSecretReference(value)) out.push(`${String(field(g, "name") ?? "?")}.${k}`);
      }
    }
    return out;
  }
  return [];
}

export const noPlaintextSecrets = resourceRule({
  name: "no-plaintext-secrets",
  description: "A Secret (or secretGenerator literal) committed to Git is SOPS-encrypted or holds only references.",
  enforcementLevel: "mandatory",
  origins: ["git"],
  config: z.strictObject({}),
  check(s, _config, report) {
    // A Secret a chart renders is Helm's output (chart defaults, generated keys), not a value committed to
    // Git; the release's values in Git are what a person commits, and they are checked as the HelmRelease.
    if (s.renderedBy !== undefined) return;
    const keys = plaintextValues(s);
    if (keys.length === 0) return;
    const generator = s.type !== kubernetesType("v1", "Secret");
    report(
      `${generator ? `kustomization secretGenerator literals (${keys.join(", ")})` : `${describe(s)} (${keys.join(", ")})`} ` +
        "committed in plaintext: encrypt it with SOPS (sops --encrypt --in-place <file>) and give the Kustomization a " +
        "spec.decryption, reference the value (${VAR}, op://...), or create the Secret outside Git.",
      generator ? ["secretGenerator"] : [field(s.props, "stringData") !== undefined ? "stringData" : "data"],
    );
  },
});

/** The objects Pulumi owns in the stack's Flux namespace: Git must never define them (it would redefine the sync). */
const PULUMI_OWNED: Record<string, { group: string; names: string[] }> = {
  GitRepository: { group: "source.toolkit.fluxcd.io", names: [SYNC_NAME, AUTOMATION_NAME] },
  Kustomization: { group: "kustomize.toolkit.fluxcd.io", names: [SYNC_NAME] },
  Secret: { group: "core", names: [SYNC_NAME, AUTOMATION_NAME] },
  // The operator strategy's FluxInstance (the only name the Flux Operator accepts, flux-operator v0.49.0
  // api/v1/fluxinstance_types.go): in Git it would replace the controllers (distribution) and the sync.
  FluxInstance: { group: "fluxcd.controlplane.io", names: [INSTANCE_NAME] },
};

export const syncNotInGit = resourceRule({
  name: "sync-not-in-git",
  description:
    "Git defines none of the objects Pulumi owns in the stack's Flux namespace: the flux-system GitRepository, Kustomization and Secret, the image automation's flux-system-automation GitRepository and Secret, and the operator's FluxInstance flux.",
  enforcementLevel: "mandatory",
  origins: ["git"],
  config: z.strictObject({}),
  check(s, _config, report) {
    const t = parseKubernetesType(s.type);
    const owned = t && PULUMI_OWNED[t.kind];
    if (!t || !owned || owned.group !== t.group || !owned.names.includes(s.name)) return;
    if (s.namespace !== undefined && s.namespace !== fluxNamespace(s)) return; // no namespace: it may land there
    report(
      `${describe(s)} is created by Pulumi (flux-gitops); defined in Git it would redefine what Flux syncs ` +
        "(its source, branch or path) once Flux applies it: remove it from Git and change the stack config instead.",
    );
  },
});

export const contentVerified = resourceRule({
  name: "content-verified",
  description:
    "Everything Flux applies from Git is verified: no object is applied by two Kustomizations, post-build substitution leaves no ambiguous keys, ResourceSets render from what Git holds, and in production every Flux Kustomization applies content checked here.",
  enforcementLevel: "mandatory",
  origins: ["git"],
  config: z.strictObject({}),
  check(s, _config, report) {
    for (const p of s.problems ?? []) report(`${describe(s)}: ${p.message}`, p.at);
  },
});

export const helmReleaseRemediation = resourceRule({
  name: "helmrelease-remediation",
  description: "A HelmRelease remediates failed upgrades (retries, or -1 for unlimited; not needed with strategy RetryOnFailure).",
  enforcementLevel: "advisory",
  origins: ["pulumi", "git"],
  config: z.strictObject({ minRetries: z.int().min(1).default(1) }),
  check(s, config, report) {
    if (fluxKind(s) !== "HelmRelease") return;
    if (field(s.props, "spec", "upgrade", "strategy", "name") === "RetryOnFailure") return;
    const retries = field(s.props, "spec", "upgrade", "remediation", "retries");
    if (typeof retries !== "number" || (retries !== -1 && retries < config.minRetries)) {
      report(
        `${describe(s)} does not remediate failed upgrades: set spec.upgrade.remediation.retries ` +
          `(>= ${config.minRetries}, or -1 for unlimited) and keep strategy rollback, or use upgrade.strategy.name RetryOnFailure.`,
        ["spec", "upgrade", "remediation", "retries"],
      );
    }
  },
});
