/**
 * The engine interface: what the orchestrator asks of "something that deploys one stack".
 * Two implementations: the Automation API (`automation.ts`, the real Pulumi CLI) and the
 * offline mock engine of `plan`. The orchestrator never knows which one it talks to.
 *
 * Contract for an implementation:
 * - `preview/up/refresh/destroy(stack, opts)` run one operation on one stack by name and
 *   resolve with the change summary, or reject: with `StackLockedError` when another
 *   update holds the stack's lock (the orchestrator retries those, and only those), with
 *   `OperationCancelledError` after `cancel(stack)` stopped it, with any other Error for
 *   a failure (not retried). A mandatory policy violation is a failure.
 * - While running, report progress through `opts.onEvent` (text for the per-stack log,
 *   per-resource steps, policy violations, diagnostics). Events may carry secrets in the
 *   engine's own text; the orchestrator redacts everything before it is written.
 * - `cancel(stack)` asks the operation running on `stack` to stop cleanly (the engine
 *   releases the stack's lock) and resolves once the request was delivered; the operation's
 *   own promise then settles. A no-op when nothing runs on `stack`.
 * - `outputs(stack)` reads a stack's outputs, each flagged `secret` when it is one.
 */

export type Operation = "preview" | "up" | "refresh" | "destroy";
export const OPERATIONS: readonly Operation[] = ["preview", "up", "refresh", "destroy"];

/** Resource changes of one operation. Counts of steps; `same` is unchanged resources. */
export interface ChangeSummary {
  readonly create: number;
  readonly update: number;
  readonly delete: number;
  readonly replace: number;
  readonly same: number;
}

export const NO_CHANGES: ChangeSummary = { create: 0, update: 0, delete: 0, replace: 0, same: 0 };

export type Enforcement = "mandatory" | "advisory";

export interface PolicyViolation {
  readonly policyPack: string;
  readonly policyPackVersion?: string;
  readonly policy: string;
  readonly enforcement: Enforcement;
  readonly message: string;
  /** The resource it is about; absent for stack-level policies. */
  readonly urn?: string;
}

/** Progress from a running operation. */
export type EngineEvent =
  /** Engine text meant for a person (a line or a chunk); goes to the per-stack log. */
  | { readonly type: "output"; readonly text: string }
  /** One resource step: `op` is the engine's (create, update, delete, replace, same, refresh, read…). */
  | { readonly type: "resource"; readonly op: string; readonly urn: string; readonly resourceType: string; readonly phase: "started" | "done" | "failed" }
  | { readonly type: "policy-violation"; readonly violation: PolicyViolation }
  | { readonly type: "diagnostic"; readonly severity: "info" | "warning" | "error"; readonly message: string; readonly urn?: string };

export interface OperationOptions {
  /** Called for every progress event, in order. Must not throw. */
  readonly onEvent: (event: EngineEvent) => void;
  /** (Optional, refresh only) Report what a refresh would change and write no state (`fleet drift`). */
  readonly previewOnly?: boolean;
  /** (Optional, preview only) Save the stack's update plan to this file (Pulumi update plans). */
  readonly savePlan?: string;
  /** (Optional, up only) Apply exactly the update plan saved in this file; refuse anything else. */
  readonly plan?: string;
}

/** One resource a preview-only refresh found changed outside Pulumi (`fleet drift`). */
export interface DriftedResource {
  readonly urn: string;
  readonly resourceType: string;
  /** `changed`: the cloud's properties differ from the state; `deleted`: the cloud no longer has it. */
  readonly kind: "changed" | "deleted";
  /** Top-level property names that differ (names only: a value could be a secret). */
  readonly properties: readonly string[];
}

export interface OperationResult {
  readonly changes: ChangeSummary;
  /** (Optional, refresh with `previewOnly`) The resources that drifted; empty when none did. */
  readonly drift?: readonly DriftedResource[];
  /** (Optional) Policy packs the engine ran, name → version (for evidence). */
  readonly policyPacks?: Readonly<Record<string, string>>;
}

export type StackOutputs = Readonly<Record<string, { readonly value: unknown; readonly secret: boolean }>>;

export interface Engine {
  /** A short name for records and evidence: `automation-api`, `pulumi-deployments`, `mock`, `fake`. */
  readonly kind: string;
  /**
   * (Optional) True when the engine changes real stacks (the Automation API, Pulumi
   * Deployments): its runs' evidence is uploaded to each domain's evidence store. Offline
   * engines leave it unset; their evidence stays in the run folder.
   */
  readonly deploysRealStacks?: boolean;
  preview(stack: string, opts: OperationOptions): Promise<OperationResult>;
  up(stack: string, opts: OperationOptions): Promise<OperationResult>;
  refresh(stack: string, opts: OperationOptions): Promise<OperationResult>;
  destroy(stack: string, opts: OperationOptions): Promise<OperationResult>;
  outputs(stack: string): Promise<StackOutputs>;
  cancel(stack: string): Promise<void>;
}

/** preview/up/refresh/destroy as one `run(op, …)`, for engines that do all four the same way. */
export abstract class OperationDispatch {
  protected abstract run(op: Operation, stack: string, opts: OperationOptions): Promise<OperationResult>;
  preview(stack: string, opts: OperationOptions): Promise<OperationResult> {
    return this.run("preview", stack, opts);
  }
  up(stack: string, opts: OperationOptions): Promise<OperationResult> {
    return this.run("up", stack, opts);
  }
  refresh(stack: string, opts: OperationOptions): Promise<OperationResult> {
    return this.run("refresh", stack, opts);
  }
  destroy(stack: string, opts: OperationOptions): Promise<OperationResult> {
    return this.run("destroy", stack, opts);
  }
}

/** Another update holds the stack's lock (Pulumi's ConcurrentUpdateError): transient, retried. */
export class StackLockedError extends Error {
  constructor(
    readonly stack: string,
    detail: string,
  ) {
    super(`stack ${stack} is locked by another update: ${detail}`);
    this.name = "StackLockedError";
  }
}

/** The operation stopped because `cancel(stack)` asked it to. */
export class OperationCancelledError extends Error {
  constructor(readonly stack: string) {
    super(`${stack}: operation cancelled`);
    this.name = "OperationCancelledError";
  }
}

/** Dispatch one operation by name. */
export function runOperation(engine: Engine, op: Operation, stack: string, opts: OperationOptions): Promise<OperationResult> {
  switch (op) {
    case "preview":
      return engine.preview(stack, opts);
    case "up":
      return engine.up(stack, opts);
    case "refresh":
      return engine.refresh(stack, opts);
    case "destroy":
      return engine.destroy(stack, opts);
  }
}
