/**
 * `fleet audit` over exported state fixtures (deployment v3, as `pulumi stack export`
 * writes it): an EU stack with a key drifted into us-east-1 exits 1 naming it; the clean
 * state exits 0; a malformed file exits 2 naming the file and the field.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fleetCli, ROOT } from "../support/cli";
import { sarifErrors } from "../support/sarif";

const fixture = (name: string) => path.join("test/plan/fixtures/audit", `${name}.json`);

describe("fleet audit --stack S --file export.json", () => {
  let drifted: Awaited<ReturnType<typeof fleetCli>>;
  let clean: Awaited<ReturnType<typeof fleetCli>>;
  let sarifFile: string;
  beforeAll(async () => {
    sarifFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "meridian-audit-")), "audit.sarif");
    [drifted, clean] = await Promise.all([
      fleetCli(["audit", "--stack", "eu-foundation-aws", "--file", fixture("drifted"), "--json", "--sarif", sarifFile]),
      fleetCli(["audit", "--stack", "eu-foundation-aws", "--file", fixture("clean")]),
    ]);
  }, 300_000);

  it("exits 1 on a resource drifted into a US region, naming it", () => {
    expect(drifted.code).toBe(1);
    const report = JSON.parse(drifted.stdout) as { violations: Array<{ policy: string; level: string; urn?: string; message: string }> };
    const mandatory = report.violations.filter((v) => v.level === "mandatory");
    expect(mandatory).toEqual([
      expect.objectContaining({
        policy: "meridian-residency-resource-region-allowlist",
        urn: "urn:pulumi:eu-foundation-aws::meridian::aws:kms/key:Key::eu-archive-key",
        message: expect.stringContaining("us-east-1"),
      }),
    ]);
  });

  it("writes valid SARIF naming the drifted resource", () => {
    const sarif = JSON.parse(fs.readFileSync(sarifFile, "utf8")) as { runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ logicalLocations: Array<{ fullyQualifiedName: string }> }> }> }> };
    expect(sarifErrors(sarif)).toEqual([]);
    expect(sarif.runs[0].results.map((r) => [r.ruleId, r.locations[0].logicalLocations[0].fullyQualifiedName])).toEqual([
      ["meridian-residency-resource-region-allowlist", "urn:pulumi:eu-foundation-aws::meridian::aws:kms/key:Key::eu-archive-key"],
    ]);
  });

  it("exits 0 on the clean state", () => {
    expect(clean.stdout).toContain("Audit: 0 mandatory and 0 advisory violations.");
    expect(clean.code).toBe(0);
  });

  it.each([
    ["malformed.json", "deployment.resources[2].urn: Invalid input: expected string, received number"],
  ])("exits 2 on %s, naming the file and the field", async (file, detail) => {
    const r = await fleetCli(["audit", "--stack", "eu-foundation-aws", "--file", fixture(file.replace(".json", ""))]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`fleet: ${fixture(file.replace(".json", ""))}: ${detail}`);
  }, 120_000);

  it("exits 2 on a file that is not JSON, one on another stack's state, and one that does not exist", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-audit-bad-"));
    const notJson = path.join(dir, "export.json");
    fs.writeFileSync(notJson, "{ version: 3");
    const [a, b, c] = await Promise.all([
      fleetCli(["audit", "--stack", "eu-foundation-aws", "--file", notJson]),
      fleetCli(["audit", "--stack", "us-foundation-aws", "--file", fixture("clean")]),
      fleetCli(["audit", "--stack", "eu-foundation-aws", "--file", path.join(dir, "missing.json")]),
    ]);
    expect([a.code, b.code, c.code]).toEqual([2, 2, 2]);
    expect(a.stderr.trim()).toMatch(new RegExp(`^fleet: ${notJson}: not JSON \\(`));
    expect(b.stderr.trim()).toBe(`fleet: ${fixture("clean")}: deployment.resources[0].urn: the state is of stack "eu-foundation-aws", not "us-foundation-aws"`);
    expect(c.stderr.trim()).toBe(`fleet: ${path.join(dir, "missing.json")}: no such file`);
  }, 300_000);
});

describe("the pack's own runner on the same state", () => {
  it("exits 1 naming the drifted key, with only the pack and a compact config", async () => {
    const { execFile } = await import("node:child_process");
    const { promisify } = await import("node:util");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-pack-check-"));
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ domain: "eu" }));
    const sarif = path.join(dir, "out.sarif");
    const r = await promisify(execFile)(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/check.ts", "--state", path.join(ROOT, fixture("drifted")), "--config", path.join(dir, "config.json"), "--sarif", sarif, "--json"], { cwd: path.join(ROOT, "policy-pack") }).then(
      () => ({ code: 0 }),
      (e: { code: number }) => ({ code: e.code }),
    );
    expect(r.code).toBe(1);
    const log = JSON.parse(fs.readFileSync(sarif, "utf8")) as { runs: Array<{ results: Array<{ ruleId: string }> }> };
    expect(sarifErrors(log)).toEqual([]);
    expect(log.runs[0].results.map((x) => x.ruleId)).toEqual(["meridian-residency-resource-region-allowlist"]);
  }, 120_000);
});
