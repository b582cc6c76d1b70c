/**
 * Pulumi Deployments keep dependency order and the canary — proven on the GENERATED settings:
 * the Deployments program runs under mocks for both domains, then a push is simulated by
 * walking what it generated (test/deployments/simulate.ts): the push triggers of each
 * `DeploymentSettings` (branch + path filters), the `update_succeeded` deployment webhooks,
 * and the canary gate (deployments/promote.ts) that advances `deploy/us`.
 * The expected order is not re-implemented here: each assertion compares the walk with
 * the fleet's own `meridian:dependsOn` or with `fleet affected`.
 */
import { affectedStacks, pathFiltersFor } from "../../automation/affected";
import { FleetDeployments } from "../../components/deployments";
import { deploymentsArgs } from "../../deployments/program";
import { promotionDecision, requiredStacks } from "../../deployments/promote";
import { installMocks, settle } from "../support/mocks";
import { simulate, type Run } from "./simulate";
import { configOf, referenceFleet } from "./support";

const fleet = referenceFleet();
const cloud = installMocks({ stack: "eu" });

beforeAll(async () => {
  for (const d of ["eu", "us"] as const) new FleetDeployments(`meridian-${d}`, deploymentsArgs(fleet, configOf(d), d));
  await settle();
});

/** The canary gate as deployments/promote.ts decides it (one commit: every update covers it). */
const gate = (files: readonly string[]) => (finished: ReadonlyMap<string, { result: string; at: number; startedAt: number }>) => {
  const latest = new Map([...finished].map(([s, f]) => [s, { result: f.result, commit: "c1", startedAt: f.startedAt, endedAt: f.at }]));
  return promotionDecision(requiredStacks(fleet, "eu", files), latest, () => true, upstreamsOf).kind === "promote" ? { branch: "deploy/us", files } : undefined;
};

const push = (files: string[]) => simulate(cloud.records, { branch: "main", files }, gate(files));
const upstreamsOf = (s: string) => fleet.stacks.get(s)?.dependsOn ?? [];
const domainOf = (r: Run) => fleet.stacks.get(r.stack)!.domain;
const runsOf = (runs: Run[], stack: string) => runs.filter((r) => r.stack === stack);

/** Every stack deployed after every dependency that deployed in the same walk finished. */
function orderViolations(runs: Run[], firstRunToo: boolean): string[] {
  const out: string[] = [];
  for (const r of runs) {
    const last = runsOf(runs, r.stack).at(-1)!;
    if (!firstRunToo && r !== last) continue;
    for (const dep of fleet.stacks.get(r.stack)!.dependsOn) {
      for (const d of runsOf(runs, dep)) if (d.end > r.start) out.push(`${r.stack} started at ${r.start} before ${dep} finished at ${d.end}`);
    }
  }
  return out;
}

describe("a push touching one foundation file (components/kms/aws.ts)", () => {
  const files = ["components/kms/aws.ts"];
  let runs: Run[] = [];
  let errors: string[] = [];
  beforeAll(() => ({ runs, errors } = push(files)));

  it("starts that foundation alone, in the canary domain only", () => {
    expect(errors).toEqual([]);
    const first = runs.filter((r) => r.start === 0);
    expect(first.map((r) => [r.stack, r.cause])).toEqual([["eu-foundation-aws", "push main"]]);
  });

  it("then deploys its dependents, each only after all its upstreams finished, each once", () => {
    expect(orderViolations(runs, true)).toEqual([]);
    for (const r of runs.filter((x) => x.stack !== "eu-foundation-aws" && x.stack !== "us-foundation-aws")) expect([r.stack, r.cause]).toEqual([r.stack, expect.stringMatching(/^webhook /)]);
    const names = runs.map((r) => r.stack);
    expect(names.length).toBe(new Set(names).size);
  });

  it("then the US domain, only after every affected EU stack succeeded (through deploy/us, never main)", () => {
    const eu = runs.filter((r) => domainOf(r) === "eu");
    const us = runs.filter((r) => domainOf(r) === "us");
    expect(us.length).toBeGreaterThan(0);
    expect(Math.min(...us.map((r) => r.start))).toBeGreaterThanOrEqual(Math.max(...eu.map((r) => r.end)));
    expect(us.filter((r) => r.cause.startsWith("push")).map((r) => [r.stack, r.cause])).toEqual([["us-foundation-aws", "push deploy/us"]]);
  });

  it("deploys exactly what `fleet affected` reports for the change, in both domains", () => {
    expect(runs.map((r) => r.stack).sort()).toEqual(affectedStacks(fleet, files).stacks.map((s) => s.name).sort());
  });
});

describe("every kind of change (one sample file per path rule, and each stack's config)", () => {
  const samples = [
    "stacks/fleet.yaml", "components/residency/catalogue.ts", "stacks/roles/workload.ts", "stacks/roles/pki.ts", "components/cluster/gke.ts",
    "components/interconnect/gcp-azure.ts", "components/interconnect/index.ts", "components/network/azure.ts", "components/baseline/index.ts",
    ...[...fleet.stacks.values()].map((s) => `stacks/Pulumi.${s.name}.yaml`),
  ];
  it.each(samples.map((f) => [f]))("%s: deploys what `fleet affected` reports, upstreams before dependents, US after EU", (file: string) => {
    const { runs, errors } = push([file]);
    expect(errors).toEqual([]);
    expect([...new Set(runs.map((r) => r.stack))].sort()).toEqual(affectedStacks(fleet, [file]).stacks.map((s) => s.name).sort());
    // With several changed roots a dependent may run after the first and again after the last
    // (one queued run); its LAST run always follows every upstream.
    expect(orderViolations(runs, false)).toEqual([]);
    const eu = runs.filter((r) => domainOf(r) === "eu");
    const us = runs.filter((r) => domainOf(r) === "us");
    if (eu.length > 0 && us.length > 0) expect(Math.min(...us.map((r) => r.start))).toBeGreaterThanOrEqual(Math.max(...eu.map((r) => r.end)));
  });
});

describe("the walk can fail (the properties are not vacuous)", () => {
  it("with the old filters (upstreams' inputs in every stack's filters), dependents start on the push itself", () => {
    const records = cloud.records.map((r) =>
      r.type === "pulumiservice:index:DeploymentSettings" ? { ...r, inputs: { ...r.inputs, vcs: { ...(r.inputs.vcs as object), paths: pathFiltersFor(fleet, String(r.inputs.stack)) } } } : r,
    );
    const { runs } = simulate(records, { branch: "main", files: ["components/kms/aws.ts"] }, gate(["components/kms/aws.ts"]));
    expect(runs.filter((r) => r.start === 0).length).toBeGreaterThan(1);
    expect(orderViolations(runs, true).length).toBeGreaterThan(0);
  });

  it("a failed EU update keeps the US domain from deploying at all", () => {
    const files = ["components/kms/aws.ts"];
    const failing = (finished: ReadonlyMap<string, { result: string; at: number; startedAt: number }>) => {
      const latest = new Map([...finished].map(([s, f]) => [s, { result: s === "eu-mgmt" ? "failed" : f.result, commit: "c1" }]));
      return promotionDecision(requiredStacks(fleet, "eu", files), latest, () => true).kind === "promote" ? { branch: "deploy/us", files } : undefined;
    };
    const { runs } = simulate(cloud.records, { branch: "main", files }, failing);
    expect(runs.filter((r) => domainOf(r) === "us")).toEqual([]);
  });
});
