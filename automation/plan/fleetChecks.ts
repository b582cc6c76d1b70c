/**
 * Fleet-wide checks a per-stack policy pack cannot see: overlapping address ranges
 * anywhere in the fleet (both domains), and stack references that cross domains in what
 * the programs actually did (not only in what dependsOn declared).
 */
import { clusterCidrs, findOverlaps, networkCidr, type Claim } from "../../components/network/ipam";
import type { Fleet } from "../fleet";
import { guardrailCoverage } from "../fleet/guardrails";
import type { PlannedResource } from "./recordingMonitor";

export interface FleetViolation {
  stack: string;
  policy: string;
  level: "mandatory" | "advisory";
  urn?: string;
  message: string;
}

/** Extra claims contributed by other areas (e.g. interconnect ASNs and inside ranges). */
export type ClaimSource = (fleet: Fleet) => Claim[];

/** Every address range the fleet's configs claim, by stack. */
export function addressClaims(fleet: Fleet): Claim[] {
  const claims: Claim[] = [];
  for (const spec of fleet.stacks.values()) {
    const c = spec.config;
    if (c["meridian:role"] === "foundation") {
      const net = c["meridian:network"];
      claims.push({ owner: spec.name, purpose: "network", cidr: networkCidr(fleet.settings.ipam, spec.domain, net.slot, net.cidr) });
    }
    if (c["meridian:role"] === "management" || c["meridian:role"] === "workload") {
      const { pods, services } = clusterCidrs(fleet.settings.ipam, spec.domain, c["meridian:cluster"].slot);
      claims.push({ owner: spec.name, purpose: "pods", cidr: pods }, { owner: spec.name, purpose: "services", cidr: services });
    }
  }
  return claims;
}

export function checkAddressOverlaps(fleet: Fleet, extra: readonly ClaimSource[] = []): FleetViolation[] {
  const claims = [...addressClaims(fleet), ...extra.flatMap((source) => source(fleet))];
  return findOverlaps(claims).map(([a, b]) => ({
    stack: b.owner,
    policy: "meridian-fleet-ipam-no-overlap",
    level: "mandatory",
    message: `${b.owner} ${b.purpose} ${b.cidr} overlaps ${a.owner} ${a.purpose} ${a.cidr}; give one of them another slot`,
  }));
}

/** A StackReference the program made to a stack of the other domain (or to an unknown stack). */
export function checkReferences(fleet: Fleet, stack: string, resources: readonly PlannedResource[]): FleetViolation[] {
  const domain = fleet.stacks.get(stack)!.domain;
  return resources
    .filter((r) => r.type === "pulumi:pulumi:StackReference")
    .flatMap((r) => {
      const target = String(r.props.name ?? "");
      const name = target.slice(target.lastIndexOf("/") + 1);
      const other = fleet.stacks.get(name);
      if (other !== undefined && other.domain === domain) return [];
      return [
        {
          stack,
          policy: "meridian-fleet-reference-same-domain",
          level: "mandatory" as const,
          urn: r.urn,
          message: other ? `references ${name} of domain ${other.domain}; references never cross domains` : `references ${target}, which is not a stack of this fleet`,
        },
      ];
    });
}

/** A domain deploying into a cloud with no guardrails stack of that cloud before it (docs/guardrails.md). */
export function checkGuardrails(fleet: Fleet): FleetViolation[] {
  return guardrailCoverage(fleet).map((p) => ({ stack: p.stack, policy: "meridian-fleet-guardrails-present", level: "mandatory", message: p.message }));
}
