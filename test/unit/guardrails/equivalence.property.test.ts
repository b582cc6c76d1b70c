/**
 * The two layers cannot disagree: for random fleet.yaml residency lists (disjoint per
 * cloud, drawn from the catalogue plus regions in no domain), every domain and cloud, a
 * region passes the fleet model's allowlist check (`parseStackFile`, what the plan and the
 * program run) exactly when the rendered guardrail allows it — the SCP evaluated as AWS
 * would for a regional action, the Azure assignment's `listOfAllowedLocations`, the GCP
 * org policy's allowed values. The pack's guardrail policy accepts every rendered guardrail.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { DEFAULT_SETTINGS, FleetConfigError, parseStackFile, type FleetSettings } from "../../../automation/fleet";
import { deriveGuardrails } from "../../../automation/fleet/guardrails";
import { azureAssignments, exemptionTags, gcpPolicies, scpDocuments, type DomainGuardrails } from "../../../components/guardrails";
import { CLOUDS, DEFAULT_REGIONS, DOMAINS, type Cloud, type Domain, type RegionAllowlist } from "../../../components/residency/catalogue";
import { evaluateStack, type PackConfig, type PlannedResource } from "../../../policy-pack/evaluate";
import { guardrailPolicies } from "../../../policy-pack/policies/guardrails";
import { loadFleetSettings } from "../../../automation/fleet";
import { REFERENCE_STACKS } from "../../support/fleetDir";

/** Regions in neither domain by default: London, Zurich, Canada, GovCloud, Asia. */
const OUTSIDE: Record<Cloud, readonly string[]> = {
  aws: ["eu-west-2", "eu-central-2", "ca-central-1", "us-gov-west-1", "ap-southeast-1"],
  gcp: ["europe-west2", "europe-west6", "us-east7", "northamerica-northeast1"],
  azure: ["uksouth", "switzerlandnorth", "canadacentral", "usgovvirginia"],
};
const UNIVERSE: Record<Cloud, readonly string[]> = Object.fromEntries(
  CLOUDS.map((c) => [c, [...DEFAULT_REGIONS.eu[c], ...DEFAULT_REGIONS.us[c], ...OUTSIDE[c]]]),
) as unknown as Record<Cloud, readonly string[]>;

/** One stack file per (domain, cloud, region), written once: the settings vary, the files do not. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-guardrails-eq-"));
const fileFor = (domain: Domain, cloud: Cloud, region: string): string => {
  const file = path.join(dir, `Pulumi.${domain}-guardrails-${cloud}-${region}.yaml`);
  if (!fs.existsSync(file)) {
    const location = cloud === "aws" ? `aws:region: ${region}` : cloud === "azure" ? `azure-native:location: ${region}` : `gcp:region: ${region}\n  gcp:project: meridian-${domain}-prod`;
    fs.writeFileSync(file, `config:\n  meridian:domain: ${domain}\n  meridian:role: guardrails\n  meridian:cloud: ${cloud}\n  ${location}\n`);
  }
  return file;
};

/** The fleet model's verdict, as the plan and `pulumi up` reach it. */
function planAllows(settings: FleetSettings, domain: Domain, cloud: Cloud, region: string): boolean {
  try {
    parseStackFile(fileFor(domain, cloud, region), settings);
    return true;
  } catch (e) {
    if (e instanceof FleetConfigError && /is not allowed for domain/.test(e.detail)) return false;
    throw e;
  }
}

type Statement = { Effect: string; Action?: string | string[]; NotAction?: string[]; Condition?: Record<string, Record<string, string | string[]>> };
const matches = (pattern: string, action: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(action);
const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** IAM evaluation of our SCPs' Deny statements for one request (the subset of the grammar they use). */
function scpDenies(contents: readonly string[], action: string, region: string, principal: string): boolean {
  return contents.some((content) =>
    (JSON.parse(content) as { Statement: Statement[] }).Statement.some((s) => {
      if (s.Effect !== "Deny") return false;
      const actionHit = s.NotAction ? !s.NotAction.some((p) => matches(p, action)) : list(s.Action).some((p) => matches(p, action));
      if (!actionHit) return false;
      return Object.entries(s.Condition ?? {}).every(([op, block]) =>
        Object.entries(block).every(([key, values]) => {
          const v = list(values);
          if (op === "StringNotEquals" && key === "aws:RequestedRegion") return !v.includes(region);
          if (op === "ArnNotLike" && key === "aws:PrincipalARN") return !v.some((p) => matches(p, principal));
          if (op === "Bool") return false; // kms:MultiRegion is not set on a regional action
          throw new Error(`unexpected condition ${op} ${key}`);
        }),
      );
    }),
  );
}

/** The rendered guardrail's verdict for one region. */
function guardrailAllows(g: DomainGuardrails, cloud: Cloud, region: string): boolean {
  const spec = g.clouds[cloud];
  if (spec === undefined) throw new Error(`no ${cloud} guardrail derived`);
  switch (spec.cloud) {
    case "aws": {
      const contents = scpDocuments(g.domain, spec).map((d) => d.content);
      return !scpDenies(contents, "ec2:RunInstances", region, "arn:aws:iam::123456789012:role/app");
    }
    case "azure": {
      const lists = azureAssignments(g.domain, spec)
        .filter((a) => a.guardrail === "allowedLocations" || a.guardrail === "allowedResourceGroupLocations")
        .map((a) => a.parameters.listOfAllowedLocations.value as string[]);
      const verdicts = new Set(lists.map((l) => l.includes(region)));
      if (verdicts.size !== 1) throw new Error("the two Azure location assignments disagree");
      return [...verdicts][0];
    }
    case "gcp": {
      const [locations] = gcpPolicies(spec).filter((p) => p.key === "resourceLocations");
      const values = locations.spec.rules.filter((r) => r.condition === undefined).flatMap((r) => (r.values as { allowedValues: string[] }).allowedValues);
      for (const v of values) if (!/^in:[a-z]+-[a-z]+\d+-locations$/.test(v)) throw new Error(`${v} is not a region-level value group: its members cannot be proven here`);
      return values.includes(`in:${region}-locations`);
    }
  }
}

/** Disjoint random allowlists per cloud: a shuffled subset of the universe, split between the domains. */
const allowlistArb: fc.Arbitrary<RegionAllowlist> = fc
  .tuple(
    ...CLOUDS.map((c) =>
      fc.shuffledSubarray([...UNIVERSE[c]], { minLength: 2 }).chain((regions) => fc.integer({ min: 1, max: regions.length - 1 }).map((cut) => [regions.slice(0, cut), regions.slice(cut)] as const)),
    ),
  )
  .map((pairs) => ({
    eu: Object.fromEntries(CLOUDS.map((c, i) => [c, pairs[i][0]])),
    us: Object.fromEntries(CLOUDS.map((c, i) => [c, pairs[i][1]])),
  }) as unknown as RegionAllowlist);

const reference = loadFleetSettings(REFERENCE_STACKS);

function guardrailResources(g: DomainGuardrails): PlannedResource[] {
  const base = (type: string, name: string, props: Record<string, unknown>): PlannedResource => ({
    urn: `urn:pulumi:${g.domain}-guardrails::meridian::${type}::${name}`,
    type,
    name,
    props,
    dependencies: [],
    propertyDependencies: {},
  });
  return [
    ...scpDocuments(g.domain, g.clouds.aws!).map((d) => base("aws:organizations/policy:Policy", d.name, { content: d.content, type: "SERVICE_CONTROL_POLICY", tags: exemptionTags(g.clouds.aws!.deployerRoleArn, g.clouds.aws!.exemptions) })),
    ...azureAssignments(g.domain, g.clouds.azure!).map((a) => base("azure-native:authorization:PolicyAssignment", a.policyAssignmentName, { ...a })),
    ...gcpPolicies(g.clouds.gcp!).map((p) => base("gcp:orgpolicy/policy:Policy", p.key, { name: p.name, parent: p.parent, spec: p.spec })),
  ];
}

describe("plan allowlist ⇔ cloud guardrails", () => {
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("agree on the reference fleet for every domain, cloud and region of the universe", () => {
    for (const domain of DOMAINS) {
      const g = deriveGuardrails(domain, reference);
      for (const cloud of CLOUDS) for (const region of UNIVERSE[cloud]) expect([domain, cloud, region, guardrailAllows(g, cloud, region)]).toEqual([domain, cloud, region, planAllows(reference, domain, cloud, region)]);
    }
  });

  it("agree for random fleet.yaml residency lists, and the pack accepts every rendered guardrail", () => {
    fc.assert(
      fc.property(allowlistArb, (regions) => {
        const settings: FleetSettings = { ...DEFAULT_SETTINGS, regions, guardrails: reference.guardrails };
        for (const domain of DOMAINS) {
          const g = deriveGuardrails(domain, settings);
          for (const cloud of CLOUDS) {
            for (const region of UNIVERSE[cloud]) {
              if (guardrailAllows(g, cloud, region) !== planAllows(settings, domain, cloud, region)) return false;
            }
          }
          const violations = evaluateStack(`${domain}-guardrails`, guardrailResources(g), { domain, regions: regions as PackConfig["regions"] }, { policies: guardrailPolicies });
          if (violations.length > 0) throw new Error(violations.map((v) => v.message).join("; "));
        }
        return true;
      }),
      { numRuns: 40 },
    );
  });

  it("is a real check: a guardrail widened behind the plan's back is caught (by the evaluation and by the pack)", () => {
    const g = deriveGuardrails("eu", reference);
    const widened = { ...g, clouds: { ...g.clouds, aws: { ...g.clouds.aws!, regions: [...g.clouds.aws!.regions, "us-east-1"] } } };
    expect(guardrailAllows(widened, "aws", "us-east-1")).toBe(true);
    expect(planAllows(reference, "eu", "aws", "us-east-1")).toBe(false);
    const violations = evaluateStack("eu-guardrails", guardrailResources(widened), { domain: "eu", regions: reference.regions as PackConfig["regions"] }, { policies: guardrailPolicies });
    expect(violations.map((v) => v.message)).toContainEqual(expect.stringContaining("allows us-east-1, a region of domain us"));
  });
});
