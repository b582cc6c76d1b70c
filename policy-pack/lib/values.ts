/**
 * Reading resource properties the way the engine hands them to a policy.
 *
 * The engine wraps `props` in `unknownCheckingProxy`: touching a value unknown at
 * preview throws `UnknownValueError`, which the engine reports as an advisory "can't
 * run policy during preview". Our checks read the proxy's target instead, see an
 * unknown as the `UNKNOWN` marker, record the path (`ctx.unknown`) and go on checking
 * the known properties; the wrapper throws one `CannotVerifyError` (an
 * `UnknownValueError`) at the end, so the engine and `evaluateStack` both report an
 * advisory "cannot verify" line next to any real violation.
 */
import * as policySdk from "@pulumi/policy/proxy";

/**
 * `@pulumi/policy` exports these at runtime (index.js re-exports `./proxy`) but strips
 * their declarations (`@internal`), so they are typed here. They must be the very
 * objects the engine's server uses: it tests `e instanceof UnknownValueError`, and the
 * proxy module it loads is this one (test/policy/values-proxy.test.ts). Read from the proxy
 * module itself, which loads nothing: the package's index loads its policy server (gRPC
 * service, protobufs, the Pulumi SDK), which the offline plan does not run.
 */
interface ProxyExports {
  UnknownValueError: new (unknownTypeSentinel: string, props: string[]) => Error;
  unknownCheckingProxy: <T>(value: T) => T;
}
const proxyExports = policySdk as unknown as ProxyExports;
export const UnknownValueError = proxyExports.UnknownValueError;
export const unknownCheckingProxy = proxyExports.unknownCheckingProxy;

/** The sentinels the engine uses for values unknown at preview (`@pulumi/policy/proxy`). */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string (also the SDK's generic unknown)
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
  "030794c1-ac77-496b-92df-f27374a8bd58", // asset
  "e48ece36-62e2-4504-bad9-02848725956a", // archive
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Marks a value unknown at preview. */
export const UNKNOWN: unique symbol = Symbol("unknown at preview");
export type Unknown = typeof UNKNOWN;

export function isUnknownValue(v: unknown): boolean {
  return typeof v === "string" && UNKNOWN_SENTINELS.has(v);
}

const PROXY_TARGET = "__getSpecialProxyTarget";

/** The plain object behind an `unknownCheckingProxy` (or the value itself). */
export function unproxy<T>(v: T): T {
  if (v !== null && typeof v === "object") {
    const target = (v as Record<string, unknown>)[PROXY_TARGET];
    if (target !== undefined) {
      return target as T;
    }
  }
  return v;
}

export type Props = Record<string, unknown>;

/**
 * The value at a dotted path (or an array of segments, for keys that contain dots such as
 * annotations); `UNKNOWN` when it or a parent is unknown at preview.
 */
export function at(obj: unknown, path: string | readonly string[]): unknown {
  let cur: unknown = obj;
  for (const key of typeof path === "string" ? path.split(".") : path) {
    if (isUnknownValue(cur)) {
      return UNKNOWN;
    }
    if (cur === null || typeof cur !== "object") {
      return undefined;
    }
    cur = (cur as Record<string, unknown>)[key];
  }
  return isUnknownValue(cur) ? UNKNOWN : cur;
}

/** An array at a path (missing → []; unknown → UNKNOWN; a single object → [it]). */
export function arrayAt(obj: unknown, path: string): unknown[] | Unknown {
  const v = at(obj, path);
  if (v === UNKNOWN) {
    return UNKNOWN;
  }
  if (v === undefined || v === null) {
    return [];
  }
  return Array.isArray(v) ? v : [v];
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" && !isUnknownValue(v) ? v : undefined;
}

/** Booleans as the providers pass them: `true` or `"true"` (launch template EBS). */
export function truthy(v: unknown): boolean {
  return v === true || (typeof v === "string" && v.toLowerCase() === "true");
}

/** Is any leaf under `v` unknown? */
export function containsUnknown(v: unknown): boolean {
  if (isUnknownValue(v)) {
    return true;
  }
  if (Array.isArray(v)) {
    return v.some(containsUnknown);
  }
  if (v !== null && typeof v === "object") {
    return Object.values(v).some(containsUnknown);
  }
  return false;
}

/**
 * Thrown at the end of a check that met values unknown at preview. It IS an
 * `UnknownValueError`, so the engine reports it as advisory, never as a pass.
 */
export class CannotVerifyError extends UnknownValueError {
  constructor(readonly paths: readonly string[]) {
    super(UNKNOWN_STRING, [paths[0] ?? ""]);
    this.message = `cannot verify during preview: ${paths.join(", ")} unknown until apply`;
  }
}

/** A glob-free, fast `name` match for provider types: `pulumi:providers:aws` → `aws`. */
export function providerPackage(type: string): string | undefined {
  return type.startsWith("pulumi:providers:") ? type.slice("pulumi:providers:".length) : undefined;
}

/** The package of a resource type token: `aws:eks/cluster:Cluster` → `aws`. */
export function packageOf(type: string): string {
  const i = type.indexOf(":");
  return i < 0 ? type : type.slice(0, i);
}

/** What `expect` needs from a check context. */
export interface Reporter {
  report(message: string): void;
  unknown(path: string): void;
}

/**
 * Check one property: unknown → recorded for the advisory line; otherwise `ok(value)`
 * or report `message`. Returns the value (or UNKNOWN) for further checks.
 */
export function expect(ctx: Reporter, obj: unknown, path: string, ok: (v: unknown) => boolean, message: string, prefix = ""): unknown {
  const v = at(obj, path);
  if (v === UNKNOWN) {
    ctx.unknown(prefix + path);
  } else if (!ok(v)) {
    ctx.report(message);
  }
  return v;
}

export const isSet = (v: unknown): boolean => typeof v === "string" ? v.trim() !== "" : v !== undefined && v !== null;
export const isTrue = (v: unknown): boolean => truthy(v);
export const equalsCI =
  (...wanted: string[]) =>
  (v: unknown): boolean =>
    typeof v === "string" && wanted.some((w) => w.toLowerCase() === v.toLowerCase());
