/**
 * Fleet IPAM: pure, deterministic CIDR allocation with no overlap across the whole fleet.
 *
 * Every network and every cluster owns a *slot* in its domain's pools (set in its stack
 * config). A slot maps to a fixed range, so adding or removing a stack never renumbers
 * another one — the property that makes allocation safe in production (a changed CIDR
 * is a replaced VPC). Hand-set ranges are allowed and are checked against everything.
 */
import * as ipaddr from "ipaddr.js";
import type { Domain } from "../residency/catalogue";

export interface IpamPools {
  /** Node/VPC ranges: one `prefixes.nodes` block per network slot. */
  readonly nodes: string;
  /** Pod ranges: one `prefixes.pods` block per cluster slot. */
  readonly pods: string;
  /** Service ranges: one `prefixes.services` block per cluster slot. */
  readonly services: string;
}

export interface IpamSettings {
  readonly pools: Record<Domain, IpamPools>;
  readonly prefixes: { readonly nodes: number; readonly pods: number; readonly services: number };
}

/**
 * Defaults: EU and US take disjoint halves of each pool. Nodes from 10.0.0.0/9 (64 × /16
 * per domain), pods from 100.64.0.0/10 (CGNAT space, 128 × /18 per domain), services
 * from 172.16.0.0/13 (256 × /22 per domain; EKS requires RFC 1918 service ranges).
 */
export const DEFAULT_IPAM: IpamSettings = {
  pools: {
    eu: { nodes: "10.0.0.0/10", pods: "100.64.0.0/11", services: "172.16.0.0/14" },
    us: { nodes: "10.64.0.0/10", pods: "100.96.0.0/11", services: "172.20.0.0/14" },
  },
  prefixes: { nodes: 16, pods: 18, services: 22 },
};

/** A range as two unsigned 32-bit integers, inclusive. */
export interface Range {
  readonly start: number;
  readonly end: number;
}

/** Parse and normalise an IPv4 CIDR; throws on anything else, including host bits set. */
export function parseCidr(cidr: string): Range & { readonly prefix: number } {
  if (!ipaddr.IPv4.isValidCIDR(cidr)) {
    throw new Error(`"${cidr}" is not an IPv4 CIDR`);
  }
  const [addr, prefix] = ipaddr.IPv4.parseCIDR(cidr);
  const base = toInt(addr.toByteArray());
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) {
    throw new Error(`"${cidr}" has host bits set; did you mean ${fromInt(base - (base % size))}/${prefix}?`);
  }
  return { start: base, end: base + size - 1, prefix };
}

function toInt(bytes: number[]): number {
  return ((bytes[0] << 24) >>> 0) + (bytes[1] << 16) + (bytes[2] << 8) + bytes[3];
}

export function fromInt(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

export function formatCidr(start: number, prefix: number): string {
  return `${fromInt(start)}/${prefix}`;
}

/** The `index`-th block of length `/prefix` inside `pool`. Throws when the pool is exhausted. */
export function subnet(pool: string, prefix: number, index: number): string {
  const p = parseCidr(pool);
  if (prefix < p.prefix) throw new Error(`cannot carve /${prefix} blocks out of ${pool}`);
  const capacity = 2 ** (prefix - p.prefix);
  if (!Number.isInteger(index) || index < 0 || index >= capacity) {
    throw new Error(`slot ${index} is outside ${pool}, which holds ${capacity} /${prefix} blocks (0..${capacity - 1})`);
  }
  return formatCidr(p.start + index * 2 ** (32 - prefix), prefix);
}

/** How many `/prefix` blocks a pool holds. */
export function capacity(pool: string, prefix: number): number {
  return 2 ** (prefix - parseCidr(pool).prefix);
}

export function overlaps(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return x.start <= y.end && y.start <= x.end;
}

export function contains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  return o.start <= i.start && i.end <= o.end;
}

/** The node range of a network slot (or its hand-set CIDR). */
export function networkCidr(ipam: IpamSettings, domain: Domain, slot: number, handSet?: string): string {
  if (handSet !== undefined) {
    parseCidr(handSet);
    return handSet;
  }
  return subnet(ipam.pools[domain].nodes, ipam.prefixes.nodes, slot);
}

/** Pod and service ranges of a cluster slot. */
export function clusterCidrs(ipam: IpamSettings, domain: Domain, slot: number): { pods: string; services: string } {
  return {
    pods: subnet(ipam.pools[domain].pods, ipam.prefixes.pods, slot),
    services: subnet(ipam.pools[domain].services, ipam.prefixes.services, slot),
  };
}

/**
 * Split a network range into `count` equal subnets of `/prefix`, starting at block
 * `offset` (so private, public and gateway subnets come from disjoint parts).
 */
export function carve(cidr: string, prefix: number, count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => subnet(cidr, prefix, offset + i));
}

/** A range somebody claims: a stack, what for, and the CIDR. */
export interface Claim {
  readonly owner: string;
  readonly purpose: string;
  readonly cidr: string;
}

/**
 * Every pair of claims whose ranges overlap. Sorted sweep: O(n log n + k) for k overlaps,
 * so a fleet of thousands of ranges is checked in milliseconds.
 */
export function findOverlaps(claims: readonly Claim[]): Array<[Claim, Claim]> {
  const sorted = claims
    .map((c) => ({ c, r: parseCidr(c.cidr) }))
    .sort((a, b) => a.r.start - b.r.start || b.r.end - a.r.end);
  const found: Array<[Claim, Claim]> = [];
  const open: typeof sorted = [];
  for (const cur of sorted) {
    // Ranges that ended before this one starts can never overlap a later one either.
    for (let i = open.length - 1; i >= 0; i--) {
      if (open[i].r.end < cur.r.start) open.splice(i, 1);
    }
    for (const o of open) found.push([o.c, cur.c]);
    open.push(cur);
  }
  return found;
}

/** Check the settings themselves: every pool valid, and no two pools of the fleet overlap. */
export function validateIpamSettings(ipam: IpamSettings): string[] {
  const problems: string[] = [];
  const claims: Claim[] = [];
  for (const [domain, pools] of Object.entries(ipam.pools)) {
    for (const [purpose, cidr] of Object.entries(pools)) {
      try {
        const p = parseCidr(cidr);
        const prefix = ipam.prefixes[purpose as keyof IpamPools];
        if (prefix < p.prefix) problems.push(`ipam.pools.${domain}.${purpose}: ${cidr} is smaller than one /${prefix} block`);
        claims.push({ owner: domain, purpose, cidr });
      } catch (e) {
        problems.push(`ipam.pools.${domain}.${purpose}: ${(e as Error).message}`);
      }
    }
  }
  for (const [a, b] of findOverlaps(claims)) {
    problems.push(`ipam.pools: ${a.owner}.${a.purpose} ${a.cidr} overlaps ${b.owner}.${b.purpose} ${b.cidr}`);
  }
  return problems;
}
