/**
 * Fleet-wide settings (`stacks/fleet.yaml`): the residency allowlists and the IPAM pools.
 * Optional: a missing file means the catalogue defaults. Shared by the program (which
 * reads the file next to its stack configs), the plan and the policy pack's config.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { CLOUDS, DEFAULT_REGIONS, DOMAINS, type Domain, type RegionAllowlist } from "../../components/residency/catalogue";
import { DEFAULT_IPAM, type IpamSettings } from "../../components/network/ipam";
import { FleetConfigError } from "./errors";
import { formatZodIssue } from "./zodErrors";
import { domainsSchema, resolveControlPlanes, type DomainControlPlane } from "./controlPlane";
import { accountsSchema, resolveAccounts, type FleetAccounts } from "./accounts";
import { validatePolicySettings, type PolicySettings } from "./policySettings";
import { readYamlFile, type YamlLimits } from "./yamlFile";
import { guardrailsSettingsSchema, type GuardrailSettings } from "./guardrails";
import { resolveTenants, tenantsSettingsSchema, type FleetTenants } from "./tenants";
import { retriesSettingsSchema, type RetryRuleSettings } from "./retries";
import { exposureSettingsSchema, resolveExposure, type ExposureSettings } from "./exposure";
import { observabilitySettingsSchema, resolveObservability, type FleetObservability } from "./observability";
import { gitopsSettingsSchema, validateGitOpsSettings, type GitOpsSettings } from "./gitops";
import { DEFAULT_GATES, gatesSettingsSchema, validateGateUrls, type GatesSettings } from "./gates";

export const FLEET_SETTINGS_FILE = "fleet.yaml";

const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, "an IPv4 CIDR such as 10.0.0.0/10");
const pools = z.strictObject({ nodes: cidr, pods: cidr, services: cidr });

const settingsSchema = z.strictObject({
  /** (Optional) Per domain and cloud, the regions allowed; replaces the catalogue's list for that cloud. */
  residency: z
    .partialRecord(z.enum(DOMAINS), z.partialRecord(z.enum(CLOUDS), z.array(z.string().min(1)).min(1)))
    .default({}),
  /** (Optional) IPAM pools per domain and the prefix length handed to each slot. */
  ipam: z
    .strictObject({
      pools: z.partialRecord(z.enum(DOMAINS), pools).default({}),
      prefixes: z
        .strictObject({
          nodes: z.int().min(8).max(24),
          pods: z.int().min(8).max(24),
          services: z.int().min(12).max(24),
        })
        .partial()
        .default({}),
    })
    .default({ pools: {}, prefixes: {} }),
  /**
   * (Optional) Policy pack settings for every stack: `exemptions` ({policy, urn | resource,
   * reason, owner, expires}), `enforcement` ({all | <policy>: level}; residency and
   * encryption policies can only be raised), `minLogRetentionDays`, `namespaceExceptions`.
   * Validated here (see ./policySettings.ts). Defaults to none.
   */
  policy: z.record(z.string(), z.unknown()).default({}),
  /**
   * (Optional) Per domain, the AWS accounts, GCP projects, Azure subscriptions and
   * location-less registry hosts it owns (see ./accounts.ts). Defaults to none declared.
   */
  accounts: accountsSchema,
  /** (Optional) Domain order for the canary strategy: the first is the canary. Defaults to eu, us. */
  domainOrder: z
    .array(z.enum(DOMAINS))
    .length(DOMAINS.length)
    .refine((d) => new Set(d).size === d.length, "each domain once")
    .default([...DOMAINS]),
  /**
   * (Optional) Per domain, the fleet's own control plane: `backend`, `secretsProvider`,
   * `evidenceStore`, `passphraseEnv`, `locations` (see ./controlPlane.ts and
   * docs/configuration.md). A domain left out uses the local per-domain default.
   */
  domains: domainsSchema,
  /** (Optional) Per domain, the organisational scopes the cloud guardrails apply to; see docs/guardrails.md. Defaults to none. */
  guardrails: guardrailsSettingsSchema,
  /** (Optional) Per domain, the tenants and where they land (see ./tenants.ts). Defaults to none. */
  tenants: tenantsSettingsSchema,
  /** (Optional) Transient errors the orchestrator retries (see ./retries.ts). Defaults to none beyond a held stack lock. */
  retries: retriesSettingsSchema,
  /** (Optional) Per domain, the Gateway's DNS zones, CA intermediate and ACME (see ./exposure.ts). Defaults to no zones. */
  exposure: exposureSettingsSchema,
  /** (Optional) Per domain, telemetry retention, the alert receiver and the SLO objective (see ./observability.ts). Defaults per domain. */
  observability: observabilitySettingsSchema,
  /** (Optional) Per domain, where tenants' desired state lives in Git (see ./gitops.ts). Required for a domain with tenants. */
  gitops: gitopsSettingsSchema,
  /** (Optional) Soak, health checks and approvals between rings and domains (see ./gates.ts). Defaults to no gates. */
  gates: gatesSettingsSchema,
});

export interface FleetSettings {
  readonly regions: RegionAllowlist;
  readonly ipam: IpamSettings;
  readonly domainOrder: readonly Domain[];
  /** Policy pack settings shared by every stack, validated (see ./policySettings.ts). */
  readonly policy: Readonly<PolicySettings>;
  /** Per domain, the owners (accounts, projects, subscriptions, registry hosts) it declares. */
  readonly accounts: FleetAccounts;
  /**
   * Per domain, the fleet's own control plane (`domains.<domain>` in fleet.yaml: backend,
   * secrets provider, evidence store). A domain missing here uses `defaultControlPlane`
   * (see ./controlPlane.ts): read it through `controlPlaneFor`, never directly.
   */
  readonly controlPlane: Readonly<Partial<Record<Domain, DomainControlPlane>>>;
  /** Per domain, the guardrails' organisational scopes (`guardrails.<domain>`); read through `deriveGuardrails`. */
  readonly guardrails: GuardrailSettings;
  /** Per domain, the tenants (`tenants.<domain>`), names and defaults settled. */
  readonly tenants: FleetTenants;
  /** Transient-error retry rules (`retries:`), in order; the first match wins. */
  readonly retries: readonly RetryRuleSettings[];
  /** Per domain, the exposure settings (`exposure.<domain>`), tenant hostnames placed in zones. */
  readonly exposure: ExposureSettings;
  /** Per domain, telemetry retention, alert receiver and SLO objective (`observability.<domain>`), defaults settled. */
  readonly observability: FleetObservability;
  /** Per domain, the tenants' Git sources (`gitops.<domain>`); read through `tenantSource`. */
  readonly gitops: GitOpsSettings;
  /** Soak, per-domain health checks and approvals between rings and domains (`gates:`). */
  readonly gates: GatesSettings;
}

export const DEFAULT_SETTINGS: FleetSettings = {
  regions: DEFAULT_REGIONS,
  ipam: DEFAULT_IPAM,
  domainOrder: DOMAINS,
  policy: {},
  accounts: resolveAccounts(FLEET_SETTINGS_FILE, {}),
  controlPlane: {},
  guardrails: {},
  tenants: resolveTenants({}),
  retries: [],
  exposure: resolveExposure(FLEET_SETTINGS_FILE, {}, resolveTenants({})),
  observability: resolveObservability({}),
  gitops: {},
  gates: DEFAULT_GATES,
};

/** Read `<dir>/fleet.yaml` if present and merge it over the defaults. */
export function loadFleetSettings(stacksDir: string, limits?: YamlLimits, budget?: { left: number }): FleetSettings {
  const file = path.join(stacksDir, FLEET_SETTINGS_FILE);
  if (!fs.existsSync(file) && !isSymlink(file)) return DEFAULT_SETTINGS;
  const raw = readYamlFile(file, limits, budget) ?? {};
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const { key, detail } = formatZodIssue(issue, raw);
    throw new FleetConfigError(file, key, detail);
  }
  const s = parsed.data;
  const regions = Object.fromEntries(
    DOMAINS.map((d) => [d, Object.fromEntries(CLOUDS.map((c) => [c, s.residency[d]?.[c] ?? DEFAULT_REGIONS[d][c]]))]),
  ) as unknown as RegionAllowlist;
  const ipam: IpamSettings = {
    pools: Object.fromEntries(DOMAINS.map((d) => [d, s.ipam.pools[d] ?? DEFAULT_IPAM.pools[d]])) as IpamSettings["pools"],
    prefixes: { ...DEFAULT_IPAM.prefixes, ...s.ipam.prefixes },
  };
  const controlPlane = resolveControlPlanes(s.domains, regions, file, stacksDir);
  const policy = validatePolicySettings(file, s.policy);
  const accounts = resolveAccounts(file, s.accounts);
  const tenants = resolveTenants(s.tenants);
  const exposure = resolveExposure(file, s.exposure, tenants);
  const gates = validateGateUrls(file, s.gates, { regions, exposure, pools: ipam.pools });
  return { regions, ipam, domainOrder: s.domainOrder, policy, accounts, controlPlane, guardrails: s.guardrails, tenants, exposure, retries: s.retries, observability: resolveObservability(s.observability), gitops: validateGitOpsSettings(file, s.gitops, tenants), gates };
}

/** A dangling or looping symlink named fleet.yaml is a problem to report, not a missing file. */
function isSymlink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
