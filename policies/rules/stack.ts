// Rules for what a Pulumi stack may create: Flux is installed and synced, everything else comes from Git.
import { z } from "zod";
import {
  AUTOMATION_KEY_NAME,
  DEPLOY_KEY_TYPE,
  FLUX_INSTALL_TYPE,
  GITOPS_TYPE,
  IMAGE_AUTOMATION_TYPE,
  SYNC_NAME,
  GITHUB_DEPLOY_KEY_TYPE,
} from "../../infra/contract.ts";
import { FLUX2_CHART, FLUX_OPERATOR_CHART, FLUX_VERSIONS } from "../../infra/flux/versions.ts";
import { urlUnder } from "../urls.ts";
import {
  field,
  fluxNamespace,
  isFluxSystemSync,
  parseKubernetesType,
  parseUrn,
  providerBool,
  resourceRule,
  stackRule,
  text,
} from "./model.ts";
import type { Subject } from "./model.ts";

const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
const HELM_TYPES = new Set([HELM_RELEASE_TYPE, "kubernetes:helm.sh/v3:Chart", "kubernetes:helm.sh/v4:Chart"]);
/** Every kind that creates pods. */
const WORKLOAD_KINDS: Record<string, string[]> = {
  apps: ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"],
  core: ["Pod", "ReplicationController"],
  batch: ["Job", "CronJob"],
};
const EXACT = /^\d+\.\d+\.\d+$/;
const MANIFEST_COMPONENTS = new Set([
  "kubernetes:yaml:ConfigFile",
  "kubernetes:yaml:ConfigGroup",
  "kubernetes:yaml/v2:ConfigFile",
  "kubernetes:yaml/v2:ConfigGroup",
  "kubernetes:kustomize:Directory",
  "kubernetes:kustomize/v2:Directory",
]);

/**
 * The Flux install's own Helm release, by exact identity: the release type, its name, and the pinned
 * chart from the pinned repository (flux2 from the fluxcd-community repository at a pinned chart version,
 * or the flux-operator OCI chart at an exact version). Parents confer nothing: anything can name one.
 */
export function isFluxInstallRelease(s: Subject): boolean {
  if (s.type !== HELM_RELEASE_TYPE || !s.ancestors.includes(FLUX_INSTALL_TYPE)) return false;
  const chart = text(field(s.props, "chart"));
  const version = text(field(s.props, "version"));
  const repo = text(field(s.props, "repositoryOpts", "repo"));
  const name = text(field(s.props, "name")) ?? s.name;
  if (s.name === "flux2" && name === "flux2") {
    return (
      chart === FLUX2_CHART.name &&
      repo !== undefined &&
      urlUnder(repo, FLUX2_CHART.repo) &&
      urlUnder(FLUX2_CHART.repo, repo) &&
      Object.values(FLUX_VERSIONS).some((v) => v.chart === version)
    );
  }
  if (s.name === "flux-operator" && name === "flux-operator") {
    return chart === FLUX_OPERATOR_CHART.url && repo === undefined && version !== undefined && EXACT.test(version);
  }
  return false;
}

/** A workload type: a pod-creating kind, or any `*Patch` type (it changes live objects around Git). */
function workloadKind(type: string): string | undefined {
  const t = parseKubernetesType(type);
  if (!t) return undefined;
  if (t.kind.endsWith("Patch")) return t.kind;
  return WORKLOAD_KINDS[t.group]?.includes(t.kind) ? t.kind : undefined;
}

export const noDirectHelm = resourceRule({
  name: "no-direct-helm",
  description: "No Helm release or chart is deployed by Pulumi except the Flux installation itself.",
  enforcementLevel: "mandatory",
  origins: ["pulumi"],
  config: z.strictObject({
    /** Resource names of Helm releases/charts that may be deployed directly. */
    allowedNames: z.array(z.string()).default([]),
  }),
  check(s, config, report) {
    if (!HELM_TYPES.has(s.type) || isFluxInstallRelease(s) || config.allowedNames.includes(s.name)) return;
    report(
      `${s.type} "${s.name}" deploys around Flux: describe it as a HelmRelease under cluster/<env>/ ` +
        "(npm run render) instead, or allow-list it in no-direct-helm.allowedNames.",
    );
  },
});

export const noDirectWorkloads = resourceRule({
  name: "no-direct-workloads",
  description: "No workloads or yaml/kustomize manifests are applied by Pulumi outside the Flux namespace.",
  enforcementLevel: "mandatory",
  origins: ["pulumi"],
  config: z.strictObject({
    /** Namespace where Pulumi may create workloads; default: the stack's flux.namespace. */
    fluxNamespace: z.string().min(1).optional(),
  }),
  check(s, config, report) {
    const allowedNamespace = config.fluxNamespace ?? fluxNamespace(s);
    const kind = workloadKind(s.type);
    if (kind && s.namespace !== allowedNamespace) {
      report(
        `${kind} "${s.name}" is applied by Pulumi in namespace "${s.namespace ?? "default"}": ` +
          "commit it under cluster/<env>/ (or ship it in a chart behind a HelmRelease) so Flux applies it from Git.",
      );
    } else if (MANIFEST_COMPONENTS.has(s.type) && field(s.props, "namespace") !== allowedNamespace) {
      report(
        `${s.type} "${s.name}" applies manifests with Pulumi: move the files under cluster/<env>/ ` + "so Flux applies them from Git.",
      );
    }
  },
});

/**
 * Where the program registers the automation's GitHub deploy key: stack → FluxGitOps →
 * ImageAutomationAccess → DeployKey "automation-deploy-key" → the key (what the engine builds the URN
 * from; test/policies/deploy-key.test.ts runs the program through cmd/run to see it).
 */
const AUTOMATION_KEY_CHAIN = [GITOPS_TYPE, IMAGE_AUTOMATION_TYPE, DEPLOY_KEY_TYPE, GITHUB_DEPLOY_KEY_TYPE];
const AUTOMATION_KEY = new RegExp(`^${AUTOMATION_KEY_NAME}(-r[1-9][0-9]*)?$`);

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Why a deploy key with write access is not the image automation's own, or undefined when it is: the
 * stack's config turns image automation on, the key sits at exactly the place the program registers it,
 * and it is registered on the stack's sync repository.
 */
function notAutomationKey(s: Subject): string | undefined {
  if (s.stack?.imageAutomation !== true) return "image automation is off in this stack's config";
  const own = parseUrn(s.urn);
  const parent = parseUrn(s.parentUrn);
  const inPlace =
    own !== undefined &&
    parent !== undefined &&
    AUTOMATION_KEY.test(own.name) &&
    own.name === s.name &&
    sameList(own.types, AUTOMATION_KEY_CHAIN) &&
    sameList(parent.types, AUTOMATION_KEY_CHAIN.slice(0, -1)) &&
    parent.name === AUTOMATION_KEY_NAME &&
    parent.stack === own.stack &&
    parent.project === own.project;
  if (!inPlace) return `it is not the key ImageAutomationAccess registers (${AUTOMATION_KEY_CHAIN.join(" → ")} "${AUTOMATION_KEY_NAME}")`;
  const repository = text(field(s.props, "repository"));
  if (repository !== s.stack.repositoryName) {
    return `it is registered on repository "${repository ?? "<unknown>"}", not on the sync repository "${s.stack.repositoryName}"`;
  }
  return undefined;
}

/** A value for a one-line message: a short string or number as JSON, anything else by its type. */
const shown = (v: unknown) =>
  typeof v === "string" || typeof v === "number" ? JSON.stringify(v).slice(0, 40) : v === null ? "null" : `of type ${typeof v}`;
/** `readOnly` as the GitHub provider reads it (providerBool); unset is the provider's default, read-only. */
const readOnly = (s: Subject) => providerBool(field(s.props, "readOnly")) ?? true;
/** A key that may push, or whose readOnly is no boolean the provider reads (counted as one: fail closed). */
const writable = (s: Subject) => s.type === GITHUB_DEPLOY_KEY_TYPE && readOnly(s) !== true;

export const deployKeyReadOnly = resourceRule({
  name: "deploy-key-read-only",
  description: "The GitHub deploy key Flux syncs with is read-only; only the image automation's own key may push.",
  enforcementLevel: "mandatory",
  origins: ["pulumi"],
  config: z.strictObject({}),
  check(s, _config, report) {
    if (!writable(s)) return;
    if (readOnly(s) === "invalid") {
      report(
        `deploy key "${s.name}" has readOnly ${shown(field(s.props, "readOnly"))}, which is not a boolean ` +
          "the GitHub provider reads (true/false, or the strings and numbers it decodes): set readOnly to true.",
        ["readOnly"],
      );
      return;
    }
    const why = notAutomationKey(s);
    if (why === undefined) return;
    report(
      `deploy key "${s.name}" has write access: set the deploy key config readOnly back to true ` +
        `(Flux only reads). Only image automation may push, with its own key ("${AUTOMATION_KEY_NAME}", ` +
        `created when flux-gitops:imageAutomation.enabled is true); here ${why}.`,
    );
  },
});

export const oneWriteKey = stackRule({
  name: "one-write-key",
  description: "A stack registers at most one GitHub deploy key with write access (the image automation's).",
  enforcementLevel: "mandatory",
  origins: ["pulumi"],
  config: z.strictObject({}),
  checkStack(subjects, _config, report) {
    const keys = subjects.filter(writable);
    if (keys.length > 1) {
      report(
        `found ${keys.length} deploy keys with write access (${keys.map((k) => `"${k.name}"`).join(", ")}); ` +
          `a stack may register only one, the image automation's "${AUTOMATION_KEY_NAME}"`,
      );
    }
  },
});

export const singleFluxInstall = stackRule({
  name: "single-flux-install",
  description: "A stack has exactly one Flux installation and exactly one flux-system sync.",
  enforcementLevel: "mandatory",
  origins: ["pulumi"],
  config: z.strictObject({}),
  checkStack(subjects, _config, report) {
    const installs = subjects.filter((s) => s.type === FLUX_INSTALL_TYPE).length;
    const syncs = subjects.filter(
      (s) => isFluxSystemSync(s) || (parseKubernetesType(s.type)?.kind === "FluxInstance" && field(s.props, "spec", "sync") !== undefined),
    ).length;
    if (installs !== 1) {
      report(
        `found ${installs} Flux installations (${FLUX_INSTALL_TYPE}); keep exactly one FluxInstall per stack ` + "- one stack per cluster.",
      );
    }
    if (syncs !== 1) {
      report(
        `found ${syncs} flux-system syncs; keep exactly one FluxSync (Kustomization ${SYNC_NAME} in the Flux namespace) ` +
          "per stack and add further paths as Kustomizations under cluster/<env>/.",
      );
    }
  },
});
