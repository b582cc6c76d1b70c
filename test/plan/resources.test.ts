/**
 * `fleet plan --json --resources`: each stack lists what it deploys as `[{type,name}]`
 * (reviewers and checks read it), through the real CLI entry over the reference fleet.
 */
import { planReport, resourceEntries, type PlanReport, type PlanResourceEntry } from "../../automation/commands/plan";
import { loadFleet } from "../../automation/fleet";
import type { FleetPlan, PlannedResource } from "../../automation/plan";
import { REFERENCE_STACKS } from "../support/fleetDir";
import { fleetCli as cli } from "../support/cli";


function resource(type: string, name: string, custom: boolean): PlannedResource {
  return { type, name, urn: `urn:pulumi:s::meridian::${type}::${name}`, custom, props: {} } as unknown as PlannedResource;
}

describe("resourceEntries", () => {
  it("lists every resource but the root stack, sorted by type then name", () => {
    const entries = resourceEntries([
      resource("pulumi:pulumi:Stack", "meridian-s", false),
      resource("aws:kms/key:Key", "b", true),
      resource("meridian:kms:ResidencyKey", "k", false),
      resource("aws:kms/key:Key", "a", true),
    ]);
    expect(entries).toEqual([
      { type: "aws:kms/key:Key", name: "a" },
      { type: "aws:kms/key:Key", name: "b" },
      { type: "meridian:kms:ResidencyKey", name: "k" },
    ]);
  });

  it("keeps the custom-resource count in resourceCount when the list replaces it", () => {
    const fleet = loadFleet(REFERENCE_STACKS);
    const name = "eu-foundation-aws";
    const stackPlan = {
      name,
      status: "planned" as const,
      resources: [resource("pulumi:pulumi:Stack", "x", false), resource("aws:kms/key:Key", "a", true), resource("meridian:kms:ResidencyKey", "k", false)],
      outputs: {},
      secretOutputNames: [],
      seconds: 0,
    };
    const plan: FleetPlan = { stacks: [stackPlan], waves: [], violations: [], seconds: 0 };
    expect(planReport(fleet, plan).stacks[0].resources).toBe(1);
    const listed = planReport(fleet, plan, { resources: true }).stacks[0];
    expect(listed.resourceCount).toBe(1);
    expect(listed.resources).toHaveLength(2);
  });
});

describe("fleet plan --json --resources over the reference fleet", () => {
  let report: PlanReport<PlanResourceEntry[]>;
  let code: number;
  beforeAll(async () => {
    const r = await cli(["plan", "--json", "--resources", "--stacks-dir", REFERENCE_STACKS]);
    code = r.code;
    report = JSON.parse(r.stdout) as PlanReport<PlanResourceEntry[]>;
  }, 300_000);

  const listOf = (stack: string): PlanResourceEntry[] => report.stacks.find((s) => s.name === stack)!.resources;

  it("gives every planned stack a {type,name} list and its count", () => {
    expect(code).toBe(0);
    for (const s of report.stacks) {
      expect(Array.isArray(s.resources)).toBe(true);
      const list = s.resources;
      for (const e of list) expect(Object.keys(e).sort()).toEqual(["name", "type"]);
      expect(list.map((e) => e.type)).not.toContain("pulumi:pulumi:Stack");
      // The list holds components and providers too, so it is never shorter than the count.
      expect(list.length).toBeGreaterThanOrEqual(s.resourceCount!);
      if (s.status === "planned") expect(s.resourceCount!).toBeGreaterThan(0);
    }
  });

  it("names what each role deploys", () => {
    const types = (stack: string) => new Set(listOf(stack).map((e) => e.type));
    expect([...types("eu-foundation-aws")]).toEqual(expect.arrayContaining(["aws:kms/key:Key", "aws:ecr/repository:Repository", "meridian:registry:ResidencyRegistry"]));
    expect([...types("us-workload-azure")]).toEqual(expect.arrayContaining(["azure-native:containerservice:ManagedCluster"]));
    expect([...types("eu-workload-gcp")]).toEqual(expect.arrayContaining(["gcp:container/cluster:Cluster"]));
    expect(listOf("eu-workload-gcp")).toContainEqual({ type: "gcp:container/cluster:Cluster", name: "eu-workload-gcp-gkeCluster" });
  });
});

describe("--resources without --json", () => {
  it("is refused with exit 2 and one line", async () => {
    const r = await cli(["plan", "--resources", "--stacks-dir", REFERENCE_STACKS]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("fleet: --resources lists resources in the JSON report; add --json");
  });
});
