// The flux-system sync: the SSH Secret, the GitRepository and the Kustomization that make Flux
// reconcile the stack's sync path of the repository.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { FLUX_SYNC_TYPE, SYNC_NAME } from "../contract.ts";
import { requestReconcile, sshSecretData } from "../flux/git-auth.ts";
import { syncManifests, type SyncTarget } from "../flux/sync.ts";
import { childOptions, type ComponentContext } from "./context.ts";
import { fluxSecret } from "./secret.ts";

export interface FluxSyncArgs {
  ctx: ComponentContext;
  target: SyncTarget;
  /** OpenSSH private key (a Pulumi secret). */
  identity: pulumi.Input<string>;
  identityPub: pulumi.Input<string>;
  knownHosts: string;
  /** The key's registration on GitHub: the Secret gets a key only once GitHub accepts it. */
  keyRegistered: pulumi.Resource;
  /** Deploy key fingerprint: a new key asks Flux to fetch again at once. */
  keyFingerprint: pulumi.Input<string>;
}

export class FluxSync extends pulumi.ComponentResource {
  readonly secret: k8s.core.v1.Secret;
  /** Absent when the install creates the sync objects itself (operator strategy). */
  readonly gitRepository?: k8s.apiextensions.CustomResource;
  readonly kustomization?: k8s.apiextensions.CustomResource;

  constructor(name: string, args: FluxSyncArgs, opts?: pulumi.ComponentResourceOptions) {
    super(FLUX_SYNC_TYPE, name, {}, opts);
    const { ctx } = args;
    const { gitRepository, kustomization } = syncManifests(args.target, ctx.install.namespaceName, ctx.metadata);
    // Custom resources need the CRDs and controllers; on destroy this order is reversed, so the
    // sync objects go while the controllers still run their finalizers.
    const crdsReady = ctx.install.ready;

    // Exactly the keys source-controller reads for SSH auth. On rotation the new key reaches the
    // cluster only after GitHub has it, so Flux never holds a key GitHub would refuse.
    this.secret = fluxSecret({
      name: SYNC_NAME,
      data: sshSecretData({ privateKey: args.identity, publicKey: args.identityPub }, args.knownHosts),
      ctx,
      parent: this,
      dependsOn: [args.keyRegistered],
    });
    // The operator strategy's FluxInstance creates these two itself.
    if (!ctx.install.ownsSyncObjects) {
      this.gitRepository = new k8s.apiextensions.CustomResource(
        `${SYNC_NAME}-git`,
        {
          ...gitRepository,
          metadata: {
            ...gitRepository.metadata,
            // A new deploy key (rotation) asks source-controller to fetch again straight away.
            annotations: pulumi.output(args.keyFingerprint).apply((fp) => requestReconcile(ctx.metadata.annotations, fp)),
          },
        },
        childOptions(ctx, this, [...crdsReady, this.secret]),
      );
      this.kustomization = new k8s.apiextensions.CustomResource(
        `${SYNC_NAME}-kustomization`,
        kustomization,
        childOptions(ctx, this, [...crdsReady, this.gitRepository]),
      );
    }
    this.registerOutputs({});
  }
}
