import { parse, stringify } from "yaml";
import { runPlanCommand, type PlanReport } from "../../automation/commands/plan";
import { fleetDir, readReference, REFERENCE_STACKS } from "../support/fleetDir";
import { fleetCli } from "../support/cli";
import { loadFleet } from "../../automation/fleet";

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) } };
}


const cli = fleetCli;

async function planJson(stacksDir: string): Promise<{ code: number; report: PlanReport; stdout: string; stderr: string }> {
  const r = await cli(["plan", "--json", "--stacks-dir", stacksDir]);
  return { ...r, report: JSON.parse(r.stdout) as PlanReport };
}

describe("fleet plan over the reference fleet", () => {
  let result: Awaited<ReturnType<typeof planJson>>;
  beforeAll(async () => {
    result = await planJson(REFERENCE_STACKS);
  }, 300_000);

  it("prints exactly one JSON object with every stack", () => {
    expect(result.stdout.trim().split("\n")).toHaveLength(1);
    expect(result.report.stacks).toHaveLength(loadFleet(REFERENCE_STACKS).stacks.size);
    for (const s of result.report.stacks) {
      expect(Object.keys(s)).toEqual(expect.arrayContaining(["name", "domain", "role", "cloud", "region", "dependsOn", "wave", "resources", "status"]));
    }
  });

  it("plans every implemented role with resources, and never fails a stack", () => {
    const byRole = (role: string) => result.report.stacks.filter((s) => s.role === role);
    for (const s of [...byRole("foundation"), ...byRole("pki")]) {
      expect(s.status).toBe("planned");
      expect(s.resources).toBeGreaterThan(5);
    }
    expect(result.report.stacks.filter((s) => s.status === "failed")).toEqual([]);
  });

  it("orders waves per domain, dependencies first", () => {
    const position = new Map(result.report.waves.flatMap((w, i) => w.map((s) => [s, i] as const)));
    for (const s of result.report.stacks) {
      for (const d of s.dependsOn) expect(position.get(d)!).toBeLessThan(position.get(s.name)!);
    }
    expect(result.report.waves.flat()).toHaveLength(loadFleet(REFERENCE_STACKS).stacks.size);
  });

  it("has no mandatory violations and exits 0", () => {
    expect(result.report.violations.filter((v) => v.level === "mandatory")).toEqual([]);
    expect(result.code).toBe(0);
  });
});

describe("fleet plan failures", () => {
  it("reports an IPAM overlap as a mandatory violation and exits 1", async () => {
    const doc = parse(readReference("Pulumi.eu-foundation-gcp.yaml")) as { config: Record<string, Record<string, unknown>> };
    doc.config["meridian:network"].slot = 0; // the slot of eu-foundation-aws
    const { code, report } = await planJson(fleetDir({ "Pulumi.eu-foundation-gcp.yaml": stringify(doc) }));
    expect(code).toBe(1);
    expect(report.violations).toContainEqual(
      expect.objectContaining({ policy: "meridian-fleet-ipam-no-overlap", level: "mandatory", message: expect.stringMatching(/10\.0\.0\.0\/16 overlaps/) }),
    );
  }, 300_000);

  it("reports an interconnect slot taken twice (same ASNs and inside /30s) and exits 1", async () => {
    const doc = parse(readReference("Pulumi.eu-interconnect-aws-gcp.yaml")) as { config: Record<string, Record<string, unknown>> };
    const other = parse(readReference("Pulumi.eu-interconnect-aws-azure.yaml")) as { config: Record<string, Record<string, unknown>> };
    doc.config["meridian:interconnect"].slot = other.config["meridian:interconnect"].slot;
    const { code, report } = await planJson(fleetDir({ "Pulumi.eu-interconnect-aws-gcp.yaml": stringify(doc) }));
    expect(code).toBe(1);
    expect(report.violations).toContainEqual(
      expect.objectContaining({ policy: "meridian-fleet-interconnect-allocation", level: "mandatory", message: expect.stringMatching(/slot \d+ is already taken/) }),
    );
  }, 300_000);

  it("exits 2 with one line naming file and key on invalid input", async () => {
    const c = io();
    const dir = fleetDir({ "Pulumi.us-pki.yaml": "config:\n  meridian:domain: mars\n  meridian:role: pki\n" });
    expect(await runPlanCommand({ stacksDir: dir, json: true }, c.io)).toBe(2);
    expect(c.out.join("")).toBe("");
    expect(c.err.join("")).toMatch(/^fleet: \S+Pulumi\.us-pki\.yaml: meridian:domain: invalid value "mars"; allowed: eu, us\n$/);
  });

  it("through the real CLI entry: exit 2, one line, no stack trace", async () => {
    const dir = fleetDir({ "Pulumi.eu-mgmt.yaml": readReference("Pulumi.eu-mgmt.yaml").replace("- eu-pki", "- us-pki") });
    const err = await cli(["plan", "--stacks-dir", dir]);
    expect(err?.code).toBe(2);
    expect(err?.stderr.trim().split("\n")).toHaveLength(1);
    expect(err?.stderr).toMatch(/Pulumi\.eu-mgmt\.yaml: meridian:dependsOn: "us-pki" is in domain us/);
    expect(err?.stderr).not.toMatch(/\s+at /);
  }, 120_000);
});
