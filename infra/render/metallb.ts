// MetalLB's address pool and L2 announcement (metallb.io/v1beta1). No @kubernetes-models package
// covers MetalLB, so the fields used here are typed from MetalLB's API types (api/v1beta1
// ipaddresspool_types.go, l2advertisement_types.go; the CRDs of chart 0.14.9) and checked by a strict
// schema: an unknown or misspelt field is a render error, as the API server's structural schema
// would prune it silently.
import { z } from "zod";
import type { BuildContext, ObjectInput } from "./objects.ts";
import { objectMeta } from "./objects.ts";
import { traced } from "./origin.ts";

/** `a.b.c.d-e.f.g.h` or a CIDR `a.b.c.d/n` (IPv4; MetalLB accepts IPv6 too, this repository uses none). */
const IPV4 = String.raw`(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}`;
const ADDRESS_RANGE = new RegExp(`^${IPV4}(-${IPV4}|/(3[0-2]|[12]?\\d))$`);

const metadata = z.object({
  name: z.string().min(1),
  namespace: z.string().min(1),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const ipAddressPoolSpec = z.strictObject({
  addresses: z.array(z.string().regex(ADDRESS_RANGE, "must be an IPv4 range a.b.c.d-e.f.g.h or a CIDR")).min(1),
  autoAssign: z.boolean().optional(),
  avoidBuggyIPs: z.boolean().optional(),
});

const l2AdvertisementSpec = z.strictObject({
  ipAddressPools: z.array(z.string().min(1)).min(1).optional(),
  interfaces: z.array(z.string().min(1)).optional(),
});

export type IPAddressPoolSpec = z.infer<typeof ipAddressPoolSpec>;
export type L2AdvertisementSpec = z.infer<typeof l2AdvertisementSpec>;

export const METALLB_API_VERSION = "metallb.io/v1beta1";

/** A MetalLB object with the `validate()`/`toJSON()` shape of the @kubernetes-models classes. */
class MetalLBObject<Spec> {
  readonly apiVersion = METALLB_API_VERSION;
  readonly kind: string;
  metadata: z.infer<typeof metadata>;
  spec: Spec;
  readonly #schema: z.ZodType;

  constructor(kind: string, meta: z.infer<typeof metadata>, spec: Spec, schema: z.ZodType) {
    this.kind = kind;
    this.metadata = meta;
    this.spec = spec;
    this.#schema = schema;
  }

  validate(): void {
    const result = z.object({ metadata, spec: this.#schema }).safeParse({ metadata: this.metadata, spec: this.spec });
    if (result.success) return;
    // The error shape @kubernetes-models raises (ajv), so violations() reports these the same way.
    throw Object.assign(new Error(`${this.kind} is invalid`), {
      errors: result.error.issues.map((issue) => ({
        instancePath: issue.path.map((p) => `/${String(p)}`).join(""),
        message: issue.code === "unrecognized_keys" ? `has unknown field(s) ${issue.keys.join(", ")}` : issue.message,
      })),
    });
  }

  toJSON(): unknown {
    // Drop unset optional fields, as the @kubernetes-models classes do.
    return JSON.parse(JSON.stringify({ apiVersion: this.apiVersion, kind: this.kind, metadata: this.metadata, spec: this.spec }));
  }
}

export class IPAddressPool extends MetalLBObject<IPAddressPoolSpec> {
  constructor(meta: z.infer<typeof metadata>, spec: IPAddressPoolSpec) {
    super("IPAddressPool", meta, spec, ipAddressPoolSpec);
  }
}

export class L2Advertisement extends MetalLBObject<L2AdvertisementSpec> {
  constructor(meta: z.infer<typeof metadata>, spec: L2AdvertisementSpec) {
    super("L2Advertisement", meta, spec, l2AdvertisementSpec);
  }
}

type MetalLBInput = Omit<ObjectInput, "interval"> & { namespace: string };

export function ipAddressPool(input: MetalLBInput & IPAddressPoolSpec, ctx: BuildContext): IPAddressPool {
  const { addresses, autoAssign, avoidBuggyIPs, ...meta } = input;
  return traced(new IPAddressPool(objectMeta(meta, ctx) as z.infer<typeof metadata>, { addresses, autoAssign, avoidBuggyIPs }));
}

/** Announces `pools` on layer 2 (ARP/NDP). */
export function l2Advertisement(input: MetalLBInput & { pools: IPAddressPool[] }, ctx: BuildContext): L2Advertisement {
  const { pools, ...meta } = input;
  return new L2Advertisement(objectMeta(meta, ctx) as z.infer<typeof metadata>, {
    ipAddressPools: pools.map((p) => p.metadata.name),
  });
}
