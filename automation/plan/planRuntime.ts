/**
 * The runtime a plan stack runs in: the SDK with its per-run state answered directly and its
 * per-resource debugging aids off, which halves a stack's CPU and leaves what the plan
 * records unchanged. `MERIDIAN_PLAN_RUNTIME=sdk` runs the SDK exactly as it ships instead
 * (slower); test/plan/planRuntime.test.ts plans the reference fleet both ways and compares
 * every resource and output, key order included.
 *
 * What the lean runtime replaces, and why none of it changes what the plan records:
 *
 * - **The store.** The SDK finds its per-run state (settings, config, monitor, stack
 *   resource) through an AsyncLocalStorage. On Node 20 and 22 an active AsyncLocalStorage
 *   runs a promise hook on every promise the process makes, and the SDK makes several per
 *   Output: that was a tenth of a stack's CPU. A thread runs one plan stack at a time
 *   (./index.ts, ./workers.ts), so while it runs its store is answered directly; between
 *   plan stacks the real AsyncLocalStorage answers (nothing else in this repository runs an
 *   SDK program in-process, and a run inside one would see the plan stack's store while that
 *   runs). Work a stack leaves behind
 *   after it settled (and its three turns of grace, ./planStack.ts) sees the SDK's global
 *   store instead of the finished stack's; the plan fails or ignores such work either way.
 * - **`debuggablePromise`**: the SDK wraps every RPC and resource operation in it to report
 *   leaked promises when a real program exits (three `defineProperty` and a `new Error()` per
 *   promise). The plan finds a program that never settles itself, so the wrapper keeps only
 *   the promise chain (the same `then`/`catch` turns, so registrations keep their order) and
 *   the error's `promise` field.
 * - **`Struct.fromJavaScript`**: the SDK encodes each request's properties as a protobuf
 *   Struct, which the monitor decodes at once. A PlainStruct (./plainStruct.ts) holds the
 *   decoded form, keys sorted as protobuf sorts them; a real Struct is built if anything
 *   reads its fields another way. The monitor answers with PlainStructs too.
 * - **`Resource.callsites`**: the source position of each registration, which the SDK finds
 *   by formatting a whole stack trace (source-mapped under tsx) for every resource. It goes
 *   to the engine for display only; the plan's monitor never reads it.
 * - **`serializeProperty`** and the functions over it: a plain value (no Output, promise,
 *   resource or asset inside) is serialized in one walk instead of one `async` call per value,
 *   waiting the same number of turns the SDK's walk takes, so resources register in the same
 *   order (./plainProperties.ts).
 */
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { PlainStruct } from "./plainStruct";
import { installPlainProperties } from "./plainProperties";
import { debuggable, resourceClass, state, type Store } from "./runtimeInternals";

export type PlanRuntime = "lean" | "sdk";

/** The environment variable that picks the runtime (default `lean`). */
export const PLAN_RUNTIME_ENV = "MERIDIAN_PLAN_RUNTIME";

export class PlanRuntimeError extends Error {}

/** The runtime the environment asks for; a value other than `lean` or `sdk` is refused. */
export function planRuntime(env: NodeJS.ProcessEnv = process.env): PlanRuntime {
  const v = env[PLAN_RUNTIME_ENV];
  if (v === undefined || v === "" || v === "lean") return "lean";
  if (v === "sdk") return "sdk";
  throw new PlanRuntimeError(`${PLAN_RUNTIME_ENV}=${JSON.stringify(v).slice(0, 40)}: expected lean (the default) or sdk`);
}

/** The SDK keeps its per-run state behind `globalThis.asyncLocalStorage` (runtime/state.js). */
interface StoreSlot {
  run<T>(store: Store, callback: (...args: unknown[]) => T, ...args: unknown[]): T;
  getStore(): Store | undefined;
}
const globals = globalThis as unknown as { asyncLocalStorage?: StoreSlot };

/** The store of the lean plan stack running in this thread, if one is. */
let planStore: Store | undefined;
/** Whether a plan stack (either runtime) is running in this thread. */
let running = false;

/**
 * Run one plan stack in a fresh SDK state (`runtime` as `planRuntime()` gives it). One at a
 * time per thread: a second stack entering while one runs is refused.
 */
export async function withPlanRuntime<T>(runtime: PlanRuntime, callback: () => Promise<T>): Promise<T> {
  if (running) throw new PlanRuntimeError("the offline plan runs one stack at a time in a thread, and one is already running here");
  running = true;
  try {
    return runtime === "sdk" ? await state.withLocalStorage(callback) : await withLeanRuntime(callback);
  } finally {
    running = false;
  }
}

async function withLeanRuntime<T>(callback: () => Promise<T>): Promise<T> {
  installStoreSlot();
  const originalDebuggable = debuggable.debuggablePromise;
  const originalCallsites = resourceClass.callsites;
  const originalFromJavaScript = structproto.Struct.fromJavaScript;
  planStore = new state.LocalStore();
  debuggable.debuggablePromise = leanDebuggablePromise;
  resourceClass.callsites = noCallsites;
  structproto.Struct.fromJavaScript = PlainStruct.of;
  const restoreSerialization = installPlainProperties();
  try {
    return await callback();
  } finally {
    restoreSerialization();
    planStore = undefined;
    debuggable.debuggablePromise = originalDebuggable;
    resourceClass.callsites = originalCallsites;
    structproto.Struct.fromJavaScript = originalFromJavaScript;
  }
}

/** Answer the lean stack's store while one runs, the real AsyncLocalStorage otherwise. Installed once per thread. */
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
