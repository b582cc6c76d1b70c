/**
 * The cloud guardrails of each domain, as fleet.yaml declares them (`guardrails.<domain>`):
 * the organisational scope per cloud (AWS OUs / accounts, Azure management group or
 * subscriptions, GCP folder or projects, GCP key projects) and time-boxed exemptions.
 *
 * `deriveGuardrails` is the one function that turns the catalogue, the fleet's region
 * allowlists and these scopes into every guardrail the adapters render, so the plan's
 * region check and the clouds' own policies are computed from the same list and cannot
 * disagree (test/unit/guardrails/equivalence.property.test.ts proves it).
 */
import { z } from "zod";
import {
  AWS_DEFAULT_GLOBAL_SERVICES,
  AWS_DOCUMENTED_GLOBAL_SERVICES,
  AZURE_BUILTIN,
  GCP_DEFAULT_CMEK_SERVICES,
  type AwsGuardrailSpec,
  type AzureGuardrailSpec,
  type DomainGuardrails,
  type GcpGuardrailSpec,
} from "../../components/guardrails/spec";
import { CLOUDS, DOMAINS, type Cloud, type Domain } from "../../components/residency/catalogue";
import { withDependencies } from "./graph";
import type { Fleet } from "./load";
import type { FleetSettings } from "./settings";

/** Characters AWS accepts in tag values, so exemption metadata can be recorded on the SCP itself. */
const TAG_SAFE = /^[\p{L}\p{N} _.:/=+\-@]+$/u;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GCP_PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

const documented = new Set<string>(AWS_DOCUMENTED_GLOBAL_SERVICES);

const exemptionMeta = {
  /** (Required) Why, in 10–200 tag-safe characters (letters, digits, spaces, `_ . : / = + - @`). */
  reason: z.string().min(10, "a reason an auditor can read (at least 10 characters)").max(200).regex(TAG_SAFE, "letters, digits, spaces and _ . : / = + - @ only (it is recorded as a cloud tag)"),
  /** (Required) Who answers for it: an e-mail address or a team name. */
  owner: z.string().min(3).max(128).regex(TAG_SAFE, "letters, digits, spaces and _ . : / = + - @ only"),
  /** (Required) Last day it applies (YYYY-MM-DD); after it the pack reports it as mandatory. */
  expires: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "a date such as 2027-03-31")
    .refine((s) => !Number.isNaN(Date.parse(s)), "a real calendar date"),
};

const awsGuardrails = z.strictObject({
  /** (Required) OU ids (`ou-xxxx-yyyyyyyy`) or 12-digit account ids the SCPs are attached to. Never the root: it holds both domains. */
  targets: z
    .array(z.string().regex(/^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|\d{12})$/, "an OU id (ou-xxxx-yyyyyyyy) or a 12-digit account id"))
    .min(1),
  /** (Required) The role that deploys the guardrails: the only principal allowed to detach, delete or update them. */
  deployerRoleArn: z.string().regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/, "an IAM role ARN such as arn:aws:iam::111111111111:role/meridian-guardrails-deployer"),
  /**
   * (Optional) Global services exempt from the region deny: a subset of AWS's documented list
   * (components/guardrails/spec.ts). Defaults to that list without `kms:*` and `acm:*`.
   */
  globalServices: z
    .array(z.string().refine((s) => documented.has(s), "not one of the global services in AWS's documented region-deny SCP (see docs/guardrails.md)"))
    .min(1)
    .optional(),
  /** (Optional) Principals exempt from the region deny and the S3 replication deny. Defaults to none. */
  exemptions: z
    .array(z.strictObject({ principal: z.string().regex(/^arn:aws:iam::(\d{12}|\*):role\/[\w+=,.@/*-]+$/, "an IAM role ARN pattern"), ...exemptionMeta }))
    .default([]),
});

const azureGuardrails = z
  .strictObject({
    /** (One of) The management group id the assignments are made at. */
    managementGroup: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_().-]{0,89}$/, "a management group id (letters, digits, - _ ( ) .; at most 90)").optional(),
    /** (One of) Subscription ids (GUIDs) the assignments are made at. */
    subscriptions: z.array(z.string().regex(GUID, "a subscription id (lower-case GUID)")).min(1).optional(),
    /** (Optional) Sub-scopes exempt from one guardrail (an Azure policy exemption). Defaults to none. */
    exemptions: z
      .array(
        z.strictObject({
          scope: z.string().regex(/^\/subscriptions\/[0-9a-f-]{36}(\/resourceGroups\/[\w().-]+)?$/, "a subscription or resource group id"),
          guardrail: z.enum(Object.keys(AZURE_BUILTIN) as [keyof typeof AZURE_BUILTIN, ...(keyof typeof AZURE_BUILTIN)[]]),
          ...exemptionMeta,
        }),
      )
      .default([]),
  })
  .refine((a) => (a.managementGroup === undefined) !== (a.subscriptions === undefined), "set exactly one of managementGroup or subscriptions");

const gcpGuardrails = z
  .strictObject({
    /** (One of) The folder (`folders/N`) the org policies are set on. */
    folder: z.string().regex(/^folders\/\d{1,20}$/, "a folder such as folders/123456789012").optional(),
    /** (One of) Project ids the org policies are set on. */
    projects: z.array(z.string().regex(GCP_PROJECT_ID, "a project id")).min(1).optional(),
    /** (Required) Projects holding the domain's keys (`gcp.restrictCmekCryptoKeyProjects`). */
    keyProjects: z.array(z.string().regex(GCP_PROJECT_ID, "a project id")).min(1),
    /** (Optional) Resources with this tag value are exempt from `gcp.resourceLocations`. Defaults to none. */
    exemptions: z
      .array(
        z.strictObject({
          tagKey: z.string().regex(/^tagKeys\/\d+$/, "a tag key id such as tagKeys/123"),
          tagValue: z.string().regex(/^tagValues\/\d+$/, "a tag value id such as tagValues/456"),
          ...exemptionMeta,
        }),
      )
      .default([]),
  })
  .refine((g) => (g.folder === undefined) !== (g.projects === undefined), "set exactly one of folder or projects");

const domainGuardrails = z.strictObject({ aws: awsGuardrails.optional(), azure: azureGuardrails.optional(), gcp: gcpGuardrails.optional() });

type DomainGuardrailSettings = z.infer<typeof domainGuardrails>;
export type GuardrailSettings = Readonly<Partial<Record<Domain, DomainGuardrailSettings>>>;

/** Every organisational scope a domain declares, by cloud, with the fleet.yaml path of each. */
function scopesOf(d: DomainGuardrailSettings): Array<{ cloud: Cloud; id: string; path: (string | number)[] }> {
  const out: Array<{ cloud: Cloud; id: string; path: (string | number)[] }> = [];
  d.aws?.targets.forEach((id, i) => out.push({ cloud: "aws", id, path: ["aws", "targets", i] }));
  if (d.azure?.managementGroup) out.push({ cloud: "azure", id: `mg:${d.azure.managementGroup.toLowerCase()}`, path: ["azure", "managementGroup"] });
  d.azure?.subscriptions?.forEach((id, i) => out.push({ cloud: "azure", id: `sub:${id}`, path: ["azure", "subscriptions", i] }));
  if (d.gcp?.folder) out.push({ cloud: "gcp", id: d.gcp.folder, path: ["gcp", "folder"] });
  d.gcp?.projects?.forEach((id, i) => out.push({ cloud: "gcp", id: `projects/${id}`, path: ["gcp", "projects", i] }));
  d.gcp?.keyProjects.forEach((id, i) => out.push({ cloud: "gcp", id: `key:${id}`, path: ["gcp", "keyProjects", i] }));
  return out;
}

/** `guardrails:` in fleet.yaml. A scope (or key project) belongs to one domain only. */
export const guardrailsSettingsSchema = z
  .partialRecord(z.enum(DOMAINS), domainGuardrails)
  .superRefine((all, ctx) => {
    const owner = new Map<string, Domain>();
    for (const domain of DOMAINS) {
      const d = all[domain];
      if (d === undefined) continue;
      for (const s of scopesOf(d)) {
        const key = `${s.cloud}|${s.id}`;
        const first = owner.get(key);
        if (first !== undefined && first !== domain) {
          ctx.addIssue({ code: "custom", path: [domain, ...s.path], message: `already declared for domain ${first}; an organisational scope belongs to one domain` });
        }
        owner.set(key, domain);
      }
    }
  })
  .default({});

/** Every guardrail of a domain, derived from the region allowlist and the declared scopes. */
export function deriveGuardrails<D extends Domain>(domain: D, settings: Pick<FleetSettings, "regions" | "guardrails">): DomainGuardrails<D> {
  const declared: DomainGuardrailSettings = settings.guardrails[domain] ?? {};
  const regions = settings.regions[domain];
  const aws: AwsGuardrailSpec<D> | undefined = declared.aws && {
    domain,
    cloud: "aws",
    regions: [...regions.aws],
    targets: [...declared.aws.targets],
    globalServices: [...(declared.aws.globalServices ?? AWS_DEFAULT_GLOBAL_SERVICES)],
    deployerRoleArn: declared.aws.deployerRoleArn,
    exemptions: [...declared.aws.exemptions],
  };
  const azure: AzureGuardrailSpec<D> | undefined = declared.azure && {
    domain,
    cloud: "azure",
    locations: [...regions.azure],
    scopes: declared.azure.managementGroup
      ? [`/providers/Microsoft.Management/managementGroups/${declared.azure.managementGroup}`]
      : (declared.azure.subscriptions ?? []).map((s) => `/subscriptions/${s}`),
    exemptions: [...declared.azure.exemptions],
  };
  const gcp: GcpGuardrailSpec<D> | undefined = declared.gcp && {
    domain,
    cloud: "gcp",
    regions: [...regions.gcp],
    parents: declared.gcp.folder ? [declared.gcp.folder] : (declared.gcp.projects ?? []).map((p) => `projects/${p}`),
    keyProjects: [...declared.gcp.keyProjects],
    cmekServices: [...GCP_DEFAULT_CMEK_SERVICES],
    exemptions: [...declared.gcp.exemptions],
  };
  return { domain, clouds: { ...(aws ? { aws } : {}), ...(azure ? { azure } : {}), ...(gcp ? { gcp } : {}) } };
}

export interface GuardrailCoverageProblem {
  readonly stack: string;
  readonly message: string;
}

/**
 * Per domain and cloud it deploys into: a guardrails stack must exist, fleet.yaml must declare
 * its scope, and every other stack on that cloud must come after it (dependsOn, directly or
 * through its foundation), so the cloud's own policies are in place before anything they guard.
 */
export function guardrailCoverage(fleet: Fleet): GuardrailCoverageProblem[] {
  const problems: GuardrailCoverageProblem[] = [];
  const specs = [...fleet.stacks.values()].sort((a, b) => a.name.localeCompare(b.name));
  for (const domain of DOMAINS) {
    for (const cloud of CLOUDS) {
      const users = specs.filter((s) => s.domain === domain && s.role !== "guardrails" && s.clouds.includes(cloud));
      if (users.length === 0) continue;
      const guards = specs.filter((s) => s.domain === domain && s.role === "guardrails" && s.clouds.includes(cloud));
      if (guards.length === 0) {
        problems.push({
          stack: users[0].name,
          message: `domain ${domain} deploys into ${cloud} (${users.map((u) => u.name).join(", ")}) but has no guardrails stack on ${cloud}; add stacks/Pulumi.${domain}-guardrails-${cloud}.yaml (docs/guardrails.md)`,
        });
        continue;
      }
      if (fleet.settings.guardrails[domain]?.[cloud] === undefined) {
        problems.push({ stack: guards[0].name, message: `fleet.yaml declares no guardrails.${domain}.${cloud} scope for ${guards[0].name} to guard` });
      }
      const guardNames = new Set(guards.map((g) => g.name));
      for (const u of users) {
        const before = withDependencies(fleet, [u.name]);
        if (![...guardNames].some((g) => before.has(g))) {
          problems.push({ stack: u.name, message: `${u.name} does not come after ${guards[0].name}; list it in meridian:dependsOn (directly or through its foundation) so the guardrails are in place first` });
        }
      }
    }
  }
  return problems;
}
