/**
 * The policy pack and the fleet-wide checks other areas own, plugged into the plan.
 * The pack's config for each stack is derived from the fleet model exactly as the
 * orchestrator derives it for the engine, so the plan and `pulumi preview` agree.
 */
import { DEFAULT_PLATFORM_NAMESPACES } from "../../components/baseline";
import { checkInterconnects, interconnectClaims } from "../../components/interconnect";
import type { Domain } from "../../components/residency";
import { evaluateStack, type PackConfig } from "../../policy-pack/evaluate";
import type { Fleet } from "../fleet";
import { controlPlanePackConfig } from "../fleet/controlPlane";
import type { ClaimSource, FleetViolation } from "./fleetChecks";
import type { StackEvaluator, StackPlan } from "./index";

/** Namespaces the baseline relaxes, with the reason the baseline itself records. */
function namespaceExceptions(): PackConfig["namespaceExceptions"] {
  const out: NonNullable<PackConfig["namespaceExceptions"]> = {};
  for (const ns of Object.values(DEFAULT_PLATFORM_NAMESPACES).flat()) {
    if (ns.enforce !== "restricted" && ns.reason) out[ns.name] = { podSecurity: ns.enforce as "baseline" | "privileged", reason: ns.reason };
  }
  return out;
}

/** The pack config for one stack: its domain, every stack's domain, the allowlists, the domain's registries. */
export function packConfigFor(fleet: Fleet, stack: string, registries: Readonly<Partial<Record<Domain, string[]>>>): PackConfig {
  // fleet.yaml `policy:` (exemptions, enforcement, ...) is the pack's to validate.
  const shared = fleet.settings.policy as Partial<PackConfig>;
  return {
    ...shared,
    domain: fleet.stacks.get(stack)!.domain,
    ...controlPlanePackConfig(fleet.settings.controlPlane, fleet.stacks.get(stack)!.domain),
    regions: fleet.settings.regions as PackConfig["regions"],
    stackDomains: Object.fromEntries([...fleet.stacks.values()].map((s) => [s.name, s.domain])),
    registries: { ...registries },
    namespaceExceptions: { ...namespaceExceptions(), ...(shared.namespaceExceptions ?? {}) },
  };
}

/** Registry prefixes declared in config (attached clusters name theirs), per domain. */
export function configuredRegistries(fleet: Fleet): Partial<Record<Domain, string[]>> {
  const out: Partial<Record<Domain, string[]>> = {};
  for (const spec of fleet.stacks.values()) {
    if (spec.config["meridian:role"] === "attached") {
      out[spec.domain] = [...new Set([...(out[spec.domain] ?? []), ...spec.config["meridian:attached"].registries])];
    }
  }
  return out;
}

/**
 * An evaluator that learns each domain's registry prefixes from the foundation stacks'
 * outputs as they are planned (foundations always come before the clusters using them).
 */
export function policyPackEvaluator(): { evaluator: StackEvaluator; observe: (plan: StackPlan, fleet: Fleet) => void } {
  const registries: Partial<Record<Domain, string[]>> = {};
  return {
    observe: (plan, fleet) => {
      const spec = fleet.stacks.get(plan.name)!;
      const prefixes = (plan.outputs.registry as { imagePrefixes?: string[] } | undefined)?.imagePrefixes;
      if (spec.role === "foundation" && prefixes) registries[spec.domain] = [...(registries[spec.domain] ?? []), ...prefixes];
    },
    evaluator: (fleet, stack, resources) =>
      evaluateStack(stack, [...resources], packConfigFor(fleet, stack, mergeRegistries(configuredRegistries(fleet), registries))).map(
        (v): FleetViolation => ({ stack: v.stack, policy: v.policy, level: v.level, urn: v.urn, message: v.message }),
      ),
  };
}

export function mergeRegistries(...all: Array<Partial<Record<Domain, string[]>>>): Partial<Record<Domain, string[]>> {
  const out: Partial<Record<Domain, string[]>> = {};
  for (const r of all) for (const [d, prefixes] of Object.entries(r) as Array<[Domain, string[]]>) out[d] = [...new Set([...(out[d] ?? []), ...prefixes])];
  return out;
}

/** Interconnect inside ranges join the fleet-wide overlap check. */
export const interconnectRanges: ClaimSource = (fleet) => [...interconnectClaims(fleet).insideCidrs];

/** ASNs and interconnect allocation problems, fleet-wide. */
export function interconnectViolations(fleet: Fleet): FleetViolation[] {
  return checkInterconnects(fleet).map((message) => ({
    stack: message.split(":")[0].replace(/^stack /, ""),
    policy: "meridian-fleet-interconnect-allocation",
    level: "mandatory",
    message,
  }));
}
