/**
 * The cloud guardrails themselves (docs/guardrails.md): what an SCP, an Azure policy
 * assignment or a GCP org policy allows must lie inside the stack's domain, and every
 * exception to a guardrail must say why, who owns it and when it ends.
 *
 * The pack reads the guardrails as the clouds will: the SCP's JSON, the assignment's
 * `listOfAllowedLocations`, the org policy's allowed values — not meridian's own inputs —
 * so a hand-edited or foreign guardrail in a meridian stack is judged the same way.
 * Conventions shared with components/guardrails (the pack stands alone, so they are
 * restated here): AWS exemption metadata is tagged on the SCP as
 * `meridian-exemption:<sha256(principal)[0:8]>:{reason,owner,expires}`, the deployer as
 * `meridian-guardrails-deployer`; a GCP exemption's condition title reads
 * `meridian-exemption expires=<YYYY-MM-DD> owner=<owner>` and its description the reason.
 */
import { createHash } from "node:crypto";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { DOMAINS, type Cloud } from "../lib/catalogue";
import type { ResolvedConfig } from "../lib/config";
import { clock, resourcePolicy, type ResourceCheckContext, type ResourceView } from "../lib/define";
import { normalizeLocation, regionOfZone } from "../lib/location";
import { arrayAt, at, containsUnknown, str, UNKNOWN } from "../lib/values";

const SOC2 = ["SOC2 CC6.1", "SOC2 CC8.1"];
const SCP = "aws:organizations/policy:Policy";
const ASSIGNMENT = "azure-native:authorization:PolicyAssignment";
const EXEMPTION = "azure-native:authorization:PolicyExemption";
const ORG_POLICY = "gcp:orgpolicy/policy:Policy";
const ALLOWED_LOCATION_DEFINITIONS = ["e56962a6-4747-49cd-b67b-bf8b01975c4c", "e765b5de-1225-4ba3-bd56-1ac6695af988"];

type Statement = Record<string, unknown>;

/** The SCP's statements, or undefined when its content is unknown or not JSON (reported). */
function scpStatements(r: ResourceView, ctx: ResourceCheckContext): Statement[] | undefined {
  const content = at(r.props, "content");
  if (content === UNKNOWN || containsUnknown(content)) {
    ctx.unknown("content");
    return undefined;
  }
  if (typeof content !== "string") return [];
  try {
    const doc = JSON.parse(content) as { Statement?: Statement | Statement[] };
    return Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  } catch {
    ctx.report("content is not valid JSON: the guardrail cannot be verified");
    return undefined;
  }
}

/** Values of condition operators matching `operator` on `key` (case-insensitive key match). */
function conditionValues(statement: Statement, operator: RegExp, key: string): string[] {
  const condition = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(condition)
    .filter(([op]) => operator.test(op))
    .flatMap(([, block]) => Object.entries(block ?? {}).filter(([k]) => k.toLowerCase() === key.toLowerCase()))
    .flatMap(([, v]) => (Array.isArray(v) ? v.map(String) : [String(v)]));
}

/** The domain that owns a region under the allowlists, if any. */
function ownerOf(cfg: ResolvedConfig, cloud: Cloud, region: string): string | undefined {
  return DOMAINS.find((d) => cfg.regions[d][cloud].some((r) => normalizeLocation(r) === region));
}

/** Report every allowed region that is not the stack's domain's. */
function checkAllowed(ctx: ResourceCheckContext, cloud: Cloud, what: string, regions: readonly string[]): void {
  for (const raw of regions) {
    const region = regionOfZone(cloud, normalizeLocation(raw));
    if (ctx.cfg.allowed[cloud].has(region)) continue;
    const owner = ownerOf(ctx.cfg, cloud, region);
    ctx.report(
      owner
        ? `${what} allows ${raw}, a region of domain ${owner}; a ${ctx.cfg.domain ?? "(unset)"} guardrail may allow only ${[...ctx.cfg.allowed[cloud]].join(", ")}`
        : `${what} allows ${raw}, which is in no domain's allowlist; a guardrail is never wider than its domain`,
    );
  }
}

/** GCP resource-location values: `in:<region>-locations`, a region, or a zone; anything else is a wider group. */
function gcpRegionsOf(ctx: ResourceCheckContext, values: readonly string[]): string[] {
  const regions: string[] = [];
  for (const v of values) {
    const group = /^in:(.+)-locations$/.exec(v)?.[1];
    const candidate = group ?? v;
    if (/^[a-z]+-[a-z]+\d+(-[a-z])?$/.test(candidate)) regions.push(candidate);
    else ctx.report(`gcp.resourceLocations allows ${v}: a multi-region value group can include regions outside the domain; list region groups (in:<region>-locations) instead`);
  }
  return regions;
}

export const guardrailRegions: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-residency-guardrail-regions-domain",
    area: "residency",
    rules: ["MER-GR-01"],
    description: "Cloud guardrails (SCP region deny, Azure Allowed locations, GCP gcp.resourceLocations) allow only the stack's domain's regions.",
    why: "A guardrail that allows the other domain's regions (or all regions) turns the cloud's second layer of residency into a hole that looks like a wall.",
    remediation: "Derive guardrails with `deriveGuardrails` from the fleet's allowlists; to use a new region, add it to `residency.<domain>` in fleet.yaml (docs/guardrails.md).",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: SOC2,
    types: [SCP, ASSIGNMENT, ORG_POLICY],
  },
  (r, ctx) => {
    if (r.type === SCP) {
      for (const s of scpStatements(r, ctx) ?? []) {
        if (s.Effect !== "Deny") continue;
        const allowed = conditionValues(s, /^StringNotEquals(IgnoreCase)?$|^StringNotLike$/, "aws:RequestedRegion");
        checkAllowed(ctx, "aws", `SCP statement ${String(s.Sid ?? "(no Sid)")}`, allowed);
      }
      return;
    }
    if (r.type === ASSIGNMENT) {
      const definition = str(at(r.props, "policyDefinitionId")) ?? "";
      if (!ALLOWED_LOCATION_DEFINITIONS.some((id) => definition.toLowerCase().endsWith(id))) return;
      const locations = arrayAt(r.props, "parameters.listOfAllowedLocations.value");
      if (locations === UNKNOWN) return ctx.unknown("parameters.listOfAllowedLocations.value");
      if (locations.length === 0) ctx.report("Allowed locations assignment without listOfAllowedLocations");
      checkAllowed(ctx, "azure", "policy assignment", locations.map(String));
      return;
    }
    const name = str(at(r.props, "name")) ?? "";
    if (!name.endsWith("/policies/gcp.resourceLocations")) return;
    const rules = arrayAt(r.props, "spec.rules");
    if (rules === UNKNOWN) return ctx.unknown("spec.rules");
    for (const rule of rules.filter((x) => at(x, "condition") === undefined)) {
      if (String(at(rule, "allowAll")).toUpperCase() === "TRUE") ctx.report("gcp.resourceLocations allows all locations");
      const values = arrayAt(rule, "values.allowedValues");
      if (values === UNKNOWN) ctx.unknown("spec.rules.values.allowedValues");
      else checkAllowed(ctx, "gcp", "gcp.resourceLocations", gcpRegionsOf(ctx, values.map(String)));
    }
  },
);

const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

/** `reason`, `owner`, `expires` present, the reason readable, the expiry a date not yet past. */
function metaProblems(what: string, meta: { reason?: string; owner?: string; expires?: string }): string[] {
  const problems: string[] = [];
  if ((meta.reason ?? "").trim().length < 10) problems.push(`${what} has no reason (at least 10 characters)`);
  if ((meta.owner ?? "").trim().length < 3) problems.push(`${what} has no owner`);
  const expires = meta.expires ?? "";
  if (!ISO_DATE.test(expires) || Number.isNaN(Date.parse(expires.slice(0, 10)))) problems.push(`${what} has no expiry date`);
  else if (Date.parse(`${expires.slice(0, 10)}T23:59:59.999Z`) < clock.now()) problems.push(`${what} expired on ${expires.slice(0, 10)}`);
  return problems;
}

const sha8 = (s: string): string => createHash("sha256").update(s).digest("hex").slice(0, 8);

function checkScpExceptions(r: ResourceView, ctx: ResourceCheckContext): void {
  const statements = scpStatements(r, ctx);
  if (statements === undefined) return;
  const tags = (at(r.props, "tags") ?? {}) as Record<string, unknown>;
  const deployer = str(tags["meridian-guardrails-deployer"]);
  for (const s of statements) {
    if (s.Effect !== "Deny") continue;
    const principals = conditionValues(s, /^(ArnNotLike|ArnNotEquals|StringNotLike|StringNotEquals(IgnoreCase)?)$/, "aws:PrincipalArn");
    const guardsPolicies = [s.Action].flat().some((a) => /^organizations:(Detach|Delete|Update)Policy$/.test(String(a)));
    for (const p of principals) {
      if (guardsPolicies && p === deployer) continue; // the guardrails' own deployer, declared on the SCP
      const id = sha8(p);
      const meta = { reason: str(tags[`meridian-exemption:${id}:reason`]), owner: str(tags[`meridian-exemption:${id}:owner`]), expires: str(tags[`meridian-exemption:${id}:expires`]) };
      for (const m of metaProblems(`principal exception ${p} in ${String(s.Sid ?? "(no Sid)")}`, meta)) ctx.report(m);
    }
  }
}

export const guardrailExemptions: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-residency-guardrail-exemption-documented",
    area: "residency",
    rules: ["MER-GR-02"],
    description: "Every exception to a cloud guardrail (SCP principal exception, Azure policy exemption or notScopes, GCP conditional org-policy rule) has a reason, an owner and an expiry not yet past.",
    why: "An exception nobody owns and that never ends is how a temporary hole becomes the landing zone; auditors ask who, why and until when.",
    remediation:
      "Declare the exemption in fleet.yaml `guardrails.<domain>.<cloud>.exemptions` with reason, owner and expires (docs/guardrails.md); remove it when it expires.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2,
    types: [SCP, ASSIGNMENT, EXEMPTION, ORG_POLICY],
  },
  (r, ctx) => {
    if (r.type === SCP) return checkScpExceptions(r, ctx);
    if (r.type === ASSIGNMENT) {
      const notScopes = arrayAt(r.props, "notScopes");
      if (notScopes === UNKNOWN) return ctx.unknown("notScopes");
      if (notScopes.length > 0) ctx.report(`notScopes ${notScopes.join(", ")} exempt scopes without reason, owner or expiry; use a policy exemption instead`);
      return;
    }
    if (r.type === EXEMPTION) {
      const metadata = (at(r.props, "metadata") ?? {}) as Record<string, unknown>;
      const meta = { reason: str(at(r.props, "description")) ?? str(metadata.reason), owner: str(metadata.owner), expires: str(at(r.props, "expiresOn")) };
      for (const m of metaProblems("policy exemption", meta)) ctx.report(m);
      return;
    }
    const rules = arrayAt(r.props, "spec.rules");
    if (rules === UNKNOWN) return ctx.unknown("spec.rules");
    rules.forEach((rule, i) => {
      const condition = at(rule, "condition");
      if (condition === undefined || condition === null) return;
      const title = str(at(condition, "title")) ?? "";
      const parsed = /^meridian-exemption expires=(\S+) owner=(.+)$/.exec(title);
      const meta = { reason: str(at(condition, "description")), owner: parsed?.[2], expires: parsed?.[1] };
      for (const m of metaProblems(`conditional rule ${i} (${str(at(condition, "expression")) ?? "?"})`, meta)) ctx.report(m);
    });
  },
);

export const guardrailPolicies: readonly ResourceValidationPolicy[] = [guardrailRegions, guardrailExemptions];
