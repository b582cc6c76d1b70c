/**
 * The pack's one configuration schema.
 *
 * The engine hands each policy only its own config (`args.getConfig()` reads
 * `policyPackConfig[policy.name]`), so every policy declares this same schema and the
 * config file repeats the shared block under each policy name; `toEngineConfig` writes
 * that file from one compact `PackConfig`. `evaluateStack` passes the same object to
 * every policy, which is what the engine does with a file written by `toEngineConfig`.
 *
 * `domain` is deliberately NOT `required` in the JSON schema: the engine would then
 * refuse to start with one terse error per policy. Instead
 * `meridian-residency-stack-domain-required` reports a mandatory violation that says
 * how to set it.
 */
import { z } from "zod";
import type { EnforcementLevel } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import {
  CLOUDS,
  DEFAULT_REGIONS,
  DOMAINS,
  MULTI_REGION_LOCATIONS,
  type Cloud,
  type Domain,
  type RegionAllowlist,
} from "./catalogue";
import { controlPlaneConfigSchema, type ControlPlaneConfig } from "./controlPlaneUrl";

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2})?)?$/, "an ISO date such as 2026-03-31")
  .refine((s) => !Number.isNaN(Date.parse(s)), "a real calendar date");

const exemptionSchema = z
  .strictObject({
    policy: z.string().regex(/^meridian-[a-z0-9-]+$/, "a policy name such as meridian-aws-eks-cluster-encrypt").describe(
      "(Required) The policy the exemption applies to; one policy per exemption.",
    ),
    urn: z.string().min(1).optional().describe("(Optional) The exact URN of the exempted resource."),
    resource: z
      .string()
      .min(1)
      .optional()
      .describe("(Optional) A glob (`*`, `?`) over the resource's logical name. One of `urn` or `resource` is required."),
    reason: z.string().min(10, "a reason an auditor can read (at least 10 characters)").describe("(Required) Why the exemption exists."),
    owner: z.string().min(3).optional().describe("(Required in fleet.yaml) Who accepted the risk: a person or team an auditor can ask."),
    expires: isoDate.describe("(Required) ISO date after which the exemption is itself a mandatory violation."),
  })
  .refine((e) => e.urn !== undefined || e.resource !== undefined, "set `urn` or `resource` (a name glob)");

const namespaceExceptionSchema = z.strictObject({
  podSecurity: z
    .enum(["baseline", "privileged"])
    .optional()
    .describe("(Optional) The Pod Security level allowed instead of `restricted`."),
  defaultDeny: z
    .literal(false)
    .optional()
    .describe("(Optional) `false` waives the default-deny NetworkPolicy requirement for this namespace."),
  reason: z.string().min(10, "a reason an auditor can read (at least 10 characters)"),
});

/** Ports open to the internet by default: HTTPS, and HTTP only to redirect (see `publicIngressPorts`). */
export const DEFAULT_PUBLIC_INGRESS_PORTS: readonly number[] = [443, 80];

/** The shared config every policy receives. */
export const sharedConfigSchema = z.strictObject({
  domain: z
    .enum(DOMAINS)
    .optional()
    .describe("(Required) The stack's residency domain, `eu` or `us`. Stack tags do not exist on DIY backends, so the domain comes from here."),
  regions: z
    .partialRecord(z.enum(DOMAINS), z.partialRecord(z.enum(CLOUDS), z.array(z.string().min(1)).min(1)))
    .optional()
    .describe("(Optional) Per domain and cloud, the allowed regions; replaces the catalogue's list for that cloud. Defaults to DEFAULT_REGIONS."),
  registries: z
    .partialRecord(z.enum(DOMAINS), z.array(z.string().min(3)))
    .optional()
    .describe("(Optional) Per domain, the allowed image prefixes (e.g. `123456789012.dkr.ecr.eu-central-1.amazonaws.com/`). Defaults to none: every image is a violation until set."),
  stackDomains: z
    .record(z.string().min(1), z.enum(DOMAINS))
    .optional()
    .describe("(Optional) Stack name (or org/project/stack) to domain, for StackReference checks. An unlisted target is a violation."),
  namespaceExceptions: z
    .record(z.string().min(1), namespaceExceptionSchema)
    .optional()
    .describe("(Optional) Per Kubernetes namespace, a documented Pod Security / default-deny exception."),
  exemptions: z
    .array(exemptionSchema)
    .optional()
    .describe("(Optional) Time-boxed exemptions: {policy, urn | resource, reason, expires}."),
  controlPlane: controlPlaneConfigSchema
    .optional()
    .describe("(Optional) The stack's domain control plane (fleet.yaml `domains.<domain>`): backend, secretsProvider, evidenceStore, locations. Set by the orchestrator and the plan."),
  minLogRetentionDays: z
    .int()
    .min(1)
    .optional()
    .describe("(Optional) Minimum log retention in days for log groups and log buckets. Defaults to 365."),
  publicIngressPorts: z
    .array(z.int().min(1).max(65535))
    .optional()
    .describe(
      "(Optional) TCP ports that may be open to 0.0.0.0/0 or ::/0 (security groups, NSGs, firewalls). Defaults to [443, 80]: 80 only because `meridian-baseline-http-listener-redirect` requires every HTTP listener to redirect to HTTPS.",
    ),
});

export type SharedConfig = z.input<typeof sharedConfigSchema>;
export type Exemption = z.infer<typeof exemptionSchema>;
export type NamespaceException = z.infer<typeof namespaceExceptionSchema>;

/** What callers of `evaluateStack` pass: the shared config plus enforcement overrides. */
export interface PackConfig extends SharedConfig {
  /**
   * (Optional) Enforcement level per policy name, or `all` for every policy; the same
   * semantics as the engine's config file (`all` first, then the policy's own entry).
   */
  enforcement?: Record<string, EnforcementLevel>;
}

/** The JSON schema every policy declares (the engine validates the config file with it). */
export const configSchemaProperties: Record<string, PolicyConfigJSONSchema> = (() => {
  const json = z.toJSONSchema(sharedConfigSchema, { target: "draft-7", io: "input" }) as {
    properties: Record<string, PolicyConfigJSONSchema>;
  };
  return json.properties;
})();

export interface ParsedExemption extends Exemption {
  readonly index: number;
  /** End of the expiry instant in ms; a bare date lasts until the end of that day, UTC. */
  readonly expiresAt: number;
  readonly matcher?: RegExp;
}

/** The config after validation and defaults. */
export interface ResolvedConfig {
  readonly domain?: Domain;
  readonly regions: RegionAllowlist;
  /** Allowed regions per cloud for `domain` (lower-case), empty when the domain is unset. */
  readonly allowed: Record<Cloud, ReadonlySet<string>>;
  /** Multi-region locations allowed for `domain` (lower-case). */
  readonly multiRegion: ReadonlySet<string>;
  readonly registries: readonly string[];
  readonly stackDomains: Readonly<Record<string, Domain>>;
  readonly namespaceExceptions: Readonly<Record<string, NamespaceException>>;
  readonly exemptions: readonly ParsedExemption[];
  readonly minLogRetentionDays: number;
  /** The stack's domain control plane, when configured (see controlPlane.ts policies). */
  readonly controlPlane?: ControlPlaneConfig;
  /** TCP ports allowed open to the internet. */
  readonly publicIngressPorts: ReadonlySet<number>;
  /** Validation errors, `path: message`; when any, exemptions are ignored (fail closed). */
  readonly errors: readonly string[];
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}

function expiryInstant(expires: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(expires) ? Date.parse(`${expires}T23:59:59.999Z`) : Date.parse(expires);
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.join(".") : "(config)";
  return `${where}: ${issue.message}`;
}

function build(parsed: z.output<typeof sharedConfigSchema>, errors: string[]): ResolvedConfig {
  const regions = {} as Record<Domain, Record<Cloud, readonly string[]>>;
  for (const d of DOMAINS) {
    regions[d] = { ...DEFAULT_REGIONS[d], ...(parsed.regions?.[d] ?? {}) };
  }
  const domain = parsed.domain;
  const allowed = {} as Record<Cloud, ReadonlySet<string>>;
  for (const c of CLOUDS) {
    allowed[c] = new Set(domain ? regions[domain][c].map((r) => r.toLowerCase()) : []);
  }
  const exemptions: ParsedExemption[] =
    errors.length > 0
      ? []
      : (parsed.exemptions ?? []).map((e, index) => ({
          ...e,
          index,
          expiresAt: expiryInstant(e.expires),
          ...(e.resource !== undefined ? { matcher: globToRegExp(e.resource) } : {}),
        }));
  return {
    ...(domain ? { domain } : {}),
    regions,
    allowed,
    multiRegion: new Set(domain ? MULTI_REGION_LOCATIONS[domain].map((m) => m.toLowerCase()) : []),
    registries: domain ? (parsed.registries?.[domain] ?? []) : [],
    stackDomains: parsed.stackDomains ?? {},
    namespaceExceptions: parsed.namespaceExceptions ?? {},
    exemptions,
    minLogRetentionDays: parsed.minLogRetentionDays ?? 365,
    ...(parsed.controlPlane ? { controlPlane: parsed.controlPlane } : {}),
    publicIngressPorts: new Set(parsed.publicIngressPorts ?? DEFAULT_PUBLIC_INGRESS_PORTS),
    errors,
  };
}

/** Validate a raw config object (what `getConfig()` returns) and apply defaults. */
export function parseConfig(raw: unknown): ResolvedConfig {
  const result = sharedConfigSchema.safeParse(raw ?? {});
  if (result.success) {
    return build(result.data, []);
  }
  const errors = result.error.issues.map(formatIssue);
  // Keep the domain if it alone is valid, so the residency rules can still run; every
  // other key falls back to its default and no exemption applies (fail closed).
  const domain = z.enum(DOMAINS).safeParse((raw as { domain?: unknown } | null)?.domain);
  return build(domain.success ? { domain: domain.data } : {}, errors);
}

/**
 * Engine runs only (index.ts turns it on): a compact `PackConfig` file named by
 * `MERIDIAN_POLICY_CONFIG` (the fleet's Automation API engine sets it) is the base under
 * each policy's own config, so a stack's domain reaches every policy even when the
 * `--policy-pack-config` file only sets enforcement levels. Policy entries win.
 */
export const environmentConfig = { enabled: false, file: undefined as string | undefined, loaded: undefined as Record<string, unknown> | undefined };

function fromEnvironment(): Record<string, unknown> {
  const file = process.env.MERIDIAN_POLICY_CONFIG;
  if (!environmentConfig.enabled || !file) {
    return {};
  }
  if (environmentConfig.file !== file) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require("node:fs") as typeof import("node:fs");
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    const { enforcement: _enforcement, ...shared } = parsed;
    environmentConfig.file = file;
    environmentConfig.loaded = shared;
  }
  return environmentConfig.loaded ?? {};
}

const byObject = new WeakMap<object, ResolvedConfig>();
const byText = new Map<string, ResolvedConfig>();

/**
 * `parseConfig` with a cache: the engine builds a fresh config object for every call,
 * so the cache is keyed by identity first and by the JSON text second.
 */
export function resolveConfig(raw: unknown): ResolvedConfig {
  if (environmentConfig.enabled) {
    raw = { ...fromEnvironment(), ...((raw as object | null) ?? {}) };
  }
  if (raw !== null && typeof raw === "object") {
    const hit = byObject.get(raw);
    if (hit) {
      return hit;
    }
    const text = JSON.stringify(raw);
    let resolved = byText.get(text);
    if (!resolved) {
      resolved = parseConfig(raw);
      if (byText.size > 256) {
        byText.clear();
      }
      byText.set(text, resolved);
    }
    byObject.set(raw, resolved);
    return resolved;
  }
  return parseConfig(raw);
}

const splits = new WeakMap<PackConfig, { shared: SharedConfig; enforcement: Record<string, EnforcementLevel> }>();

/**
 * Split a `PackConfig` into the shared block and the enforcement overrides. The same config
 * object gives the same `shared` object, so `resolveConfig` finds it by identity: the plan
 * evaluates a thousand stacks with one config per domain, and keying by JSON text instead
 * re-serialized its `stackDomains` (every stack of the domain) once per stack.
 */
export function splitPackConfig(config: PackConfig): { shared: SharedConfig; enforcement: Record<string, EnforcementLevel> } {
  let split = splits.get(config);
  if (split === undefined) {
    const { enforcement, ...shared } = config;
    split = { shared, enforcement: enforcement ?? {} };
    splits.set(config, split);
  }
  return split;
}

/**
 * The engine's `--policy-pack-config` file for one stack: the shared block under every
 * policy name, plus enforcement levels (`all`, then per policy).
 */
export function toEngineConfig(config: PackConfig, policyNames: readonly string[]): Record<string, unknown> {
  const { shared, enforcement } = splitPackConfig(config);
  const out: Record<string, unknown> = {};
  if (enforcement.all) {
    out.all = enforcement.all;
  }
  for (const name of policyNames) {
    const level = enforcement[name];
    out[name] = { ...(level ? { enforcementLevel: level } : {}), ...shared };
  }
  return out;
}
