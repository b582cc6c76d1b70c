/**
 * The failover game-day drill: flip a tenant's public name from its primary Gateway to its
 * secondary (invert the primary's Route 53 health check, so Route 53 sees it unhealthy),
 * verify the name answers with the secondary, restore (un-invert) and verify the primary
 * answers again. The restore always runs once the flip was attempted, even when a check
 * failed, so a failed drill does not leave the name failed over; if the restore itself
 * fails, the result says so loudly.
 */
export interface FailoverAnswer {
  /** The record set that answered (its `setIdentifier`: the target workload stack). */
  readonly setIdentifier: string;
}

export interface FailoverEngine {
  readonly kind: string;
  readonly rehearsal: boolean;
  resolve(hostname: string): Promise<FailoverAnswer>;
  /** Invert (or un-invert) the health check of `target`'s record: the flip the drill uses. */
  setInverted(hostname: string, target: string, inverted: boolean): Promise<void>;
  /** Wait until `hostname` answers with `target`, at most `timeoutSeconds`; resolves with the seconds waited. */
  waitFor(hostname: string, target: string, timeoutSeconds: number): Promise<number>;
}

export const FAILOVER_STEPS = ["baseline", "flip", "verify-failover", "restore", "verify-restore"] as const;
export type FailoverStep = (typeof FAILOVER_STEPS)[number];

export interface FailoverDrillInput {
  readonly engine: FailoverEngine;
  readonly hostname: string;
  readonly primary: string;
  readonly secondary: string;
  /** Worst case until Route 53 fails over and resolvers see it: interval × threshold + TTL. */
  readonly expectedSeconds: number;
  readonly clock?: () => Date;
  readonly progress?: (line: string) => void;
}

export interface FailoverDrillResult {
  readonly status: "succeeded" | "failed";
  readonly failedStep?: string;
  readonly error?: string;
  /** false when the restore did not complete: the name may still answer with the secondary. */
  readonly restored: boolean;
  readonly steps: ReadonlyArray<{ step: string; startedAt: string; finishedAt: string; ok: boolean; detail: string }>;
  readonly failoverSeconds?: number;
  readonly restoreSeconds?: number;
  readonly expectedSeconds: number;
  /** The drill's objective: the name failed over within the expected worst case (absent when it never failed over). */
  readonly failoverMet?: boolean;
  readonly restoreMet?: boolean;
}

/**
 * The drill proves its objective only when it succeeded, the name is back on the primary, and
 * both moves took no longer than the expected worst case. A verification waits up to twice
 * that before giving up, so a slow but eventual failover succeeds as a drill yet misses.
 */
export function failoverObjectivesMet(r: FailoverDrillResult): boolean {
  return r.status === "succeeded" && r.restored && r.failoverMet === true && r.restoreMet === true;
}

export async function runFailoverDrill(input: FailoverDrillInput): Promise<FailoverDrillResult> {
  const clock = input.clock ?? (() => new Date());
  const say = input.progress ?? (() => undefined);
  const { engine, hostname, primary, secondary } = input;
  const steps: Array<{ step: string; startedAt: string; finishedAt: string; ok: boolean; detail: string }> = [];
  let failure: { step: string; error: string } | undefined;
  let failoverSeconds: number | undefined;
  let restoreSeconds: number | undefined;
  let flipped = false;
  let restored = true;
  // Twice the worst case before a verification gives up.
  const timeout = input.expectedSeconds * 2;

  const step = async (name: FailoverStep, body: () => Promise<string>): Promise<boolean> => {
    const startedAt = clock().toISOString();
    say(`drill failover: ${name}...`);
    try {
      const detail = await body();
      steps.push({ step: name, startedAt, finishedAt: clock().toISOString(), ok: true, detail });
      say(`drill failover: ${name}: ${detail}`);
      return true;
    } catch (e) {
      const detail = (e as Error).message;
      steps.push({ step: name, startedAt, finishedAt: clock().toISOString(), ok: false, detail });
      say(`drill failover: ${name}: FAILED: ${detail}`);
      failure ??= { step: name, error: detail };
      return false;
    }
  };

  const answered = async (want: string): Promise<string> => {
    const a = await engine.resolve(hostname);
    if (a.setIdentifier !== want) throw new Error(`${hostname} answers with ${a.setIdentifier}, expected ${want}`);
    return `${hostname} → ${a.setIdentifier}`;
  };

  if (await step("baseline", () => answered(primary))) {
    await step("flip", async () => {
      flipped = true;
      await engine.setInverted(hostname, primary, true);
      return `health check of ${primary} inverted`;
    });
    if (failure === undefined) {
      await step("verify-failover", async () => {
        failoverSeconds = await engine.waitFor(hostname, secondary, timeout);
        return `${hostname} → ${secondary} after ${failoverSeconds}s (expected at most ${input.expectedSeconds}s)`;
      });
    }
  }
  if (flipped) {
    restored = await step("restore", async () => {
      await engine.setInverted(hostname, primary, false);
      return `health check of ${primary} restored`;
    });
    if (restored) {
      restored = await step("verify-restore", async () => {
        restoreSeconds = await engine.waitFor(hostname, primary, timeout);
        return `${hostname} → ${primary} after ${restoreSeconds}s`;
      });
    }
  }
  return {
    status: failure === undefined ? "succeeded" : "failed",
    ...(failure ?? {}),
    ...(failure ? { failedStep: failure.step } : {}),
    restored,
    steps,
    ...(failoverSeconds !== undefined ? { failoverSeconds, failoverMet: failoverSeconds <= input.expectedSeconds } : {}),
    ...(restoreSeconds !== undefined ? { restoreSeconds, restoreMet: restoreSeconds <= input.expectedSeconds } : {}),
    expectedSeconds: input.expectedSeconds,
  } as FailoverDrillResult;
}
