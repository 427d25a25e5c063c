// Instant reconcile: a GitHub push webhook → notification-controller Receiver → source-controller
// fetches the flux-system GitRepository at once instead of at its next poll.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as github from "@pulumi/github";
import * as random from "@pulumi/random";
import type { StackConfig } from "../config/index.ts";
import { RECEIVER_TYPE } from "../contract.ts";
import { RECEIVER_NAME, WEBHOOK_SERVICE, receiverManifest, webhookPath } from "../flux/receiver.ts";
import { childOptions, type ComponentContext } from "./context.ts";
import { fluxSecret } from "./secret.ts";

export interface FluxReceiverArgs {
  ctx: ComponentContext;
  receiver: StackConfig["receiver"];
  /** GitHub repository (name) that gets the webhook. */
  repository: string;
}

export class FluxReceiver extends pulumi.ComponentResource {
  /** Path of the webhook on the public base URL. Derived from the token but not secret (see README). */
  readonly webhookPath: pulumi.Output<string>;
  readonly webhookUrl: pulumi.Output<string>;

  constructor(name: string, args: FluxReceiverArgs, opts?: pulumi.ComponentResourceOptions) {
    super(RECEIVER_TYPE, name, {}, opts);
    const { receiver, ctx } = args;
    const { install } = ctx;
    const namespace = install.namespaceName;

    // The HMAC key GitHub signs each delivery with, and the Receiver checks.
    const token = new random.RandomPassword("receiver-token", { length: 48, special: false }, { parent: this });
    const secret = fluxSecret({ name: `${RECEIVER_NAME}-token`, data: { token: token.result }, ctx, parent: this });
    const cr = new k8s.apiextensions.CustomResource(
      RECEIVER_NAME,
      receiverManifest(namespace, ctx.metadata),
      childOptions(ctx, this, [...install.ready, secret]),
    );

    const waitFor: pulumi.Resource[] = [cr];
    if (receiver.ingress) {
      const { host, className, tlsSecretName, annotations } = receiver.ingress;
      waitFor.push(
        new k8s.networking.v1.Ingress(
          WEBHOOK_SERVICE.name,
          {
            metadata: {
              name: WEBHOOK_SERVICE.name,
              namespace: install.namespace,
              labels: ctx.metadata.labels,
              annotations: { ...ctx.metadata.annotations, ...annotations },
            },
            spec: {
              ingressClassName: className,
              // Only the Receiver paths, nothing else of notification-controller.
              rules: [
                {
                  host,
                  http: {
                    paths: [
                      {
                        path: "/hook/",
                        pathType: "Prefix",
                        backend: { service: { name: WEBHOOK_SERVICE.name, port: { number: WEBHOOK_SERVICE.port } } },
                      },
                    ],
                  },
                },
              ],
              tls: tlsSecretName ? [{ hosts: [host], secretName: tlsSecretName }] : undefined,
            },
          },
          // The Service comes with the install.
          childOptions(ctx, this, install.ready),
        ),
      );
    }

    // sha256 is one-way and the token has 48 random characters, so the path reveals nothing
    // about the token; Flux itself publishes it in the Receiver's status.
    this.webhookPath = pulumi.unsecret(token.result.apply((t) => webhookPath(t, RECEIVER_NAME, namespace)));
    const baseUrl = receiver.publicBaseUrl ?? `https://${receiver.ingress!.host}`;
    this.webhookUrl = pulumi.interpolate`${baseUrl}${this.webhookPath}`;

    // GitHub sends `ping` on creation and `push` on every push; created once the Receiver (and
    // Ingress) exist, deleted before them.
    new github.RepositoryWebhook(
      "receiver",
      {
        repository: args.repository,
        active: true,
        events: ["push"],
        configuration: { url: this.webhookUrl, contentType: "json", secret: token.result, insecureSsl: false },
      },
      { parent: this, dependsOn: waitFor },
    );
    this.registerOutputs({ webhookPath: this.webhookPath });
  }
}
