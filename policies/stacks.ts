// What the rules know about a stack, from the same config the program and the renderer read: in the
// pack from the engine's PULUMI_CONFIG, in the YAML checker from Pulumi.<env>.yaml beside the YAML.
// Both go through the one stack config schema, so defaults (Flux namespace, cluster/<env>) agree.
import { readFileSync } from "node:fs";
import { type StackFacts } from "../infra/contract.ts";
import { isDnsLabel } from "../infra/grammar/kubernetes.ts";
import { syncUrl } from "../infra/grammar/sync-url.ts";
import { helmMajorFor } from "../infra/flux/versions.ts";
import type { Manifest } from "../infra/helm/release.ts";
import { pulumiObjects } from "../infra/verify/pulumi.ts";
import { loadBounded } from "../infra/yaml.ts";
import {
  engineConfigValues,
  listStacks,
  parseStackConfig,
  readStackConfigFile,
  stackConfigFile,
  type StackConfig,
} from "../infra/config/index.ts";

export function stackFacts(cfg: StackConfig): StackFacts {
  return {
    environment: cfg.stack,
    production: cfg.production,
    fluxNamespace: cfg.flux.namespace,
    sync: cfg.syncPath,
    githubOwner: cfg.repository.owner,
    noRemoteBases: cfg.flux.multitenancy.noRemoteBases,
    imageAutomation: cfg.imageAutomation.enabled,
    repositoryName: cfg.repository.name,
  };
}

/**
 * The stack config the CLI hands a policy pack (PULUMI_CONFIG: full keys to strings). `undefined`
 * when it holds no valid flux-gitops config: the program itself refuses to run on one.
 */
export function factsFromPulumiConfig(config: Record<string, unknown>, stack: string): StackFacts | undefined {
  const values = engineConfigValues(config);
  if (Object.keys(values).length === 0) return undefined;
  try {
    return stackFacts(parseStackConfig(values, stack));
  } catch {
    return undefined;
  }
}

/** `github:owner` of the stack config, for stacks whose flux-gitops config is absent. */
export function githubOwnerOf(config: Record<string, unknown>): string | undefined {
  const owner = config["github:owner"];
  return typeof owner === "string" && owner !== "" ? owner : undefined;
}

/** Reads PULUMI_CONFIG; an unreadable one counts as empty. */
export function pulumiConfigFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  try {
    const parsed = JSON.parse(env.PULUMI_CONFIG ?? "{}") as unknown;
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** What the YAML checker knows of one environment: its stack file's config, or at least its `github:owner`. */
export interface StackView {
  facts?: StackFacts;
  githubOwner?: string;
  /** The sync repository as Flux reaches it (`ssh://git@<host>/<owner>/<name>`) and its branch. */
  repository?: { url: string; branch: string };
  /**
   * What charts are rendered against (graph mode): the cluster's Kubernetes version, the Helm major of its
   * helm-controller, and the objects Pulumi creates that a HelmRelease's valuesFrom may name.
   */
  render?: { kubeVersion: string; helm: 3 | 4; created: Manifest[] };
  /** Why the stack file could not be read as flux-gitops config, when it could not. */
  error?: string;
}

export interface StackLookup {
  (env: string): StackView;
  /** Stacks with a Pulumi.<env>.yaml in the project folder. */
  stacks(): string[];
}

/**
 * The view of environment `env` from `<projectDir>/Pulumi.<env>.yaml`, memoised. Only a valid stack
 * name is ever joined into a path; a missing or invalid file gives an empty view (fail closed: only
 * configured source prefixes are allowed then).
 */
export function stackFileLookup(projectDir: string): StackLookup {
  const cache = new Map<string, StackView>();
  let names: string[] | undefined;
  const lookup = (env: string): StackView => {
    let view = cache.get(env);
    if (view === undefined) {
      view = {};
      if (isDnsLabel(env)) {
        const file = stackConfigFile(projectDir, env);
        try {
          view.githubOwner = githubOwnerOf(
            (loadBounded(readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null)?.config ?? {},
          );
        } catch {
          // no readable stack file for this environment
        }
        try {
          const cfg = readStackConfigFile(file, env);
          view.facts = stackFacts(cfg);
          view.githubOwner = view.facts.githubOwner;
          const { host, owner, name, branch } = cfg.repository;
          view.repository = { url: syncUrl({ host, owner, name }), branch };
          view.render = { kubeVersion: cfg.kubernetes.version, helm: helmMajorFor(cfg.flux.version), created: pulumiObjects(cfg) };
        } catch (e) {
          // no valid flux-gitops config: rules use the config's defaults
          view.error = e instanceof Error ? e.message : String(e);
        }
      }
      cache.set(env, view);
    }
    return view;
  };
  return Object.assign(lookup, {
    stacks: () => {
      try {
        names ??= listStacks(projectDir).filter(isDnsLabel);
      } catch {
        names = [];
      }
      return names;
    },
  });
}
