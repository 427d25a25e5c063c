// What image automation needs from Pulumi, created only when flux-gitops:imageAutomation.enabled: a
// second deploy key that may push (its own key pair, GitHub deploy key, Secret and GitRepository), and
// the docker-registry Secret for private registries. The sync's read-only key and Secret are untouched.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { StackConfig } from "../config/index.ts";
import { AUTOMATION_KEY_NAME, AUTOMATION_NAME, IMAGE_AUTOMATION_TYPE, IMAGE_REGISTRY_SECRET } from "../contract.ts";
import { automationRepositoryManifest, dockerConfigJson } from "../flux/automation.ts";
import { requestReconcile, sshSecretData } from "../flux/git-auth.ts";
import type { SyncTarget } from "../flux/sync.ts";
import { childOptions, type ComponentContext } from "./context.ts";
import { DeployKey } from "./deploy-key.ts";
import { fluxSecret } from "./secret.ts";

export interface ImageAutomationAccessArgs {
  ctx: ComponentContext;
  config: StackConfig;
  /** The sync's repository and branch: the automation checks out and pushes the same repository. */
  target: SyncTarget;
  knownHosts: string;
  /** `flux-gitops:imageRegistryPassword` as a Pulumi secret (required when imageAutomation.registry is set). */
  registryPassword?: pulumi.Output<string>;
}

export class ImageAutomationAccess extends pulumi.ComponentResource {
  /** The write-enabled deploy key; its GitHub registration is the only one with readOnly false. */
  readonly deployKey: DeployKey;
  readonly secret: k8s.core.v1.Secret;
  readonly gitRepository: k8s.apiextensions.CustomResource;
  readonly registrySecret?: k8s.core.v1.Secret;

  constructor(name: string, args: ImageAutomationAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super(IMAGE_AUTOMATION_TYPE, name, {}, opts);
    const { ctx, config } = args;
    const { repository, deployKey } = config;

    this.deployKey = new DeployKey(
      AUTOMATION_KEY_NAME,
      {
        repository: repository.name,
        title: `flux-gitops ${config.stack} image automation (${config.syncPath.folder})`,
        algorithm: deployKey.algorithm,
        ecdsaCurve: deployKey.ecdsaCurve,
        rsaBits: deployKey.rsaBits,
        rotation: deployKey.rotation,
        // The automation commits the tags it picks: it must push (docs/image-automation.md, branch protection).
        readOnly: false,
      },
      { parent: this },
    );
    this.secret = fluxSecret({
      name: AUTOMATION_NAME,
      data: sshSecretData({ privateKey: this.deployKey.privateKeyOpenssh, publicKey: this.deployKey.publicKeyOpenssh }, args.knownHosts),
      ctx,
      parent: this,
      dependsOn: [this.deployKey.registration],
    });
    const manifest = automationRepositoryManifest(args.target, ctx.install.namespaceName, ctx.metadata);
    this.gitRepository = new k8s.apiextensions.CustomResource(
      `${AUTOMATION_NAME}-git`,
      {
        ...manifest,
        metadata: {
          ...manifest.metadata,
          // A new key (rotation) asks source-controller to fetch again straight away.
          annotations: this.deployKey.fingerprint.apply((fp) => requestReconcile(ctx.metadata.annotations, fp)),
        },
      },
      childOptions(ctx, this, [...ctx.install.ready, this.secret]),
    );

    const registry = config.imageAutomation.registry;
    if (registry !== undefined) {
      if (args.registryPassword === undefined) {
        throw new Error("imageAutomation.registry is set but flux-gitops:imageRegistryPassword is missing");
      }
      const dockerConfig = args.registryPassword.apply((password) => dockerConfigJson(registry.server, registry.username, password));
      this.registrySecret = fluxSecret({
        name: IMAGE_REGISTRY_SECRET,
        data: { ".dockerconfigjson": dockerConfig },
        ctx,
        parent: this,
        type: "kubernetes.io/dockerconfigjson",
      });
    }
    this.registerOutputs({ publicKeyOpenssh: this.deployKey.publicKeyOpenssh, fingerprint: this.deployKey.fingerprint });
  }
}
