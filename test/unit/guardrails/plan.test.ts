/**
 * The guardrails in the plan: the reference fleet plans with the guardrails stacks first in
 * each domain and no mandatory violation; widening a domain in fleet.yaml shows up as a
 * change of the guardrails stack's planned inputs; a domain missing the guardrails stack of
 * a cloud it uses is a mandatory fleet violation (exit 1), through the real CLI.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import type { PlanReport } from "../../../automation/commands/plan";
import { loadFleet } from "../../../automation/fleet";
import { planStack, type PlannedResource } from "../../../automation/plan";
import { DOMAINS } from "../../../components/residency/catalogue";
import { guardrailsExports } from "../../../stacks/contracts";
import { runStack } from "../../../stacks/program";
import { fleetDir, readReference, REFERENCE_STACKS } from "../../support/fleetDir";

const root = path.resolve(__dirname, "../../..");

async function planCli(stacksDir: string): Promise<{ code: number; report: PlanReport }> {
  const run = promisify(execFile);
  const args = [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "automation/cli.ts"), "plan", "--json", "--stacks-dir", stacksDir];
  const r = await run(process.execPath, args, { cwd: root, maxBuffer: 64 << 20 }).then(
    (x) => ({ code: 0, stdout: x.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  return { code: r.code, report: JSON.parse(r.stdout) as PlanReport };
}

/** Planned custom resources of one stack, by URN, with their inputs. */
async function plannedInputs(stacksDir: string, stack: string): Promise<Map<string, PlannedResource["props"]>> {
  const plan = await planStack(loadFleet(stacksDir), stack, (f, s) => runStack(f, s), { outputs: new Map(), secretOutputNames: new Map() });
  expect(plan.status).toBe("planned");
  // What downstream readers and audits get: the guardrails contract (stacks/contracts.ts).
  expect(guardrailsExports.parse(plan.outputs)).toMatchObject({ stack, role: "guardrails", policyIds: expect.arrayContaining([expect.any(String)]) });
  return new Map(plan.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r.props]));
}

/** URN → the top-level input keys whose values differ. */
function diff(before: Map<string, Record<string, unknown>>, after: Map<string, Record<string, unknown>>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const urn of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(urn) ?? {};
    const b = after.get(urn) ?? {};
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    if (keys.length > 0) out[urn.slice(urn.lastIndexOf("::") + 2)] = keys.sort();
  }
  return out;
}

describe("the reference fleet with guardrails", () => {
  let result: { code: number; report: PlanReport };
  beforeAll(async () => {
    result = await planCli(REFERENCE_STACKS);
  }, 300_000);

  it("plans every guardrails stack first in its domain, before every stack on that cloud, with 0 mandatory violations", () => {
    expect(result.report.violations.filter((v) => v.level === "mandatory")).toEqual([]);
    expect(result.code).toBe(0);
    const stacks = new Map(result.report.stacks.map((s) => [s.name, s]));
    for (const domain of DOMAINS) {
      for (const cloud of ["aws", "azure", "gcp"]) {
        const guard = stacks.get(`${domain}-guardrails-${cloud}`)!;
        expect([guard.name, guard.status, guard.wave]).toEqual([guard.name, "planned", 0]);
        expect(guard.resources).toBeGreaterThanOrEqual(4);
        const later = result.report.stacks.filter((s) => s.domain === domain && s.role !== "guardrails" && (s.cloud ?? "").split("+").includes(cloud));
        expect(later.length).toBeGreaterThan(0);
        for (const s of later) expect([s.name, s.wave > guard.wave]).toEqual([s.name, true]);
        expect(stacks.get(`${domain}-foundation-${cloud}`)!.dependsOn).toContain(guard.name);
      }
    }
  });
});

describe("a fleet.yaml change that widens a domain", () => {
  const reference = readReference("fleet.yaml");
  const widen = (cloud: string, regions: string) => `${reference}\nresidency:\n  eu:\n    ${cloud}: [${regions}]\n`;

  it.each([
    ["aws", "eu-central-1, eu-west-1, eu-west-3, eu-north-1, eu-south-1, eu-south-2, eu-west-2", "eu-guardrails-aws", "eu-guardrails-aws-guardrails-region-deny", "content", "eu-west-2"],
    ["azure", "westeurope, northeurope, francecentral, germanywestcentral, swedencentral, italynorth, polandcentral, spaincentral, uksouth", "eu-guardrails-azure", "eu-guardrails-azure-guardrails-locations-0", "parameters", "uksouth"],
    ["gcp", "europe-west1, europe-west3, europe-west4, europe-west8, europe-west9, europe-west10, europe-west12, europe-north1, europe-north2, europe-central2, europe-southwest1, europe-west2", "eu-guardrails-gcp", "eu-guardrails-gcp-guardrails-resourceLocations-0", "spec", "in:europe-west2-locations"],
  ])("%s: is a change of the guardrails stack's planned inputs, and of nothing else in it", async (cloud, regions, stack, resource, key, added) => {
    const before = await plannedInputs(REFERENCE_STACKS, stack);
    const after = await plannedInputs(fleetDir({ "fleet.yaml": widen(cloud, regions) }), stack);
    const changes = diff(before, after);
    expect(changes[resource]).toEqual(expect.arrayContaining([key]));
    const changed = [...after.entries()].find(([urn]) => urn.endsWith(`::${resource}`))![1];
    expect(JSON.stringify(changed[key])).toContain(added);
    // Only the location guardrails change (the AWS description names the regions too).
    for (const name of Object.keys(changes)) expect(name).toMatch(/region-deny|locations|resourceLocations/);
  }, 120_000);
});

describe("a domain without its guardrails stack", () => {
  it("is a mandatory fleet violation naming the domain and cloud, and the plan exits 1", async () => {
    const dir = fleetDir({ "Pulumi.eu-guardrails-azure.yaml": null, "Pulumi.eu-foundation-azure.yaml": readReference("Pulumi.eu-foundation-azure.yaml").replace("[eu-guardrails-azure]", "[]") });
    // Keep the fixture small: the EU Azure foundation and what the check needs, nothing downstream of it.
    for (const f of fs.readdirSync(dir)) if (/^Pulumi\.(us-|eu-(workload|interconnect|mgmt|dns))/.test(f)) fs.rmSync(path.join(dir, f));
    const { code, report } = await planCli(dir);
    expect(code).toBe(1);
    expect(report.violations).toContainEqual({
      stack: "eu-foundation-azure",
      policy: "meridian-fleet-guardrails-present",
      level: "mandatory",
      message: expect.stringMatching(/^domain eu deploys into azure \(eu-foundation-azure\) but has no guardrails stack on azure; add stacks\/Pulumi\.eu-guardrails-azure\.yaml/),
    });
    expect(report.violations.filter((v) => v.policy === "meridian-fleet-guardrails-present")).toHaveLength(1);
  }, 300_000);

  it("reports a stack on a guarded cloud that does not come after the guardrails", async () => {
    const dir = fleetDir({ "Pulumi.eu-foundation-gcp.yaml": readReference("Pulumi.eu-foundation-gcp.yaml").replace("[eu-guardrails-gcp]", "[]") });
    for (const f of fs.readdirSync(dir)) if (/^Pulumi\.(us-|eu-(workload|interconnect|mgmt|dns))/.test(f)) fs.rmSync(path.join(dir, f));
    const { code, report } = await planCli(dir);
    expect(code).toBe(1);
    expect(report.violations).toContainEqual(
      expect.objectContaining({ stack: "eu-foundation-gcp", policy: "meridian-fleet-guardrails-present", message: expect.stringContaining("does not come after eu-guardrails-gcp") }),
    );
  }, 300_000);
});
