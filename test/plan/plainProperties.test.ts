/**
 * The lean serialization (automation/plan/plainProperties.ts) gives what the SDK's gives and
 * settles on the same microtask turn, on generated values: plain trees, and trees with
 * Outputs, secrets and promises at random places (those parts go to the SDK's own walk).
 * The turn matters: resources register in the order their inputs finish serializing.
 */
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { installPlainProperties, serializers } from "../../automation/plan/plainProperties";
import { rpc } from "../../automation/plan/runtimeInternals";

/** A value to build, twice: each side gets fresh Outputs and promises. */
type Spec =
  | { kind: "leaf"; value: string | number | boolean | null | undefined }
  | { kind: "function" | "output" | "secret" | "promise"; value: string | number }
  | { kind: "array"; items: Spec[] }
  | { kind: "object"; entries: [string, Spec][] };

function build(s: Spec): unknown {
  switch (s.kind) {
    case "leaf":
      return s.value;
    case "function":
      return () => s.value;
    case "output":
      return pulumi.output(s.value);
    case "secret":
      return pulumi.secret(s.value);
    case "promise":
      return Promise.resolve(s.value);
    case "array":
      return s.items.map(build);
    case "object":
      return Object.fromEntries(s.entries.map(([k, v]) => [k, build(v)]));
  }
}

const leaf = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined)).map((value): Spec => ({ kind: "leaf", value }));
const special = fc.record({ kind: fc.constantFrom("function" as const, "output" as const, "secret" as const, "promise" as const), value: fc.oneof(fc.string({ maxLength: 4 }), fc.integer()) });
const key = fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom("id", "urn", "10", "2", "a", "tags"));
const spec = (withSpecial: boolean) =>
  fc.letrec<{ v: Spec }>((tie) => ({
    v: fc.oneof(
      { depthSize: "small" },
      ...(withSpecial ? [leaf, leaf, special] : [leaf]),
      fc.array(tie("v"), { maxLength: 5 }).map((items): Spec => ({ kind: "array", items })),
      fc.uniqueArray(fc.tuple(key, tie("v")), { maxLength: 6, selector: ([k]) => k }).map((entries): Spec => ({ kind: "object", entries })),
    ),
  })).v;
const props = (withSpecial: boolean) => fc.uniqueArray(fc.tuple(key, spec(withSpecial)), { maxLength: 8, selector: ([k]) => k }).map((entries): Spec => ({ kind: "object", entries }));

/** The value a promise settles with, and how many microtask turns that took. */
async function settle(p: Promise<unknown>): Promise<{ turns: number; value?: unknown; error?: unknown }> {
  let done = false;
  let value: unknown;
  let error: unknown;
  p.then(
    (v) => ((done = true), (value = v)),
    (e) => ((done = true), (error = e)),
  );
  let turns = 0;
  while (!done) {
    await undefined;
    if (++turns > 100_000) throw new Error("never settled");
  }
  return { turns, value, error };
}

/** Key order counts (the plan prints it), so compare as text; Maps and Sets as entries. */
const text = (v: unknown) => JSON.stringify(v, (_k, x) => (x instanceof Map ? [...x].map(([k, s]) => [k, [...(s as Set<unknown>)].length]) : x === undefined ? "<undefined>" : x));

type Serialize = (s: Spec) => Promise<unknown>;
const entryPoints = (fns: typeof serializers.lean): Record<string, Serialize> => ({
  serializeProperty: (s) => fns.serializeProperty("ctx", build(s), new Set(), {}),
  serializeProperties: (s) => fns.serializeProperties("label", build(s) as Record<string, unknown>),
  serializeResourceProperties: (s) => fns.serializeResourceProperties("label", build(s) as Record<string, unknown>, {}),
  serializePropertiesReturnDeps: (s) => fns.serializePropertiesReturnDeps("label", build(s) as Record<string, unknown>),
});
const lean = entryPoints(serializers.lean);
const sdk = entryPoints(serializers.original);

/** For generated values (with Outputs, secrets and promises inside when `withOutputs`), the lean `name` gives the SDK's result on the SDK's turn. */
async function sameAsSdk(name: string, withOutputs: boolean): Promise<void> {
  await fc.assert(
    fc.asyncProperty(props(withOutputs), async (s) => {
      const [a, b] = [await settle(lean[name](s)), await settle(sdk[name](s))];
      expect(text(a.value)).toBe(text(b.value));
      expect(a.turns).toBe(b.turns);
    }),
    { numRuns: 300 },
  );
}

describe("the lean serialization is the SDK's, turn for turn", () => {
  test.each(Object.keys(lean))("%s: plain values, same result on the same turn", (name) => sameAsSdk(name, false));

  test.each(Object.keys(lean))("%s: Outputs, secrets and promises anywhere, same result on the same turn", (name) => sameAsSdk(name, true));

  test("the fast path is taken: a large plain map costs far fewer calls into the SDK's walk", async () => {
    const big = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, { a: [1, 2, { b: "x" }], c: "y" }]));
    const spy = jest.spyOn(serializers.original, "serializeProperty");
    try {
      await serializers.lean.serializeProperties("label", big);
      expect(spy).not.toHaveBeenCalled();
      await serializers.lean.serializeProperties("label", { ...big, out: pulumi.output("z") });
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  test("a getter that throws rejects as the SDK's does, naming the property", async () => {
    const bad = () => ({ ok: 1, nested: Object.defineProperty({}, "boom", { enumerable: true, get: () => { throw new Error("no"); } }) });
    const [a, b] = [await settle(serializers.lean.serializeProperties("l", bad())), await settle(serializers.original.serializeProperties("l", bad()))];
    expect((a.error as Error).message).toBe('error serializing property "nested": no');
    expect((b.error as Error).message).toBe((a.error as Error).message);
    expect(a.turns).toBe(b.turns);
  });

  test("installed and restored as a whole", () => {
    const restore = installPlainProperties();
    try {
      expect(rpc.serializeProperty).toBe(serializers.lean.serializeProperty);
      expect(rpc.serializeResourceProperties).toBe(serializers.lean.serializeResourceProperties);
    } finally {
      restore();
    }
    expect(rpc.serializeProperty).toBe(serializers.original.serializeProperty);
    expect(rpc.serializeProperties).toBe(serializers.original.serializeProperties);
    expect(rpc.serializePropertiesReturnDeps).toBe(serializers.original.serializePropertiesReturnDeps);
  });
});
