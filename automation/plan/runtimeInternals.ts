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
 * - `LocalStore`, `debuggablePromise`, `Resource.callsites`: a plan stack runs without the
 *   SDK's AsyncLocalStorage and debugging aids, for speed (./planRuntime.ts says what and why).
 * - `serializeProperty` and the three functions over it: a lean plan stack serializes plain
 *   values in one walk (./plainProperties.ts).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
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

export interface Store {
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
  excessiveDebugOutput: boolean;
  setMockOptions(monitor: unknown, project?: string, stack?: string, preview?: boolean, organization?: string): void;
  waitForRPCs(): Promise<void>;
}
interface StackModule extends Record<string, unknown> {
  runInPulumiStack(init: () => Promise<Record<string, unknown> | undefined>): Promise<Record<string, unknown> | undefined>;
}
interface Rpc extends Record<string, unknown> {
  serializeProperty(ctx: string, prop: unknown, dependentResources: Set<unknown> | undefined, opts?: Record<string, unknown>): Promise<unknown>;
  serializeProperties(label: string, props: Record<string, unknown>, opts?: Record<string, unknown>): Promise<Record<string, unknown>>;
  serializeResourceProperties(label: string, props: Record<string, unknown>, opts?: Record<string, unknown>): Promise<[Record<string, unknown>, Map<string, Set<unknown>>]>;
  serializePropertiesReturnDeps(label: string, props: Record<string, unknown>, opts?: Record<string, unknown>): Promise<[Record<string, unknown>, Map<string, Set<unknown>>]>;
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
export const rpc = load<Rpc>("@pulumi/pulumi/runtime/rpc", ["serializeProperty", "serializeProperties", "serializeResourceProperties", "serializePropertiesReturnDeps", "deserializeProperties"]);
export const debuggable = load<Debuggable>("@pulumi/pulumi/runtime/debuggable", ["debuggablePromise"]);
export const resourceClass = load<{ Resource: ResourceClass }>("@pulumi/pulumi/resource", []).Resource;
if (typeof resourceClass?.callsites !== "function") {
  throw new Error("@pulumi/pulumi internals changed: @pulumi/pulumi/resource.Resource.callsites is missing; the offline plan supports @pulumi/pulumi 3.248.x");
}
export type { Fn };
