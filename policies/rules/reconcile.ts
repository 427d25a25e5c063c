// Rules for how Flux reconciles: the sync path and pruning, intervals, secrets in Git, release remediation.
import { z } from "zod";
import { defaultSyncFolder, syncPath } from "../../infra/contract.ts";
import { describe, field, fluxKind, isFluxSystemSync, kubernetesType, resourceRule, text } from "./model.ts";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration such as `1m30s`, `10m`, `1h`; undefined when it is not one. */
export function parseDuration(value: string): number | undefined {
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(value)) return undefined;
  let total = 0;
  for (const [, n, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(n) * UNIT_MS[unit!]!;
  return total;
}

const duration = z.string().refine((v) => parseDuration(v) !== undefined, "must be a duration such as 30s, 5m or 1h");

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
    const ms = typeof interval === "string" ? parseDuration(interval) : undefined;
    if (ms === undefined) {
      report(`${describe(s)} has spec.interval ${JSON.stringify(interval)}, which is not a duration: use e.g. 1m, 10m or 1h.`);
    } else if (ms < parseDuration(config.min)! || ms > parseDuration(config.max)!) {
      report(
        `${describe(s)} reconciles every ${interval as string}, outside ${config.min}..${config.max}: ` +
          "pick an interval in range (or change interval-bounds.min / max).",
      );
    }
  },
});

export const noPlaintextSecrets = resourceRule({
  name: "no-plaintext-secrets",
  description: "A Secret committed to Git is SOPS-encrypted.",
  enforcementLevel: "mandatory",
  origins: ["git"],
  config: z.strictObject({}),
  check(s, _config, report) {
    if (s.type !== kubernetesType("v1", "Secret") || text(field(s.props, "sops", "mac")) !== undefined) return;
    report(
      `${describe(s)} is committed in plaintext: encrypt it with SOPS (sops --encrypt --in-place <file>) ` +
        "and give the Kustomization a spec.decryption, or create the Secret outside Git.",
    );
  },
});

export const helmReleaseRemediation = resourceRule({
  name: "helmrelease-remediation",
  description: "A HelmRelease remediates failed upgrades (retries, rollback).",
  enforcementLevel: "advisory",
  origins: ["pulumi", "git"],
  config: z.strictObject({ minRetries: z.int().min(1).default(1) }),
  check(s, config, report) {
    if (fluxKind(s) !== "HelmRelease") return;
    const retries = field(s.props, "spec", "upgrade", "remediation", "retries");
    if (typeof retries !== "number" || retries < config.minRetries) {
      report(
        `${describe(s)} does not remediate failed upgrades: set spec.upgrade.remediation.retries ` +
          `(>= ${config.minRetries}) and keep strategy rollback so a bad upgrade is rolled back.`,
      );
    }
  },
});
