// The one way components put a Secret into the Flux namespace: Opaque (or the given type), audit metadata, and every
// value wrapped as a Pulumi secret so it never shows in plaintext in state, outputs or logs.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { childOptions, type ComponentContext } from "./context.ts";

export interface FluxSecretOptions {
  name: string;
  data: Record<string, pulumi.Input<string>>;
  ctx: ComponentContext;
  parent: pulumi.Resource;
  dependsOn?: pulumi.Input<pulumi.Resource>[];
  /** Default: `Opaque`. */
  type?: "Opaque" | "kubernetes.io/dockerconfigjson";
}

export function fluxSecret({ name, data, ctx, parent, dependsOn, type = "Opaque" }: FluxSecretOptions): k8s.core.v1.Secret {
  return new k8s.core.v1.Secret(
    name,
    {
      // The namespace output makes the Secret wait for the namespace (not for the whole install).
      metadata: { name, namespace: ctx.install.namespace, ...ctx.metadata },
      type,
      stringData: pulumi.secret(data),
    },
    childOptions(ctx, parent, dependsOn),
  );
}
