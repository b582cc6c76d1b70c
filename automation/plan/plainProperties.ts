/**
 * The SDK's property serialization (`runtime/rpc.js`) with a fast path for plain values:
 * while a lean plan stack runs (./planRuntime.ts) these replace `serializeProperty`,
 * `serializeProperties`, `serializeResourceProperties` and `serializePropertiesReturnDeps`.
 *
 * The SDK serializes every property, however plain, with one `async` call per value (a
 * promise, a context string and seven `isInstance` checks each), awaited one after another.
 * That was the largest single part of the SDK's own time in a plan stack. A value made only
 * of strings, numbers, booleans, null, undefined, functions, plain objects and arrays (no
 * Output, Promise, resource, asset or unknown anywhere inside) is serialized here in one
 * synchronous walk, with the same result the SDK's walk gives: undefined keys omitted,
 * undefined array elements as null, functions dropped, keys in `Object.keys` order.
 *
 * **The same turns.** Resources register in the order their inputs finish serializing, and
 * the SDK's walk takes one microtask turn per value (`await` per key and element, one more
 * per object). If the fast path finished sooner, a resource with many plain inputs would
 * register before one it registers after today, and the plan's resource order would change.
 * So the fast path counts the turns the SDK's walk would take and waits exactly that many
 * (`await undefined`: one turn each, no promise chain to build), and every value that is not
 * plain goes to the SDK's own `serializeProperty`, at the same point of the walk with the
 * same context, dependency set and options. test/plan/planRuntime.test.ts plans the
 * reference fleet with the SDK as it ships and with this, and compares every resource (their
 * order included) and output as text; test/plan/plainProperties.test.ts compares results and
 * turns value by value.
 *
 * One difference, on purpose: the SDK reads a plain value's nested fields as its walk
 * reaches them, this reads them all when the walk reaches the value. Only a program that
 * mutates an object it already passed as a resource input, during that resource's
 * serialization, could tell; the plan's components do not.
 */
import { rpc, settings } from "./runtimeInternals";

type Dependencies = Set<unknown> | undefined;
type Options = { pendingRegistration?: { inputProperty?: string } } & Record<string, unknown>;
type SerializeProperty = (ctx: string, prop: unknown, dependentResources: Dependencies, opts?: Options) => Promise<unknown>;

/** The members the SDK's `isInstance` checks look for before it treats a value as an object or array. */
const MARKERS = ["__pulumiAsset", "__pulumiArchive", "__pulumiOutput", "__pulumiUnknown", "__pulumiCustomResource", "__pulumiComponentResource"] as const;

/** What `plainWalk` returns for a value that is not plain. */
const NOT_PLAIN = Symbol("not plain");

/** The SDK's functions, as they ship; the lean ones delegate every value that is not plain to `original.serializeProperty`. */
const original = {
  serializeProperty: rpc.serializeProperty as SerializeProperty,
  serializeProperties: rpc.serializeProperties,
  serializeResourceProperties: rpc.serializeResourceProperties,
  serializePropertiesReturnDeps: rpc.serializePropertiesReturnDeps,
};

/** An array or object the SDK would walk key by key (no `isInstance` marker, no class of its own). */
function walkable(v: object): "array" | "object" | undefined {
  const proto = Object.getPrototypeOf(v) as unknown;
  const kind = v instanceof Array ? (proto === Array.prototype ? "array" : undefined) : proto === Object.prototype || proto === null ? "object" : undefined;
  if (kind === undefined) return undefined;
  for (const m of MARKERS) if ((v as Record<string, unknown>)[m] === true) return undefined;
  return kind;
}

/** Counts the turns the SDK's walk over the last plain value took. */
let turns = 0;

/**
 * A plain value as the SDK's `serializeProperty` returns it, adding to `turns` the microtask
 * turns the SDK's walk takes before its promise settles; NOT_PLAIN if anything inside is not plain.
 */
function plainWalk(v: unknown): unknown {
  switch (typeof v) {
    case "undefined":
    case "boolean":
    case "number":
    case "string":
      return v;
    case "function":
      return undefined;
    case "object": {
      if (v === null) return null;
      const kind = walkable(v);
      if (kind === "array") {
        const a = v as unknown[];
        const out: unknown[] = [];
        for (let i = 0; i < a.length; i++) {
          const x = plainWalk(a[i]);
          if (x === NOT_PLAIN) return NOT_PLAIN;
          out.push(x === undefined ? null : x);
        }
        // One `await` per element.
        turns += a.length;
        return out;
      }
      if (kind === "object") {
        const o = v as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        const keys = Object.keys(o);
        for (const k of keys) {
          const x = plainWalk(o[k]);
          if (x === NOT_PLAIN) return NOT_PLAIN;
          if (x !== undefined) out[k] = x;
        }
        // One `await` per key in `serializeAllKeys`, one for awaiting `serializeAllKeys` itself.
        turns += keys.length + 1;
        return out;
      }
      return NOT_PLAIN;
    }
    default:
      return NOT_PLAIN;
  }
}

/** Settle with `value` after `n` turns, as the SDK's walk would. */
async function after<T>(n: number, value: T): Promise<T> {
  for (let i = 0; i < n; i++) await undefined;
  return value;
}

/**
 * `serializeProperty` with the fast path. Not `async` itself: a value it delegates gets the
 * SDK's own promise, since an `async` wrapper returning it would add two turns.
 */
function serializeProperty(ctx: string, prop: unknown, dependentResources: Dependencies, opts?: Options): Promise<unknown> {
  if (prop !== null && typeof prop === "object") {
    const kind = walkable(prop);
    if (kind === undefined) return original.serializeProperty(ctx, prop, dependentResources, opts);
    turns = 0;
    let value: unknown;
    try {
      value = plainWalk(prop);
    } catch {
      // A getter that throws: the SDK's walk throws it too, as a rejection at its own turn.
      return original.serializeProperty(ctx, prop, dependentResources, opts);
    }
    if (value !== NOT_PLAIN) return after(turns, value);
    return kind === "array" ? serializeArray(ctx, prop as unknown[], dependentResources, opts) : serializeObject(ctx, prop as Record<string, unknown>, dependentResources, opts);
  }
  if (typeof prop === "bigint" || typeof prop === "symbol") return original.serializeProperty(ctx, prop, dependentResources, opts);
  return after(0, typeof prop === "function" ? undefined : prop);
}

/** The SDK's array branch: each element awaited in turn, undefined as null. */
async function serializeArray(ctx: string, prop: unknown[], dependentResources: Dependencies, opts?: Options): Promise<unknown[]> {
  const result: unknown[] = [];
  for (let i = 0; i < prop.length; i++) {
    const elem = await serializeProperty(`${ctx}[${i}]`, prop[i], dependentResources, opts);
    result.push(elem === undefined ? null : elem);
  }
  return result;
}

/** The SDK's object branch: `return await serializeAllKeys(...)`, whose await is a turn of its own. */
async function serializeObject(ctx: string, prop: Record<string, unknown>, dependentResources: Dependencies, opts?: Options): Promise<Record<string, unknown>> {
  // The SDK awaits here, and that turn counts: not `return serializeAllKeys(...)` (two turns).
  return await serializeAllKeys(ctx, prop, dependentResources, opts);
}

async function serializeAllKeys(ctx: string, prop: Record<string, unknown>, dependentResources: Dependencies, opts?: Options): Promise<Record<string, unknown>> {
  const obj: Record<string, unknown> = {};
  for (const k of Object.keys(prop)) {
    const v = await serializeProperty(`${ctx}.${k}`, prop[k], dependentResources, opts);
    if (v !== undefined) obj[k] = v;
  }
  return obj;
}

/** The SDK's `serializeFilteredProperties`, key for key, with the fast path per property. */
async function serializeFilteredProperties(
  label: string,
  props: Record<string, unknown>,
  acceptKey: (k: string) => boolean,
  opts?: Options,
): Promise<[Record<string, unknown>, Map<string, Set<unknown>>]> {
  const propertyToDependentResources = new Map<string, Set<unknown>>();
  const result: Record<string, unknown> = {};
  for (const k of Object.keys(props)) {
    if (!acceptKey(k)) continue;
    if (opts?.pendingRegistration !== undefined) opts.pendingRegistration.inputProperty = k;
    const dependentResources = new Set<unknown>();
    let v: unknown;
    try {
      v = await serializeProperty(`${label}.${k}`, props[k], dependentResources, opts);
    } catch (err) {
      // The SDK's wording, and the same error object (its uncaught handler dedupes by identity).
      if (err instanceof Error) {
        err.message = `error serializing property "${k}": ${err.message}`;
        throw err;
      }
      throw new Error(`error serializing property "${k}": ${String(err)}`);
    }
    if (v !== undefined) {
      result[k] = v;
      propertyToDependentResources.set(k, dependentResources);
    }
  }
  return [result, propertyToDependentResources];
}

// The three entry points, shaped as the SDK's are: an `async` function returning a promise
// settles two turns after it, one awaiting it one turn after.
async function serializeResourceProperties(label: string, props: Record<string, unknown>, opts?: Options) {
  return serializeFilteredProperties(label, props, (key) => key !== "id" && key !== "urn", opts);
}

async function serializeProperties(label: string, props: Record<string, unknown>, opts?: Options) {
  const [result] = await serializeFilteredProperties(label, props, () => true, opts);
  return result;
}

async function serializePropertiesReturnDeps(label: string, props: Record<string, unknown>, opts?: Options) {
  return serializeFilteredProperties(label, props, () => true, opts);
}

const lean = { serializeProperty, serializeProperties, serializeResourceProperties, serializePropertiesReturnDeps };

/**
 * Put the fast path in place of the SDK's serialization; returns what puts the SDK's back.
 * With the SDK's excessive debug output on, its own walk (which logs every value) stays.
 */
export function installPlainProperties(): () => void {
  if (settings.excessiveDebugOutput) return () => undefined;
  Object.assign(rpc, lean);
  return () => void Object.assign(rpc, original);
}

/** For tests: the lean functions, and the SDK's. */
export const serializers = { lean, original } as const;
