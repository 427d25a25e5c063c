// MetalLB (chart metallb/metallb@v0.14.9:charts/metallb; values typed from its values.yaml) and, in
// the next layer, the address pool and L2 announcement the LoadBalancer Services take their IPs from.
import {
  helmRelease,
  webhookPaths,
  type BuildContext,
  type DriftIgnoreRule,
  type GitRepository,
  type HelmRelease,
} from "../../infra/render/objects.ts";
import { ipAddressPool, l2Advertisement, type IPAddressPool, type L2Advertisement } from "../../infra/render/metallb.ts";
import { CHARTS } from "./charts.ts";

export const METALLB_NAMESPACE = "metallb-system";

/** The subset of the metallb chart's values this repository sets. */
export interface MetalLBValues {
  /** FRR mode is the chart default; the team runs plain L2 (the metallb-native manifest), so false. */
  speaker: { frr: { enabled: boolean } };
  controller: { resources?: Resources };
}

export interface Resources {
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
}

export const METALLB_DEFAULTS: MetalLBValues = { speaker: { frr: { enabled: false } }, controller: {} };

/**
 * What MetalLB's controller rewrites after Helm applied it. Its cert rotator
 * (open-policy-agent/cert-controller, `enableCertRotation` in metallb/metallb@v0.14.9:internal/k8s, field
 * owner "MetalLB") creates the serving certificate and patches the CA into the webhooks it lists: the
 * validating webhooks and the bgppeers CRD's conversion webhook. The chart renders a placeholder caBundle
 * in that CRD (charts/metallb/charts/crds/templates/crds.yaml) and an empty Secret for the certificate.
 */
export const METALLB_DRIFT_IGNORE: DriftIgnoreRule[] = [
  {
    paths: ["/spec/conversion/webhook/clientConfig/caBundle"],
    target: { kind: "CustomResourceDefinition", name: "bgppeers.metallb.io" },
    reason: "metallb controller cert rotator (CRDConversion target) replaces the chart's placeholder caBundle",
  },
  {
    // Six validating webhooks at 0.14.9 (bgppeer, ipaddresspool, bgpadvertisement, community, bfdprofile, l2advertisement).
    paths: webhookPaths(6, "clientConfig/caBundle"),
    target: { kind: "ValidatingWebhookConfiguration", name: "metallb-webhook-configuration" },
    reason: "metallb controller cert rotator (Validating target) injects its CA",
  },
  {
    paths: ["/data"],
    target: { kind: "Secret", name: "metallb-webhook-cert" },
    reason: "the chart renders the Secret empty; the cert rotator writes ca.crt/tls.crt/tls.key into it",
  },
];

/**
 * Keep MetalLB's CRDs when Helm uninstalls the release. The chart renders them as templates (its crds
 * subchart) without `helm.sh/resource-policy: keep`, and on the team's cluster the release adopts the
 * CRDs the manifest created: a failed first install is remediated by an uninstall (helm-controller
 * install remediation), which would delete the CRDs and with them every IPAddressPool, so every
 * LoadBalancer Service would lose its IP. Every CRD of the chart has annotations, so `add` works.
 */
export const KEEP_METALLB_CRDS = {
  target: { kind: "CustomResourceDefinition" },
  patch: "- op: add\n  path: /metadata/annotations/helm.sh~1resource-policy\n  value: keep\n",
};

export function metallb(args: { values: MetalLBValues; source: GitRepository }, ctx: BuildContext): HelmRelease {
  return helmRelease(
    {
      name: "metallb",
      targetNamespace: METALLB_NAMESPACE,
      chart: { git: args.source, path: CHARTS.metallb.path },
      driftIgnore: METALLB_DRIFT_IGNORE,
      patches: [KEEP_METALLB_CRDS],
      values: { ...args.values },
    },
    ctx,
  );
}

/** The addresses MetalLB hands out, announced on layer 2 (IPAddressPool + L2Advertisement). */
export interface AddressPool {
  name: string;
  /** Ranges `a.b.c.d-e.f.g.h` or CIDRs. */
  addresses: string[];
}

export function addressPool(pool: AddressPool, ctx: BuildContext): [IPAddressPool, L2Advertisement] {
  const ipPool = ipAddressPool({ name: pool.name, namespace: METALLB_NAMESPACE, addresses: pool.addresses }, ctx);
  const l2 = l2Advertisement({ name: pool.name.replace(/-pool$/, "-l2"), namespace: METALLB_NAMESPACE, pools: [ipPool] }, ctx);
  return [ipPool, l2];
}
