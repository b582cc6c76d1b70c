/**
 * What a value looks like after a trip through a protobuf `Struct` — the wire format between
 * the SDK and the engine — computed without building the protobuf messages.
 *
 * The recording monitor used to answer every registration by building a `Struct` from the
 * state (`Struct.fromJavaScript`) for the SDK to read back (`toJavaScript`), and to read each
 * request by the same round-trip. That was about a tenth of a stack's CPU (and much of its
 * garbage). The round-trip is not the identity, so skipping it must keep what it does:
 *
 * - object keys come back **sorted** (jspb's map iterates its keys sorted), at every depth;
 * - arrays (`Array.isArray`) keep their order;
 * - strings, numbers (`-0` included), booleans and `null` come back as they are;
 * - anything else (`undefined`, a function, a symbol, a bigint, an array hole) is refused
 *   with protobuf's own error, `Unexpected struct type.`;
 * - an object is read with `for...in`, so inherited enumerable keys count;
 * - a key `__proto__` is dropped (jspb's map keeps its entries in a plain object, where that
 *   key sets the prototype instead of adding an entry).
 *
 * While a lean plan stack runs, the SDK's own `Struct.fromJavaScript` (every request it sends
 * the monitor) makes a PlainStruct too (./planRuntime.ts).
 *
 * test/plan/plainStruct.test.ts holds this to the real round-trip on generated values, and
 * plans the reference fleet both ways, comparing every resource and output.
 */
import * as structproto from "google-protobuf/google/protobuf/struct_pb";

/** protobuf's own `Struct.fromJavaScript`, kept before the lean plan runtime replaces it (./planRuntime.ts). */
export const realFromJavaScript: (obj: Readonly<Record<string, unknown>>) => structproto.Struct = structproto.Struct.fromJavaScript.bind(structproto.Struct) as never;

/** `Struct.fromJavaScript(v).toJavaScript()` for a value inside a Struct, without protobuf. */
export function viaStruct(value: unknown): unknown {
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      return value;
    case "object":
      if (value === null) return null;
      if (Array.isArray(value)) {
        const out = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) out[i] = viaStruct(value[i]);
        return out;
      }
      return structViaStruct(value as Record<string, unknown>);
    default:
      throw new Error("Unexpected struct type.");
  }
}

/** The same for a whole Struct (an object at the top). */
export function structViaStruct(obj: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const keys: string[] = [];
  for (const k in obj) if (k !== "__proto__") keys.push(k);
  keys.sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = viaStruct(obj[k]);
  return out;
}

/**
 * A `Struct` whose `toJavaScript()` is a value already in round-trip form: what the SDK reads
 * from a response (`deserializeProperties` calls only `toJavaScript`, and copies what it
 * reads, so the value is handed over as it is, not copied again). Anything that reads the
 * fields instead gets a real `Struct`'s, built on first use.
 */
export class PlainStruct extends structproto.Struct {
  private real: structproto.Struct | undefined;

  /**
   * `value` must already be in round-trip form: `structViaStruct`'s result (`of` makes one),
   * or what a real Struct's `toJavaScript()` gave, with any mapping that keeps that form.
   */
  constructor(private readonly value: Record<string, unknown>) {
    super();
  }

  /** From any object: the round-trip applied here, once. */
  static of(obj: Readonly<Record<string, unknown>>): PlainStruct {
    return new PlainStruct(structViaStruct(obj));
  }

  override toJavaScript(): ReturnType<structproto.Struct["toJavaScript"]> {
    return this.value as ReturnType<structproto.Struct["toJavaScript"]>;
  }

  override getFieldsMap(): ReturnType<structproto.Struct["getFieldsMap"]> {
    this.real ??= realFromJavaScript(this.value);
    return this.real.getFieldsMap();
  }

  override serializeBinary(): Uint8Array {
    this.real ??= realFromJavaScript(this.value);
    return this.real.serializeBinary();
  }
}

/**
 * How the monitor crosses the SDK's wire format: `plain` (PlainStructs, the lean runtime) or
 * `protobuf` (real Structs both ways, as the SDK's runtime does; the `sdk` runtime). Both give
 * the SDK and the plan the same values.
 */
export interface StructCodec {
  /** A response's Struct from a plain object. */
  encode(obj: Readonly<Record<string, unknown>>): structproto.Struct;
  /** What a request's Struct holds after `map` (which must keep Struct round-trip form), as a Struct to deserialize. */
  decode(struct: { toJavaScript(): unknown }, map: (v: unknown) => unknown): structproto.Struct;
}

export const STRUCT_CODECS: Readonly<Record<"plain" | "protobuf", StructCodec>> = {
  plain: {
    encode: (obj) => PlainStruct.of(obj),
    // The request's `toJavaScript()` is already in round-trip form, and `map` keeps it so.
    decode: (struct, map) => new PlainStruct(map(struct.toJavaScript()) as Record<string, unknown>),
  },
  protobuf: {
    encode: (obj) => realFromJavaScript(obj),
    decode: (struct, map) => realFromJavaScript(map(struct.toJavaScript()) as Record<string, unknown>),
  },
};
