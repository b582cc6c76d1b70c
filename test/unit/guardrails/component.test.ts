/**
 * ResidencyGuardrails under mocks, per cloud and domain, from the reference fleet.yaml:
 * every guardrail's inputs (regions, exceptions, scopes, enforcement) as the provider
 * would receive them.
 */
import { findAll, installMocks, settle } from "../../support/mocks";
import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native";
import * as gcp from "@pulumi/gcp";
import { loadFleetSettings } from "../../../automation/fleet";
import { deriveGuardrails } from "../../../automation/fleet/guardrails";
import {
  AWS_DEFAULT_GLOBAL_SERVICES,
  AWS_DOCUMENTED_GLOBAL_SERVICES,
  AZURE_BUILTIN,
  GCP_DEFAULT_CMEK_SERVICES,
  ResidencyGuardrails,
  SCP_MAX_CHARACTERS,
  exemptionTagId,
  scpDocuments,
  validateResidencyGuardrailsArgs,
  type AwsGuardrailSpec,
  type AzureGuardrailSpec,
  type GcpGuardrailSpec,
} from "../../../components/guardrails";
import { DEFAULT_REGIONS, DOMAINS, type Domain } from "../../../components/residency/catalogue";
import { REFERENCE_STACKS } from "../../support/fleetDir";

const cloud = installMocks();
const settings = loadFleetSettings(REFERENCE_STACKS);
const tags = { residency: "eu", "managed-by": "pulumi" };
const other = (d: Domain): Domain => (d === "eu" ? "us" : "eu");

type Statement = { Sid: string; Effect: string; Action?: string | string[]; NotAction?: string[]; Condition?: Record<string, Record<string, unknown>> };
const statements = (content: unknown): Statement[] => (JSON.parse(String(content)) as { Statement: Statement[] }).Statement;
const sid = (content: unknown, id: string): Statement => statements(content).find((s) => s.Sid === id)!;

const awsSpec = (d: Domain) => deriveGuardrails(d, settings).clouds.aws!;
const azureSpec = (d: Domain) => deriveGuardrails(d, settings).clouds.azure!;
const gcpSpec = (d: Domain) => deriveGuardrails(d, settings).clouds.gcp!;

describe.each(DOMAINS.map((d) => [d]))("domain %s", (domain: Domain) => {
  const mine = (r: { name: string }) => r.name.startsWith(`${domain}-`);

  it("AWS: a region-deny SCP with the domain's regions and the default global-service exceptions, attached to the domain's OUs", async () => {
    const provider = new aws.Provider(`${domain}-p-aws`, { region: DEFAULT_REGIONS[domain].aws[0] as aws.Region });
    new ResidencyGuardrails(`${domain}-aws`, { domain, guardrails: awsSpec(domain), tags }, { providers: [provider] });
    await settle();
    const policies = findAll(cloud, "aws:organizations/policy:Policy").filter(mine);
    expect(policies.map((p) => p.inputs.name).sort()).toEqual([`meridian-${domain}-region-deny`, `meridian-${domain}-residency-protect`]);
    for (const p of policies) {
      expect(p.inputs.type).toBe("SERVICE_CONTROL_POLICY");
      expect(String(p.inputs.content).length).toBeLessThanOrEqual(SCP_MAX_CHARACTERS);
      expect(p.inputs.tags).toMatchObject({ ...tags, "meridian-guardrails-deployer": settings.guardrails[domain]!.aws!.deployerRoleArn });
    }
    const deny = sid(policies.find((p) => p.inputs.name === `meridian-${domain}-region-deny`)!.inputs.content, "DenyOutsideDomainRegions");
    expect(deny.Effect).toBe("Deny");
    expect(deny.Condition!.StringNotEquals["aws:RequestedRegion"]).toEqual([...settings.regions[domain].aws]);
    for (const r of settings.regions[other(domain)].aws) expect(deny.Condition!.StringNotEquals["aws:RequestedRegion"]).not.toContain(r);
    expect(deny.NotAction).toEqual([...AWS_DEFAULT_GLOBAL_SERVICES]);
    expect(deny.NotAction).not.toContain("kms:*"); // KMS is regional: residency keys stay in the domain
    expect(deny.Condition!.ArnNotLike).toBeUndefined(); // the reference fleet has no exemption

    const protect = policies.find((p) => p.inputs.name === `meridian-${domain}-residency-protect`)!.inputs.content;
    expect(sid(protect, "DenyMultiRegionKeys")).toMatchObject({ Effect: "Deny", Action: "kms:CreateKey", Condition: { Bool: { "kms:MultiRegion": "true" } } });
    expect(sid(protect, "DenyKeyReplication").Action).toContain("kms:ReplicateKey");
    expect(sid(protect, "DenyS3ReplicationConfiguration")).toMatchObject({ Effect: "Deny", Action: "s3:PutReplicationConfiguration" });
    expect(sid(protect, "DenyGuardrailChanges")).toMatchObject({
      Action: ["organizations:DetachPolicy", "organizations:DeletePolicy", "organizations:UpdatePolicy"],
      Condition: { ArnNotLike: { "aws:PrincipalARN": [settings.guardrails[domain]!.aws!.deployerRoleArn] } },
    });

    const attachments = findAll(cloud, "aws:organizations/policyAttachment:PolicyAttachment").filter(mine);
    expect(attachments.map((a) => a.inputs.targetId)).toEqual(settings.guardrails[domain]!.aws!.targets.flatMap((t) => [t, t]));
    expect(new Set(attachments.map((a) => a.inputs.policyId)).size).toBe(2);
  });

  it("Azure: Allowed locations (resources and resource groups) and CMK built-ins at the management group, enforced", async () => {
    const provider = new azure.Provider(`${domain}-p-az`, { location: DEFAULT_REGIONS[domain].azure[0] });
    new ResidencyGuardrails(`${domain}-azure`, { domain, guardrails: azureSpec(domain), tags }, { providers: [provider] });
    await settle();
    const assignments = findAll(cloud, "azure-native:authorization:PolicyAssignment").filter(mine);
    expect(assignments).toHaveLength(4);
    const scope = `/providers/Microsoft.Management/managementGroups/${settings.guardrails[domain]!.azure!.managementGroup}`;
    const byDefinition = new Map(assignments.map((a) => [String(a.inputs.policyDefinitionId).split("/").pop(), a]));
    for (const a of assignments) {
      expect(a.inputs.scope).toBe(scope);
      expect(a.inputs.enforcementMode).toBe("Default");
      expect(a.inputs.notScopes).toBeUndefined();
      expect(String(a.inputs.policyAssignmentName).length).toBeLessThanOrEqual(24);
    }
    for (const id of [AZURE_BUILTIN.allowedLocations, AZURE_BUILTIN.allowedResourceGroupLocations]) {
      expect(byDefinition.get(id)!.inputs.parameters).toEqual({ listOfAllowedLocations: { value: [...settings.regions[domain].azure] } });
    }
    expect(byDefinition.get(AZURE_BUILTIN.diskCustomerManagedKey)!.inputs.parameters).toEqual({ effect: { value: "Deny" } });
    // The storage built-in offers only Audit | Disabled: Azure has no deny built-in for it.
    expect(byDefinition.get(AZURE_BUILTIN.storageCustomerManagedKey)!.inputs.parameters).toEqual({ effect: { value: "Audit" } });
    expect(findAll(cloud, "azure-native:authorization:PolicyExemption").filter(mine)).toEqual([]);
  });

  it("GCP: resourceLocations with region-level value groups, CMEK required, keys only from the domain's key projects, on the folder", async () => {
    const provider = new gcp.Provider(`${domain}-p-gcp`, { project: `meridian-${domain}-prod`, region: DEFAULT_REGIONS[domain].gcp[0] });
    new ResidencyGuardrails(`${domain}-gcp`, { domain, guardrails: gcpSpec(domain), tags }, { providers: [provider] });
    await settle();
    const folder = settings.guardrails[domain]!.gcp!.folder!;
    const policies = new Map(findAll(cloud, "gcp:orgpolicy/policy:Policy").filter(mine).map((p) => [String(p.inputs.name), p.inputs]));
    expect([...policies.keys()].sort()).toEqual(
      ["gcp.resourceLocations", "gcp.restrictCmekCryptoKeyProjects", "gcp.restrictNonCmekServices"].map((c) => `${folder}/policies/${c}`),
    );
    for (const p of policies.values()) expect(p.parent).toBe(folder);
    const locations = policies.get(`${folder}/policies/gcp.resourceLocations`)!.spec as { rules: Array<{ values: { allowedValues: string[] } }> };
    expect(locations.rules).toEqual([{ values: { allowedValues: settings.regions[domain].gcp.map((r) => `in:${r}-locations`) } }]);
    expect(locations.rules[0].values.allowedValues).not.toContain(domain === "eu" ? "in:eu-locations" : "in:us-locations");
    expect(policies.get(`${folder}/policies/gcp.restrictNonCmekServices`)!.spec).toEqual({ rules: [{ values: { deniedValues: [...GCP_DEFAULT_CMEK_SERVICES] } }] });
    expect(policies.get(`${folder}/policies/gcp.restrictCmekCryptoKeyProjects`)!.spec).toEqual({
      rules: [{ values: { allowedValues: settings.guardrails[domain]!.gcp!.keyProjects.map((p) => `under:projects/${p}`) } }],
    });
  });
});

describe("exceptions", () => {
  const expires = "2027-06-30";

  it("AWS: an exempt principal is excepted from the region and replication denies only, with its metadata tagged on the SCP", async () => {
    const principal = "arn:aws:iam::*:role/backup-restore";
    const spec: AwsGuardrailSpec = { ...awsSpec("eu"), targets: ["123456789012", "ou-abcd-11112222"], exemptions: [{ principal, reason: "cross-region restore drill Q2", owner: "sre@example.com", expires }] };
    const provider = new aws.Provider("x-p-aws", { region: "eu-central-1" });
    new ResidencyGuardrails("x-aws", { domain: "eu", guardrails: spec }, { providers: [provider] });
    await settle();
    const policies = findAll(cloud, "aws:organizations/policy:Policy").filter((p) => p.name.startsWith("x-aws"));
    const deny = policies.find((p) => String(p.inputs.name).endsWith("region-deny"))!;
    expect(sid(deny.inputs.content, "DenyOutsideDomainRegions").Condition!.ArnNotLike).toEqual({ "aws:PrincipalARN": [principal] });
    const protect = policies.find((p) => String(p.inputs.name).endsWith("residency-protect"))!;
    expect(sid(protect.inputs.content, "DenyS3ReplicationConfiguration").Condition).toEqual({ ArnNotLike: { "aws:PrincipalARN": [principal] } });
    expect(sid(protect.inputs.content, "DenyMultiRegionKeys").Condition).toEqual({ Bool: { "kms:MultiRegion": "true" } });
    const id = exemptionTagId(principal);
    expect(deny.inputs.tags).toMatchObject({ [`meridian-exemption:${id}:reason`]: "cross-region restore drill Q2", [`meridian-exemption:${id}:owner`]: "sre@example.com", [`meridian-exemption:${id}:expires`]: expires });
    expect(findAll(cloud, "aws:organizations/policyAttachment:PolicyAttachment").filter((a) => a.name.startsWith("x-aws")).map((a) => a.inputs.targetId).sort()).toEqual(
      ["123456789012", "123456789012", "ou-abcd-11112222", "ou-abcd-11112222"],
    );
  });

  it("Azure: subscriptions as scopes, and an exemption becomes a policy exemption with expiry, reason and owner", async () => {
    const sub = "0f0e0d0c-1111-4222-8333-444455556666";
    const spec: AzureGuardrailSpec = {
      ...azureSpec("eu"),
      scopes: [`/subscriptions/${sub}`],
      exemptions: [{ scope: `/subscriptions/${sub}/resourceGroups/legacy`, guardrail: "allowedLocations", reason: "legacy DR vault until migration", owner: "platform-team", expires }],
    };
    const provider = new azure.Provider("x-p-az", { location: "westeurope" });
    new ResidencyGuardrails("x-azure", { domain: "eu", guardrails: spec }, { providers: [provider] });
    await settle();
    const assignments = findAll(cloud, "azure-native:authorization:PolicyAssignment").filter((a) => a.name.startsWith("x-azure"));
    expect(assignments.every((a) => a.inputs.scope === `/subscriptions/${sub}`)).toBe(true);
    const [exemption] = findAll(cloud, "azure-native:authorization:PolicyExemption").filter((a) => a.name.startsWith("x-azure"));
    expect(exemption.inputs).toMatchObject({
      scope: `/subscriptions/${sub}/resourceGroups/legacy`,
      exemptionCategory: "Waiver",
      expiresOn: `${expires}T23:59:59Z`,
      description: "legacy DR vault until migration",
      metadata: { owner: "platform-team", reason: "legacy DR vault until migration", expires },
    });
    const target = assignments.find((a) => String(a.inputs.policyDefinitionId).endsWith(AZURE_BUILTIN.allowedLocations))!;
    expect(exemption.inputs.policyAssignmentId).toBe(String(target.state.id));
  });

  it("GCP: projects as parents, and a tag exemption becomes a conditional rule with owner, expiry and reason", async () => {
    const spec: GcpGuardrailSpec = {
      ...gcpSpec("eu"),
      parents: ["projects/meridian-eu-data"],
      exemptions: [{ tagKey: "tagKeys/111", tagValue: "tagValues/222", reason: "vendor appliance only in multi-region", owner: "data-team", expires }],
    };
    const provider = new gcp.Provider("x-p-gcp", { project: "meridian-eu-prod", region: "europe-west1" });
    new ResidencyGuardrails("x-gcp", { domain: "eu", guardrails: spec }, { providers: [provider] });
    await settle();
    const locations = findAll(cloud, "gcp:orgpolicy/policy:Policy").find((p) => p.name.startsWith("x-gcp") && String(p.inputs.name).endsWith("resourceLocations"))!;
    expect(locations.inputs.parent).toBe("projects/meridian-eu-data");
    expect((locations.inputs.spec as { rules: unknown[] }).rules[1]).toEqual({
      condition: { expression: "resource.matchTagId('tagKeys/111', 'tagValues/222')", title: `meridian-exemption expires=${expires} owner=data-team`, description: "vendor appliance only in multi-region" },
      allowAll: "TRUE",
    });
  });
});

describe("SCP size", () => {
  it("stays under 5,120 characters with every documented service, every catalogue region of both domains and ten exemptions", () => {
    for (const domain of DOMAINS) {
      const spec: AwsGuardrailSpec = {
        ...awsSpec(domain),
        regions: [...DEFAULT_REGIONS.eu.aws, ...DEFAULT_REGIONS.us.aws],
        globalServices: [...AWS_DOCUMENTED_GLOBAL_SERVICES],
        exemptions: Array.from({ length: 10 }, (_, i) => ({ principal: `arn:aws:iam::*:role/exempt-role-number-${i}`, reason: "a reason here", owner: "o@x.io", expires: "2027-01-01" })),
      };
      for (const doc of scpDocuments(domain, spec)) expect([doc.name, doc.content.length <= SCP_MAX_CHARACTERS]).toEqual([doc.name, true]);
    }
  });

  it("rejects an SCP over the limit with the policy named", () => {
    const spec: AwsGuardrailSpec = { ...awsSpec("eu"), exemptions: Array.from({ length: 80 }, (_, i) => ({ principal: `arn:aws:iam::*:role/a-rather-long-exempt-role-name-${i}`, reason: "r".repeat(10), owner: "own", expires: "2027-01-01" })) };
    const problems = validateResidencyGuardrailsArgs({ domain: "eu", guardrails: spec });
    expect(problems).toContainEqual({ propertyPath: "guardrails.region-deny", reason: expect.stringMatching(/^SCP meridian-eu-region-deny is \d+ characters; AWS allows 5120$/) });
  });
});

describe("validation", () => {
  it("refuses an Azure exemption outside the domain's subscriptions, naming it", () => {
    const spec: AzureGuardrailSpec = {
      ...azureSpec("eu"),
      scopes: ["/subscriptions/0f0e0d0c-1111-4222-8333-444455556666"],
      exemptions: [{ scope: "/subscriptions/99999999-1111-4222-8333-444455556666/resourceGroups/x", guardrail: "allowedLocations", reason: "a reason here", owner: "own", expires: "2027-01-01" }],
    };
    expect(validateResidencyGuardrailsArgs({ domain: "eu", guardrails: spec })).toEqual([
      { propertyPath: "guardrails.exemptions[0].scope", reason: "/subscriptions/99999999-1111-4222-8333-444455556666/resourceGroups/x lies under none of the domain's scopes" },
    ]);
  });

  it("refuses empty regions, scopes and key projects", () => {
    expect(validateResidencyGuardrailsArgs({ domain: "eu", guardrails: { ...awsSpec("eu"), regions: [], targets: [] } }).map((p) => p.propertyPath)).toEqual(["guardrails.regions", "guardrails.targets"]);
    expect(validateResidencyGuardrailsArgs({ domain: "eu", guardrails: { ...gcpSpec("eu"), keyProjects: [] } }).map((p) => p.propertyPath)).toEqual(["guardrails.keyProjects"]);
  });
});
