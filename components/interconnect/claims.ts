/**
 * Fleet-wide view of interconnects: what every interconnect stack claims (ASNs and tunnel
 * inside /30s), computed from stack config alone, and the checks the fleet plan runs over
 * those claims. The stack program uses the same {@link interconnectPlan}, so what the plan
 * checks is exactly what the stacks deploy.
 *
 * The input is structural (any `{ stacks: Map<name, {name, domain, role, clouds, config}> }`),
 * so the automation `Fleet` fits without this module importing automation code.
 */
import type { Claim } from "../network/ipam";
import { findOverlaps } from "../network/ipam";
import type { Cloud, Domain } from "../residency/catalogue";
import {
  asnFor,
  asnProblems,
  canonicalPair,
  insideCidrProblems,
  pairName,
  planTunnels,
  type CloudPair,
  type TunnelPlan,
} from "./allocate";

/** What the claims need of a stack; `automation/fleet`'s `StackSpec` satisfies it. */
export interface InterconnectStackLike {
  readonly name: string;
  readonly domain: Domain;
  readonly role: string;
  readonly clouds: readonly Cloud[];
  readonly dependsOn: readonly string[];
  /** Parsed config; `meridian:interconnect` is read from it. */
  readonly config: object;
}

export interface FleetLike {
  readonly stacks: ReadonlyMap<string, InterconnectStackLike>;
}

/** The interconnect settings the allocators read (see `interconnectSettings` in automation/fleet/schema.ts). */
export interface InterconnectSlotSettings {
  readonly slot: number;
  readonly pskGeneration?: number;
  readonly azureGatewayFrom?: string;
}

export interface AsnClaim {
  /** The stack that creates the gateway/router speaking BGP with this ASN. */
  readonly owner: string;
  readonly domain: Domain;
  readonly cloud: Cloud;
  /** e.g. `aws transit gateway`, `gcp cloud router`, `azure vpn gateway`. */
  readonly purpose: string;
  readonly asn: number;
}

export interface InsideCidrClaim extends Claim {
  readonly domain: Domain;
  readonly touchesAzure: boolean;
}

export interface InterconnectClaims {
  readonly asns: readonly AsnClaim[];
  readonly insideCidrs: readonly InsideCidrClaim[];
}

/** Everything one interconnect stack will build, from config alone. */
export interface InterconnectPlan {
  readonly stack: string;
  readonly domain: Domain;
  readonly slot: number;
  readonly pair: CloudPair;
  /** BGP ASN per side (the Azure side is the owner's when the gateway is shared). */
  readonly asns: Readonly<Partial<Record<Cloud, number>>>;
  readonly tunnels: readonly TunnelPlan[];
  /** Azure side: which stack creates the gateway; undefined when Azure is not a side. */
  readonly azureGatewayOwner?: string;
  /**
   * Owner only: custom APIPA addresses per gateway instance for every interconnect that
   * terminates on this gateway (its own and the borrowers'), sorted.
   */
  readonly azureGatewayBgpAddresses?: readonly [readonly string[], readonly string[]];
}

const PURPOSE: Record<Cloud, string> = {
  aws: "aws transit gateway",
  gcp: "gcp cloud router",
  azure: "azure vpn gateway",
};

function settingsOf(spec: InterconnectStackLike): InterconnectSlotSettings {
  const raw = (spec.config as Record<string, unknown>)["meridian:interconnect"] as InterconnectSlotSettings | undefined;
  if (raw === undefined || typeof raw.slot !== "number") {
    throw new Error(`stack ${spec.name}: meridian:interconnect.slot is required`);
  }
  return raw;
}

function interconnects(fleet: FleetLike): InterconnectStackLike[] {
  return [...fleet.stacks.values()].filter((s) => s.role === "interconnect").sort((a, b) => a.name.localeCompare(b.name));
}

function pairOf(spec: InterconnectStackLike): CloudPair {
  if (spec.clouds.length !== 2) throw new Error(`stack ${spec.name}: an interconnect joins exactly two clouds`);
  return canonicalPair(spec.clouds[0], spec.clouds[1]);
}

/** The plan of one interconnect stack. Throws on a broken `azureGatewayFrom`. */
export function interconnectPlan(fleet: FleetLike, stackName: string): InterconnectPlan {
  const spec = fleet.stacks.get(stackName);
  if (spec === undefined || spec.role !== "interconnect") throw new Error(`${stackName} is not an interconnect stack`);
  const { slot, azureGatewayFrom } = settingsOf(spec);
  const pair = pairOf(spec);
  const asns: Partial<Record<Cloud, number>> = {};
  for (const cloud of pair) asns[cloud] = asnFor(spec.domain, slot, pair, cloud);
  const tunnels = planTunnels(spec.domain, slot, pair);
  if (!pair.includes("azure" as never)) return { stack: spec.name, domain: spec.domain, slot, pair, asns, tunnels };

  if (azureGatewayFrom !== undefined) {
    const owner = requireGatewayOwner(fleet, spec, azureGatewayFrom);
    const ownerSettings = settingsOf(owner);
    asns.azure = asnFor(owner.domain, ownerSettings.slot, pairOf(owner), "azure");
    return { stack: spec.name, domain: spec.domain, slot, pair, asns, tunnels, azureGatewayOwner: owner.name };
  }
  // Owner: collect APIPA addresses of its own tunnels and every borrower's.
  const perInstance: [string[], string[]] = [[], []];
  const users = interconnects(fleet).filter(
    (s) => s.name === spec.name || (settingsOf(s).azureGatewayFrom === spec.name && s.domain === spec.domain),
  );
  for (const user of users) {
    const userPair = pairOf(user);
    for (const t of planTunnels(user.domain, settingsOf(user).slot, userPair)) {
      if (t.azureInstance !== undefined && t.bgpAddress.azure !== undefined) perInstance[t.azureInstance].push(t.bgpAddress.azure);
    }
  }
  const byAddress = (a: string, b: string): number => a.localeCompare(b, "en", { numeric: true });
  return {
    stack: spec.name,
    domain: spec.domain,
    slot,
    pair,
    asns,
    tunnels,
    azureGatewayOwner: spec.name,
    azureGatewayBgpAddresses: [perInstance[0].sort(byAddress), perInstance[1].sort(byAddress)],
  };
}

function requireGatewayOwner(fleet: FleetLike, spec: InterconnectStackLike, from: string): InterconnectStackLike {
  const owner = fleet.stacks.get(from);
  const where = `stack ${spec.name}: meridian:interconnect.azureGatewayFrom`;
  if (owner === undefined || owner.role !== "interconnect") throw new Error(`${where}: "${from}" is not an interconnect stack`);
  if (owner.domain !== spec.domain) throw new Error(`${where}: "${from}" is in domain ${owner.domain}; gateways are never shared across domains`);
  if (!owner.clouds.includes("azure")) throw new Error(`${where}: "${from}" has no Azure side`);
  if (settingsOf(owner).azureGatewayFrom !== undefined) throw new Error(`${where}: "${from}" borrows its gateway too; point at the stack that creates it`);
  if (!spec.dependsOn.includes(from)) throw new Error(`${where}: "${from}" must also be in meridian:dependsOn (its outputs are read)`);
  return owner;
}

/**
 * Every ASN and inside /30 each interconnect stack of the fleet claims. A shared Azure
 * gateway's ASN is claimed once, by the stack that creates it.
 */
export function interconnectClaims(fleet: FleetLike): InterconnectClaims {
  const asns: AsnClaim[] = [];
  const insideCidrs: InsideCidrClaim[] = [];
  for (const spec of interconnects(fleet)) {
    const plan = interconnectPlan(fleet, spec.name);
    for (const cloud of plan.pair) {
      if (cloud === "azure" && plan.azureGatewayOwner !== spec.name) continue;
      asns.push({ owner: spec.name, domain: spec.domain, cloud, purpose: PURPOSE[cloud], asn: plan.asns[cloud]! });
    }
    const touchesAzure = plan.pair.includes("azure" as never);
    for (const t of plan.tunnels) {
      insideCidrs.push({ owner: spec.name, purpose: `${pairName(plan.pair)} tunnel ${t.index}`, cidr: t.insideCidr, domain: spec.domain, touchesAzure });
    }
  }
  return { asns, insideCidrs };
}

/**
 * Fleet-wide interconnect problems: broken config, an ASN or /30 out of range or
 * reserved, any ASN claimed twice, any two inside /30s that overlap. Empty when fine.
 */
export function checkInterconnects(fleet: FleetLike): string[] {
  const problems: string[] = [];
  const slots = new Map<string, string>();
  for (const spec of interconnects(fleet)) {
    try {
      const { slot } = settingsOf(spec);
      const key = `${spec.domain}/${slot}`;
      const other = slots.get(key);
      if (other !== undefined) problems.push(`${spec.name}: interconnect slot ${slot} is already taken by ${other} in domain ${spec.domain}`);
      slots.set(key, spec.name);
      interconnectPlan(fleet, spec.name);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (problems.length > 0) return problems;
  const claims = interconnectClaims(fleet);
  const byAsn = new Map<number, AsnClaim>();
  for (const c of claims.asns) {
    for (const p of asnProblems(c.asn)) problems.push(`${c.owner} (${c.purpose}): ${p}`);
    const prior = byAsn.get(c.asn);
    if (prior !== undefined) problems.push(`ASN ${c.asn} is claimed by ${prior.owner} (${prior.purpose}) and ${c.owner} (${c.purpose})`);
    byAsn.set(c.asn, c);
  }
  for (const c of claims.insideCidrs) {
    for (const p of insideCidrProblems(c.cidr, c.touchesAzure)) problems.push(`${c.owner} (${c.purpose}): ${p}`);
  }
  for (const [a, b] of findOverlaps(claims.insideCidrs)) {
    problems.push(`inside CIDR ${a.cidr} (${a.owner} ${a.purpose}) overlaps ${b.cidr} (${b.owner} ${b.purpose})`);
  }
  return problems;
}
