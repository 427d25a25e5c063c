// One environment's GitOps wiring: deploy key on GitHub, Flux in the cluster, sync from Git.
// FluxGitOps is also the one component of the `flux-gitops` Pulumi package (plugin.ts, PulumiPlugin.yaml): Pulumi's
// analyzer (@pulumi/pulumi 3.270 provider/experimental/analyzer.js) builds the package schema from this file's
// TypeScript, so the constructor's parameter is named `args`, typed by exported interfaces of plain strings,
// numbers, booleans, nested interfaces and `as const` enums. The analyzer makes every property of the class an
// output, private ones too, so the class declares only its public `Output<string>` outputs; the parts stay
// locals, and what the program needs beyond the outputs goes through `programOutputs` below, never a field.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseStackConfig, type StackConfig } from "../config/index.ts";
import type { StackSecrets } from "../config/pulumi.ts";
import {
  SECRET_KEYS,
  type DeployKeyAlgorithm,
  type EcdsaCurve,
  type EventSeverity,
  type EventSourceKind,
  FluxController,
  type FluxExtraController,
  type FluxInstallStrategy,
  type FluxLogLevel,
} from "../config/schema.ts";
import { ALERTMANAGER_SMTP_KEY, ALERTMANAGER_SMTP_SECRET, GITOPS_TYPE, alertmanagerSmtpValues } from "../contract.ts";
import { DeployKey } from "./deploy-key.ts";
import { FluxInstall } from "./flux-install.ts";
import { FluxSync } from "./flux-sync.ts";
import type { SyncTarget } from "../flux/sync.ts";
import type { ComponentContext } from "./context.ts";
import { knownHostsFor } from "../flux/known-hosts.ts";
import { auditMetadata } from "../metadata.ts";
import { FluxNotifications, channels } from "./notifications.ts";
import { FluxReceiver } from "./receiver.ts";
import { ImageAutomationAccess } from "./image-automation.ts";
import { fluxSecret } from "./secret.ts";
import { syncUrl } from "../grammar/sync-url.ts";

// The arguments mirror the stack config keys one to one (docs/configuration.md has each key's meaning and
// default); infra/config/schema.ts checks them, here and in `pulumi up`. Secrets are Input<string>.

/** The GitHub repository Flux syncs from. */
export interface RepositorySettings {
  /** GitHub user or organisation. */
  owner: string;
  name: string;
  /** Default `main`. */
  branch?: string;
  /** SSH host of the Git server; default github.com. */
  host?: string;
}

/** Lockdown for multi-tenant clusters (Flux docs: "Multi-tenancy lockdown"). */
export interface MultitenancySettings {
  noCrossNamespaceRefs?: boolean;
  noRemoteBases?: boolean;
  /** Service account used when a Kustomization/HelmRelease names none. */
  defaultServiceAccount?: string;
}

/** Settings of the `operator` install strategy. */
export interface FluxOperatorSettings {
  /** Version of the flux-operator Helm chart (= the operator's version). */
  chartVersion?: string;
}

/** How Flux is installed. */
export interface FluxSettings {
  /** Default `helm`. */
  install?: FluxInstallStrategy;
  /** A pinned Flux version; default the newest that installs on kubernetes.version. */
  version?: string;
  /** Default `flux-system`. */
  namespace?: string;
  components?: FluxController[];
  componentsExtra?: FluxExtraController[];
  networkPolicy?: boolean;
  watchAllNamespaces?: boolean;
  clusterDomain?: string;
  tolerationKeys?: string[];
  logLevel?: FluxLogLevel;
  /** Container registry the controller images come from. */
  registry?: string;
  /** Name of a docker-registry Secret in the Flux namespace used to pull the images. */
  imagePullSecret?: string;
  multitenancy?: MultitenancySettings;
  /** On destroy, leave the namespace and CRDs (and so every Flux object) in the cluster. */
  keepOnDestroy?: boolean;
  operator?: FluxOperatorSettings;
}

/** The cluster Flux is installed on. */
export interface KubernetesSettings {
  /** The API server's version (`kubectl version`), e.g. 1.32.4. */
  version: string;
}

/** The SSH key pair Flux clones with, registered as a GitHub deploy key. */
export interface DeployKeySettings {
  algorithm?: DeployKeyAlgorithm;
  ecdsaCurve?: EcdsaCurve;
  rsaBits?: number;
  readOnly?: boolean;
  /** Bump to replace the key pair, the GitHub deploy key and the in-cluster Secret. */
  rotation?: number;
}

/** Intervals of the flux-system GitRepository and Kustomization (Go durations). */
export interface SyncSettings {
  gitInterval?: string;
  kustomizationInterval?: string;
  /** Kustomization apply/health-check timeout. */
  timeout?: string;
}

/** A Flux object chat alerts watch. */
export interface EventSourceSettings {
  kind: EventSourceKind;
  /** Object name, or `*` for every object of the kind. */
  name: string;
  /** Default: the Flux namespace. */
  namespace?: string;
}

/** A Slack channel for alerts; the webhook URL is the secret `slackWebhookUrl`. */
export interface SlackSettings {
  channel: string;
  username?: string;
}

/** GitHub commit statuses and chat alerts. */
export interface NotificationsSettings {
  /** Post a GitHub commit status per applied revision (needs `githubStatusToken`). */
  githubStatus?: boolean;
  eventSeverity?: EventSeverity;
  eventSources?: EventSourceSettings[];
  slack?: SlackSettings;
  /** Microsoft Teams (needs `teamsWebhookUrl`). */
  teams?: boolean;
  /** Generic JSON webhook (needs `genericWebhookUrl`). */
  generic?: boolean;
}

/** An Ingress for the webhook-receiver Service. */
export interface ReceiverIngressSettings {
  host: string;
  className?: string;
  /** TLS Secret for the host. */
  tlsSecretName?: string;
  annotations?: { [key: string]: string };
}

/** A GitHub push webhook, so Flux fetches at once instead of at the next poll. */
export interface ReceiverSettings {
  enabled?: boolean;
  /** Public URL that reaches the webhook-receiver Service; default `https://<ingress.host>`. */
  publicBaseUrl?: string;
  ingress?: ReceiverIngressSettings;
}

/** Author of the image automation's commits. */
export interface CommitAuthorSettings {
  name?: string;
  email?: string;
}

/** A private registry the image automation scans (password: the secret `imageRegistryPassword`). */
export interface ImageRegistrySettings {
  server: string;
  username: string;
}

/** New image tags committed to Git by Flux, with a second, write-enabled deploy key (docs/image-automation.md). */
export interface ImageAutomationSettings {
  enabled?: boolean;
  scanInterval?: string;
  interval?: string;
  author?: CommitAuthorSettings;
  /** Branch the automation pushes to; default the sync branch. */
  pushBranch?: string;
  registry?: ImageRegistrySettings;
}

/** The settings of one environment: the `flux-gitops:*` stack config keys, by the same names. */
export interface FluxGitOpsArgs {
  repository: RepositorySettings;
  /** Folder Flux syncs; default `cluster/<stack>`. */
  syncPath?: string;
  /** Production-like environment: stricter policies (pinned refs). */
  production?: boolean;
  flux?: FluxSettings;
  kubernetes: KubernetesSettings;
  deployKey?: DeployKeySettings;
  /** known_hosts lines for the Git host; default GitHub's published host keys. */
  knownHosts?: string;
  sync?: SyncSettings;
  notifications?: NotificationsSettings;
  receiver?: ReceiverSettings;
  imageAutomation?: ImageAutomationSettings;
  /** Secret: token that may write commit statuses (notifications.githubStatus). */
  githubStatusToken?: pulumi.Input<string>;
  /** Secret: Slack incoming webhook URL (notifications.slack). */
  slackWebhookUrl?: pulumi.Input<string>;
  /** Secret: Microsoft Teams webhook URL (notifications.teams). */
  teamsWebhookUrl?: pulumi.Input<string>;
  /** Secret: generic webhook URL (notifications.generic). */
  genericWebhookUrl?: pulumi.Input<string>;
  /** Secret: password of imageAutomation.registry. */
  imageRegistryPassword?: pulumi.Input<string>;
  /** Secret: Alertmanager's SMTP password, written into Secret `alertmanager-smtp` for the prom-monitoring release. */
  alertmanagerSmtpPassword?: pulumi.Input<string>;
}

/** The public outputs, in the order of the package schema: each an `Output<string>` (tested: test/package/). */
export const OUTPUTS = ["deployKeyPublicKey", "deployKeyFingerprint", "repositoryUrl", "syncPath", "fluxVersion", "webhookPath"] as const;

/** Stand-in for a secret whose value is not known yet (an Output): the schema checks that it is set. */
const SECRET_IS_SET = "(set)";

/**
 * Check `args` with the stack config schema (errors: `FluxGitOps <name>: args.<key> ...`). The secrets are split
 * off and kept Pulumi secrets; the schema sees a secret's text when it is a plain string, else that it is set.
 */
function validate(name: string, args: FluxGitOpsArgs): { config: StackConfig; secrets: StackSecrets } {
  // Other languages' SDKs hand the arguments over untyped: whatever the type says, check.
  if (typeof (args as unknown) !== "object" || (args as unknown) === null)
    throw new ConfigError(`FluxGitOps ${name}: args must be an object`);
  const values: Record<string, unknown> = { ...args };
  const secrets: StackSecrets = {};
  for (const key of SECRET_KEYS) {
    const value = args[key];
    if (value === undefined) continue;
    values[key] = typeof value === "string" ? value : SECRET_IS_SET;
    secrets[key] = pulumi.secret(value);
  }
  return { config: parseStackConfig(values, pulumi.getStack(), `FluxGitOps ${name}`, "args."), secrets };
}

/** What the program exports beyond the package outputs (kept off the class, see the top of this file). */
const extraOutputs = new WeakMap<FluxGitOps, { webhookUrl?: pulumi.Output<string> }>();

/** The stack outputs of stacks/program.ts that are not package outputs. */
export function programOutputs(gitops: FluxGitOps): { webhookUrl?: pulumi.Output<string> } {
  return extraOutputs.get(gitops) ?? {};
}

/**
 * Flux on a Kubernetes cluster, syncing a folder of a GitHub repository over SSH with a read-only deploy key:
 * the key pair, the GitHub deploy key, the Flux install, the flux-system Secret, GitRepository and Kustomization,
 * and optionally notifications, a push webhook and image automation.
 */
export class FluxGitOps extends pulumi.ComponentResource {
  /** Public half of the deploy key (OpenSSH format). */
  readonly deployKeyPublicKey: pulumi.Output<string>;
  /** SHA256 fingerprint of the deploy key. */
  readonly deployKeyFingerprint: pulumi.Output<string>;
  /** The SSH URL Flux clones. */
  readonly repositoryUrl: pulumi.Output<string>;
  /** The path the flux-system Kustomization applies, e.g. `./cluster/dev`. */
  readonly syncPath: pulumi.Output<string>;
  /** The Flux version installed. */
  readonly fluxVersion: pulumi.Output<string>;
  /** Path of the push webhook (e.g. `/hook/3f…`), only with receiver.enabled; derived from the HMAC token but not secret. */
  readonly webhookPath?: pulumi.Output<string>;

  constructor(name: string, args: FluxGitOpsArgs, opts?: pulumi.ComponentResourceOptions) {
    // Checked before anything is registered: bad settings leave nothing behind.
    const { config, secrets } = validate(name, args);
    super(GITOPS_TYPE, name, {}, opts);
    const { repository, deployKey, flux, sync } = config;
    const metadata = auditMetadata(config);
    const repositoryUrl = syncUrl(repository);

    const key = new DeployKey(
      "deploy-key",
      { repository: repository.name, title: `flux-gitops ${config.stack} (${config.syncPath.folder})`, ...deployKey },
      { parent: this },
    );
    // What Flux syncs, the same for both install strategies. With GitHub commit statuses on, the
    // Kustomization waits for what it applied to be healthy, so its status covers the HelmReleases.
    const target: SyncTarget = {
      url: repositoryUrl,
      branch: repository.branch,
      path: config.syncPath,
      gitInterval: sync.gitInterval,
      kustomizationInterval: sync.kustomizationInterval,
      timeout: sync.timeout,
      wait: config.notifications.githubStatus,
      // Under the lockdown's --default-service-account, Flux's own sync must name an account with
      // rights to apply cluster/<env>: the controller's own (as the Flux docs prescribe).
      serviceAccountName: flux.multitenancy.defaultServiceAccount ? FluxController.KustomizeController : undefined,
    };
    const install = new FluxInstall("flux", { flux, metadata, sync: target, keyFingerprint: key.fingerprint }, { parent: this });
    const ctx: ComponentContext = { install, metadata, retainOnDelete: flux.keepOnDestroy };
    const knownHosts = knownHostsFor(repository.host, config.knownHosts);
    new FluxSync(
      "sync",
      {
        ctx,
        target,
        identity: key.privateKeyOpenssh,
        identityPub: key.publicKeyOpenssh,
        knownHosts,
        keyRegistered: key.registration,
        keyFingerprint: key.fingerprint,
      },
      { parent: this },
    );

    if (config.imageAutomation.enabled) {
      new ImageAutomationAccess(
        "image-automation",
        { ctx, config, target, knownHosts, registryPassword: secrets.imageRegistryPassword },
        { parent: this },
      );
    }

    // Alertmanager's SMTP password for the prom-monitoring HelmRelease (valuesFrom, stacks/releases/monitoring.ts):
    // a Pulumi secret end to end, never in Git.
    if (secrets.alertmanagerSmtpPassword) {
      const values = secrets.alertmanagerSmtpPassword.apply(alertmanagerSmtpValues);
      fluxSecret({ name: ALERTMANAGER_SMTP_SECRET, data: { [ALERTMANAGER_SMTP_KEY]: values }, ctx, parent: this });
    }

    const notify = channels(config, secrets);
    if (notify.length > 0) {
      new FluxNotifications("notifications", { ctx, channels: notify, eventMetadata: { environment: config.stack } }, { parent: this });
    }
    let receiver: FluxReceiver | undefined;
    if (config.receiver.enabled) {
      receiver = new FluxReceiver("receiver", { ctx, receiver: config.receiver, repository: repository.name }, { parent: this });
    }

    this.deployKeyPublicKey = key.publicKeyOpenssh;
    this.deployKeyFingerprint = key.fingerprint;
    this.repositoryUrl = pulumi.output(repositoryUrl);
    this.syncPath = pulumi.output(config.syncPath.flux);
    this.fluxVersion = pulumi.output(install.version);
    if (receiver) {
      this.webhookPath = receiver.webhookPath;
      extraOutputs.set(this, { webhookUrl: receiver.webhookUrl });
    }
    // As before the package existed: the stack exports what the program needs; the engine learns a package
    // consumer's outputs from the Construct response.
    this.registerOutputs({});
  }
}
