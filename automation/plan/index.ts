/**
 * The credential-free fleet plan: every stack's real program under the mock cloud, in
 * dependency order (each StackReference answered by the upstream's mock outputs), then
 * the fleet-wide checks and the policy pack over everything.
 */
import { topologicalOrder, waves, type Fleet } from "../fleet";
import { checkAddressOverlaps, checkGuardrails, checkReferences, type ClaimSource, type FleetViolation } from "./fleetChecks";
import { planStack, type StackPlan, type StackProgram } from "./planStack";
import type { PlannedResource } from "./recordingMonitor";

export type { PlannedResource } from "./recordingMonitor";
export type { FleetViolation } from "./fleetChecks";
export { planStack, planProgram, DEFAULT_STACK_TIMEOUT_SECONDS, type ProgramRun, type StackPlan, type StackProgram } from "./planStack";
export { programFromFile, ProgramFileError } from "./programFile";

/** Evaluates the policy pack over one stack's resources (the pack's evaluateStack, bound to its config). */
export type StackEvaluator = (fleet: Fleet, stack: string, resources: readonly PlannedResource[]) => FleetViolation[];

export interface PlanOptions {
  readonly program: StackProgram;
  readonly evaluators?: readonly StackEvaluator[];
  readonly claimSources?: readonly ClaimSource[];
  /** A stack that has not settled after this many seconds fails (default DEFAULT_STACK_TIMEOUT_SECONDS). */
  readonly stackTimeoutSeconds?: number;
  /** Called as each stack finishes, for progress. */
  readonly onStack?: (plan: StackPlan) => void;
}

export interface FleetPlan {
  readonly stacks: readonly StackPlan[];
  /** Waves per domain, in the fleet's domain order. */
  readonly waves: readonly (readonly string[])[];
  readonly violations: readonly FleetViolation[];
  readonly seconds: number;
}

/**
 * Plan the fleet. Stacks run one at a time in topological order: mock runs are CPU-bound,
 * so concurrency would not make them faster, and running alone gives each stack's errors
 * an unambiguous owner.
 */
export async function planFleet(fleet: Fleet, options: PlanOptions): Promise<FleetPlan> {
  // The SDK stamps `new Error().stack` on every internal promise (a debugging aid for leaked
  // promises) and on every resource; with source maps on (tsx, ts-node) that was a third of
  // the plan's CPU. The plan reports one-line errors, so it needs neither.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return await planInOrder(fleet, options);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

async function planInOrder(fleet: Fleet, options: PlanOptions): Promise<FleetPlan> {
  const started = Date.now();
  const outputs = new Map<string, Record<string, unknown>>();
  const secretOutputNames = new Map<string, readonly string[]>();
  const plans: StackPlan[] = [];
  const violations: FleetViolation[] = [...checkAddressOverlaps(fleet, options.claimSources ?? []), ...checkGuardrails(fleet)];
  const notPlanned = new Map<string, StackPlan["status"]>();

  for (const name of topologicalOrder(fleet)) {
    const spec = fleet.stacks.get(name)!;
    const blocked = spec.dependsOn.filter((d) => notPlanned.has(d));
    let plan: StackPlan;
    if (blocked.length > 0) {
      // Downstream of a role that is not built yet is itself not plannable, not failed.
      const status = blocked.some((d) => notPlanned.get(d) === "failed") ? "failed" : "not-implemented";
      plan = {
        name,
        status,
        resources: [],
        outputs: {},
        secretOutputNames: [],
        error: `not planned: upstream ${blocked.map((d) => `${d} (${notPlanned.get(d)})`).join(", ")}`,
        seconds: 0,
      };
    } else {
      plan = await planStack(fleet, name, options.program, { outputs, secretOutputNames }, { timeoutSeconds: options.stackTimeoutSeconds });
    }
    if (plan.status === "planned") {
      outputs.set(name, { ...plan.outputs });
      secretOutputNames.set(name, plan.secretOutputNames);
      violations.push(...checkReferences(fleet, name, plan.resources));
      for (const evaluate of options.evaluators ?? []) violations.push(...evaluate(fleet, name, plan.resources));
    } else {
      notPlanned.set(name, plan.status);
    }
    plans.push(plan);
    options.onStack?.(plan);
  }
  return {
    stacks: plans,
    waves: fleet.settings.domainOrder.flatMap((d) => waves(fleet, d)),
    violations,
    seconds: (Date.now() - started) / 1000,
  };
}
