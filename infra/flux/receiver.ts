// The push webhook's Flux side: the Receiver notification-controller serves for GitHub's push events, the path it
// serves it on, and the Service in front of it. infra/components/receiver.ts creates them with Pulumi.
import { createHash } from "node:crypto";
import { Receiver, type IReceiver } from "@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1";
import { SYNC_NAME } from "../contract.ts";
import type { Metadata } from "../metadata.ts";

export const RECEIVER_NAME = "github-receiver";
/** The Service both install strategies create in front of notification-controller's port 9292. */
export const WEBHOOK_SERVICE = { name: "webhook-receiver", port: 80 } as const;

/**
 * The path notification-controller serves a Receiver on: `/hook/` + hex sha256 of
 * token + name + namespace (notification-controller `Receiver.GetWebhookPath`).
 */
export function webhookPath(token: string, name: string, namespace: string): string {
  return `/hook/${createHash("sha256")
    .update(token + name + namespace)
    .digest("hex")}`;
}

/** The Receiver that makes source-controller fetch the flux-system GitRepository on a push, schema-checked. */
export function receiverManifest(namespace: string, metadata: Metadata): IReceiver {
  const receiver: IReceiver = {
    apiVersion: "notification.toolkit.fluxcd.io/v1",
    kind: "Receiver",
    metadata: { name: RECEIVER_NAME, namespace, ...metadata },
    spec: {
      type: "github",
      events: ["ping", "push"],
      secretRef: { name: `${RECEIVER_NAME}-token` },
      resources: [{ apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", name: SYNC_NAME }],
    },
  };
  new Receiver(receiver).validate();
  return receiver;
}
