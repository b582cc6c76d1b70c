/**
 * The lean plan runtime (automation/plan/planRuntime.ts) plans what the SDK as it ships plans:
 * the reference fleet both ways, every resource (inputs, outputs, parents, providers,
 * dependencies) and every output, key order included. And it leaves the SDK as it found it,
 * one stack at a time.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { loadFleet } from "../../automation/fleet";
import { planFleet, planProgram, type FleetPlan } from "../../automation/plan";
import { PLAN_RUNTIME_ENV, PlanRuntimeError, planRuntime, withPlanRuntime } from "../../automation/plan/planRuntime";
import { PlainStruct } from "../../automation/plan/plainStruct";
import { debuggable, resourceClass, state } from "../../automation/plan/runtimeInternals";
import { runStack } from "../../stacks/program";

jest.setTimeout(300_000);

const REFERENCE = path.resolve(__dirname, "../../stacks");

async function planWith(runtime: "lean" | "sdk"): Promise<{ plan: FleetPlan; withLocalStorage: number }> {
  const previous = process.env[PLAN_RUNTIME_ENV];
  process.env[PLAN_RUNTIME_ENV] = runtime;
  const spy = jest.spyOn(state, "withLocalStorage");
  try {
    const plan = await planFleet(loadFleet(REFERENCE), { program: (f, s) => runStack(f, s) });
    return { plan, withLocalStorage: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
    if (previous === undefined) delete process.env[PLAN_RUNTIME_ENV];
    else process.env[PLAN_RUNTIME_ENV] = previous;
  }
}

/** What the plan reports and the policies read, as text (key order counts). */
const recorded = (plan: FleetPlan) => JSON.stringify(plan.stacks.map(({ seconds: _, ...s }) => s));

describe("the lean plan runtime", () => {
  test("plans the reference fleet exactly as the SDK's own runtime does", async () => {
    // Key expiry dates are computed from the clock: hold it, so both plans see one instant.
    const now = jest.spyOn(Date, "now").mockReturnValue(Date.parse("2026-12-01T12:00:00Z"));
    try {
      const sdk = await planWith("sdk");
      const lean = await planWith("lean");
      // The two runs really took the two paths.
      expect(sdk.withLocalStorage).toBe(sdk.plan.stacks.length);
      expect(lean.withLocalStorage).toBe(0);
      // Not an empty comparison: every stack planned, with resources and outputs.
      expect(lean.plan.stacks.length).toBeGreaterThanOrEqual(30);
      expect(lean.plan.stacks.every((s) => s.status === "planned")).toBe(true);
      expect(lean.plan.stacks.reduce((n, s) => n + s.resources.length, 0)).toBeGreaterThan(1500);
      expect(lean.plan.stacks.filter((s) => Object.keys(s.outputs).length > 0).length).toBeGreaterThan(20);
      expect(recorded(lean.plan)).toBe(recorded(sdk.plan));
      expect(JSON.stringify(lean.plan.violations)).toBe(JSON.stringify(sdk.plan.violations));
    } finally {
      now.mockRestore();
    }
  });

  test("swaps the SDK's internals only while a stack runs", async () => {
    const before = { debuggable: debuggable.debuggablePromise, callsites: resourceClass.callsites, fromJavaScript: structproto.Struct.fromJavaScript };
    const during: Record<string, unknown> = {};
    const plan = await planProgram({
      project: "p",
      stack: "s",
      config: {},
      program: async () => {
        during.store = state.getStore();
        during.debuggable = debuggable.debuggablePromise;
        during.callsites = resourceClass.callsites;
        during.struct = structproto.Struct.fromJavaScript({ a: 1 });
        new pulumi.ComponentResource("test:index:Thing", "thing");
        return { ok: pulumi.output("yes") };
      },
    });
    expect(plan.status).toBe("planned");
    expect(plan.outputs).toEqual({ ok: "yes" });
    expect(during.store).not.toBe(state.getStore());
    expect(during.debuggable).not.toBe(before.debuggable);
    expect(during.callsites).not.toBe(before.callsites);
    expect(during.struct).toBeInstanceOf(PlainStruct);
    // Restored: outside a stack the SDK answers its global store, and its own functions.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(state.getStore()).toBe((require("@pulumi/pulumi/runtime/state") as { getGlobalStore(): unknown }).getGlobalStore());
    expect(debuggable.debuggablePromise).toBe(before.debuggable);
    expect(resourceClass.callsites).toBe(before.callsites);
    expect(structproto.Struct.fromJavaScript).toBe(before.fromJavaScript);
    expect(structproto.Struct.fromJavaScript({ a: 1 })).not.toBeInstanceOf(PlainStruct);
  });

  test.each([["lean"], ["sdk"]] as const)("runs one stack at a time in a thread (%s)", async (runtime) => {
    let release: () => void = () => undefined;
    const first = withPlanRuntime(runtime, () => new Promise<void>((r) => (release = r)));
    await expect(withPlanRuntime(runtime, async () => undefined)).rejects.toThrow(PlanRuntimeError);
    await expect(withPlanRuntime(runtime, async () => undefined)).rejects.toThrow("one stack at a time");
    release();
    await first;
    await expect(withPlanRuntime(runtime, async () => "next")).resolves.toBe("next");
  });

  test(`${PLAN_RUNTIME_ENV} picks the runtime; another value is refused, naming the variable`, () => {
    expect(planRuntime({})).toBe("lean");
    expect(planRuntime({ [PLAN_RUNTIME_ENV]: "" })).toBe("lean");
    expect(planRuntime({ [PLAN_RUNTIME_ENV]: "lean" })).toBe("lean");
    expect(planRuntime({ [PLAN_RUNTIME_ENV]: "sdk" })).toBe("sdk");
    expect(() => planRuntime({ [PLAN_RUNTIME_ENV]: "fast" })).toThrow(`${PLAN_RUNTIME_ENV}="fast": expected lean (the default) or sdk`);
  });
});
