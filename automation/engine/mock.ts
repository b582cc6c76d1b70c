/**
 * The offline engine: the same Engine interface as the Automation API, backed by the
 * plan's mock cloud. `fleet up --engine mock` rehearses a rollout — order, parallelism,
 * rings, failure handling, events, report, evidence, the policy pack — with no cloud and
 * no CLI. "Deployed" state lives in memory for the run: `up` records a stack's resources
 * and outputs so its dependents' StackReferences resolve, `destroy` forgets them.
 *
 * Mock programs are CPU-bound and the SDK's per-run state is attributed by time, so
 * operations are serialized internally; the orchestrator may still ask for N at once.
 */
import type { Fleet } from "../fleet";
import { planStack, type StackPlan, type StackProgram } from "../plan/planStack";
import type { FleetViolation } from "../plan/fleetChecks";
import type { PlannedResource } from "../plan/recordingMonitor";
import { NO_CHANGES, OperationCancelledError, type ChangeSummary, type Engine, type OperationOptions, type OperationResult, type StackOutputs } from "./types";

export type MockEvaluator = (fleet: Fleet, stack: string, resources: readonly PlannedResource[]) => FleetViolation[];

interface Deployed {
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly secretOutputNames: readonly string[];
  readonly urns: ReadonlySet<string>;
}

export class MockEngine implements Engine {
  readonly kind = "mock";
  private readonly deployed = new Map<string, Deployed>();
  /** Outputs a preview computed, so a dependent's preview can resolve before anything is up. */
  private readonly previewed = new Map<string, Deployed>();
  private readonly cancelled = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly fleet: Fleet,
    private readonly program: StackProgram,
    /** The policy pack, as the plan runs it; `observe` sees every planned stack first. */
    private readonly policy?: { evaluator: MockEvaluator; observe?: (plan: StackPlan, fleet: Fleet) => void },
  ) {}

  preview(stack: string, opts: OperationOptions): Promise<OperationResult> {
    return this.serialize(stack, async () => {
      const result = await this.run(stack, opts, "preview");
      this.previewed.set(stack, result.deployed);
      return { changes: result.changes };
    });
  }

  up(stack: string, opts: OperationOptions): Promise<OperationResult> {
    return this.serialize(stack, async () => {
      const result = await this.run(stack, opts, "up");
      this.deployed.set(stack, result.deployed);
      return { changes: result.changes };
    });
  }

  refresh(stack: string, opts: OperationOptions): Promise<OperationResult> {
    return this.serialize(stack, async () => {
      const current = this.deployed.get(stack);
      opts.onEvent({ type: "output", text: `mock refresh of ${stack}: the mock cloud never drifts\n` });
      return { changes: { ...NO_CHANGES, same: current?.urns.size ?? 0 } };
    });
  }

  destroy(stack: string, opts: OperationOptions): Promise<OperationResult> {
    return this.serialize(stack, async () => {
      const current = this.deployed.get(stack);
      for (const urn of current?.urns ?? []) opts.onEvent({ type: "resource", op: "delete", urn, resourceType: urn.split("::")[2]?.split("$").pop() ?? "", phase: "done" });
      this.deployed.delete(stack);
      return { changes: { ...NO_CHANGES, delete: current?.urns.size ?? 0 } };
    });
  }

  async outputs(stack: string): Promise<StackOutputs> {
    const d = this.deployed.get(stack);
    if (d === undefined) return {};
    return Object.fromEntries(Object.entries(d.outputs).map(([k, value]) => [k, { value, secret: d.secretOutputNames.includes(k) }]));
  }

  async cancel(stack: string): Promise<void> {
    this.cancelled.add(stack);
  }

  private serialize<T>(stack: string, work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      if (this.cancelled.delete(stack)) throw new OperationCancelledError(stack);
      const result = await work();
      // A cancel that arrived while the (uninterruptible) mock run was going wins: the
      // orchestrator asked to stop, so the result is not reported as a success.
      if (this.cancelled.delete(stack)) throw new OperationCancelledError(stack);
      return result;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async run(stack: string, opts: OperationOptions, op: "preview" | "up"): Promise<{ changes: ChangeSummary; deployed: Deployed }> {
    const upstream = new Map<string, Record<string, unknown>>();
    const secretNames = new Map<string, readonly string[]>();
    for (const dep of this.fleet.stacks.get(stack)?.dependsOn ?? []) {
      const d = this.deployed.get(dep) ?? (op === "preview" ? this.previewed.get(dep) : undefined);
      if (d === undefined) throw new Error(`${stack}: upstream stack ${dep} has no outputs (${op === "up" ? "it is not up" : "neither up nor previewed"})`);
      upstream.set(dep, { ...d.outputs });
      secretNames.set(dep, d.secretOutputNames);
    }
    opts.onEvent({ type: "output", text: `mock ${op} of ${stack} (no cloud, no credentials)\n` });
    const plan = await planStack(this.fleet, stack, this.program, { outputs: upstream, secretOutputNames: secretNames }, { preview: op === "preview" });
    if (plan.status !== "planned") throw new Error(plan.error ?? `${stack}: ${plan.status}`);
    const before = this.deployed.get(stack)?.urns ?? new Set<string>();
    const urns = new Set(plan.resources.filter((r) => r.custom).map((r) => r.urn));
    const changes: ChangeSummary = {
      create: [...urns].filter((u) => !before.has(u)).length,
      update: 0,
      delete: [...before].filter((u) => !urns.has(u)).length,
      replace: 0,
      same: [...urns].filter((u) => before.has(u)).length,
    };
    for (const r of plan.resources.filter((x) => x.custom)) {
      opts.onEvent({ type: "resource", op: before.has(r.urn) ? "same" : "create", urn: r.urn, resourceType: r.type, phase: "done" });
    }
    this.policy?.observe?.(plan, this.fleet);
    for (const v of this.policy?.evaluator(this.fleet, stack, plan.resources) ?? []) {
      opts.onEvent({
        type: "policy-violation",
        violation: { policyPack: "meridian", policy: v.policy, enforcement: v.level, message: v.message, ...(v.urn ? { urn: v.urn } : {}) },
      });
    }
    return { changes, deployed: { outputs: plan.outputs, secretOutputNames: plan.secretOutputNames, urns } };
  }
}
