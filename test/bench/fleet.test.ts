/** The generated bench fleet loads, keeps the reference stacks, and gives every cluster its own slot. */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadFleet } from "../../automation/fleet";
import { generatedFleet, REFERENCE_CLUSTERS } from "../../bench/fleet";

const REFERENCE = path.resolve(__dirname, "../../stacks");

it("generatedFleet(n) is the reference fleet plus n - 6 workload clusters, split over domains and clouds, in distinct slots", () => {
  const fleet = loadFleet(generatedFleet(18));
  const reference = fs.readdirSync(REFERENCE).filter((f) => /^Pulumi\..+\.yaml$/.test(f)).length;
  expect(fleet.stacks.size).toBe(reference + 18 - REFERENCE_CLUSTERS);
  const workloads = [...fleet.stacks.values()].filter((s) => s.role === "workload");
  expect(workloads).toHaveLength(18);
  for (const domain of ["eu", "us"]) {
    const mine = workloads.filter((s) => s.domain === domain);
    expect(mine).toHaveLength(9);
    expect(new Set(mine.map((s) => s.clouds.join("+")))).toEqual(new Set(["aws", "gcp", "azure"]));
    const slots = mine.map((s) => ((s.config as Record<string, unknown>)["meridian:cluster"] as { slot: number }).slot);
    expect(new Set(slots).size).toBe(slots.length);
  }
  expect(fleet.stacks.has("eu-workload-aws-0001")).toBe(true);
  expect(() => generatedFleet(5)).toThrow(/at least the reference's 6/);
});
