/**
 * fleet.yaml `policy:`: the policy pack's settings for every stack, validated at the edge
 * (exit 2 naming fleet.yaml and the key) instead of only inside the pack.
 *
 * Configuration can only narrow: `policy.enforcement` may raise any policy, and lower a
 * policy only when it is neither a residency nor an encryption policy. The protected set is
 * derived from each policy's metadata, not from its name:
 *   - residency: the policy's area is `residency`, or it implements a residency rule
 *     (`RES-*` in POLICY-RULES.md), or it maps to SOC2 C1.1 (confidential information
 *     stays where it may be);
 *   - encryption: it maps to SOC2 CC6.7 (information protected in transmission, movement
 *     and at rest: the encryption criterion every encrypt/crypto policy cites).
 * A protected policy is waived only by an exemption (policy, urn | resource, reason, owner,
 * expires), which the pack reports on every preview (`meridian-governance-exemption-report`).
 */
import { z } from "zod";
import type { PolicyMeta } from "../../policy-pack/policies";
import { parseConfig, type PackConfig } from "../../policy-pack/lib/config";
import { FleetConfigError } from "./errors";

export const ENFORCEMENT_LEVELS = ["advisory", "mandatory", "remediate", "disabled"] as const;
type Level = (typeof ENFORCEMENT_LEVELS)[number];
/** Levels that still stop a deployment. */
const BLOCKING: ReadonlySet<Level> = new Set(["mandatory", "remediate"]);

export type ProtectedTheme = "residency" | "encryption";

/**
 * The pack's policies, loaded on first use: the pack reaches @pulumi/policy and the Pulumi SDK
 * (about a second), and a fleet.yaml without `policy:` enforcement or exemptions needs neither
 * (`fleet affected`, the CLI's other fleet loads).
 */
function allPolicyMetadata(): readonly PolicyMeta[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("../../policy-pack/policies") as typeof import("../../policy-pack/policies")).allPolicyMetadata;
}

/** Why a policy may not be lowered by configuration, from its metadata; empty when it may. */
export function protectedThemes(meta: PolicyMeta): ProtectedTheme[] {
  const themes: ProtectedTheme[] = [];
  if (meta.area === "residency" || meta.rules.some((r) => r.startsWith("RES-")) || meta.frameworks.includes("SOC2 C1.1")) themes.push("residency");
  if (meta.frameworks.includes("SOC2 CC6.7")) themes.push("encryption");
  return themes;
}

/** Every protected policy with its themes. */
export function protectedPolicies(): ReadonlyMap<string, ProtectedTheme[]> {
  return new Map(allPolicyMetadata().map((m) => [m.name, protectedThemes(m)] as const).filter(([, t]) => t.length > 0));
}

const exemption = z.looseObject({
  /** (Required) Who accepted the risk: a person or team an auditor can ask. */
  owner: z.string().trim().min(3, "who accepted the risk (a person or team, at least 3 characters)"),
});

const policySettingsSchema = z.looseObject({
  enforcement: z.record(z.string(), z.enum(ENFORCEMENT_LEVELS)).optional(),
  exemptions: z.array(exemption).optional(),
});

/** Validated fleet.yaml `policy:`, as the pack receives it. */
export type PolicySettings = Pick<PackConfig, "exemptions" | "enforcement" | "minLogRetentionDays" | "namespaceExceptions">;

/**
 * Validate fleet.yaml `policy:`; throws a FleetConfigError naming `policy.<key>`. Checks, in
 * order: the shape (the pack's own schema, plus `owner` on every exemption), enforcement
 * levels only for policies that exist, and no residency or encryption policy lowered.
 */
export function validatePolicySettings(file: string, raw: unknown): PolicySettings {
  const shape = policySettingsSchema.safeParse(raw ?? {});
  if (!shape.success) {
    const issue = shape.error.issues[0];
    throw new FleetConfigError(file, ["policy", ...issue.path.map(String)].join("."), issue.message);
  }
  const { enforcement = {}, ...shared } = shape.data as Record<string, unknown> & { enforcement?: Record<string, Level> };
  for (const key of Object.keys(shared)) {
    if (["domain", "regions", "registries", "stackDomains"].includes(key)) {
      throw new FleetConfigError(file, `policy.${key}`, "derived from the fleet (stack files and fleet.yaml residency); it cannot be set here");
    }
  }
  const pack = parseConfig(shared);
  if (pack.errors.length > 0) {
    const [where, ...rest] = pack.errors[0].split(": ");
    throw new FleetConfigError(file, where === "(config)" ? "policy" : `policy.${where}`, rest.join(": "));
  }
  if ((shape.data.exemptions ?? []).length === 0 && Object.keys(enforcement).length === 0) return { ...(shared as PolicySettings) };
  const known = new Set(allPolicyMetadata().map((m) => m.name));
  (shape.data.exemptions ?? []).forEach((e, i) => {
    const policy = (e as { policy?: unknown }).policy;
    if (typeof policy === "string" && !known.has(policy)) {
      throw new FleetConfigError(file, `policy.exemptions.${i}.policy`, `no such policy "${policy}"; an exemption names an existing policy (see docs/policies.md)`);
    }
  });
  const guarded = protectedPolicies();
  for (const [name, level] of Object.entries(enforcement)) {
    const key = `policy.enforcement.${name}`;
    if (name !== "all" && !known.has(name)) {
      throw new FleetConfigError(file, key, `no such policy (a typo would silently change nothing); see docs/policies.md for the names`);
    }
    if (BLOCKING.has(level)) continue;
    const lowered = name === "all" ? [...guarded.keys()] : guarded.has(name) ? [name] : [];
    if (lowered.length > 0) {
      const themes = [...new Set(lowered.flatMap((n) => guarded.get(n)!))].join(" and ");
      throw new FleetConfigError(
        file,
        key,
        `"${level}" would lower ${lowered.length === 1 ? `a ${themes} policy` : `${lowered.length} ${themes} policies (${lowered.slice(0, 3).join(", ")}, ...)`}; configuration may only raise them — waive one resource with an exemption (policy, urn or resource, reason, owner, expires) instead`,
      );
    }
  }
  return { ...(shared as PolicySettings), ...(Object.keys(enforcement).length > 0 ? { enforcement } : {}) };
}
