/**
 * `retain: "summary"` (what `fleet plan` asks for): the checks and the policy pack still see
 * every resource in full, and the returned plan keeps only what a report lists, so the main
 * thread's memory does not hold every stack's props at 1,000 clusters.
 */
import * as aws from "@pulumi/aws";
import { loadFleet } from "../../automation/fleet";
import { planFleet, type PlannedResource, type StackEvaluator, type StackProgram } from "../../automation/plan";
import { policyPackEvaluator } from "../../automation/plan/policies";
import { tenantFleetDir } from "../support/cli";

jest.setTimeout(300_000);

// As test/plan/fixtures/programs/violations.ts, as a function: a module registers its resources only the first time it is loaded.
const program: StackProgram = async () => {
  const repo = new aws.ecr.Repository("images", { imageTagMutability: "MUTABLE" });
  new aws.kms.Key("us-key", { enableKeyRotation: true, region: "us-east-1" }, { dependsOn: [repo] });
  return { repository: repo.repositoryUrl };
};

async function planWith(retain: "all" | "summary") {
  const fleet = loadFleet(tenantFleetDir());
  const pack = policyPackEvaluator();
  const seen: PlannedResource[][] = [];
  const spy: StackEvaluator = (_f, _s, resources) => (seen.push([...resources]), []);
  const plan = await planFleet(fleet, { program, retain, evaluators: [pack.evaluator, spy], onStack: (p) => pack.observe(p, fleet) });
  return { plan, seen };
}

test("a summary plan keeps urn, type, name, parent and custom of every resource; checks and the pack saw them whole", async () => {
  const all = await planWith("all");
  const summary = await planWith("summary");
  // Not an empty comparison: both stacks planned resources with props, and the pack found the two problems.
  expect(all.plan.stacks.map((s) => s.status)).toEqual(["planned", "planned"]);
  expect(all.plan.stacks.flatMap((s) => s.resources).some((r) => Object.keys(r.props).length > 0)).toBe(true);
  expect(all.plan.violations.length).toBeGreaterThanOrEqual(2);

  expect(summary.plan.violations).toEqual(all.plan.violations);
  expect(summary.seen).toEqual(all.seen);
  expect(summary.seen.flat().some((r) => Object.keys(r.props).length > 0)).toBe(true);
  const project = (r: PlannedResource) => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parent, custom: r.custom });
  expect(summary.plan.stacks.map((s) => s.resources.map(project))).toEqual(all.plan.stacks.map((s) => s.resources.map(project)));
  expect(summary.plan.stacks.map((s) => s.outputs)).toEqual(all.plan.stacks.map((s) => s.outputs));
  for (const r of summary.plan.stacks.flatMap((s) => s.resources)) {
    expect([r.props, r.dependencies, r.propertyDependencies, r.provider]).toEqual([{}, [], {}, undefined]);
  }
});
