/**
 * A PlainStruct gives the SDK exactly what a protobuf Struct round-trip gives: the same
 * values, keys sorted at every depth, the same refusals. Checked against the real
 * `Struct.fromJavaScript(v).toJavaScript()` on generated values.
 */
import fc from "fast-check";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { PlainStruct, STRUCT_CODECS, structViaStruct, viaStruct } from "../../automation/plan/plainStruct";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const resproto = require("@pulumi/pulumi/proto/resource_pb");

const roundTrip = (obj: Record<string, unknown>) => structproto.Struct.fromJavaScript(obj as never).toJavaScript();

/**
 * A value as tagged lists, so equality covers key order (part of what the plan prints), tells
 * arrays from objects and -0 from 0, and is not confused by a key named `constructor` (which
 * jest's toStrictEqual reads as the object's class).
 */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return ["array", v.map(shape)];
  if (v !== null && typeof v === "object") return ["object", Object.getPrototypeOf(v) === Object.prototype, Object.entries(v).map(([k, x]) => [k, shape(x)])];
  return v;
}

const leaf = fc.oneof(fc.string(), fc.double(), fc.constant(-0), fc.integer(), fc.boolean(), fc.constant(null));
const key = fc.oneof(fc.string(), fc.constantFrom("10", "2", "0", "__proto__", "constructor", "Z", "a", "é", "ключ", "🙂"));
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("v"), { maxLength: 5 }), fc.dictionary(key, tie("v"), { maxKeys: 6 })),
})).v;
const struct = fc.dictionary(key, value, { maxKeys: 8 });

describe("structViaStruct is the protobuf Struct round-trip", () => {
  test("same values and key order on generated objects", () => {
    fc.assert(
      fc.property(struct, (obj) => {
        const expected = roundTrip(obj);
        const actual = structViaStruct(obj);
        expect(shape(actual)).toEqual(shape(expected));
      }),
      { numRuns: 500 },
    );
  });

  test("keys come back sorted at every depth, as jspb's map iterates them", () => {
    const out = structViaStruct({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null }, "10": 1, "2": 2, Z: 1 });
    expect(JSON.stringify(out)).toBe('{"2":2,"10":1,"Z":1,"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
    expect(JSON.stringify(out)).toBe(JSON.stringify(roundTrip({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null }, "10": 1, "2": 2, Z: 1 })));
  });

  test("a __proto__ key is dropped, as protobuf's map drops it", () => {
    const obj = JSON.parse('{"__proto__":{"a":1},"b":{"__proto__":1,"c":2}}') as Record<string, unknown>;
    expect(shape(structViaStruct(obj))).toEqual(shape(roundTrip(obj)));
    expect(JSON.stringify(structViaStruct(obj))).toBe('{"b":{"c":2}}');
  });

  test("inherited enumerable keys count, as protobuf's for...in counts them", () => {
    const obj = Object.assign(Object.create({ inherited: "yes" }) as Record<string, unknown>, { own: 1 });
    expect(shape(structViaStruct(obj))).toEqual(shape(roundTrip(obj)));
    expect(structViaStruct(obj)).toEqual({ inherited: "yes", own: 1 });
  });

  test.each([
    ["undefined", undefined],
    ["a function", () => 1],
    ["a symbol", Symbol("s")],
    ["a bigint", BigInt(1)],
    ["an array hole", [1, , 3]],
  ])("refuses %s with protobuf's own error", (_, bad) => {
    expect(() => roundTrip({ k: bad })).toThrow("Unexpected struct type.");
    expect(() => structViaStruct({ k: bad })).toThrow("Unexpected struct type.");
    expect(() => viaStruct(bad)).toThrow("Unexpected struct type.");
  });
});

describe("PlainStruct in the SDK's messages", () => {
  const obj = { urn: "urn:pulumi:s::p::t::n", id: "i-1", state: { b: [1, "x", { d: true, c: null }], a: -0 } };

  test("a response carries it, and the SDK reads back the round-trip form", () => {
    const resp = new resproto.RegisterResourceResponse();
    resp.setObject(PlainStruct.of(obj));
    expect(shape(resp.getObject().toJavaScript())).toEqual(shape(roundTrip(obj)));
  });

  test("read field by field (as getResource reads its answer) or serialized, it is a real Struct", () => {
    const plain = PlainStruct.of(obj);
    const real = structproto.Struct.fromJavaScript(obj as never);
    expect(plain.getFieldsMap().get("urn")!.getStringValue()).toBe("urn:pulumi:s::p::t::n");
    expect(shape(plain.getFieldsMap().get("state")!.getStructValue()!.toJavaScript())).toEqual(shape(real.getFieldsMap().get("state")!.getStructValue()!.toJavaScript()));
    expect(Buffer.from(plain.serializeBinary())).toEqual(Buffer.from(real.serializeBinary()));
  });

  test("both codecs decode a request to the same values", () => {
    fc.assert(
      fc.property(struct, (obj) => {
        const request = structproto.Struct.fromJavaScript(obj as never);
        const plain = STRUCT_CODECS.plain.decode(request, (v) => v).toJavaScript();
        const protobuf = STRUCT_CODECS.protobuf.decode(request, (v) => v).toJavaScript();
        expect(shape(plain)).toStrictEqual(shape(protobuf));
        expect(shape(STRUCT_CODECS.plain.encode(obj).toJavaScript())).toStrictEqual(shape(STRUCT_CODECS.protobuf.encode(obj).toJavaScript()));
      }),
      { numRuns: 200 },
    );
  });
});
