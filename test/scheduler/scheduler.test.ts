import * as path from "node:path";
import { loadFleet } from "../../automation/fleet";
import { Scheduler, ScheduleError, scheduleNodes, simulate, type ScheduleNode } from "../../automation/scheduler";

const fleet = loadFleet(path.join(__dirname, "../../stacks"));
const all = scheduleNodes(fleet, fleet.stacks.keys());

function node(name: string, dependsOn: string[] = [], domain = "eu", ring = 0): ScheduleNode {
  return { name, domain, ring, dependsOn };
}

describe("Scheduler on the reference fleet", () => {
  it("canary: every EU stack succeeds before the first US stack starts", () => {
    const trace = simulate(
      all.map((n) => ({ ...n, duration: 3 })),
      { direction: "forward", strategy: "canary", parallel: 4, domainOrder: fleet.settings.domainOrder },
    );
    const firstUs = trace.events.findIndex((e) => e.kind === "start" && e.name.startsWith("us-"));
    const lastEu = trace.events.map((e) => e.kind === "finish" && e.name.startsWith("eu-")).lastIndexOf(true);
    expect(lastEu).toBeGreaterThan(0);
    expect(firstUs).toBeGreaterThan(lastEu);
    expect([...trace.result.values()].every((s) => s === "succeeded")).toBe(true);
  });

  it("starts a stack as soon as its own dependencies succeeded, not when its wave finished", () => {
    // a (1) and slow (10) have no deps; b depends only on a: b must start at t=1, not t=10.
    const trace = simulate(
      [
        { ...node("a"), duration: 1 },
        { ...node("slow"), duration: 10 },
        { ...node("b", ["a"]), duration: 1 },
      ],
      { direction: "forward", strategy: "parallel", parallel: 4, domainOrder: ["eu"] },
    );
    expect(trace.events.find((e) => e.kind === "start" && e.name === "b")!.t).toBe(1);
    expect(trace.makespan).toBe(10);
  });

  it("a ring-1 stack waits for every ring-0 stack of its domain", () => {
    const stacks = [
      { ...node("canary", [], "eu", 0), duration: 5 },
      { ...node("rest", [], "eu", 1), duration: 1 },
    ];
    const trace = simulate(stacks, { direction: "forward", strategy: "parallel", parallel: 4, domainOrder: ["eu"] });
    expect(trace.events.find((e) => e.kind === "start" && e.name === "rest")!.t).toBe(5);
    const failing = simulate([{ ...stacks[0], fails: true }, stacks[1]], {
      direction: "forward",
      strategy: "parallel",
      parallel: 4,
      domainOrder: ["eu"],
    });
    expect(failing.result.get("rest")).toBe("not-started");
  });

  it("sequential: the second domain runs after the first settles, even when the first failed", () => {
    const stacks = [
      { ...node("e1", [], "eu"), duration: 2, fails: true },
      { ...node("e2", ["e1"], "eu"), duration: 2 },
      { ...node("u1", [], "us"), duration: 1 },
    ];
    const seq = simulate(stacks, { direction: "forward", strategy: "sequential", parallel: 4, domainOrder: ["eu", "us"] });
    expect(Object.fromEntries(seq.result)).toEqual({ e1: "failed", e2: "skipped", u1: "succeeded" });
    expect(seq.events.find((e) => e.name === "u1")!.t).toBe(2);
    const canary = simulate(stacks, { direction: "forward", strategy: "canary", parallel: 4, domainOrder: ["eu", "us"] });
    expect(canary.result.get("u1")).toBe("not-started");
  });

  it("fail-fast returns the running stacks of the failed domain to cancel, and only those", () => {
    const s = new Scheduler([node("a"), node("b"), node("u", [], "us")], {
      direction: "forward",
      strategy: "parallel",
      parallel: 4,
      domainOrder: ["eu", "us"],
      failFast: true,
    });
    expect(s.take().sort()).toEqual(["a", "b", "u"]);
    expect(s.finish("a", "failed")).toEqual(["b"]);
    expect(s.finish("b", "cancelled")).toEqual([]);
    s.finish("u", "succeeded");
    expect(s.isDone()).toBe(true);
    expect(Object.fromEntries(s.result())).toEqual({ a: "failed", b: "cancelled", u: "succeeded" });
  });

  it("prefers the ready stack with the longest remaining path", () => {
    const s = new Scheduler([node("short"), node("head"), node("tail", ["head"])], {
      direction: "forward",
      strategy: "parallel",
      parallel: 1,
      domainOrder: ["eu"],
    });
    expect(s.take()).toEqual(["head"]);
  });

  it("ignores dependencies outside the selection (already deployed)", () => {
    const s = new Scheduler([node("b", ["not-selected"])], { direction: "forward", strategy: "canary", parallel: 1, domainOrder: ["eu"] });
    expect(s.take()).toEqual(["b"]);
  });

  it("refuses bad graphs with a ScheduleError", () => {
    const opts = { direction: "forward" as const, strategy: "canary" as const, parallel: 2, domainOrder: ["eu", "us"] };
    expect(() => new Scheduler([node("a", ["b"], "eu", 0), node("b", [], "eu", 1)], opts)).toThrow(/ring must be ≥/);
    expect(() => new Scheduler([node("a", ["b"]), node("b", ["a"])], opts)).toThrow(/cycle/);
    expect(() => new Scheduler([node("a", ["b"], "eu"), node("b", [], "us")], opts)).toThrow(/never cross domains/);
    expect(() => new Scheduler([node("a")], { ...opts, parallel: 0 })).toThrow(ScheduleError);
    expect(() => new Scheduler([node("a"), node("a")], opts)).toThrow(/twice/);
  });

  it("finish on a stack that is not running is a bug, reported loudly", () => {
    const s = new Scheduler([node("a")], { direction: "forward", strategy: "canary", parallel: 1, domainOrder: ["eu"] });
    expect(() => s.finish("a", "succeeded")).toThrow(/not running/);
  });
});
