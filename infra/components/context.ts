// What every component that puts objects into the cluster needs, built once per stack by FluxGitOps.
import type * as pulumi from "@pulumi/pulumi";
import type { Metadata } from "../metadata.ts";
import type { FluxInstall } from "./flux-install.ts";

export interface ComponentContext {
  /** The Flux install: its namespace, and what every Flux custom resource waits for. */
  install: FluxInstall;
  /** Audit labels and annotations every object carries. */
  metadata: Metadata;
  /** Leave the objects in the cluster on `pulumi destroy` (`flux.keepOnDestroy`). */
  retainOnDelete: boolean;
}

/** Options of an in-cluster child of `parent`: retained on destroy as configured. */
export function childOptions(ctx: ComponentContext, parent: pulumi.Resource, dependsOn?: pulumi.Input<pulumi.Resource>[]) {
  return { parent, retainOnDelete: ctx.retainOnDelete, ...(dependsOn && { dependsOn }) };
}
