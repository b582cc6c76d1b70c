/** The plan's rollout order is the rollout's: canary domain first, rings in order, dependencies first — from the scheduler itself. */
import * as path from "node:path";
import { loadFleet } from "../../automation/fleet";
import { rolloutSteps } from "../../automation/scheduler";
import { fleetCli } from "../support/cli";

const fleet = loadFleet(path.resolve(__dirname, "../../stacks"));

describe("plan rollout order", () => {
  const steps = rolloutSteps(fleet);

  it("starts every stack after its dependencies and after every earlier ring of its domain", () => {
    for (const s of fleet.stacks.values()) {
      for (const d of s.dependsOn) expect({ s: s.name, d, after: steps.get(s.name)! > steps.get(d)! }).toEqual({ s: s.name, d, after: true });
      for (const o of fleet.stacks.values()) {
        if (o.domain === s.domain && o.ring < s.ring) expect({ s: s.name, o: o.name, after: steps.get(s.name)! > steps.get(o.name)! }).toEqual({ s: s.name, o: o.name, after: true });
      }
    }
  });

  it("puts the canary domain entirely before the next (the canary strategy)", () => {
    const [canary, next] = fleet.settings.domainOrder;
    const last = Math.max(...[...fleet.stacks.values()].filter((s) => s.domain === canary).map((s) => steps.get(s.name)!));
    const first = Math.min(...[...fleet.stacks.values()].filter((s) => s.domain === next).map((s) => steps.get(s.name)!));
    expect(first).toBeGreaterThan(last);
  });

  it("a ring-1 stack whose dependencies are done waits for ring 0 (eu-workload-azure after eu-workload-aws), unlike the dependency wave", () => {
    expect(fleet.stacks.get("eu-workload-azure")!.ring).toBe(1);
    expect(steps.get("eu-workload-azure")!).toBeGreaterThan(steps.get("eu-workload-aws")!);
  });

  it("plan --json carries each stack's ring and step, and the text lists the steps in that order", async () => {
    const r = await fleetCli(["plan", "--json"]);
    const report = JSON.parse(r.stdout) as { stacks: Array<{ name: string; ring: number; step: number }> };
    for (const s of report.stacks) expect([s.name, s.ring, s.step]).toEqual([s.name, fleet.stacks.get(s.name)!.ring, steps.get(s.name)]);
    const text = await fleetCli(["plan"]);
    expect(text.stdout).toMatch(/ eu {2}step 0 {2}ring 0 {2}eu-guardrails-aws, eu-guardrails-azure, eu-guardrails-gcp, eu-pki\n/);
    expect(text.stdout).toMatch(/step \d+ {2}ring 1 {2}eu-interconnect-aws-azure, eu-interconnect-aws-gcp, eu-workload-azure, eu-workload-gcp\n/);
  }, 180000);
});
