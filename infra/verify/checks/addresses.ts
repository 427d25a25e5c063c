// Every IP a LoadBalancer Service asks for (spec.loadBalancerIP, or MetalLB's loadBalancerIPs
// annotation) lies in a MetalLB IPAddressPool of the view — in the pool the Service names, if it names
// one — or MetalLB never assigns it and the Service stays <pending>. IPv4 only: anything else is a finding.
import type { ClusterView, Finding } from "../model.ts";
import { asArray, asRecord, finding, groupVersion, nameOf, objectsOf, str } from "./common.ts";

export const NAME = "addresses";

// MetalLB's Service annotations (docs: metallb.universe.tf/usage/), with the new metallb.io/ prefix
// and the old metallb.universe.tf/ one.
const IP_ANNOTATIONS = ["metallb.universe.tf/loadBalancerIPs", "metallb.io/loadBalancerIPs"];
const POOL_ANNOTATIONS = ["metallb.universe.tf/address-pool", "metallb.io/address-pool"];

/** An IPv4 address as a number, or undefined. */
export function ipv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

/** `[first, last]` of an IPAddressPool entry (`a-b` or a CIDR), or undefined when it is not IPv4. */
export function ipv4Range(entry: string): [number, number] | undefined {
  const dash = entry.split("-");
  if (dash.length === 2) {
    const a = ipv4(dash[0]!);
    const b = ipv4(dash[1]!);
    return a !== undefined && b !== undefined && a <= b ? [a, b] : undefined;
  }
  const cidr = /^([^/]+)\/(\d{1,2})$/.exec(entry.trim());
  if (!cidr) return undefined;
  const base = ipv4(cidr[1]!);
  const bits = Number(cidr[2]);
  if (base === undefined || bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  const first = base - (base % size);
  return [first, first + size - 1];
}

interface Pool {
  name: string;
  ranges: [number, number][];
}

export function addresses(view: ClusterView): Finding[] {
  const out: Finding[] = [];
  const objects = objectsOf(view);
  const pools: Pool[] = [];
  for (const o of objects) {
    if (o.manifest.kind !== "IPAddressPool" || o.manifest.apiVersion !== "metallb.io/v1beta1") continue;
    const ranges: [number, number][] = [];
    const list = asRecord(o.manifest.spec).addresses;
    if (!Array.isArray(list)) out.push(finding(NAME, o, "spec.addresses is not a list"));
    for (const entry of asArray(list)) {
      const r = typeof entry === "string" ? ipv4Range(entry) : undefined;
      if (r === undefined)
        out.push(finding(NAME, o, `address ${JSON.stringify(entry)} is not an IPv4 range or CIDR, so it is not checked`));
      else ranges.push(r);
    }
    pools.push({ name: nameOf(o.manifest) ?? "", ranges });
  }
  for (const o of objects) {
    const m = o.manifest;
    if (m.kind !== "Service" || groupVersion(m.apiVersion)?.[0] !== "") continue;
    const spec = asRecord(m.spec);
    if (spec.type !== "LoadBalancer") continue;
    const annotations = asRecord(asRecord(m.metadata).annotations);
    const asked: { ip: string; from: string }[] = [];
    if (spec.loadBalancerIP !== undefined && spec.loadBalancerIP !== "")
      asked.push({ ip: String(spec.loadBalancerIP), from: "spec.loadBalancerIP" });
    for (const a of IP_ANNOTATIONS) {
      if (annotations[a] === undefined) continue;
      for (const ip of String(annotations[a]).split(",")) asked.push({ ip: ip.trim(), from: `annotation ${a}` });
    }
    if (asked.length === 0) continue;
    const poolName = POOL_ANNOTATIONS.map((a) => str(annotations[a])).find((v) => v !== undefined);
    const candidates = poolName === undefined ? pools : pools.filter((p) => p.name === poolName);
    if (poolName !== undefined && candidates.length === 0) {
      out.push(finding(NAME, o, `names IPAddressPool ${poolName}, which is not in the view`));
      continue;
    }
    for (const { ip, from } of asked) {
      const n = ipv4(ip);
      if (n === undefined) {
        out.push(finding(NAME, o, `${from} ${JSON.stringify(ip)} is not an IPv4 address, so it cannot be checked against the pools`));
        continue;
      }
      if (!candidates.some((p) => p.ranges.some(([a, b]) => n >= a && n <= b)))
        out.push(
          finding(
            NAME,
            o,
            `${from} ${ip} is in no MetalLB IPAddressPool of the view${poolName ? ` named ${poolName}` : ""} (${pools.length === 0 ? "there is none" : pools.map((p) => p.name).join(", ")})`,
          ),
        );
    }
  }
  return out;
}
