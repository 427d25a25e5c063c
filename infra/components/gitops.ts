// One environment's GitOps wiring: deploy key on GitHub, Flux in the cluster, sync from Git.
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config/index.ts";
import type { StackSecrets } from "../config/pulumi.ts";
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

export interface FluxGitOpsArgs {
  config: StackConfig;
  /** The secret settings (tokens, webhook URLs) as Pulumi secrets. */
  secrets?: StackSecrets;
}

export class FluxGitOps extends pulumi.ComponentResource {
  readonly deployKey: DeployKey;
  readonly install: FluxInstall;
  readonly sync: FluxSync;
  readonly receiver?: FluxReceiver;
  /** Only when flux-gitops:imageAutomation.enabled: the automation's own write key, Secret and GitRepository. */
  readonly imageAutomation?: ImageAutomationAccess;
  readonly repositoryUrl: string;

  constructor(name: string, { config, secrets = {} }: FluxGitOpsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(GITOPS_TYPE, name, {}, opts);
    const { repository, deployKey, flux, sync } = config;
    const metadata = auditMetadata(config);
    this.repositoryUrl = `ssh://git@${repository.host}/${repository.owner}/${repository.name}`;

    this.deployKey = new DeployKey(
      "deploy-key",
      { repository: repository.name, title: `flux-gitops ${config.stack} (${config.syncPath.folder})`, ...deployKey },
      { parent: this },
    );
    // What Flux syncs, the same for both install strategies. With GitHub commit statuses on, the
    // Kustomization waits for what it applied to be healthy, so its status covers the HelmReleases.
    const target: SyncTarget = {
      url: this.repositoryUrl,
      branch: repository.branch,
      path: config.syncPath,
      gitInterval: sync.gitInterval,
      kustomizationInterval: sync.kustomizationInterval,
      timeout: sync.timeout,
      wait: config.notifications.githubStatus,
      // Under the lockdown's --default-service-account, Flux's own sync must name an account with
      // rights to apply cluster/<env>: the controller's own (as the Flux docs prescribe).
      serviceAccountName: flux.multitenancy.defaultServiceAccount ? "kustomize-controller" : undefined,
    };
    this.install = new FluxInstall("flux", { flux, metadata, sync: target, keyFingerprint: this.deployKey.fingerprint }, { parent: this });
    const ctx: ComponentContext = { install: this.install, metadata, retainOnDelete: flux.keepOnDestroy };
    const knownHosts = knownHostsFor(repository.host, config.knownHosts);
    this.sync = new FluxSync(
      "sync",
      {
        ctx,
        target,
        identity: this.deployKey.privateKeyOpenssh,
        identityPub: this.deployKey.publicKeyOpenssh,
        knownHosts,
        keyRegistered: this.deployKey.registration,
        keyFingerprint: this.deployKey.fingerprint,
      },
      { parent: this },
    );

    if (config.imageAutomation.enabled) {
      this.imageAutomation = new ImageAutomationAccess(
        "image-automation",
        { ctx, config, target, knownHosts, registryPassword: secrets.imageRegistryPassword },
        { parent: this },
      );
    }

    // Alertmanager's SMTP password for the prom-monitoring HelmRelease (valuesFrom, stacks/releases/monitoring.ts):
    // a Pulumi secret end to end, never in Git.
    if (secrets.alertmanagerSmtpPassword) {
      const values = secrets.alertmanagerSmtpPassword.apply(alertmanagerSmtpValues);
      fluxSecret(ALERTMANAGER_SMTP_SECRET, { [ALERTMANAGER_SMTP_KEY]: values }, ctx, this);
    }

    const notify = channels(config, secrets);
    if (notify.length > 0) {
      new FluxNotifications("notifications", { ctx, channels: notify, eventMetadata: { environment: config.stack } }, { parent: this });
    }
    if (config.receiver.enabled) {
      this.receiver = new FluxReceiver("receiver", { ctx, receiver: config.receiver, repository: repository.name }, { parent: this });
    }
    this.registerOutputs({});
  }
}
