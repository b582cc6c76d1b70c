/**
 * Preview or update: the one question some checks need answered. Evidence that is merely
 * *unproven* (a cluster behind an IP address, a kubeconfig the pack cannot read) is an
 * advisory "cannot verify" during a preview — the operator sees it before anything is
 * created — and a mandatory violation during an update, where nothing unverified may land.
 * Values unknown at preview (the engine's sentinels) are a different matter: they only
 * exist in previews, and every check reports them as advisory.
 *
 * Where the phase comes from, first match wins:
 *   1. `setPhase` — `evaluateStack` (the fleet plan, tests) and the engine hook below;
 *   2. `MERIDIAN_POLICY_PHASE=preview|update` in the pack's environment (CI sets it when
 *      the engine's own signal is unavailable);
 *   3. otherwise `update`: fail closed.
 *
 * The engine's signal: `pulumi preview|up` sends `AnalyzerStackConfigureRequest.dry_run`
 * in the `ConfigureStack` call, but `@pulumi/policy` 1.21 reads only the tags from it and
 * exposes no API for the rest. `captureEngineDryRun` wraps the gRPC server's
 * `addService` (before `new PolicyPack` starts the server) so the `configureStack`
 * handler records `dry_run` first and then runs the SDK's own handler unchanged. It is a
 * documented reliance on a non-public seam; test/policy/phase.test.ts exercises it, and if
 * a future SDK stops calling `addService` with a `configureStack` handler, the pack falls
 * back to (2)/(3) — stricter, never laxer.
 */
export type Phase = "preview" | "update";

let explicit: Phase | undefined;

/** Set (or clear, with undefined) the phase for the checks that follow. */
export function setPhase(phase: Phase | undefined): void {
  explicit = phase;
}

export function currentPhase(): Phase {
  if (explicit) {
    return explicit;
  }
  const env = process.env.MERIDIAN_POLICY_PHASE;
  return env === "preview" || env === "update" ? env : "update";
}

interface ConfigureStackCall {
  request?: { getDryRun?: () => boolean };
}
type Handler = (call: ConfigureStackCall, callback: unknown) => unknown;
interface GrpcServerClass {
  prototype: { addService: (service: unknown, implementation: Record<string, unknown>) => void };
}

const WRAPPED = Symbol.for("meridian.policy.configureStackWrapped");

/**
 * Install the `configureStack` recorder on a `@grpc/grpc-js` Server class (the one
 * `@pulumi/policy` uses). Idempotent. Returns false when the class has no `addService`.
 */
export function captureEngineDryRun(server: GrpcServerClass): boolean {
  const proto = server.prototype as GrpcServerClass["prototype"] & { [WRAPPED]?: boolean };
  if (typeof proto.addService !== "function") {
    return false;
  }
  if (proto[WRAPPED]) {
    return true;
  }
  const original = proto.addService;
  proto.addService = function (this: unknown, service: unknown, implementation: Record<string, unknown>) {
    const configureStack = implementation?.configureStack as Handler | undefined;
    if (typeof configureStack === "function") {
      implementation = {
        ...implementation,
        configureStack: (call: ConfigureStackCall, callback: unknown) => {
          const dryRun = call?.request?.getDryRun?.();
          if (typeof dryRun === "boolean") {
            setPhase(dryRun ? "preview" : "update");
          }
          return configureStack(call, callback);
        },
      };
    }
    return original.call(this, service, implementation);
  };
  proto[WRAPPED] = true;
  return true;
}

/**
 * Engine runs only (index.ts calls it before `new PolicyPack`): hook the very
 * `@grpc/grpc-js` module `@pulumi/policy` resolves, not whichever copy is nearest to us.
 */
export function installEngineHooks(): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const path = require("node:path") as typeof import("node:path");
    const policyDir = path.dirname(require.resolve("@pulumi/policy"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [policyDir] })) as { Server?: GrpcServerClass };
    return grpc.Server !== undefined && captureEngineDryRun(grpc.Server);
  } catch {
    return false; // no seam: the phase falls back to MERIDIAN_POLICY_PHASE, else update
  }
}
