/**
 * Bad programs through the CLI entry (`fleet plan --program FILE`): a program with a syntax
 * error, one that throws, one whose apply throws, one that never settles (a timer keeps the
 * process alive), one whose event loop drains, one that calls a data source the plan cannot
 * answer, one that exits 0 by itself, and one that needs a disabled default provider. Each
 * fails its stack with one line and exit 1; none exits 0 without a report.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PlanReport } from "../../automation/commands/plan";
import { fleetCli, ROOT, tenantFleetDir } from "../support/cli";

const fixture = (name: string) => path.join(ROOT, "test/plan/fixtures/programs", `${name}.ts`);

interface Outcome {
  code: number;
  report?: PlanReport;
  stderr: string;
}

async function plan(program: string, stacksDir: string, extra: string[] = []): Promise<Outcome> {
  const r = await fleetCli(["plan", "--json", "--program", program, "--stacks-dir", stacksDir, ...extra]);
  let report: PlanReport | undefined;
  try {
    report = JSON.parse(r.stdout) as PlanReport;
  } catch {
    report = undefined;
  }
  return { code: r.code, report, stderr: r.stderr };
}

describe("fleet plan --program on bad programs", () => {
  const outcomes = new Map<string, Outcome>();
  beforeAll(async () => {
    const tenant = tenantFleetDir();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-bad-program-"));
    const malformed = path.join(tmp, "malformed.ts");
    // Written here, not committed: a syntax error in the tree would break the type check.
    fs.writeFileSync(malformed, 'import * as aws from "@pulumi/aws";\nexport const b = new aws.s3.Bucket("data", { tags: { a: "b" } ;\n');
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(tmp, "node_modules"));
    const fleetStacks = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-fleet-one-"));
    fs.copyFileSync(path.join(ROOT, "stacks/fleet.yaml"), path.join(fleetStacks, "fleet.yaml"));
    for (const stack of ["eu-guardrails-aws", "eu-foundation-aws"]) {
      fs.copyFileSync(path.join(ROOT, `stacks/Pulumi.${stack}.yaml`), path.join(fleetStacks, `Pulumi.${stack}.yaml`));
    }
    const runs: Array<[string, Promise<Outcome>]> = [
      ["malformed", plan(malformed, tenant)],
      ["throws", plan(fixture("throws"), tenant)],
      ["apply-throws", plan(fixture("apply-throws"), tenant)],
      ["never-settles", plan(fixture("never-settles"), tenant, ["--stack-timeout", "3"])],
      ["drains", plan(fixture("drains"), tenant)],
      ["unknown-invoke", plan(fixture("unknown-invoke"), tenant)],
      ["exits-zero", plan(fixture("exits-zero"), tenant)],
      ["default-provider-disabled", plan(fixture("default-provider-disabled"), fleetStacks)],
      ["ok", plan(fixture("ok"), tenant)],
    ];
    // Two at a time: each is a whole Node process with the provider SDKs loaded.
    for (let i = 0; i < runs.length; i += 2) {
      for (const [name, p] of runs.slice(i, i + 2)) outcomes.set(name, await p);
    }
  }, 600_000);

  it.each([
    ["malformed", /^Transform failed with 1 error: .*malformed\.ts:2:\d+: ERROR: Expected "}" but found ";"$/],
    ["throws", /^Missing required configuration variable 'meridian:bucketName'$/],
    ["apply-throws", /^cannot parse bucket arn$/],
    ["never-settles", /^the program did not finish within 3s \(it waits on something that never settles\)$/],
    ["drains", /^the program stopped before exporting its outputs \(an Output never resolved\)$/],
    ["unknown-invoke", /^the offline plan has no answer for data source aws:rds\/getEngineVersion:getEngineVersion; /],
    ["default-provider-disabled", /^Default provider for 'aws' disabled\. 'aws:s3\/bucket:Bucket' must use an explicit provider\.$/],
  ])("%s: the stack fails with one line and exit 1", (name, message) => {
    const o = outcomes.get(name)!;
    expect(o.code).toBe(1);
    expect(o.report).toBeDefined();
    const stack = o.report!.stacks[0];
    expect(stack.status).toBe("failed");
    expect(stack.error).toMatch(message);
    expect(stack.error).not.toContain("\n");
  });

  it("a program that exits 0 by itself: exit 1 and a one-line internal error, never a silent 0", () => {
    const o = outcomes.get("exits-zero")!;
    expect(o.code).toBe(1);
    expect(o.stderr.trim().split("\n").pop()).toBe("fleet: internal error: stopped before finishing");
  });

  it("a good program plans with exit 0 (the harness itself is not what fails)", () => {
    const o = outcomes.get("ok")!;
    expect({ code: o.code, status: o.report?.stacks[0].status, error: o.report?.stacks[0].error }).toEqual({ code: 0, status: "planned", error: undefined });
  });

  it("a missing program file is invalid input: exit 2, one line", async () => {
    const r = await fleetCli(["plan", "--program", "no/such/program.ts", "--stacks-dir", tenantFleetDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("fleet: --program no/such/program.ts: no such program file or directory");
  }, 120_000);
});
