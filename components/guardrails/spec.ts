/**
 * Shared types and constants of the residency guardrails: what `deriveGuardrails`
 * (automation/fleet/guardrails.ts) produces from the catalogue and fleet.yaml, and what the
 * per-cloud adapters render into organisation policies. Data only: no Pulumi here, so the
 * fleet model, the adapters and the tests can share it.
 */
import type { Cloud, Domain } from "../residency/catalogue";

/**
 * AWS global services exempted from the region deny, exactly as AWS documents them in the
 * example SCP "Deny access to AWS based on the requested AWS Region"
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html).
 * Their endpoints are served from us-east-1 (a few from us-west-2), so a region deny
 * without these would block IAM, Organizations, Route 53, STS's global endpoint, billing
 * and support everywhere. fleet.yaml may only pick from this list; anything else is an
 * input error (exit 2).
 */
export const AWS_DOCUMENTED_GLOBAL_SERVICES = [
  "a4b:*",
  "acm:*",
  "aws-marketplace-management:*",
  "aws-marketplace:*",
  "aws-portal:*",
  "budgets:*",
  "ce:*",
  "chime:*",
  "cloudfront:*",
  "config:*",
  "cur:*",
  "directconnect:*",
  "ec2:DescribeRegions",
  "ec2:DescribeTransitGateways",
  "ec2:DescribeVpnGateways",
  "fms:*",
  "globalaccelerator:*",
  "health:*",
  "iam:*",
  "importexport:*",
  "kms:*",
  "mobileanalytics:*",
  "networkmanager:*",
  "organizations:*",
  "pricing:*",
  "route53:*",
  "route53domains:*",
  "route53-recovery-cluster:*",
  "route53-recovery-control-config:*",
  "route53-recovery-readiness:*",
  "s3:GetAccountPublic*",
  "s3:ListAllMyBuckets",
  "s3:ListMultiRegionAccessPoints",
  "s3:PutAccountPublic*",
  "shield:*",
  "sts:*",
  "support:*",
  "trustedadvisor:*",
  "waf-regional:*",
  "waf:*",
  "wafv2:*",
  "wellarchitected:*",
] as const;
export type AwsGlobalService = (typeof AWS_DOCUMENTED_GLOBAL_SERVICES)[number];

/**
 * AWS lists KMS and ACM only for use with CloudFront: both have regional endpoints. Exempting
 * `kms:*` would let anyone create a residency key outside the domain, so meridian's default
 * leaves both out; a fleet that fronts data with CloudFront may add them back in fleet.yaml.
 */
export const AWS_REGIONAL_IN_DOCUMENTED_LIST: readonly AwsGlobalService[] = ["kms:*", "acm:*"];

/** The default exception list: the documented one without the regional KMS and ACM. */
export const AWS_DEFAULT_GLOBAL_SERVICES: readonly AwsGlobalService[] = AWS_DOCUMENTED_GLOBAL_SERVICES.filter(
  (s) => !AWS_REGIONAL_IN_DOCUMENTED_LIST.includes(s),
);

/** An SCP's content may be at most 5,120 characters (AWS Organizations quotas). */
export const SCP_MAX_CHARACTERS = 5120;

/**
 * Azure built-in policy definitions (ids from github.com/Azure/azure-policy,
 * built-in-policies/policyDefinitions/…). "Allowed locations" skips resources whose location
 * is `global` and `Microsoft.AzureActiveDirectory/b2cDirectories`, which is Azure's own
 * global-service exception: nothing to configure here.
 */
export const AZURE_BUILTIN = {
  /** General/AllowedLocations_Deny.json: effect deny, parameter `listOfAllowedLocations`. */
  allowedLocations: "e56962a6-4747-49cd-b67b-bf8b01975c4c",
  /** General/ResourceGroupAllowedLocations_Deny.json: effect deny, parameter `listOfAllowedLocations`. */
  allowedResourceGroupLocations: "e765b5de-1225-4ba3-bd56-1ac6695af988",
  /** Compute/OSAndDataDiskCMKRequired_Deny.json "OS and data disks should be encrypted with a customer-managed key": Audit | Deny | Disabled. */
  diskCustomerManagedKey: "702dd420-7fcc-42c5-afe8-4026edd20fe0",
  /**
   * Storage/StorageAccountCustomerManagedKeyEnabled_Audit.json "Storage accounts should use
   * customer-managed key for encryption": Audit | Disabled only — Azure has no built-in that
   * *denies* a storage account without CMK, so this one is assigned as Audit.
   */
  storageCustomerManagedKey: "6fac406b-40ca-413b-bf8e-0bf964659c25",
} as const;
export type AzureGuardrail = keyof typeof AZURE_BUILTIN;

/** The effect each Azure built-in is assigned with (the strongest its definition allows). */
export const AZURE_EFFECT: Record<AzureGuardrail, "Deny" | "Audit" | undefined> = {
  allowedLocations: undefined, // fixed `deny` in the definition; it has no effect parameter
  allowedResourceGroupLocations: undefined,
  diskCustomerManagedKey: "Deny",
  storageCustomerManagedKey: "Audit",
};

/** The GCP list constraints meridian sets. */
export const GCP_CONSTRAINTS = {
  resourceLocations: "gcp.resourceLocations",
  restrictNonCmekServices: "gcp.restrictNonCmekServices",
  restrictCmekCryptoKeyProjects: "gcp.restrictCmekCryptoKeyProjects",
} as const;

/** Services that must use CMEK (denied values of `gcp.restrictNonCmekServices`): what meridian deploys. */
export const GCP_DEFAULT_CMEK_SERVICES = [
  "compute.googleapis.com",
  "container.googleapis.com",
  "storage.googleapis.com",
  "artifactregistry.googleapis.com",
] as const;

/**
 * The region-level value group of a GCP region (`in:europe-west1-locations`: the region and
 * its zones). meridian never uses the wider curated groups (`in:eu-locations`,
 * `in:us-locations`): Google adds regions to them without a change here, so they could
 * allow a region the catalogue deliberately excludes. See docs/guardrails.md.
 */
export function gcpRegionValueGroup(region: string): string {
  return `in:${region}-locations`;
}

/** Every exemption carries who owns it, why it exists and when it ends. */
export interface ExemptionMeta {
  readonly reason: string;
  readonly owner: string;
  /** ISO date (YYYY-MM-DD); after it the pack reports the exemption as a mandatory violation. */
  readonly expires: string;
}

/** AWS: a principal (ARN pattern) exempt from the region deny and the S3 replication deny. */
export interface AwsExemption extends ExemptionMeta {
  readonly principal: string;
}

/** Azure: a sub-scope exempt from one of the guardrail assignments. */
export interface AzureExemption extends ExemptionMeta {
  readonly scope: string;
  readonly guardrail: AzureGuardrail;
}

/** GCP: resources carrying a tag value are exempt from `gcp.resourceLocations`. */
export interface GcpExemption extends ExemptionMeta {
  readonly tagKey: string;
  readonly tagValue: string;
}

/** Every cloud's guardrail carries its domain as a type, so an EU guardrail cannot configure a US component. */
interface Resident<D extends Domain> {
  readonly domain: D;
}

export interface AwsGuardrailSpec<D extends Domain = Domain> extends Resident<D> {
  readonly cloud: "aws";
  /** Regions the domain may use on AWS: exactly the fleet's allowlist. */
  readonly regions: readonly string[];
  /** OU ids and account ids the SCPs are attached to. */
  readonly targets: readonly string[];
  /** NotAction of the region deny; a subset of AWS_DOCUMENTED_GLOBAL_SERVICES. */
  readonly globalServices: readonly string[];
  /** The only principal that may detach, delete or update the guardrails. */
  readonly deployerRoleArn: string;
  readonly exemptions: readonly AwsExemption[];
}

export interface AzureGuardrailSpec<D extends Domain = Domain> extends Resident<D> {
  readonly cloud: "azure";
  readonly locations: readonly string[];
  /** Management group or subscription scopes (`/providers/Microsoft.Management/managementGroups/…`, `/subscriptions/…`). */
  readonly scopes: readonly string[];
  readonly exemptions: readonly AzureExemption[];
}

export interface GcpGuardrailSpec<D extends Domain = Domain> extends Resident<D> {
  readonly cloud: "gcp";
  readonly regions: readonly string[];
  /** `folders/N` or `projects/ID`: where the org policies are set. */
  readonly parents: readonly string[];
  /** Projects whose keys may protect CMEK resources. */
  readonly keyProjects: readonly string[];
  readonly cmekServices: readonly string[];
  readonly exemptions: readonly GcpExemption[];
}

export type CloudGuardrailSpec<D extends Domain = Domain> = AwsGuardrailSpec<D> | AzureGuardrailSpec<D> | GcpGuardrailSpec<D>;

/** Every guardrail of one domain, per cloud the domain declares a scope for. */
export interface DomainGuardrails<D extends Domain = Domain> {
  readonly domain: D;
  readonly clouds: { readonly [C in Cloud]?: Extract<CloudGuardrailSpec<D>, { cloud: C }> };
}
