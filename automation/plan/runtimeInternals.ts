/**
 * The few internals of @pulumi/pulumi (pinned to 3.248.0) the offline plan relies on,
 * imported in one place and checked at load, so an SDK upgrade that moves them fails
 * here with a clear message instead of deep inside a run.
 *
 * - `withLocalStorage`: per-run async state, as the Automation API's inline programs use,
 *   so several stacks can run in one process without sharing config or monitors.
 * - `setMockOptions`: install a monitor of our own (the public `setMocks` hides parents
 *   and property dependencies, which the policy pack's stack checks need).
 * - `runInPulumiStack`: the root `pulumi:pulumi:Stack`, so URNs match the engine's.
 * - `waitForRPCs`: wait until every registration has been answered.
 * - `LocalStore`, `debuggablePromise`, `Resource.callsites`: replaced while a plan stack
 *   runs, for speed (`withPlanRuntime` below says what and why).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { PlainStruct } from "./plainStruct";

type Fn = (...args: never[]) => unknown;

function load<T extends Record<string, unknown>>(module: string, names: readonly (keyof T & string)[]): T {
  const m = require(module) as T;
  for (const n of names) {
    if (typeof m[n] !== "function") {
      throw new Error(`@pulumi/pulumi internals changed: ${module}.${n} is missing; the offline plan supports @pulumi/pulumi 3.248.x`);
    }
  }
  return m;
}

interface Store {
  supportsSecrets: boolean;
  supportsResourceReferences: boolean;
  supportsOutputValues: boolean;
  [k: string]: unknown;
}
interface State extends Record<string, unknown> {
  withLocalStorage<T>(callback: () => Promise<T>): Promise<T>;
  getStore(): Store;
  LocalStore: new () => Store;
}
interface Settings extends Record<string, unknown> {
  setMockOptions(monitor: unknown, project?: string, stack?: string, preview?: boolean, organization?: string): void;
  waitForRPCs(): Promise<void>;
}
interface StackModule extends Record<string, unknown> {
  runInPulumiStack(init: () => Promise<Record<string, unknown> | undefined>): Promise<Record<string, unknown> | undefined>;
}
interface Rpc extends Record<string, unknown> {
  serializeProperties(label: string, props: Record<string, unknown>): Promise<Record<string, unknown>>;
  deserializeProperties(struct: unknown, keepUnknowns?: boolean): Record<string, unknown>;
}

interface Debuggable extends Record<string, unknown> {
  debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T>;
}
interface ResourceClass extends Record<string, unknown> {
  callsites(): unknown[];
}

export const state = load<State>("@pulumi/pulumi/runtime/state", ["withLocalStorage", "getStore", "LocalStore"]);
export const settings = load<Settings>("@pulumi/pulumi/runtime/settings", ["setMockOptions", "waitForRPCs"]);
export const stackModule = load<StackModule>("@pulumi/pulumi/runtime/stack", ["runInPulumiStack"]);
export const rpc = load<Rpc>("@pulumi/pulumi/runtime/rpc", ["serializeProperties", "deserializeProperties"]);
const debuggable = load<Debuggable>("@pulumi/pulumi/runtime/debuggable", ["debuggablePromise"]);
const resourceClass = load<{ Resource: ResourceClass }>("@pulumi/pulumi/resource", []).Resource;
if (typeof resourceClass?.callsites !== "function") {
  throw new Error("@pulumi/pulumi internals changed: @pulumi/pulumi/resource.Resource.callsites is missing; the offline plan supports @pulumi/pulumi 3.248.x");
}

/** The SDK keeps its per-run state behind `globalThis.asyncLocalStorage` (runtime/state.js). */
interface StoreSlot {
  run<T>(store: Store, callback: (...args: unknown[]) => T, ...args: unknown[]): T;
  getStore(): Store | undefined;
}
const globals = globalThis as unknown as { asyncLocalStorage?: StoreSlot };

/** The store of the plan stack running in this thread, if one is. */
let planStore: Store | undefined;

/**
 * Run one plan stack with its own SDK state, and the SDK's per-resource debugging aids off.
 * One stack at a time per thread (the plan's rule already: ./index.ts, ./workers.ts); a
 * second one entering while another runs is refused.
 *
 * What it replaces, and why each cannot change what the plan records (the reference fleet's
 * plan is the same before and after, test/plan/planRuntime.test.ts):
 *
 * - **The store.** The SDK finds its per-run state (settings, config, monitor, stack
 *   resource) through an AsyncLocalStorage. On Node 20 and 22 an active AsyncLocalStorage
 *   runs a promise hook on every promise the process makes, and the SDK makes several per
 *   Output: that was a tenth of a stack's CPU. Since a thread runs one plan stack at a time,
 *   the stack's store is answered directly while it runs (anything outside still goes to the
 *   real AsyncLocalStorage, so a program run another way in this process is unaffected).
 *   Work the stack leaves behind after it has settled (and its three turns of grace) now
 *   sees the SDK's global store rather than the finished stack's; the plan fails or ignores
 *   such work either way.
 * - **`debuggablePromise`**: the SDK wraps every RPC and resource operation in it to report
 *   leaked promises when a real program exits (three `defineProperty` and a `new Error()`
 *   per promise). The plan detects a program that never settles itself (./planStack.ts), so
 *   the wrapper keeps only the promise chain (the same `then`/`catch` turns, so the order of
 *   registrations is unchanged) and the error's `promise` field.
 * - **`Struct.fromJavaScript`**: the SDK encodes each request's properties as a protobuf
 *   Struct, which the monitor decodes at once. A PlainStruct (./plainStruct.ts) holds the
 *   decoded form directly, keys sorted as protobuf's; a real Struct is built if anything
 *   reads its fields another way.
 * - **`Resource.callsites`**: the source position of each registration, which the SDK finds
 *   by formatting a full stack trace (source-mapped under tsx) for every resource. It goes
 *   to the engine for display only; the plan's monitor never reads it.
 */
export async function withPlanRuntime<T>(callback: () => Promise<T>): Promise<T> {
  if (planStore !== undefined) throw new Error("the offline plan runs one stack at a time in a thread, and one is already running here");
  installStoreSlot();
  const originalDebuggable = debuggable.debuggablePromise;
  const originalCallsites = resourceClass.callsites;
  const originalFromJavaScript = structproto.Struct.fromJavaScript;
  planStore = new state.LocalStore();
  debuggable.debuggablePromise = leanDebuggablePromise;
  resourceClass.callsites = noCallsites;
  structproto.Struct.fromJavaScript = PlainStruct.of;
  try {
    return await callback();
  } finally {
    planStore = undefined;
    debuggable.debuggablePromise = originalDebuggable;
    resourceClass.callsites = originalCallsites;
    structproto.Struct.fromJavaScript = originalFromJavaScript;
  }
}

/** Answer the plan stack's store while one runs; the real AsyncLocalStorage otherwise. Installed once. */
function installStoreSlot(): void {
  const real = globals.asyncLocalStorage;
  if (real === undefined) throw new Error("@pulumi/pulumi internals changed: runtime/state.js no longer keeps globalThis.asyncLocalStorage");
  if ((real as { planSlot?: true }).planSlot) return;
  const slot: StoreSlot & { planSlot: true } = {
    planSlot: true,
    run: (store, callback, ...args) => real.run(store, callback, ...args),
    getStore: () => planStore ?? real.getStore(),
  };
  globals.asyncLocalStorage = slot;
}

/** `debuggablePromise` without the leak bookkeeping: the same two turns, the same error field. */
function leanDebuggablePromise<T>(p: Promise<T>): Promise<T> {
  return p
    .then((val) => val)
    .catch((err: { promise?: unknown }) => {
      err.promise = p;
      throw err;
    });
}

function noCallsites(): unknown[] {
  return [];
}
export type { Fn };
