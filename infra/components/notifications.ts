// Outbound notifications: notification-controller Providers and Alerts (v1beta3) for a GitHub
// commit status and for optional Slack / Microsoft Teams / generic webhooks. Every token or webhook
// URL comes from a Pulumi secret and lives only in a Secret the Provider references.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { channelManifests, type ChannelSpec } from "../flux/notifications.ts";
import type { StackConfig } from "../config/index.ts";
import type { StackSecrets } from "../config/pulumi.ts";
import { NOTIFICATIONS_TYPE, SYNC_NAME } from "../contract.ts";
import { childOptions, type ComponentContext } from "./context.ts";
import { fluxSecret } from "./secret.ts";

type Notifications = StackConfig["notifications"];
type EventSource = Notifications["eventSources"][number];

/** One Provider + Alert pair (where events go, and which events) with the secret its Provider reads. */
export interface Channel extends ChannelSpec {
  /** Secret data the Provider reads (`token` or `address`). */
  secretKey: "token" | "address";
  secretValue: pulumi.Output<string>;
  eventSources: EventSource[];
}

/**
 * Flux's Git commit status providers need a commit hash in the event, which only Kustomization
 * events carry (Flux docs, "Git Commit Status Provider Notifications"). So the commit status
 * follows the flux-system Kustomization, always at `info` so successes are posted too; with
 * `wait: true` on that Kustomization (set by FluxGitOps when githubStatus is on) its status covers
 * the health of every HelmRelease it applied.
 */
const COMMIT_STATUS_SOURCES: EventSource[] = [{ kind: "Kustomization", name: SYNC_NAME }];

/** The Provider/Alert pairs the config asks for, in a fixed order. */
export function channels(cfg: Pick<StackConfig, "notifications" | "repository">, secrets: StackSecrets): Channel[] {
  const n = cfg.notifications;
  const chat = { eventSeverity: n.eventSeverity, eventSources: n.eventSources, secretKey: "address" as const };
  const out: Channel[] = [];
  if (n.githubStatus) {
    const { host, owner, name } = cfg.repository;
    out.push({
      name: "github-status",
      provider: { type: "github", address: `https://${host}/${owner}/${name}` },
      secretKey: "token",
      secretValue: need(secrets, "githubStatusToken"),
      eventSeverity: "info",
      eventSources: COMMIT_STATUS_SOURCES,
    });
  }
  if (n.slack) {
    const { channel, username } = n.slack;
    out.push({
      name: "slack",
      provider: { type: "slack", channel, ...(username && { username }) },
      secretValue: need(secrets, "slackWebhookUrl"),
      ...chat,
    });
  }
  if (n.teams) out.push({ name: "msteams", provider: { type: "msteams" }, secretValue: need(secrets, "teamsWebhookUrl"), ...chat });
  if (n.generic) out.push({ name: "generic", provider: { type: "generic" }, secretValue: need(secrets, "genericWebhookUrl"), ...chat });
  return out;
}

function need(secrets: StackSecrets, key: keyof StackSecrets): pulumi.Output<string> {
  const value = secrets[key];
  // The config schema already refuses a config that enables a channel without its secret.
  if (value === undefined) throw new pulumi.RunError(`flux-gitops:${key} is not set`);
  return value;
}

export interface FluxNotificationsArgs {
  ctx: ComponentContext;
  channels: Channel[];
  /** Added to every event sent, so a message names its environment. */
  eventMetadata: Record<string, string>;
}

export class FluxNotifications extends pulumi.ComponentResource {
  constructor(name: string, args: FluxNotificationsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(NOTIFICATIONS_TYPE, name, {}, opts);
    const { ctx } = args;
    for (const ch of args.channels) {
      const { provider, alert } = channelManifests({
        channel: ch,
        namespace: ctx.install.namespaceName,
        metadata: ctx.metadata,
        eventMetadata: args.eventMetadata,
      });
      const secret = fluxSecret({ name: `${ch.name}-secret`, data: { [ch.secretKey]: ch.secretValue }, ctx, parent: this });
      // CRs wait for the CRDs; on destroy they go first, while notification-controller still runs.
      const prov = new k8s.apiextensions.CustomResource(
        `${ch.name}-provider`,
        provider,
        childOptions(ctx, this, [...ctx.install.ready, secret]),
      );
      new k8s.apiextensions.CustomResource(`${ch.name}-alert`, alert, childOptions(ctx, this, [...ctx.install.ready, prov]));
    }
    this.registerOutputs({});
  }
}
