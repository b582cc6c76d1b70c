import * as fc from "fast-check";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { FleetConfigErrors, loadFleet, topologicalOrder, upstreamOf, waves, withDependencies, dependentsOf } from "../../../automation/fleet";
import { fleetDir, readReference, REFERENCE_STACKS } from "../../support/fleetDir";

/** The reference fleet's owners, for tests that replace its fleet.yaml. */
const ACCOUNTS = "accounts:\n  eu: { aws: [\"100000000001\"], gcp: [meridian-eu-prod], azure: [10000000-0000-4000-8000-000000000001] }\n  us: { aws: [\"200000000002\"], gcp: [meridian-us-prod], azure: [20000000-0000-4000-8000-000000000002] }\n";

/** Load a fleet that must fail; return its error lines. */
function errorsOf(dir: string): string[] {
  try {
    loadFleet(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(FleetConfigErrors);
    return (e as FleetConfigErrors).errors.map((x) => x.message);
  }
  throw new Error("expected the fleet to be rejected");
}

function edit(file: string, change: (config: Record<string, unknown>) => void): Record<string, string> {
  const doc = parse(readReference(file)) as { config: Record<string, unknown> };
  change(doc.config);
  return { [file]: stringify(doc) };
}

describe("the reference fleet", () => {
  const fleet = loadFleet(path.resolve(__dirname, "../../../stacks"));

  it("loads every stack file, both domains alike, every role", () => {
    // Counts come from the directory, not from today's fleet size: adding a stack must not break this test.
    const files = fs.readdirSync(REFERENCE_STACKS).filter((f) => /^Pulumi\.[a-z0-9-]+\.yaml$/.test(f));
    expect(fleet.stacks.size).toBe(files.length);
    const byDomain = (d: string) => [...fleet.stacks.values()].filter((s) => s.domain === d);
    expect(byDomain("eu").length + byDomain("us").length).toBe(fleet.stacks.size);
    // The two residency domains are built alike: the same roles, as many of each (clouds may differ: EU runs management on AWS, US on GCP).
    const shape = (d: string) => byDomain(d).map((s) => s.role).sort();
    expect(shape("us")).toEqual(shape("eu"));
    for (const d of ["eu", "us"]) {
      const mine = byDomain(d);
      const clouds = (role: string) => [...new Set(mine.filter((s) => s.role === role).map((s) => s.clouds[0]))].sort();
      expect(clouds("guardrails")).toEqual(["aws", "azure", "gcp"]);
      expect(mine.filter((s) => s.role === "guardrails")).toHaveLength(3);
      expect(clouds("foundation")).toEqual(["aws", "azure", "gcp"]);
      expect(mine.filter((s) => s.role === "pki")).toHaveLength(1);
      expect(mine.filter((s) => s.role === "management")).toHaveLength(1);
      expect(clouds("workload")).toEqual(["aws", "azure", "gcp"]);
      // One interconnect per pair of clouds the domain uses.
      expect(mine.filter((s) => s.role === "interconnect")).toHaveLength(3);
      expect(mine.filter((s) => s.role === "dns").map((s) => s.clouds[0])).toEqual(["aws"]);
    }
  });

  it("orders dependencies first and never mixes domains in a wave", () => {
    const order = topologicalOrder(fleet);
    for (const spec of fleet.stacks.values()) {
      for (const dep of spec.dependsOn) expect(order.indexOf(dep)).toBeLessThan(order.indexOf(spec.name));
    }
    for (const d of ["eu", "us"] as const) {
      for (const wave of waves(fleet, d)) for (const s of wave) expect(fleet.stacks.get(s)!.domain).toBe(d);
    }
  });

  it("resolves each role's upstream stacks from dependsOn", () => {
    const up = upstreamOf(fleet, fleet.stacks.get("eu-workload-gcp")!);
    expect(up.foundations.gcp).toBe("eu-foundation-gcp");
    expect(up.pki).toBe("eu-pki");
    expect(up.management).toBe("eu-mgmt");
  });

  it("computes closures both ways", () => {
    expect([...withDependencies(fleet, ["eu-workload-aws"])].sort()).toEqual(["eu-foundation-aws", "eu-guardrails-aws", "eu-mgmt", "eu-pki", "eu-workload-aws"]);
    expect(dependentsOf(fleet, "eu-pki").has("eu-workload-azure")).toBe(true);
    expect([...dependentsOf(fleet, "eu-pki")].some((s) => s.startsWith("us-"))).toBe(false);
  });

  it("applies defaults from the schema", () => {
    const f = fleet.stacks.get("eu-foundation-aws")!;
    expect(f.environment).toBe("prod");
    if (f.config["meridian:role"] !== "foundation") throw new Error("role");
    expect(f.config["meridian:kms"].rotationDays).toBe(90);
    expect(f.config["meridian:network"].zones).toBe(3);
  });
});

describe("rejections name the file, the key and what is allowed", () => {
  const cases: Array<[string, Record<string, string | null>, RegExp]> = [
    ["unknown domain", edit("Pulumi.eu-pki.yaml", (c) => (c["meridian:domain"] = "apac")), /Pulumi\.eu-pki\.yaml: meridian:domain: invalid value "apac"; allowed: eu, us/],
    ["unknown role", edit("Pulumi.eu-pki.yaml", (c) => (c["meridian:role"] = "database")), /Pulumi\.eu-pki\.yaml: meridian:role: invalid value "database"; allowed: foundation, pki, management, workload, interconnect/],
    ["unknown cloud", edit("Pulumi.eu-foundation-aws.yaml", (c) => (c["meridian:cloud"] = "oracle")), /Pulumi\.eu-foundation-aws\.yaml: meridian:cloud: invalid value "oracle"; allowed: aws, azure, gcp/],
    ["London is not EU", edit("Pulumi.eu-foundation-aws.yaml", (c) => (c["aws:region"] = "eu-west-2")), /Pulumi\.eu-foundation-aws\.yaml: aws:region: "eu-west-2" is not allowed for domain eu \(it is in no domain's allowlist\); allowed: eu-central-1/],
    ["Zurich is not EU", edit("Pulumi.eu-foundation-gcp.yaml", (c) => (c["gcp:region"] = "europe-west6")), /Pulumi\.eu-foundation-gcp\.yaml: gcp:region: "europe-west6" is not allowed for domain eu/],
    ["a US region in the EU", edit("Pulumi.eu-foundation-azure.yaml", (c) => (c["azure-native:location"] = "eastus")), /azure-native:location: "eastus" is not allowed for domain eu \(it is a us region\)/],
    ["missing region", edit("Pulumi.eu-foundation-aws.yaml", (c) => delete c["aws:region"]), /Pulumi\.eu-foundation-aws\.yaml: aws:region: missing; a stack on aws sets aws:region/],
    ["missing gcp project", edit("Pulumi.us-foundation-gcp.yaml", (c) => delete c["gcp:project"]), /Pulumi\.us-foundation-gcp\.yaml: gcp:project: missing/],
    ["wrong type", edit("Pulumi.eu-foundation-aws.yaml", (c) => ((c["meridian:network"] as Record<string, unknown>).slot = "zero")), /Pulumi\.eu-foundation-aws\.yaml: meridian:network\.slot: expected number, got "zero"/],
    ["missing required key", edit("Pulumi.eu-foundation-aws.yaml", (c) => delete c["meridian:network"]), /Pulumi\.eu-foundation-aws\.yaml: meridian:network: missing; expected object/],
    ["unknown meridian key", edit("Pulumi.eu-pki.yaml", (c) => (c["meridian:domian"] = "eu")), /Pulumi\.eu-pki\.yaml: meridian:domian: unknown key/],
    ["another cloud's namespace", edit("Pulumi.eu-foundation-aws.yaml", (c) => (c["gcp:region"] = "europe-west1")), /Pulumi\.eu-foundation-aws\.yaml: gcp:region: not allowed here: this stack uses aws/],
    ["dependsOn a missing stack", edit("Pulumi.eu-mgmt.yaml", (c) => (c["meridian:dependsOn"] = ["eu-foundation-aws", "eu-pki", "eu-nope"])), /Pulumi\.eu-mgmt\.yaml: meridian:dependsOn: "eu-nope" is not a stack/],
    ["dependsOn the other domain", edit("Pulumi.eu-mgmt.yaml", (c) => (c["meridian:dependsOn"] = ["eu-foundation-aws", "us-pki"])), /Pulumi\.eu-mgmt\.yaml: meridian:dependsOn: "us-pki" is in domain us, this stack in eu: references never cross domains/],
    ["a cycle", edit("Pulumi.eu-pki.yaml", (c) => (c["meridian:dependsOn"] = ["eu-workload-aws"])), /meridian:dependsOn: dependency cycle: .*eu-pki.*eu-workload-aws/],
    ["a role requirement", edit("Pulumi.eu-workload-aws.yaml", (c) => (c["meridian:dependsOn"] = ["eu-pki", "eu-mgmt"])), /Pulumi\.eu-workload-aws\.yaml: meridian:dependsOn: a workload stack needs a foundation stack on aws in its dependsOn; found none/],
    ["YAML syntax", { "Pulumi.eu-pki.yaml": "config:\n  meridian:domain: [eu\n" }, /Pulumi\.eu-pki\.yaml: \(yaml\): .+ \(line \d+, column \d+\)/],
    ["duplicate YAML key", { "Pulumi.eu-pki.yaml": "config:\n  meridian:domain: eu\n  meridian:domain: us\n  meridian:role: pki\n" }, /Pulumi\.eu-pki\.yaml: \(yaml\): Map keys must be unique/],
    ["not a mapping", { "Pulumi.eu-pki.yaml": "- just\n- a list\n" }, /Pulumi\.eu-pki\.yaml: \(file\): expected a mapping/],
    ["no config", { "Pulumi.eu-pki.yaml": "secretsprovider: passphrase\n" }, /Pulumi\.eu-pki\.yaml: config: missing or not a mapping/],
    ["interconnect of one cloud", edit("Pulumi.eu-interconnect-aws-gcp.yaml", (c) => (c["meridian:clouds"] = ["aws", "aws"])), /meridian:clouds: two different clouds/],
  ];

  it.each(cases)("%s", (_label, edits, expected) => {
    const lines = errorsOf(fleetDir(edits));
    expect(lines.some((l) => expected.test(l))).toBe(true);
    for (const l of lines) {
      expect(l).not.toMatch(/\n|^\s+at |\.ts:\d+:\d+/);
    }
  });

  it("reports every broken file in one pass", () => {
    const lines = errorsOf(fleetDir({ ...edit("Pulumi.eu-pki.yaml", (c) => (c["meridian:domain"] = "x")), ...edit("Pulumi.us-pki.yaml", (c) => (c["meridian:role"] = "y")) }));
    expect(lines.filter((l) => /Pulumi\.(eu|us)-pki\.yaml/.test(l))).toHaveLength(2);
  });

  it("refuses a fleet.yaml that puts one region in both domains", () => {
    const lines = errorsOf(fleetDir({ "fleet.yaml": "residency:\n  us:\n    aws: [us-east-1, eu-central-1]\n" }));
    expect(lines[0]).toMatch(/fleet\.yaml: residency\.\*\.aws: region\(s\) eu-central-1 are allowed in both domains/);
  });

  it("lets fleet.yaml allow a region explicitly", () => {
    const dir = fleetDir({
      "fleet.yaml": `residency:\n  eu:\n    aws: [eu-central-1, eu-west-2]\n${ACCOUNTS}`,
      ...edit("Pulumi.eu-foundation-aws.yaml", (c) => (c["aws:region"] = "eu-west-2")),
    });
    expect(loadFleet(dir).stacks.get("eu-foundation-aws")!.region).toBe("eu-west-2");
  });

  it("refuses overlapping IPAM pools", () => {
    const lines = errorsOf(fleetDir({ "fleet.yaml": "ipam:\n  pools:\n    us: { nodes: 10.0.0.0/10, pods: 100.96.0.0/11, services: 172.20.0.0/14 }\n" }));
    expect(lines.join("\n")).toMatch(/ipam\.pools: .*eu\.nodes 10\.0\.0\.0\/10 overlaps us\.nodes 10\.0\.0\.0\/10|overlaps/);
  });
});

describe("fuzzing malformed configs", () => {
  const junk = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }));
  const file = "Pulumi.eu-workload-aws.yaml";
  const keys = Object.keys((parse(readReference(file)) as { config: Record<string, unknown> }).config);

  it("either loads or fails with one line per problem naming the file and a key, never a stack trace", () => {
    fc.assert(
      fc.property(fc.constantFrom(...keys, "meridian:extra", "aws:region"), junk, (key, value) => {
        const dir = fleetDir(edit(file, (c) => (c[key] = value)));
        try {
          loadFleet(dir);
        } catch (e) {
          expect(e).toBeInstanceOf(FleetConfigErrors);
          for (const err of (e as FleetConfigErrors).errors) {
            expect(err.message).toMatch(/^\S+\.yaml: \S.*: .+$/);
            expect(err.message).not.toMatch(/\n/);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
