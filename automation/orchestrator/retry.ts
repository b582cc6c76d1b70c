/**
 * Bounded retry for one transient error only: a stack lock held by another update
 * (`StackLockedError`). Everything else fails at once — retrying a real failure
 * would only repeat it against the cloud.
 */
import { StackLockedError } from "../engine/types";

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

/**
 * Run `attempt(n)` (n from 1), retrying only StackLockedError with exponential backoff.
 * `onRetry` hears about each wait; an aborted `signal` stops waiting and rethrows.
 */
export async function retryOnLock<T>(
  stack: string,
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy = {},
  onRetry: (n: number, delayMs: number, error: StackLockedError) => void = () => undefined,
  signal?: AbortSignal,
  sleep: (ms: number, signal?: AbortSignal) => Promise<boolean> = abortableSleep,
): Promise<T> {
  const p = { ...DEFAULT_RETRY, ...policy };
  let waited = 0;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!(e instanceof StackLockedError)) throw e;
      if (n >= p.attempts) throw new LockRetriesExhaustedError(stack, n, waited);
      const delay = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (n - 1));
      onRetry(n, delay, e);
      waited += delay;
      if (!(await sleep(delay, signal))) throw e;
    }
  }
}
