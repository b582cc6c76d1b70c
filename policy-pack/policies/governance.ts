/**
 * Governance of the pack itself: the config is valid, exemptions are named, reasoned and
 * time-boxed, an expired exemption is a violation, and every active exemption that
 * switched a violation off is reported (advisory) so auditors see it.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { clock, exemptionUses, stackPolicy } from "../lib/define";

const SOC2_GOV = ["SOC2 CC1.3", "SOC2 CC3.4", "SOC2 CC8.1"];

/** Set by policies/index.ts once every policy is declared (exemption names are checked against it). */
let knownPolicies: ReadonlySet<string> = new Set();
export function setKnownPolicies(names: Iterable<string>): void {
  knownPolicies = new Set(names);
}

export const configValid: StackValidationPolicy = stackPolicy(
  {
    name: "meridian-governance-config-validate",
    area: "governance",
    rules: ["MER-GOV-01"],
    description: "The policy pack config matches its schema and every exemption names an existing policy.",
    why: "A mistyped key or an exemption for a policy that does not exist would silently change what is enforced; the pack fails closed instead (no exemption applies while the config is invalid).",
    remediation: "Fix the listed keys in the pack config (see docs/policies.md, Configuration).",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_GOV,
    types: ["pulumi:pulumi:Stack"],
  },
  (_resources, ctx) => {
    for (const e of ctx.cfg.errors) {
      ctx.report(`invalid policy pack config: ${e}`, ctx.stackUrn);
    }
    for (const e of ctx.cfg.exemptions) {
      if (knownPolicies.size > 0 && !knownPolicies.has(e.policy)) {
        ctx.report(`exemptions[${e.index}] names unknown policy '${e.policy}'`, ctx.stackUrn);
      }
    }
  },
);

export const exemptionExpired: StackValidationPolicy = stackPolicy(
  {
    name: "meridian-governance-exemption-expire",
    area: "governance",
    rules: ["MER-GOV-02"],
    description: "No exemption in the pack config is past its expiry date.",
    why: "An exemption is a time-boxed risk acceptance; once expired it no longer covers anything and must be renewed (with a new review) or removed.",
    remediation: "Fix the exempted resource and delete the exemption, or renew it with a new `expires` date and an updated `reason` after review.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_GOV,
    types: ["pulumi:pulumi:Stack"],
  },
  (_resources, ctx) => {
    const now = clock.now();
    for (const e of ctx.cfg.exemptions) {
      if (e.expiresAt < now) {
        ctx.report(
          `exemptions[${e.index}] for ${e.policy} on ${e.urn ?? e.resource} expired on ${e.expires} (reason was: ${e.reason}); it no longer applies`,
          ctx.stackUrn,
        );
      }
    }
  },
);

export const exemptionActive: StackValidationPolicy = stackPolicy(
  {
    name: "meridian-governance-exemption-report",
    area: "governance",
    rules: ["MER-GOV-03"],
    description: "Reports every violation switched off by an active exemption (advisory), with its reason and expiry.",
    why: "Auditors must see accepted risks in every preview, not only in the config file.",
    remediation: "Nothing to fix while the exemption is justified; remove it once the resource complies.",
    severity: "low",
    enforcementLevel: "advisory",
    frameworks: SOC2_GOV,
    types: ["*"],
  },
  (_resources, ctx) => {
    for (const use of exemptionUses()) {
      const e = use.exemption;
      ctx.report(`EXEMPTED ${e.policy} until ${e.expires} (${e.reason}): ${use.message}`, use.urn);
    }
  },
);

/** Exemption reporting must run after every other policy: keep `exemptionActive` last. */
export const governancePolicies = [configValid, exemptionExpired];
