// The contract between the three parts of flux-gitops: the Pulumi program (infra/components), the
// renderer (infra/render, stacks/) and the policies (policies/). Every name more than one of them
// relies on is defined here once. Pure data and pure functions: no imports, so the policy pack can
// load it without pulling in Pulumi or anything else.

/** Namespace of the `flux-gitops:*` keys in Pulumi.<stack>.yaml. */
export const CONFIG_NAMESPACE = "flux-gitops";

/** Default namespace of the Flux controllers and of every Flux object flux-gitops makes. */
export const DEFAULT_FLUX_NAMESPACE = "flux-system";

/** Name of the sync objects Pulumi creates: the SSH Secret, the GitRepository and the Kustomization. */
export const SYNC_NAME = "flux-system";

/** Pulumi type token of the component a stack creates everything in (a child of the stack resource). */
export const GITOPS_TYPE = "flux-gitops:index:FluxGitOps";

/** Pulumi type token of the component that owns a key pair and its GitHub deploy key. */
export const DEPLOY_KEY_TYPE = "flux-gitops:deploy:DeployKey";

/** Pulumi type token of the component that installs Flux. */
export const FLUX_INSTALL_TYPE = "flux-gitops:flux:FluxInstall";

/** Pulumi type token of the component that creates the flux-system sync (SSH Secret, GitRepository, Kustomization). */
export const FLUX_SYNC_TYPE = "flux-gitops:flux:FluxSync";

/** Pulumi type token of the component that creates the notification Providers and Alerts. */
export const NOTIFICATIONS_TYPE = "flux-gitops:notifications:FluxNotifications";

/** Pulumi type token of the component that creates the push webhook Receiver. */
export const RECEIVER_TYPE = "flux-gitops:notifications:FluxReceiver";

/** Pulumi type token of a GitHub deploy key (@pulumi/github): the program registers them, the policies check them. */
export const GITHUB_DEPLOY_KEY_TYPE = "github:index/repositoryDeployKey:RepositoryDeployKey";

/** Labels every object flux-gitops creates or renders carries. */
export const LABELS = {
  managedBy: "app.kubernetes.io/managed-by",
  environment: "flux-gitops.io/environment",
  production: "flux-gitops.io/production",
} as const;

/** Value of the `managedBy` label. */
export const MANAGED_BY = "flux-gitops";

/** Annotations every object flux-gitops creates or renders carries. */
export const ANNOTATIONS = {
  repository: "flux-gitops.io/repository",
  path: "flux-gitops.io/path",
} as const;

/**
 * The folder Flux syncs, known in both of its forms. Made only by `syncPath()`, from a folder that
 * the stack config schema has already checked.
 */
export interface SyncPath {
  /** Relative to the repository root, without `./` or a trailing `/`: `cluster/dev`. */
  readonly folder: string;
  /** As a Flux Kustomization's `spec.path` names it: `./cluster/dev`. */
  readonly flux: string;
}

/**
 * The repository folder meant for output: every sync folder lies below it (the stack config schema
 * refuses any other), and `npm run render` replaces nothing outside it.
 */
export const OUTPUT_FOLDER = "cluster";

/** The sync folder of a stack that sets no `syncPath`. */
export function defaultSyncFolder(stack: string): string {
  return `${OUTPUT_FOLDER}/${stack}`;
}

/**
 * A SyncPath from a path in either form (`cluster/dev`, `./cluster/dev/`), normalised once: empty and `.`
 * segments dropped (`cluster//dev`, `cluster/./dev` and `./cluster/dev/` are all `cluster/dev`, the folder
 * Git and Flux see). `..` segments are kept for the schema to refuse.
 */
export function syncPath(path: string): SyncPath {
  const folder = path
    .split("/")
    .filter((segment) => segment !== "" && segment !== ".")
    .join("/");
  return { folder, flux: `./${folder}` };
}

/** Stages of the renderer's sibling folders: `.<folder>.render-<stage>-<suffix>` beside an output folder. */
export const RENDER_STAGES = ["new", "ready", "old"] as const;
export type RenderStage = (typeof RENDER_STAGES)[number];

/** Length of the random hex suffix of a staging folder's name (6 random bytes). */
export const STAGING_SUFFIX_LENGTH = 12;

/** Name of the folder `<folder>`'s new tree is staged in, beside it. */
export function stagingName(folder: string, stage: RenderStage, suffix: string): string {
  return `.${folder}.render-${stage}-${suffix}`;
}

/** Name of the file that marks a render of `<folder>` under way, beside it. */
export function renderLockName(folder: string): string {
  return `.${folder}.render-lock`;
}

/** The stage of a sibling that is exactly one of `<folder>`'s staging folders, else undefined. */
export function stagingStage(folder: string, sibling: string): RenderStage | undefined {
  const prefix = `.${folder}.render-`;
  if (!sibling.startsWith(prefix)) return undefined;
  const match = new RegExp(`^(${RENDER_STAGES.join("|")})-[0-9a-f]{${STAGING_SUFFIX_LENGTH}}$`).exec(sibling.slice(prefix.length));
  return match?.[1] as RenderStage | undefined;
}

/**
 * A path segment named like a staging folder or lock of some folder (`.<x>.render-…`, any case): never
 * a folder setting, or a render of the folder beside it would take it for its own leftover.
 */
export function looksLikeRenderSibling(segment: string): boolean {
  return /^\..*\.render-/i.test(segment);
}

/**
 * What the policies need to know about a stack, whichever front end reads it: the Pulumi program's
 * config (PULUMI_CONFIG) or the stack file beside the YAML (Pulumi.<env>.yaml).
 */
export interface StackFacts {
  /** Stack (= environment) name. */
  environment: string;
  production: boolean;
  fluxNamespace: string;
  sync: SyncPath;
  /** `repository.owner` of the stack's config (equal to `github:owner`). */
  githubOwner?: string;
  /** `flux.multitenancy.noRemoteBases`: kustomize-controller refuses remote bases. */
  noRemoteBases?: boolean;
  /** `imageAutomation.enabled`: the stack registers the automation's write key (absent: it does not). */
  imageAutomation?: boolean;
  /** `repository.name`: the repository Flux syncs from, the only one the automation's key may push to. */
  repositoryName?: string;
}

/**
 * Image automation (flux-gitops:imageAutomation): the GitRepository and SSH Secret the automation
 * pushes through, both in the Flux namespace. The sync keeps its own read-only `SYNC_NAME` objects.
 */
export const AUTOMATION_NAME = "flux-system-automation";

/**
 * The `operator` strategy's FluxInstance, in the Flux namespace: the only name the Flux Operator accepts
 * (flux-operator v0.49.0 api/v1/fluxinstance_types.go). Git must not define it (policy sync-not-in-git).
 */
export const INSTANCE_NAME = "flux";

/**
 * Pulumi resource name of the one deploy key that may push (the automation's); a rotation appends
 * `-r<n>`. The policy `deploy-key-read-only` lets exactly this key have write access.
 */
export const AUTOMATION_KEY_NAME = "automation-deploy-key";

/** Pulumi type token of the component that owns the automation's key, Secret and GitRepository. */
export const IMAGE_AUTOMATION_TYPE = "flux-gitops:flux:ImageAutomationAccess";

/** docker-registry Secret (Flux namespace) the ImageRepositories scan private registries with. */
export const IMAGE_REGISTRY_SECRET = "image-registry-auth";

/**
 * The Secret (Flux namespace) Pulumi creates from the secret `flux-gitops:alertmanagerSmtpPassword`, and
 * its key: a values document `{"alertmanager":{"config":{"global":{"smtp_auth_password":…}}}}` that the
 * prom-monitoring HelmRelease merges with `valuesFrom` (docs/cluster.md "The SMTP password").
 */
export const ALERTMANAGER_SMTP_SECRET = "alertmanager-smtp";
export const ALERTMANAGER_SMTP_KEY = "values.yaml";

/** The values document the Secret holds: JSON (a YAML subset), so any character of the password is kept as it is. */
export function alertmanagerSmtpValues(password: string): string {
  return JSON.stringify({ alertmanager: { config: { global: { smtp_auth_password: password } } } });
}
