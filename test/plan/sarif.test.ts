/**
 * `fleet plan --sarif FILE` writes SARIF 2.1.0 that validates against the schema, with one
 * rule per pack policy (from the pack's metadata) and each result located at its stack's
 * config file, the resource URN as its logical location.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { policyMetadata } from "../../policy-pack/lib/define";
import "../../policy-pack/policies";
import { toSarif } from "../../policy-pack/sarif";
import { fleetCli, ROOT, tenantFleetDir } from "../support/cli";
import { sarifErrors } from "../support/sarif";

interface Log {
  version: string;
  runs: Array<{
    tool: { driver: { rules: Array<{ id: string; shortDescription: { text: string }; help?: { text: string } }> } };
    results: Array<{ ruleId: string; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } }; logicalLocations: Array<{ fullyQualifiedName: string }> }> }>;
  }>;
}

describe("fleet plan --sarif", () => {
  let code: number;
  let log: Log;
  beforeAll(async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "meridian-sarif-")), "plan.sarif");
    const r = await fleetCli(["plan", "--program", path.join(ROOT, "test/plan/fixtures/programs/violations.ts"), "--stacks-dir", tenantFleetDir(), "--sarif", file]);
    code = r.code;
    log = JSON.parse(fs.readFileSync(file, "utf8")) as Log;
  }, 240_000);

  it("validates against the SARIF 2.1.0 schema", () => {
    expect(sarifErrors(log)).toEqual([]);
    expect(log.version).toBe("2.1.0");
  });

  it("has a rule for every policy of the pack, described from its metadata", () => {
    const rules = log.runs[0].tool.driver.rules;
    for (const meta of policyMetadata.values()) {
      expect(rules).toContainEqual(expect.objectContaining({ id: meta.name, shortDescription: { text: meta.description }, help: expect.objectContaining({ text: meta.remediation }) }));
    }
  });

  it("reports the plan's mandatory violations as errors at the stack file, URN as logical location", () => {
    expect(code).toBe(1);
    const results = log.runs[0].results.filter((r) => r.level === "error");
    const names = results.map((r) => [r.ruleId, r.locations[0].logicalLocations[0].fullyQualifiedName.split("::").pop()]);
    expect(names).toEqual(expect.arrayContaining([
      ["meridian-aws-ecr-repository-harden", "images"],
      ["meridian-residency-resource-region-allowlist", "us-key"],
    ]));
    for (const r of results) expect(r.locations[0].physicalLocation.artifactLocation.uri).toMatch(/^file:\/\/.*\/Pulumi\.eu-(foundation|guardrails)-aws\.yaml$/);
  });
});

describe("toSarif", () => {
  it("locates results relative to the repository for stacks in the repository", () => {
    const log = toSarif([{ stack: "eu-foundation-aws", policy: "meridian-aws-kms-key-rotate", level: "mandatory", urn: "urn:pulumi:eu-foundation-aws::meridian::aws:kms/key:Key::k", message: "rotate" }], {
      toolVersion: "0.1.0",
      stackFile: (s) => `stacks/Pulumi.${s}.yaml`,
    }) as unknown as Log;
    expect(sarifErrors(log)).toEqual([]);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: "stacks/Pulumi.eu-foundation-aws.yaml", uriBaseId: "%SRCROOT%" });
  });

  it("the validator rejects what is not SARIF 2.1.0 (so the checks above can fail)", () => {
    expect(sarifErrors({ version: "2.0.0", runs: [] }).length).toBeGreaterThan(0);
    expect(sarifErrors({ version: "2.1.0", runs: [{ tool: { driver: { name: "x" } }, results: [{ message: { text: "m" }, level: "fatal" }] }] }).length).toBeGreaterThan(0);
  });
});
