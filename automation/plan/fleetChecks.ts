/**
 * Fleet-wide checks a per-stack policy pack cannot see: overlapping address ranges
 * anywhere in the fleet (both domains), stack references that cross domains in what
 * the programs actually did (not only in what dependsOn declared), and each domain's
 * control plane (its stores inside the domain; nothing in any stack copying one domain's
 * state, key or evidence to another — the pack sees only its own domain's stores).
 */
import { clusterCidrs, findOverlaps, networkCidr, type Claim } from "../../components/network/ipam";
import { DOMAINS } from "../../components/residency/catalogue";
import { checkControlPlaneExports, controlPlaneStores, type ResourceLike } from "../../policy-pack/lib/controlPlaneExports";
import { CONTROL_PLANE_KEYS, ControlPlaneUrlError, LOCAL_LOCATION, locationAllowed, parseControlPlaneUrl } from "../../policy-pack/lib/controlPlaneUrl";
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

/**
 * Each declared domain's backend, secrets provider and evidence store lie in the domain.
 * fleet.yaml is refused at load (exit 2) for the same reasons; this guards settings that
 * reach the plan another way (built in code), so the plan never reports a clean fleet
 * whose control plane is elsewhere.
 */
export function checkControlPlaneLocations(fleet: Fleet): FleetViolation[] {
  const out: FleetViolation[] = [];
  for (const domain of DOMAINS) {
    const plane = fleet.settings.controlPlane[domain];
    if (!plane) continue; // the local per-domain default
    for (const key of CONTROL_PLANE_KEYS) {
      let location: string | undefined;
      let scheme = "";
      try {
        const url = parseControlPlaneUrl(key, plane[key], fleet.dir);
        scheme = url.scheme;
        location = url.location.kind === "derived" ? url.location.location : url.location.kind === "local" ? LOCAL_LOCATION : plane.locations?.[key];
      } catch (e) {
        if (!(e instanceof ControlPlaneUrlError)) throw e;
        out.push({ stack: "fleet.yaml", policy: "meridian-fleet-controlplane-domain-match", level: "mandatory", message: `domains.${domain}.${key}: ${e.message}` });
        continue;
      }
      if (location === undefined || !locationAllowed(fleet.settings.regions, domain, scheme, location)) {
        out.push({
          stack: "fleet.yaml",
          policy: "meridian-fleet-controlplane-domain-match",
          level: "mandatory",
          message: `domains.${domain}.${key} is ${location === undefined ? "in no known location" : `in ${location}`}, outside domain ${domain}`,
        });
      }
    }
  }
  return out;
}

/**
 * Resources of one stack that replicate or export a control-plane bucket or state key of
 * any domain out of it, or copy into another domain's control plane. Which buckets and keys
 * are the control plane comes from every domain's declared URLs.
 */
export function checkControlPlaneCopies(fleet: Fleet, stack: string, resources: readonly PlannedResource[]): FleetViolation[] {
  const domain = fleet.stacks.get(stack)!.domain;
  const stores = DOMAINS.flatMap((d) => {
    const plane = fleet.settings.controlPlane[d];
    return plane ? [controlPlaneStores(d, plane)] : [];
  });
  const out: FleetViolation[] = [];
  checkControlPlaneExports(linked(resources), {
    domain,
    regions: fleet.settings.regions,
    stores,
    report: (message, urn) => out.push({ stack, policy: "meridian-fleet-controlplane-export-deny", level: "mandatory", urn, message }),
    // Unknown at plan time: the pack's advisory "cannot verify" already says so for this domain's stores.
    unknown: () => undefined,
  });
  return out;
}

/** The plan's resources with property dependencies resolved from URNs to the resources themselves. */
function linked(resources: readonly PlannedResource[]): ResourceLike[] {
  const byUrn = new Map<string, { -readonly [K in keyof ResourceLike]: ResourceLike[K] }>();
  for (const r of resources) {
    byUrn.set(r.urn, { type: r.type, name: r.name, urn: r.urn, props: r.props, ...(r.provider ? { provider: r.provider } : {}), propertyDependencies: {} });
  }
  for (const r of resources) {
    byUrn.get(r.urn)!.propertyDependencies = Object.fromEntries(
      Object.entries(r.propertyDependencies).map(([k, urns]) => [k, urns.map((u) => byUrn.get(u)).filter((d) => d !== undefined)]),
    );
  }
  return [...byUrn.values()];
}
