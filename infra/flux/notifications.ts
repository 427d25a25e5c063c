// Outbound notifications' Flux side: a notification-controller Provider (where events go) and Alert (which events)
// per channel (v1beta3). infra/components/notifications.ts creates them, and the Secrets they read, with Pulumi.
import { Alert, Provider, type IAlert, type IProvider } from "@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1beta3";
import type { Metadata } from "../metadata.ts";

/** What the Provider and Alert of one channel say (its secret is the component's business). */
export interface ChannelSpec {
  /** Name of the Provider, the Alert and (with `-secret`) the Secret the Provider reads. */
  name: string;
  provider: NonNullable<IProvider["spec"]>;
  eventSeverity: "info" | "error";
  eventSources: { kind: NonNullable<IAlert["spec"]>["eventSources"][number]["kind"]; name: string; namespace?: string }[];
}

export interface ChannelManifestOptions {
  channel: ChannelSpec;
  namespace: string;
  metadata: Metadata;
  /** Added to every event sent, so a message names its environment. */
  eventMetadata: Record<string, string>;
}

/** Provider and Alert manifests of one channel, schema-checked against the Flux CRDs. */
export function channelManifests({ channel: ch, namespace, metadata, eventMetadata }: ChannelManifestOptions) {
  const meta = { name: ch.name, namespace, ...metadata };
  const provider: IProvider = {
    apiVersion: "notification.toolkit.fluxcd.io/v1beta3",
    kind: "Provider",
    metadata: meta,
    spec: { ...ch.provider, secretRef: { name: `${ch.name}-secret` } },
  };
  const alert: IAlert = {
    apiVersion: "notification.toolkit.fluxcd.io/v1beta3",
    kind: "Alert",
    metadata: meta,
    spec: {
      providerRef: { name: ch.name },
      eventSeverity: ch.eventSeverity,
      eventSources: ch.eventSources.map((s) => ({ kind: s.kind, name: s.name, ...(s.namespace && { namespace: s.namespace }) })),
      eventMetadata,
    },
  };
  new Provider(provider).validate();
  new Alert(alert).validate();
  return { provider, alert };
}
