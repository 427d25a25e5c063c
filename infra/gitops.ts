// One environment's GitOps wiring: deploy key on GitHub, Flux in the cluster, sync from Git.
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config/index.ts";
import { DeployKey } from "./deploy-key/deploy-key.ts";
import { FluxInstall } from "./flux/install.ts";
import { FluxSync } from "./flux/sync.ts";
import { knownHostsFor } from "./github/known-hosts.ts";
import { auditMetadata } from "./labels.ts";

export interface FluxGitOpsArgs {
  config: StackConfig;
}

export class FluxGitOps extends pulumi.ComponentResource {
  readonly deployKey: DeployKey;
  readonly install: FluxInstall;
  readonly sync: FluxSync;
  readonly repositoryUrl: string;

  constructor(name: string, { config }: FluxGitOpsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flux-gitops:index:FluxGitOps", name, {}, opts);
    const { repository, deployKey, flux, sync } = config;
    const { labels, annotations } = auditMetadata(config);
    this.repositoryUrl = `ssh://git@${repository.host}/${repository.owner}/${repository.name}`;

    this.deployKey = new DeployKey(
      "deploy-key",
      {
        repository: repository.name,
        title: `flux-gitops ${config.stack} (${config.syncPath})`,
        ...deployKey,
      },
      { parent: this },
    );
    this.install = new FluxInstall("flux", { flux, labels }, { parent: this });
    this.sync = new FluxSync(
      "sync",
      {
        install: this.install,
        url: this.repositoryUrl,
        branch: repository.branch,
        path: config.syncPath,
        gitInterval: sync.gitInterval,
        kustomizationInterval: sync.kustomizationInterval,
        timeout: sync.timeout,
        identity: this.deployKey.privateKeyOpenssh,
        identityPub: this.deployKey.publicKeyOpenssh,
        knownHosts: knownHostsFor(repository.host, config.knownHosts),
        keyRegistered: this.deployKey.registration,
        keyFingerprint: this.deployKey.fingerprint,
        labels,
        annotations,
        retainOnDelete: flux.keepOnDestroy,
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
