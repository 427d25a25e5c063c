// MetalLB (chart metallb/metallb@v0.14.9:charts/metallb; values typed from its values.yaml) and, in
// the next layer, the address pool and L2 announcement the LoadBalancer Services take their IPs from.
import { helmRelease, type BuildContext, type GitRepository, type HelmRelease } from "../../infra/render/objects.ts";
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

export function metallb(args: { values: MetalLBValues; source: GitRepository }, ctx: BuildContext): HelmRelease {
  return helmRelease(
    {
      name: "metallb",
      targetNamespace: METALLB_NAMESPACE,
      chart: { git: args.source, path: CHARTS.metallb.path },
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
