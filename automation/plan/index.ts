/**
 * The credential-free fleet plan: every stack's real program under the mock cloud, in
 * dependency order (each StackReference answered by the upstream's mock outputs), then
 * the fleet-wide checks and the policy pack over everything.
 */
import { topologicalOrder, waves, withDependencies, type Fleet } from "../fleet";
import { checkAddressOverlaps, checkGuardrails, checkReferences, type ClaimSource, type FleetViolation } from "./fleetChecks";
import { planStack, type StackPlan, type StackProgram, type UpstreamOutputs } from "./planStack";
import type { PlannedResource } from "./recordingMonitor";
import { PlanWorkerError, PlanWorkerPool, type WorkerProgram } from "./workers";

export type { PlannedResource } from "./recordingMonitor";
export type { FleetViolation } from "./fleetChecks";
export { planStack, planProgram, DEFAULT_STACK_TIMEOUT_SECONDS, type ProgramRun, type StackPlan, type StackProgram, type UpstreamOutputs } from "./planStack";
export { programFromFile, ProgramFileError } from "./programFile";
export { FLEET_PROGRAM, fileProgram, PlanWorkerError, PlanWorkerPool, type WorkerProgram } from "./workers";

/** Evaluates the policy pack over one stack's resources (the pack's evaluateStack, bound to its config). */
export type StackEvaluator = (fleet: Fleet, stack: string, resources: readonly PlannedResource[]) => FleetViolation[];

export interface PlanOptions {
  readonly program: StackProgram;
  readonly evaluators?: readonly StackEvaluator[];
  readonly claimSources?: readonly ClaimSource[];
  /** A stack that has not settled after this many seconds fails (default DEFAULT_STACK_TIMEOUT_SECONDS). */
  readonly stackTimeoutSeconds?: number;
  /** Called as each stack finishes, for progress (in topological order, also with workers). */
  readonly onStack?: (plan: StackPlan) => void;
  /**
   * Plan on worker threads (./workers.ts): a pool the caller started (and closes; reusable
   * across plans), or how many to start for this plan. 1 or absent: in this thread.
   */
  readonly workers?: number | PlanWorkerPool;
  /** `program` as a worker loads it (a function cannot cross threads); required with `workers`. */
  readonly workerProgram?: WorkerProgram;
  /**
   * Plan only these stacks (`plan --affected`); every dependency of one of them must be
   * here too or have its outputs in `upstream`.
   */
  readonly only?: ReadonlySet<string>;
  /** Outputs of stacks not planned now (the plan cache), answering the planned stacks' references. */
  readonly upstream?: UpstreamOutputs;
  /**
   * What the returned plan keeps of each stack's resources once the fleet checks, the
   * evaluators and `onStack` have seen them: `all` (default), or `summary` — each resource's
   * urn, type, name, parent and custom flag, with empty props and dependencies. A workload
   * stack's full record is about 450 KB (its provider's props repeat on every resource), so
   * at 1,000 clusters keeping everything held about a gigabyte in the main thread for a
   * report that prints types and names (`fleet plan` asks for `summary`).
   */
  readonly retain?: "all" | "summary";
}

export interface FleetPlan {
  readonly stacks: readonly StackPlan[];
  /** Waves per domain, in the fleet's domain order. */
  readonly waves: readonly (readonly string[])[];
  readonly violations: readonly FleetViolation[];
  readonly seconds: number;
  /** How many threads planned stacks (1 or absent: this one). */
  readonly workers?: number;
}

/**
 * Plan the fleet. In one thread, stacks run one at a time in topological order (mock runs
 * are CPU-bound, and running alone gives each stack's errors an unambiguous owner). With
 * workers, each worker runs one stack at a time the same way, and independent stacks run on
 * different workers; the result is the same, byte for byte (test/plan/workers.test.ts).
 */
export async function planFleet(fleet: Fleet, options: PlanOptions): Promise<FleetPlan> {
  // The SDK stamps `new Error().stack` on every internal promise (a debugging aid for leaked
  // promises) and on every resource; with source maps on (tsx, ts-node) that was a third of
  // the plan's CPU. The plan reports one-line errors, so it needs neither.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let own: PlanWorkerPool | undefined;
  const started = Date.now();
  try {
    const { workers } = options;
    if (workers === undefined || workers === 1) return await planInOrder(fleet, options, started);
    if (options.workerProgram === undefined && typeof workers === "number") {
      throw new PlanWorkerError("planning on workers needs the program as a module (workerProgram): a function cannot cross threads");
    }
    const pool = typeof workers === "number" ? (own = await PlanWorkerPool.start(Math.min(workers, Math.max(1, fleet.stacks.size)), options.workerProgram!)) : workers;
    return await planOnWorkers(fleet, options, pool, started);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
    await own?.close();
  }
}

/** What the plan keeps as stacks finish, in topological order: outputs for references, violations, the plans. */
class Collector {
  readonly outputs = new Map<string, Record<string, unknown>>();
  readonly secretOutputNames = new Map<string, readonly string[]>();
  readonly plans: StackPlan[] = [];
  readonly violations: FleetViolation[];
  private readonly notPlanned = new Map<string, StackPlan["status"]>();

  constructor(
    private readonly fleet: Fleet,
    private readonly options: PlanOptions,
    /** When the plan began (starting workers included). */
    private readonly started: number,
  ) {
    this.violations = [...checkAddressOverlaps(fleet, options.claimSources ?? []), ...checkGuardrails(fleet)];
    for (const [name, outputs] of options.upstream?.outputs ?? []) this.outputs.set(name, { ...outputs });
    for (const [name, secret] of options.upstream?.secretOutputNames ?? []) this.secretOutputNames.set(name, secret);
  }

  /** The stacks to plan now, in topological order. */
  order(): string[] {
    const only = this.options.only;
    const order = topologicalOrder(this.fleet).filter((n) => only === undefined || only.has(n));
    const planned = new Set(order);
    for (const name of order) {
      const missing = this.fleet.stacks.get(name)!.dependsOn.filter((d) => !planned.has(d) && !this.outputs.has(d));
      if (missing.length > 0) throw new Error(`plan: ${name} depends on ${missing.join(", ")}, which is neither planned nor given as upstream outputs`);
    }
    return order;
  }

  /** Downstream of a stack that did not plan is itself not plannable (or failed): no run. */
  blocked(name: string, status: (dependency: string) => StackPlan["status"] | undefined): StackPlan | undefined {
    const spec = this.fleet.stacks.get(name)!;
    const blocked = spec.dependsOn.filter((d) => status(d) !== undefined && status(d) !== "planned");
    if (blocked.length === 0) return undefined;
    return {
      name,
      status: blocked.some((d) => status(d) === "failed") ? "failed" : "not-implemented",
      resources: [],
      outputs: {},
      secretOutputNames: [],
      error: `not planned: upstream ${blocked.map((d) => `${d} (${status(d)})`).join(", ")}`,
      seconds: 0,
    };
  }

  statusOf = (name: string): StackPlan["status"] | undefined => this.notPlanned.get(name) ?? (this.outputs.has(name) ? "planned" : undefined);

  /** Check and evaluate a finished stack; returns what the plan keeps of it (PlanOptions.retain). */
  accept(plan: StackPlan): StackPlan {
    if (plan.status === "planned") {
      this.outputs.set(plan.name, { ...plan.outputs });
      this.secretOutputNames.set(plan.name, plan.secretOutputNames);
      this.violations.push(...checkReferences(this.fleet, plan.name, plan.resources));
      for (const evaluate of this.options.evaluators ?? []) this.violations.push(...evaluate(this.fleet, plan.name, plan.resources));
    } else {
      this.notPlanned.set(plan.name, plan.status);
    }
    this.options.onStack?.(plan);
    const kept = this.options.retain === "summary" ? summarized(plan) : plan;
    this.plans.push(kept);
    return kept;
  }

  result(workers: number): FleetPlan {
    return {
      stacks: this.plans,
      waves: this.fleet.settings.domainOrder.flatMap((d) => waves(this.fleet, d)),
      violations: this.violations,
      seconds: (Date.now() - this.started) / 1000,
      workers,
    };
  }
}

/** A stack's plan with its resources reduced to what a report lists (PlanOptions.retain `summary`). */
function summarized(plan: StackPlan): StackPlan {
  return {
    ...plan,
    resources: plan.resources.map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      ...(r.parent !== undefined ? { parent: r.parent } : {}),
      custom: r.custom,
      props: {},
      dependencies: [],
      propertyDependencies: {},
    })),
  };
}

async function planInOrder(fleet: Fleet, options: PlanOptions, started: number): Promise<FleetPlan> {
  const c = new Collector(fleet, options, started);
  for (const name of c.order()) {
    const plan =
      c.blocked(name, c.statusOf) ??
      (await planStack(fleet, name, options.program, { outputs: c.outputs, secretOutputNames: c.secretOutputNames }, { timeoutSeconds: options.stackTimeoutSeconds }));
    c.accept(plan);
  }
  return c.result(1);
}

/**
 * A stack starts on a worker as soon as its dependencies are planned; results are accepted
 * in topological order. A worker sees the outputs of the stack's dependencies (transitively),
 * which is what a StackReference may read: a reference outside them fails the stack here,
 * where the serial plan might have answered it from a stack that happened to run earlier.
 */
async function planOnWorkers(fleet: Fleet, options: PlanOptions, pool: PlanWorkerPool, started: number): Promise<FleetPlan> {
  const c = new Collector(fleet, options, started);
  const order = c.order();
  const done = new Map<string, StackPlan>();
  // Stacks answered from `upstream` count as planned dependencies, never as results.
  for (const [name, outputs] of c.outputs) {
    done.set(name, { name, status: "planned", resources: [], outputs, secretOutputNames: c.secretOutputNames.get(name) ?? [], seconds: 0 });
  }
  const status = (n: string) => done.get(n)?.status;
  // Each stack counts its dependencies not yet done; the last one to finish makes it ready.
  // (Scanning the whole order after every finished stack was quadratic: a million checks at
  // 1,000 clusters.) Ready stacks are dispatched in topological order.
  const position = new Map(order.map((n, i) => [n, i]));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  let ready: string[] = [];
  for (const name of order) {
    const pending = fleet.stacks.get(name)!.dependsOn.filter((d) => !done.has(d));
    waiting.set(name, pending.length);
    for (const d of pending) (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(name);
    if (pending.length === 0) ready.push(name);
  }
  const finish = (name: string, plan: StackPlan): void => {
    done.set(name, plan);
    for (const next of dependents.get(name) ?? []) {
      const left = waiting.get(next)! - 1;
      waiting.set(next, left);
      if (left === 0) ready.push(next);
    }
  };
  let accepted = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      for (;;) {
        // Accepted plans are kept as the collector keeps them (a summary frees the full records).
        while (accepted < order.length && done.has(order[accepted])) {
          const name = order[accepted++];
          done.set(name, c.accept(done.get(name)!));
        }
        if (ready.length === 0) break;
        const batch = ready.sort((a, b) => position.get(a)! - position.get(b)!);
        ready = [];
        for (const name of batch) {
          const blocked = c.blocked(name, status);
          if (blocked !== undefined) {
            finish(name, blocked);
            continue;
          }
          const upstream = [...withDependencies(fleet, [name])].filter((d) => d !== name && status(d) === "planned").sort();
          pool
            .plan(fleet, {
              kind: "stack",
              stack: name,
              outputs: upstream.map((d) => [d, done.get(d)!.outputs] as const),
              secretOutputNames: upstream.map((d) => [d, done.get(d)!.secretOutputNames] as const),
              timeoutSeconds: options.stackTimeoutSeconds,
            })
            .then((plan) => {
              finish(name, plan);
              pump();
            }, reject);
        }
      }
      if (accepted === order.length) resolve();
    };
    pump();
  });
  return c.result(pool.size);
}
