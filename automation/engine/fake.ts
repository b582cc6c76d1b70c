/**
 * A scriptable in-memory engine for orchestrator tests: per-stack durations, failures,
 * lock conflicts, hangs (optionally deaf to cancel), outputs, emitted text and policy
 * violations. Records every call so tests can assert what ran, in which order.
 */
import {
  NO_CHANGES,
  OperationCancelledError,
  OperationDispatch,
  StackLockedError,
  type ChangeSummary,
  type DriftedResource,
  type Engine,
  type Operation,
  type OperationOptions,
  type OperationResult,
  type PolicyViolation,
  type StackOutputs,
} from "./types";

export interface FakeStackScript {
  /** (Optional) Milliseconds the operation takes. Defaults to 0 (next tick). */
  readonly durationMs?: number;
  /** (Optional) Fail with this message after the duration. */
  readonly fail?: string;
  /** (Optional) Reject this many first attempts with StackLockedError. Defaults to 0. */
  readonly lockConflicts?: number;
  /** (Optional) After any lock conflicts, reject this many attempts with `message` (a transient error). Defaults to none. */
  readonly transient?: { readonly count: number; readonly message: string };
  /** (Optional) Never finish on its own; only `cancel` ends it (unless `ignoreCancel`). */
  readonly hang?: boolean;
  /** (Optional) Keep running even when cancelled (a wedged CLI). */
  readonly ignoreCancel?: boolean;
  /** (Optional) Text chunks emitted as `output` events while running. */
  readonly output?: readonly string[];
  readonly violations?: readonly PolicyViolation[];
  readonly changes?: ChangeSummary;
  readonly outputs?: StackOutputs;
  /** (Optional) What a preview-only refresh (`previewOnly`) reports as drifted. Defaults to none. */
  readonly drift?: readonly DriftedResource[];
}

export interface FakeCall {
  readonly op: Operation | "outputs" | "cancel";
  readonly stack: string;
  readonly at: number;
  /** Set when the operation was asked to write no state (a preview-only refresh). */
  readonly previewOnly?: boolean;
}

export class FakeEngine extends OperationDispatch implements Engine {
  readonly kind = "fake";
  readonly calls: FakeCall[] = [];
  private readonly attempts = new Map<string, number>();
  private readonly cancels = new Map<string, () => void>();
  private runningNow = 0;
  /** Most operations in flight at once, as observed by the engine. */
  maxConcurrent = 0;

  constructor(private readonly scripts: Readonly<Record<string, FakeStackScript>> = {}) {
    super();
  }

  async outputs(stack: string): Promise<StackOutputs> {
    this.calls.push({ op: "outputs", stack, at: Date.now() });
    return this.scripts[stack]?.outputs ?? {};
  }

  async cancel(stack: string): Promise<void> {
    this.calls.push({ op: "cancel", stack, at: Date.now() });
    this.cancels.get(stack)?.();
  }

  /** Operations started per stack (lock-conflict attempts included). */
  started(op?: Operation): string[] {
    return this.calls.filter((c) => (op === undefined ? c.op !== "outputs" && c.op !== "cancel" : c.op === op)).map((c) => c.stack);
  }

  protected run(op: Operation, stack: string, opts: OperationOptions): Promise<OperationResult> {
    this.calls.push({ op, stack, at: Date.now(), ...(opts.previewOnly === true ? { previewOnly: true } : {}) });
    const script = this.scripts[stack] ?? {};
    const attempt = (this.attempts.get(stack) ?? 0) + 1;
    this.attempts.set(stack, attempt);
    if (attempt <= (script.lockConflicts ?? 0)) {
      return Promise.reject(new StackLockedError(stack, "the stack is currently locked by 1 lock(s)"));
    }
    if (script.transient !== undefined && attempt <= (script.lockConflicts ?? 0) + script.transient.count) {
      return Promise.reject(new Error(script.transient.message));
    }
    this.runningNow++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.runningNow);
    for (const text of script.output ?? []) opts.onEvent({ type: "output", text });
    for (const violation of script.violations ?? []) opts.onEvent({ type: "policy-violation", violation });
    return new Promise<OperationResult>((resolve, reject) => {
      // `timer` is read only after it is assigned (done runs from the timeout or from cancel).
      const done = (f: () => void): void => {
        if (!script.hang) clearTimeout(timer);
        this.cancels.delete(stack);
        this.runningNow--;
        f();
      };
      this.cancels.set(stack, () => {
        if (!script.ignoreCancel) done(() => reject(new OperationCancelledError(stack)));
      });
      if (script.hang) return;
      const timer = setTimeout(
        () =>
          done(() => {
            if (script.fail !== undefined) reject(new Error(script.fail));
            else if (op === "refresh" && opts.previewOnly === true) resolve(fakeDriftResult(script));
            else resolve({ changes: script.changes ?? { ...NO_CHANGES, create: 1 }, policyPacks: { "meridian-policies": "0.1.0" } });
          }),
        script.durationMs ?? 0,
      );
    });
  }
}

/** A preview-only refresh of a scripted stack: its drift, counted as the engine counts it. */
function fakeDriftResult(script: FakeStackScript): OperationResult {
  const drift = script.drift ?? [];
  const deleted = drift.filter((d) => d.kind === "deleted").length;
  return { changes: { ...NO_CHANGES, update: drift.length - deleted, delete: deleted }, drift };
}
