// Policy configuration in the shape of `pulumi preview --policy-pack-config`:
//   { "<rule>": "advisory" | "mandatory" | "disabled" }  or  { "<rule>": { "enforcementLevel": ..., ...props } }
// plus the "all" key that sets the level of every rule. Validated against each rule's own schema.
import { z } from "zod";
import { UserError } from "../infra/errors.ts";
import type { Level, Rule } from "./rules/model.ts";

export interface RuleSetting {
  rule: Rule;
  level: Level;
  config: unknown;
}

/** A bad policy config: the run stops before checking anything (exit 2). */
export class PolicyConfigError extends UserError {
  override name = "PolicyConfigError";
  override readonly exitCode = 2;
}

const LEVELS = ["advisory", "mandatory", "remediate", "disabled"] as const;
const levelSchema = z.enum(LEVELS);
// Remediation does not exist in these rules; like Pulumi, a "remediate" level counts as mandatory.
const toLevel = (l: (typeof LEVELS)[number]): Level => (l === "remediate" ? "mandatory" : l);

/**
 * A union's issue as the option the value was written for: the one option whose first issue is not "wrong
 * type" at the value itself (a string entry gets the string form's message), else the union's own.
 */
function narrowed(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== "invalid_union") return issue;
  const meant = issue.errors.filter((errs) => errs[0] !== undefined && !(errs[0].code === "invalid_type" && errs[0].path.length === 0));
  if (meant.length !== 1) return issue;
  const inner = meant[0]![0]!;
  return narrowed({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue);
}

function issue(source: string, key: string, error: z.ZodError): PolicyConfigError {
  const first = narrowed(error.issues[0]!);
  const path = first.code === "unrecognized_keys" ? [...first.path, first.keys[0]!] : first.path;
  const message = first.code === "unrecognized_keys" ? "unknown key" : first.message;
  return new PolicyConfigError(`${source}: ${[key, ...path.map(String)].join(".")}: ${message}`);
}

/** Resolves the level and validated settings of every rule; throws PolicyConfigError (one line) on bad config. */
export function resolveConfig(rules: Rule[], raw: unknown, source = "policy config"): RuleSetting[] {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new PolicyConfigError(`${source}: must be a JSON object keyed by rule name`);
  }
  const entries = raw as Record<string, unknown>;
  const names = new Set(rules.map((r) => r.name));
  for (const key of Object.keys(entries)) {
    if (key !== "all" && !names.has(key)) throw new PolicyConfigError(`${source}: ${key}: unknown rule (known: ${[...names].join(", ")})`);
  }
  let all: Level | undefined;
  if (entries.all !== undefined) {
    const parsed = levelSchema.safeParse(entries.all);
    if (!parsed.success) throw issue(source, "all", parsed.error);
    all = toLevel(parsed.data);
  }
  const settings = rules.map((rule) => {
    const entry = entries[rule.name];
    const isObject = typeof entry === "object" && entry !== null && !Array.isArray(entry);
    if (entry !== undefined && typeof entry !== "string" && !isObject) {
      throw new PolicyConfigError(`${source}: ${rule.name}: must be an enforcement level or an object`);
    }
    const { enforcementLevel, ...props } = isObject ? (entry as Record<string, unknown>) : {};
    const levelInput = typeof entry === "string" ? entry : enforcementLevel;
    let level = all ?? rule.enforcementLevel;
    if (levelInput !== undefined) {
      const parsed = levelSchema.safeParse(levelInput);
      if (!parsed.success) throw issue(source, `${rule.name}.enforcementLevel`, parsed.error);
      level = toLevel(parsed.data);
    }
    const config = rule.config.safeParse(props);
    if (!config.success) throw issue(source, rule.name, config.error);
    return { rule, level, config: config.data };
  });
  return shareTrustedSources(settings);
}

/**
 * One trust list: a source allowed for releases with its URL (helmrelease-git-sourced.allowedSources
 * `{kind, namespace, name, url}`) is a trusted source for git-source-allowed too.
 */
function shareTrustedSources(settings: RuleSetting[]): RuleSetting[] {
  const releases = settings.find((s) => s.rule.name === "helmrelease-git-sourced");
  const sources = settings.find((s) => s.rule.name === "git-source-allowed");
  const shared = (releases?.config as { allowedSources?: { url?: string }[] } | undefined)?.allowedSources?.filter((e) => e.url);
  if (sources && shared?.length) {
    const own = sources.config as { allowedSources: unknown[] };
    sources.config = { ...own, allowedSources: [...own.allowedSources, ...shared] };
  }
  return settings;
}
