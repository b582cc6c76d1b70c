/**
 * How a meridian policy is declared: metadata (for the engine, the docs and the plan)
 * plus a check over plain values. `resourcePolicy` / `stackPolicy` turn that into a
 * standard `@pulumi/policy` policy whose validate function
 *   1. resolves the shared config from `args.getConfig()` (cached),
 *   2. runs the check over the props behind the engine's unknown-checking proxy,
 *   3. drops violations covered by an active exemption (and records them in the
 *      exemption ledger, which `meridian-governance-exemption-active` reports),
 *   4. throws one `CannotVerifyError` when the check met unknown values, which the
 *      engine (and `evaluateStack`) report as advisory.
 */
import type {
  EnforcementLevel,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { configSchemaProperties, resolveConfig, type ParsedExemption, type ResolvedConfig } from "./config";
import { CannotVerifyError, unproxy, type Props } from "./values";

export type Area = "residency" | "aws" | "azure" | "gcp" | "kubernetes" | "interconnect" | "baseline" | "governance";

export interface PolicyMeta {
  /** `meridian-<area>-<resource>-<verb>`; stable: a rename breaks configs and exemptions. */
  readonly name: string;
  readonly area: Area;
  /** Rule ids from POLICY-RULES.md (e.g. `AWS-01`) or `MER-*` for rules beyond it. */
  readonly rules: readonly string[];
  /** What it checks (one sentence; the engine shows it with every violation). */
  readonly description: string;
  /** Why it matters. */
  readonly why: string;
  /** How to fix a violation. */
  readonly remediation: string;
  readonly severity: Severity;
  readonly enforcementLevel: EnforcementLevel;
  /** Control references, e.g. `SOC2 CC6.1`. */
  readonly frameworks: readonly string[];
  /** Resource types checked; `*` for every type. Stack policies list the types they read. */
  readonly types: readonly string[];
}

/** A resource as the checks see it: plain values (the proxy's target). */
export interface ResourceView {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: Props;
  readonly provider?: { readonly type: string; readonly name: string; readonly urn: string; readonly props: Props };
}

export interface StackResourceView extends ResourceView {
  readonly parent?: StackResourceView;
  readonly dependencies: readonly StackResourceView[];
  readonly propertyDependencies: Readonly<Record<string, readonly StackResourceView[]>>;
}

export interface CheckContext {
  readonly cfg: ResolvedConfig;
  /** Record a property whose value is unknown at preview (reported as advisory). */
  unknown(path: string): void;
}

export interface ResourceCheckContext extends CheckContext {
  report(message: string): void;
}

export interface StackCheckContext extends CheckContext {
  report(message: string, urn?: string): void;
  readonly stackUrn?: string;
}

export type ResourceCheck = (r: ResourceView, ctx: ResourceCheckContext) => void;
export type StackCheck = (resources: readonly StackResourceView[], ctx: StackCheckContext) => void;

/** Metadata of every declared policy, by name. */
export const policyMetadata = new Map<string, PolicyMeta>();

// ------------------------------------------------------------------------------------------
// Exemptions.

export interface ExemptionUse {
  readonly exemption: ParsedExemption;
  readonly urn: string;
  readonly message: string;
}

/**
 * Violations suppressed by active exemptions since the last reset. The engine runs one
 * pack process per operation and stack policies after all resource checks, so
 * `meridian-governance-exemption-active` (last in the list) sees every use.
 * `evaluateStack` resets it per stack.
 */
const ledger = new Map<string, ExemptionUse>();

export function resetExemptionLedger(): void {
  ledger.clear();
}

export function exemptionUses(): ExemptionUse[] {
  return [...ledger.values()];
}

function nameOfUrn(urn: string): string {
  const i = urn.lastIndexOf("::");
  return i < 0 ? urn : urn.slice(i + 2);
}

/** The active exemption covering (policy, resource), if any. Expired ones never cover. */
export function activeExemption(cfg: ResolvedConfig, policy: string, urn: string | undefined, name: string | undefined, now: number): ParsedExemption | undefined {
  if (cfg.exemptions.length === 0 || urn === undefined) {
    return undefined;
  }
  const resourceName = name ?? nameOfUrn(urn);
  return cfg.exemptions.find(
    (e) =>
      e.policy === policy &&
      e.expiresAt >= now &&
      (e.urn !== undefined ? e.urn === urn : true) &&
      (e.matcher !== undefined ? e.matcher.test(resourceName) : true),
  );
}

/** Clock for exemption expiry; tests may pin it. */
export const clock = { now: (): number => Date.now() };

// ------------------------------------------------------------------------------------------
// Policy builders.

function frameworkOf(meta: PolicyMeta) {
  const soc2 = meta.frameworks.filter((f) => f.startsWith("SOC2 ")).map((f) => f.slice(5));
  return {
    name: "SOC2",
    version: "2017 (rev. 2022)",
    reference: soc2.join(", "),
    specification: `Trust Services Criteria ${soc2.join(", ")}; meridian rules ${meta.rules.join(", ")}`,
  };
}

function policyBase(meta: PolicyMeta) {
  if (!/^meridian-(residency|aws|azure|gcp|kubernetes|interconnect|baseline|governance)-[a-z0-9]+(-[a-z0-9]+)+$/.test(meta.name)) {
    throw new Error(`policy name '${meta.name}' does not follow meridian-<area>-<resource>-<verb>`);
  }
  if (policyMetadata.has(meta.name)) {
    throw new Error(`policy '${meta.name}' is declared twice`);
  }
  policyMetadata.set(meta.name, meta);
  return {
    name: meta.name,
    description: meta.description,
    enforcementLevel: meta.enforcementLevel,
    severity: meta.severity,
    framework: frameworkOf(meta),
    tags: [meta.area, ...meta.rules, ...meta.frameworks],
    remediationSteps: meta.remediation,
    configSchema: { properties: configSchemaProperties },
  };
}

function finish(unknowns: string[]): void {
  if (unknowns.length > 0) {
    // An expected outcome at preview, not a bug: skip the stack trace (costly under source maps).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let error: CannotVerifyError;
    try {
      error = new CannotVerifyError([...new Set(unknowns)]);
    } finally {
      Error.stackTraceLimit = limit;
    }
    throw error;
  }
}

/** One view per args object (evaluateStack reuses args across the policies of a resource). */
const resourceViews = new WeakMap<ResourceValidationArgs, ResourceView>();

function viewOf(args: ResourceValidationArgs): ResourceView {
  let view = resourceViews.get(args);
  if (!view) {
    view = {
      type: args.type,
      name: args.name,
      urn: args.urn,
      props: unproxy(args.props),
      ...(args.provider
        ? { provider: { type: args.provider.type, name: args.provider.name, urn: args.provider.urn, props: unproxy(args.provider.props) } }
        : {}),
    };
    resourceViews.set(args, view);
  }
  return view;
}

export function resourcePolicy(meta: PolicyMeta, check: ResourceCheck): ResourceValidationPolicy {
  const types = new Set(meta.types);
  const all = types.has("*");
  const validate = (args: ResourceValidationArgs, reportViolation: ReportViolation): void => {
    if (!all && !types.has(args.type)) {
      args.notApplicable(`applies to ${meta.types.join(", ")}`);
    }
    const cfg = resolveConfig(args.getConfig());
    const unknowns: string[] = [];
    const now = clock.now();
    const view = viewOf(args);
    check(view, {
      cfg,
      unknown: (path) => unknowns.push(path),
      report: (message) => {
        const ex = activeExemption(cfg, meta.name, args.urn, args.name, now);
        if (ex) {
          ledger.set(`${meta.name}|${args.urn}|${ex.index}`, { exemption: ex, urn: args.urn, message });
          return;
        }
        reportViolation(message);
      },
    });
    finish(unknowns);
  };
  if (types.size === 1 && !all) {
    // The engine's fast path: skip other types without calling us.
    (validate as { __pulumiType?: string }).__pulumiType = meta.types[0];
  }
  return { ...policyBase(meta), validateResource: validate };
}

/** Views per resources array: evaluateStack passes one array to every stack policy. */
const viewCache = new WeakMap<readonly PolicyResource[], StackResourceView[]>();

function toViews(resources: readonly PolicyResource[]): StackResourceView[] {
  const cached = viewCache.get(resources);
  if (cached) {
    return cached;
  }
  const result = buildViews(resources);
  viewCache.set(resources, result);
  return result;
}

function buildViews(resources: readonly PolicyResource[]): StackResourceView[] {
  const views = new Map<PolicyResource, StackResourceView & { parent?: StackResourceView }>();
  for (const r of resources) {
    views.set(r, {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: unproxy(r.props),
      ...(r.provider ? { provider: { type: r.provider.type, name: r.provider.name, urn: r.provider.urn, props: unproxy(r.provider.props) } } : {}),
      dependencies: [],
      propertyDependencies: {},
    });
  }
  for (const r of resources) {
    const v = views.get(r)! as { -readonly [K in keyof StackResourceView]: StackResourceView[K] };
    if (r.parent) {
      const p = views.get(r.parent);
      if (p) {
        v.parent = p;
      }
    }
    v.dependencies = r.dependencies.map((d) => views.get(d)).filter((d): d is StackResourceView => d !== undefined);
    const pd: Record<string, StackResourceView[]> = {};
    for (const [k, deps] of Object.entries(r.propertyDependencies)) {
      pd[k] = deps.map((d) => views.get(d)).filter((d): d is StackResourceView => d !== undefined);
    }
    v.propertyDependencies = pd;
  }
  return [...views.values()];
}

export function stackPolicy(meta: PolicyMeta, check: StackCheck): StackValidationPolicy {
  const validate = (args: StackValidationArgs, reportViolation: ReportViolation): void => {
    const cfg = resolveConfig(args.getConfig());
    const views = toViews(args.resources);
    const byUrn = new Map(views.map((v) => [v.urn, v]));
    const stack = views.find((v) => v.type === "pulumi:pulumi:Stack");
    const unknowns: string[] = [];
    const now = clock.now();
    check(views, {
      cfg,
      ...(stack ? { stackUrn: stack.urn } : {}),
      unknown: (path) => unknowns.push(path),
      report: (message, urn) => {
        const ex = activeExemption(cfg, meta.name, urn, urn ? byUrn.get(urn)?.name : undefined, now);
        if (ex && urn) {
          ledger.set(`${meta.name}|${urn}|${ex.index}`, { exemption: ex, urn, message });
          return;
        }
        reportViolation(message, urn);
      },
    });
    finish(unknowns);
  };
  return { ...policyBase(meta), validateStack: validate };
}
