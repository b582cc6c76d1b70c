/** The canary gate's decision (deployments/promote.ts): pure, over the fleet and each stack's latest update. */
import { promotionDecision, requiredStacks } from "../../deployments/promote";
import { referenceFleet } from "./support";

const fleet = referenceFleet();

describe("promote: the canary gate", () => {
  it("requires exactly the canary domain's affected stacks (own inputs + downstream), none of the next domain", () => {
    const r = requiredStacks(fleet, "eu", ["components/kms/aws.ts"]);
    expect(r[0]).toBe("eu-foundation-aws");
    expect(r).toContain("eu-workload-aws");
    expect(r.every((s) => s.startsWith("eu-"))).toBe(true);
    expect(requiredStacks(fleet, "eu", ["stacks/Pulumi.us-pki.yaml"])).toEqual([]);
  });

  it("waits for a stack whose latest update is missing, running, or at a commit that does not contain this one", () => {
    const covers = (c: string) => c === "c2" || c === "c3";
    expect(promotionDecision(["a", "b", "c", "d"], new Map([["a", { result: "succeeded", commit: "c2" }], ["b", { result: "in-progress", commit: "c2" }], ["c", { result: "succeeded", commit: "c1" }]]), covers)).toEqual({ kind: "wait", pending: ["b", "c", "d"] });
  });

  it("fails when a required update failed at a covering commit, and promotes when all succeeded", () => {
    const covers = () => true;
    expect(promotionDecision(["a", "b"], new Map([["a", { result: "failed", commit: "c2" }], ["b", { result: "in-progress", commit: "c2" }]]), covers)).toEqual({ kind: "fail", failed: ["a"] });
    expect(promotionDecision(["a", "b"], new Map([["a", { result: "succeeded", commit: "c3" }], ["b", { result: "succeeded", commit: "c2" }]]), covers)).toEqual({ kind: "promote" });
    expect(promotionDecision([], new Map(), covers)).toEqual({ kind: "promote" });
  });
  it("waits while a required stack last ran before one of its upstreams (its webhook re-run is still to come)", () => {
    const upstreams = (st: string) => (st === "b" ? ["a"] : []);
    const ranEarly = new Map([["a", { result: "succeeded", commit: "c2", endedAt: 20 }], ["b", { result: "succeeded", commit: "c2", startedAt: 9, endedAt: 10 }]]);
    const covers = () => true;
    expect(promotionDecision(["a", "b"], ranEarly, covers, upstreams)).toEqual({ kind: "wait", pending: ["b"] });
    const ranAfter = new Map([["a", { result: "succeeded", commit: "c2", endedAt: 20 }], ["b", { result: "succeeded", commit: "c2", startedAt: 25, endedAt: 30 }]]);
    expect(promotionDecision(["a", "b"], ranAfter, covers, upstreams)).toEqual({ kind: "promote" });
  });
});
