/**
 * Interconnect allocators: BGP ASNs and tunnel inside /30s, pure and deterministic from
 * (domain, slot, cloud pair). Nothing here is known only after apply, so the fleet plan
 * can check every claim of every interconnect stack before anything runs, and adding an
 * interconnect never renumbers another one (a changed inside CIDR or ASN is a tunnel or
 * gateway replacement in production).
 *
 * Layout (all fleet-wide unique, not merely per gateway):
 * - ASN: private 16-bit range 64512–65534, index `(domainIndex * 16 + slot) * 2 + side`
 *   → 64512–64575. Never an Azure-reserved ASN (65515, 65517–65520).
 * - Inside /30 of a tunnel that ends on Azure: 169.254.21.0–169.254.22.255 (the only range
 *   Azure accepts for custom APIPA BGP addresses; note it is NOT the CIDR 169.254.21.0/23,
 *   which would start at 169.254.20.0 — it is the two /24s 169.254.21.0/24 and 169.254.22.0/24),
 *   index `(domainIndex * 16 + slot) * 4 + tunnel` → exactly the 128 /30s of that window.
 * - Inside /30 of any other tunnel (AWS↔GCP): 169.254.64.0/18, same index. That pool is
 *   disjoint from AWS's reserved /30s (169.254.0.0/30 … 169.254.5.0/30, 169.254.169.252/30),
 *   from the Azure window, and from 169.254.169.0/24 (metadata services).
 */
import { DOMAINS, type Cloud, type Domain } from "../residency/catalogue";
import { contains, formatCidr, fromInt, overlaps, parseCidr } from "../network/ipam";

/** Interconnect slots per domain (0..15); each interconnect stack owns one. */
export const INTERCONNECT_SLOTS = 16;

export const PRIVATE_ASN_MIN = 64512;
export const PRIVATE_ASN_MAX = 65534;
/** ASNs Azure VPN gateways refuse for themselves or their peers. */
export const AZURE_RESERVED_ASNS: readonly number[] = [65515, 65517, 65518, 65519, 65520];

/** Inside CIDRs AWS refuses for VPN tunnels. */
export const AWS_RESERVED_INSIDE_CIDRS: readonly string[] = [
  "169.254.0.0/30",
  "169.254.1.0/30",
  "169.254.2.0/30",
  "169.254.3.0/30",
  "169.254.4.0/30",
  "169.254.5.0/30",
  "169.254.169.252/30",
];
export const LINK_LOCAL = "169.254.0.0/16";
/**
 * Azure custom APIPA BGP addresses must fall in 169.254.21.0–169.254.22.255: two /24s
 * (the range is not CIDR-aligned as one /23).
 */
export const AZURE_APIPA_WINDOWS: readonly string[] = ["169.254.21.0/24", "169.254.22.0/24"];
const AZURE_APIPA_START = "169.254.21.0/32";

/** Is a CIDR wholly inside Azure's APIPA window? */
export function inAzureApipaWindow(cidr: string): boolean {
  return AZURE_APIPA_WINDOWS.some((w) => contains(w, cidr));
}
/** Inside /30s of tunnels that do not touch Azure. */
export const GENERIC_INSIDE_POOL = "169.254.64.0/18";

/** The cloud pairs an interconnect can join, in canonical order (side 0, side 1). */
export const CLOUD_PAIRS = [
  ["aws", "gcp"],
  ["aws", "azure"],
  ["gcp", "azure"],
] as const satisfies ReadonlyArray<readonly [Cloud, Cloud]>;
export type CloudPair = (typeof CLOUD_PAIRS)[number];
export type PairName = `${CloudPair[0]}-${CloudPair[1]}`;

/** Canonical pair for two clouds in any order; throws for a cloud with itself. */
export function canonicalPair(a: Cloud, b: Cloud): CloudPair {
  const pair = CLOUD_PAIRS.find(([x, y]) => (x === a && y === b) || (x === b && y === a));
  if (pair === undefined) throw new Error(`an interconnect joins two different clouds; got ${a} and ${b}`);
  return pair;
}

export function pairName(pair: CloudPair): PairName {
  return `${pair[0]}-${pair[1]}` as PairName;
}

/** Tunnels per pair: AWS↔X is 2 VPN connections × 2 tunnels; GCP↔Azure is one per HA interface. */
export function tunnelCount(pair: CloudPair): number {
  return pair[0] === "gcp" ? 2 : 4;
}

function checkSlot(domain: Domain, slot: number): number {
  const d = DOMAINS.indexOf(domain);
  if (d < 0) throw new Error(`unknown domain ${String(domain)}`);
  if (!Number.isInteger(slot) || slot < 0 || slot >= INTERCONNECT_SLOTS) {
    throw new Error(`interconnect slot must be a whole number from 0 to ${INTERCONNECT_SLOTS - 1}, got ${slot}`);
  }
  return d * INTERCONNECT_SLOTS + slot;
}

/** The private ASN of one side of an interconnect. */
export function allocateAsn(domain: Domain, slot: number, side: 0 | 1): number {
  return PRIVATE_ASN_MIN + checkSlot(domain, slot) * 2 + side;
}

/** The ASN of `cloud` in the interconnect `pair`. */
export function asnFor(domain: Domain, slot: number, pair: CloudPair, cloud: Cloud): number {
  const side = pair.indexOf(cloud as never);
  if (side < 0) throw new Error(`${cloud} is not part of the ${pairName(pair)} interconnect`);
  return allocateAsn(domain, slot, side as 0 | 1);
}

/** The inside /30 of one tunnel. */
export function allocateInsideCidr(domain: Domain, slot: number, tunnel: number, azure: boolean): string {
  if (!Number.isInteger(tunnel) || tunnel < 0 || tunnel > 3) throw new Error(`tunnel index must be 0..3, got ${tunnel}`);
  const pool = parseCidr(azure ? AZURE_APIPA_START : GENERIC_INSIDE_POOL);
  const index = checkSlot(domain, slot) * 4 + tunnel;
  return formatCidr(pool.start + index * 4, 30);
}

/** The two usable addresses of a /30: `.1` and `.2` of the block. */
export function hostsOf(cidr30: string): [string, string] {
  const r = parseCidr(cidr30);
  if (r.prefix !== 30) throw new Error(`${cidr30} is not a /30`);
  return [fromInt(r.start + 1), fromInt(r.start + 2)];
}

/** One planned tunnel: its inside /30, each side's BGP address, and the Azure instance it lands on. */
export interface TunnelPlan {
  readonly index: number;
  readonly insideCidr: string;
  /** BGP (inside) address per cloud of the pair. */
  readonly bgpAddress: Readonly<Partial<Record<Cloud, string>>>;
  /** Azure active-active instance (0 or 1) the tunnel terminates on, when Azure is a side. */
  readonly azureInstance?: 0 | 1;
}

/**
 * Every tunnel of an interconnect. AWS always takes the `.1` of a /30 (AWS assigns its
 * own side the first host: "vgw inside"), the peer the `.2` ("cgw inside"). GCP↔Azure:
 * GCP `.1`, Azure `.2`. With AWS, tunnels 0–1 belong to VPN connection 0 (peer interface 0)
 * and tunnels 2–3 to connection 1 (peer interface 1).
 */
export function planTunnels(domain: Domain, slot: number, pair: CloudPair): TunnelPlan[] {
  const azure = pair[1] === "azure";
  return Array.from({ length: tunnelCount(pair) }, (_, t) => {
    const insideCidr = allocateInsideCidr(domain, slot, t, azure);
    const [first, second] = hostsOf(insideCidr);
    const azureInstance = !azure ? undefined : pair[0] === "aws" ? ((t >> 1) as 0 | 1) : ((t & 1) as 0 | 1);
    return { index: t, insideCidr, bgpAddress: { [pair[0]]: first, [pair[1]]: second }, azureInstance };
  });
}

/**
 * PSK rotation with overlap: bumping the generation rotates HALF the tunnels — the even
 * ones on even generations, the odd ones on odd generations — so every VPN connection /
 * HA interface keeps one tunnel on its old key while the other re-keys. Two bumps rotate
 * everything. Returns the key epoch a tunnel's RandomPassword is keyed on.
 */
export function pskEpoch(generation: number, tunnel: number): number {
  if (!Number.isInteger(generation) || generation < 1) throw new Error(`pskGeneration must be a whole number ≥ 1, got ${generation}`);
  return tunnel % 2 === 0 ? Math.floor(generation / 2) : Math.floor((generation - 1) / 2);
}

/** Problems with a tunnel inside CIDR for the clouds it touches; empty when fine. */
export function insideCidrProblems(cidr: string, touchesAzure: boolean): string[] {
  const problems: string[] = [];
  let r;
  try {
    r = parseCidr(cidr);
  } catch (e) {
    return [(e as Error).message];
  }
  if (r.prefix !== 30) problems.push(`${cidr} is not a /30`);
  if (!contains(LINK_LOCAL, cidr)) problems.push(`${cidr} is outside ${LINK_LOCAL}`);
  for (const reserved of AWS_RESERVED_INSIDE_CIDRS) {
    if (overlaps(reserved, cidr)) problems.push(`${cidr} overlaps AWS-reserved ${reserved}`);
  }
  if (touchesAzure && !inAzureApipaWindow(cidr)) {
    problems.push(`${cidr} is outside Azure's APIPA window 169.254.21.0–169.254.22.255`);
  }
  return problems;
}

/** Problems with an ASN; empty when fine. */
export function asnProblems(asn: number): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(asn) || asn < PRIVATE_ASN_MIN || asn > PRIVATE_ASN_MAX) {
    problems.push(`ASN ${asn} is not a private 16-bit ASN (${PRIVATE_ASN_MIN}–${PRIVATE_ASN_MAX})`);
  }
  if (AZURE_RESERVED_ASNS.includes(asn)) problems.push(`ASN ${asn} is reserved by Azure`);
  return problems;
}
