/**
 * The policy pack and the fleet-wide checks other areas own, plugged into the plan.
 * The pack's config for each stack has one derivation, `stackPackConfig`, used by the plan,
 * both engines and CI previews, so they all enforce the same thing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_PLATFORM_NAMESPACES } from "../../components/baseline";
import { checkInterconnects, interconnectClaims } from "../../components/interconnect";
import type { Domain } from "../../components/residency";
import { evaluateStack, toEngineConfig, type PackConfig } from "../../policy-pack/evaluate";
import { policyNames } from "../../policy-pack/policies";
import type { Fleet } from "../fleet";
import { controlPlanePackConfig } from "../fleet/controlPlane";
import { provenRegistries, residentRegistries } from "../fleet/narrowing";
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

/** Registry prefixes per domain. */
export type DomainRegistries = Readonly<Partial<Record<Domain, readonly string[]>>>;

/**
 * THE policy pack configuration of one stack. The offline plan, the offline (mock) engine,
 * the Automation API engine and CI previews (`npm run policy:config -- --stack <s>`) all
 * call this one function, so they enforce exactly the same thing:
 *   - `domain`, `regions` (the fleet's allowlists), `stackDomains` (the stacks of the
 *     stack's OWN domain only: the pack refuses a reference to any stack not listed, so the
 *     other domain's stack names never enter a domain's config, run folder or evidence);
 *   - `registries` (own domain only, for the same reason): the domain's declared registries (attached stacks, each provably the
 *     domain's: ../fleet/narrowing.ts) plus `learned` ones exported by the domain's own
 *     foundation stacks (resolved by provenance; a prefix whose name proves another
 *     location is dropped);
 *   - the baseline's documented namespace exceptions, then fleet.yaml `policy:`
 *     (exemptions, enforcement, minLogRetentionDays, namespaceExceptions), validated when the
 *     fleet loaded: enforcement can only raise residency and encryption policies.
 */
export function stackPackConfig(fleet: Fleet, stack: string, learned: DomainRegistries = {}): PackConfig {
  const spec = fleet.stacks.get(stack);
  if (spec === undefined) throw new Error(`"${stack}" is not a stack of the fleet`);
  const { enforcement, exemptions, minLogRetentionDays, namespaceExceptions: extraNamespaces } = fleet.settings.policy;
  return {
    domain: spec.domain,
    ...controlPlanePackConfig(fleet.settings.controlPlane, spec.domain),
    regions: fleet.settings.regions as PackConfig["regions"],
    stackDomains: Object.fromEntries([...fleet.stacks.values()].filter((s) => s.domain === spec.domain).map((s) => [s.name, s.domain])),
    registries: ownDomainOnly(mergeRegistries(configuredRegistries(fleet), provenRegistries(learned, fleet.settings)), spec.domain),
    namespaceExceptions: { ...namespaceExceptions(), ...(extraNamespaces ?? {}) },
    ...(exemptions !== undefined ? { exemptions: exemptions.map((e) => ({ ...e })) } : {}),
    ...(minLogRetentionDays !== undefined ? { minLogRetentionDays } : {}),
    ...(enforcement !== undefined ? { enforcement: { ...enforcement } } : {}),
  };
}

function ownDomainOnly(registries: Partial<Record<Domain, string[]>>, domain: Domain): Partial<Record<Domain, string[]>> {
  return registries[domain] !== undefined ? { [domain]: registries[domain] } : {};
}

/**
 * The engine's `--policy-pack-config` file for a stack's pack config: the shared block
 * under every policy name plus each policy's `enforcementLevel` — the only way enforcement
 * levels reach the real engine (a pack's own config cannot change them).
 */
export function enginePolicyConfig(config: PackConfig): Record<string, unknown> {
  return toEngineConfig(config, policyNames);
}

/**
 * Write a stack's pack config for the Automation API engine: `<dir>/<stack>.json` (compact,
 * named by MERIDIAN_POLICY_CONFIG) and `<dir>/<stack>.engine.json` (for
 * `--policy-pack-config`). Both come from `stackPackConfig`.
 */
export function writeStackPackConfig(dir: string, fleet: Fleet, stack: string, learned: DomainRegistries = {}): { compact: string; engine: string } {
  const config = stackPackConfig(fleet, stack, learned);
  fs.mkdirSync(dir, { recursive: true });
  const compact = path.join(dir, `${stack}.json`);
  const engine = path.join(dir, `${stack}.engine.json`);
  fs.writeFileSync(compact, `${JSON.stringify(config, null, 2)}\n`);
  fs.writeFileSync(engine, `${JSON.stringify(enginePolicyConfig(config), null, 2)}\n`);
  return { compact, engine };
}

/** Registry prefixes declared in config (attached clusters name theirs), per domain; only provably resident ones. */
export function configuredRegistries(fleet: Fleet): Partial<Record<Domain, string[]>> {
  const declared: Partial<Record<Domain, string[]>> = {};
  for (const spec of fleet.stacks.values()) {
    if (spec.config["meridian:role"] === "attached") {
      declared[spec.domain] = [...(declared[spec.domain] ?? []), ...spec.config["meridian:attached"].registries];
    }
  }
  // The loader refused any other already; filtering again keeps a hand-built fleet honest too.
  return residentRegistries(declared, fleet.settings);
}

/**
 * The stacks whose outputs `policyPackEvaluator` learns from (each domain's foundations): a
 * partial plan (`plan --affected`) needs them planned or answered from the plan cache too,
 * or the pack would judge its stacks against a config missing their registries.
 */
export function packInputStacks(fleet: Fleet): string[] {
  return [...fleet.stacks.values()].filter((s) => s.role === "foundation").map((s) => s.name);
}

/**
 * An evaluator that learns each domain's registry prefixes from the foundation stacks'
 * outputs as they are planned (foundations always come before the clusters using them).
 */
export function policyPackEvaluator(): { evaluator: StackEvaluator; observe: (plan: StackPlan, fleet: Fleet) => void } {
  const registries: Partial<Record<Domain, string[]>> = {};
  // A stack's pack config depends on the fleet, its domain and the registries learned so far,
  // so stacks of one domain share one config object until a foundation adds registries.
  // Building it per stack cost O(stacks) each (its stackDomains lists the whole domain):
  // quadratic over a 1,000-cluster plan.
  let configs: { fleet: Fleet; byDomain: Map<Domain, PackConfig> } | undefined;
  const configFor = (fleet: Fleet, stack: string): PackConfig => {
    if (configs?.fleet !== fleet) configs = { fleet, byDomain: new Map() };
    const domain = fleet.stacks.get(stack)!.domain;
    let config = configs.byDomain.get(domain);
    if (config === undefined) configs.byDomain.set(domain, (config = stackPackConfig(fleet, stack, registries)));
    return config;
  };
  return {
    observe: (plan, fleet) => {
      const spec = fleet.stacks.get(plan.name)!;
      const prefixes = (plan.outputs.registry as { imagePrefixes?: string[] } | undefined)?.imagePrefixes;
      if (spec.role === "foundation" && prefixes) {
        registries[spec.domain] = [...(registries[spec.domain] ?? []), ...prefixes];
        configs = undefined;
      }
    },
    evaluator: (fleet, stack, resources) =>
      evaluateStack(stack, [...resources], configFor(fleet, stack)).map(
        (v): FleetViolation => ({ stack: v.stack, policy: v.policy, level: v.level, urn: v.urn, message: v.message }),
      ),
  };
}

export function mergeRegistries(...all: DomainRegistries[]): Partial<Record<Domain, string[]>> {
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
