/**
 * Passing and failing inputs for the guardrail policies (policy-pack/policies/guardrails.ts),
 * spread into test/policy/cases.ts so the pack's coverage test runs them like every other
 * policy's. The passing inputs are what the component renders for the reference EU scopes.
 */
import { exemptionTags, gcpPolicies, scpDocuments, azureAssignments, type AwsGuardrailSpec, type AzureGuardrailSpec, type GcpGuardrailSpec } from "../../../components/guardrails";
import { DEFAULT_REGIONS } from "../../../components/residency/catalogue";
import type { PlannedResource } from "../../../policy-pack/evaluate";
import type { Case } from "../../policy/cases";
import { awsEu, azureEu, gcpEu, res } from "../../policy/harness";

const DEPLOYER = "arn:aws:iam::111111111111:role/meridian-guardrails-deployer-eu";
const EXEMPT = "arn:aws:iam::*:role/backup-restore";
const meta = { reason: "cross-region restore drill in Q2", owner: "sre@example.com", expires: "2099-06-30" };

const awsSpec = (over: Partial<AwsGuardrailSpec> = {}): AwsGuardrailSpec => ({
  domain: "eu",
  cloud: "aws",
  regions: [...DEFAULT_REGIONS.eu.aws],
  targets: ["ou-m3rd-eu000001"],
  globalServices: ["iam:*", "organizations:*", "sts:*"],
  deployerRoleArn: DEPLOYER,
  exemptions: [],
  ...over,
});

/** The SCPs as the component creates them; `tags` overrides the recorded exemption metadata. */
function scps(spec: AwsGuardrailSpec, tags?: Record<string, string>): PlannedResource[] {
  return scpDocuments("eu", spec).map((d) =>
    res("aws:organizations/policy:Policy", d.name, { name: d.name, type: "SERVICE_CONTROL_POLICY", content: d.content, tags: tags ?? exemptionTags(spec.deployerRoleArn, spec.exemptions) }, { provider: awsEu }),
  );
}

const azureSpec = (over: Partial<AzureGuardrailSpec> = {}): AzureGuardrailSpec => ({
  domain: "eu",
  cloud: "azure",
  locations: [...DEFAULT_REGIONS.eu.azure],
  scopes: ["/providers/Microsoft.Management/managementGroups/meridian-eu"],
  exemptions: [],
  ...over,
});
const assignments = (spec: AzureGuardrailSpec, extra: Record<string, unknown> = {}): PlannedResource[] =>
  azureAssignments("eu", spec).map((a) => res("azure-native:authorization:PolicyAssignment", a.policyAssignmentName, { ...a, ...extra }, { provider: azureEu }));

const gcpSpec = (over: Partial<GcpGuardrailSpec> = {}): GcpGuardrailSpec => ({
  domain: "eu",
  cloud: "gcp",
  regions: [...DEFAULT_REGIONS.eu.gcp],
  parents: ["folders/100000000001"],
  keyProjects: ["meridian-eu-prod"],
  cmekServices: ["storage.googleapis.com"],
  exemptions: [],
  ...over,
});
const orgPolicies = (spec: GcpGuardrailSpec): PlannedResource[] =>
  gcpPolicies(spec).map((p) => res("gcp:orgpolicy/policy:Policy", `${p.key}`, { parent: p.parent, name: p.name, spec: p.spec }, { provider: gcpEu }));
const locationsPolicy = (rules: unknown[]): PlannedResource =>
  res("gcp:orgpolicy/policy:Policy", "locations", { parent: "folders/1", name: "folders/1/policies/gcp.resourceLocations", spec: { rules } }, { provider: gcpEu });

const exemption = (props: Record<string, unknown>): PlannedResource =>
  res(
    "azure-native:authorization:PolicyExemption",
    "exemption",
    { scope: "/subscriptions/0f0e0d0c-1111-4222-8333-444455556666/resourceGroups/legacy", policyAssignmentId: "/x", exemptionCategory: "Waiver", ...props },
    { provider: azureEu },
  );

export const GUARDRAIL_CASES: Record<string, Case[]> = {
  "meridian-residency-guardrail-regions-domain": [
    { type: "aws:organizations/policy:Policy", pass: scps(awsSpec()), fail: scps(awsSpec({ regions: ["eu-central-1", "us-east-1"] })), expect: "allows us-east-1, a region of domain us" },
    { type: "aws:organizations/policy:Policy", pass: scps(awsSpec()), fail: scps(awsSpec({ regions: ["eu-west-2"] })), expect: "allows eu-west-2, which is in no domain's allowlist" },
    { type: "azure-native:authorization:PolicyAssignment", pass: assignments(azureSpec()), fail: assignments(azureSpec({ locations: ["westeurope", "eastus"] })), expect: "allows eastus, a region of domain us" },
    { type: "gcp:orgpolicy/policy:Policy", pass: orgPolicies(gcpSpec()), fail: orgPolicies(gcpSpec({ regions: ["europe-west1", "us-central1"] })), expect: "allows us-central1, a region of domain us" },
    { type: "gcp:orgpolicy/policy:Policy", pass: orgPolicies(gcpSpec()), fail: [locationsPolicy([{ values: { allowedValues: ["in:eu-locations"] } }])], expect: "a multi-region value group can include regions outside the domain" },
    { type: "gcp:orgpolicy/policy:Policy", pass: orgPolicies(gcpSpec()), fail: [locationsPolicy([{ allowAll: "TRUE" }])], expect: "gcp.resourceLocations allows all locations" },
  ],
  "meridian-residency-guardrail-exemption-documented": [
    {
      type: "aws:organizations/policy:Policy",
      pass: scps(awsSpec({ exemptions: [{ principal: EXEMPT, ...meta }] })),
      fail: scps(awsSpec({ exemptions: [{ principal: EXEMPT, ...meta }] }), { "meridian-guardrails-deployer": DEPLOYER }),
      expect: `principal exception ${EXEMPT} in DenyOutsideDomainRegions has no reason`,
    },
    {
      type: "aws:organizations/policy:Policy",
      pass: scps(awsSpec()),
      fail: scps(awsSpec(), {}), // the deployer exception with no deployer declared on the SCP
      expect: `principal exception ${DEPLOYER} in DenyGuardrailChanges has no owner`,
    },
    {
      type: "aws:organizations/policy:Policy",
      pass: scps(awsSpec({ exemptions: [{ principal: EXEMPT, ...meta }] })),
      fail: scps(awsSpec({ exemptions: [{ principal: EXEMPT, ...meta, expires: "2020-01-31" }] })),
      expect: "expired on 2020-01-31",
    },
    {
      type: "azure-native:authorization:PolicyAssignment",
      pass: assignments(azureSpec()),
      fail: assignments(azureSpec(), { notScopes: ["/subscriptions/0f0e0d0c-1111-4222-8333-444455556666"] }),
      expect: "use a policy exemption instead",
    },
    {
      type: "azure-native:authorization:PolicyExemption",
      pass: [exemption({ description: meta.reason, expiresOn: `${meta.expires}T23:59:59Z`, metadata: { owner: meta.owner, reason: meta.reason } })],
      fail: [exemption({ description: meta.reason, metadata: {} })],
      expect: "policy exemption has no owner",
    },
    {
      type: "gcp:orgpolicy/policy:Policy",
      pass: orgPolicies(gcpSpec({ exemptions: [{ tagKey: "tagKeys/1", tagValue: "tagValues/2", ...meta }] })),
      fail: [locationsPolicy([{ values: { allowedValues: ["in:europe-west1-locations"] } }, { condition: { expression: "resource.matchTagId('tagKeys/1', 'tagValues/2')" }, allowAll: "TRUE" }])],
      expect: "conditional rule 1 (resource.matchTagId('tagKeys/1', 'tagValues/2')) has no reason",
    },
  ],
};
