/**
 * Bounded retry of transient errors only: a stack lock held by another update
 * (`StackLockedError`, built in) and the errors fleet.yaml `retries:` allow-lists by pattern
 * (automation/fleet/retries.ts), each rule with its own attempts and backoff. Everything else
 * fails at once — retrying a real failure would only repeat it against the cloud. A retry
 * re-runs the one stack's operation before any dependent starts, so dependents run once.
 */
import type { RetryRuleSettings } from "../fleet/retries";
import { OperationCancelledError, StackLockedError } from "../engine/types";

export interface RetryPolicy {
  /** (Optional) Engine calls at most, the first included. Defaults to 5. */
  readonly attempts?: number;
  /** (Optional) First wait in ms; doubles each retry. Defaults to 2000. */
  readonly baseDelayMs?: number;
  /** (Optional) Longest wait in ms. Defaults to 30000. */
  readonly maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryPolicy> = { attempts: 5, baseDelayMs: 2000, maxDelayMs: 30000 };

/** The lock stayed held through every retry. */
export class LockRetriesExhaustedError extends Error {
  constructor(
    readonly stack: string,
    readonly attempts: number,
    waitedMs: number,
  ) {
    super(
      `${stack}: the stack is locked by another update; gave up after ${attempts} attempts over ${Math.round(waitedMs / 1000)}s. ` +
        `Wait for that update to finish; if none is running (a crashed update left its lock), release it with ` +
        `\`pulumi cancel --stack ${stack}\` or remove the lock file under the backend's .pulumi/locks, then \`--resume\` this run.`,
    );
    this.name = "LockRetriesExhaustedError";
  }
}

/** Sleep `ms`, resolving early (false) when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      resolve(false);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** An allow-listed transient error: a pattern over the error text, with its own budget. */
export interface TransientRule {
  readonly name: string;
  readonly pattern: RegExp;
  /** Engine calls at most for this rule, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** One retry, as the record keeps it. */
export interface RetryEntry {
  /** The attempt that failed (1 = the first call). */
  readonly attempt: number;
  /** `stack-locked` or the fleet.yaml rule's name. */
  readonly rule: string;
  readonly delayMs: number;
}

export const LOCK_RULE = "stack-locked";

/** fleet.yaml `retries:` as rules (patterns compiled once; the schema checked they compile). */
export function transientRules(settings: readonly RetryRuleSettings[]): TransientRule[] {
  return settings.map((r) => ({ name: r.name, pattern: new RegExp(r.match), attempts: r.attempts, baseDelayMs: r.backoffSeconds * 1000, maxDelayMs: r.maxBackoffSeconds * 1000 }));
}

/** An allow-listed transient error persisted through every attempt its rule allows. */
export class TransientRetriesExhaustedError extends Error {
  constructor(
    readonly stack: string,
    readonly rule: string,
    readonly attempts: number,
    cause: Error,
  ) {
    super(`${cause.message}\n(${stack}: still failing after ${attempts} attempts; retry rule ${rule} in fleet.yaml retries is exhausted)`);
    this.name = "TransientRetriesExhaustedError";
  }
}

/**
 * Run `attempt(n)` (n from 1). A held lock is retried by `lock`; an error whose text matches a
 * rule is retried by that rule (first match wins; each rule counts its own retries); anything
 * else — and a cancellation, always — is rethrown at once. `onRetry` hears about each wait; an
 * aborted `signal` stops waiting and rethrows.
 */
export async function retryTransient<T>(
  stack: string,
  attempt: (n: number) => Promise<T>,
  options: { readonly lock?: RetryPolicy; readonly rules?: readonly TransientRule[] } = {},
  onRetry: (entry: RetryEntry, error: Error) => void = () => undefined,
  signal?: AbortSignal,
  sleep: (ms: number, signal?: AbortSignal) => Promise<boolean> = abortableSleep,
): Promise<T> {
  const lock = { ...DEFAULT_RETRY, ...options.lock };
  const used = new Map<string, number>();
  let lockWaited = 0;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!(e instanceof Error) || e instanceof OperationCancelledError || signal?.aborted) throw e;
      let delay: number;
      let rule: string;
      if (e instanceof StackLockedError) {
        const retries = used.get(LOCK_RULE) ?? 0;
        if (retries + 1 >= lock.attempts) throw new LockRetriesExhaustedError(stack, retries + 1, lockWaited);
        delay = Math.min(lock.maxDelayMs, lock.baseDelayMs * 2 ** retries);
        lockWaited += delay;
        rule = LOCK_RULE;
      } else {
        const match = (options.rules ?? []).find((r) => r.pattern.test(e.message));
        if (match === undefined) throw e;
        const retries = used.get(match.name) ?? 0;
        if (retries + 1 >= match.attempts) throw new TransientRetriesExhaustedError(stack, match.name, retries + 1, e);
        delay = Math.min(match.maxDelayMs, match.baseDelayMs * 2 ** retries);
        rule = match.name;
      }
      used.set(rule, (used.get(rule) ?? 0) + 1);
      onRetry({ attempt: n, rule, delayMs: delay }, e);
      if (!(await sleep(delay, signal))) throw e;
    }
  }
}
