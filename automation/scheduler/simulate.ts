/**
 * A discrete-event simulation of a rollout on a simulated clock: no sleeping, no
 * engine. Used by the property tests and by `bench/scheduler.ts`; the same Scheduler
 * the orchestrator drives, so what is measured is what runs.
 */
import { Scheduler, type FinalStatus, type Outcome, type ScheduleNode, type SchedulerOptions } from "./scheduler";

export interface SimStack extends ScheduleNode {
  /** Simulated duration (any unit), > 0. */
  readonly duration: number;
  /** (Optional) This stack fails when it finishes. Defaults to false. */
  readonly fails?: boolean;
}

export interface SimEvent {
  readonly t: number;
  readonly kind: "start" | "finish";
  readonly name: string;
  readonly outcome?: Outcome;
}

export interface SimTrace {
  readonly events: readonly SimEvent[];
  readonly makespan: number;
  readonly result: ReadonlyMap<string, FinalStatus>;
  readonly maxRunning: number;
  /** Stacks started, in start order. */
  readonly started: readonly string[];
  /** Calls into the scheduler (take/finish/isDone) — for overhead accounting. */
  readonly schedulerCalls: number;
}

export interface SimOptions {
  /** (Optional) Interrupt at this time: no more starts, running stacks are cancelled. */
  readonly interruptAt?: number;
}

/** Run the schedule to the end on a simulated clock. */
export function simulate(stacks: readonly SimStack[], opts: SchedulerOptions, sim: SimOptions = {}): SimTrace {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const scheduler = new Scheduler(stacks, opts);
  const events: SimEvent[] = [];
  const started: string[] = [];
  // Running stacks with their finish time; a small fleet, so a linear scan is cheapest.
  const running = new Map<string, number>();
  let t = 0;
  let maxRunning = 0;
  let calls = 0;
  let interrupted = false;
  const finish = (name: string, outcome: Outcome): void => {
    running.delete(name);
    events.push({ t, kind: "finish", name, outcome });
    calls++;
    for (const c of scheduler.finish(name, outcome)) {
      if (running.has(c)) finish(c, "cancelled");
    }
  };
  for (;;) {
    calls++;
    for (const name of scheduler.take()) {
      running.set(name, t + byName.get(name)!.duration);
      events.push({ t, kind: "start", name });
      started.push(name);
    }
    maxRunning = Math.max(maxRunning, running.size);
    calls++;
    if (scheduler.isDone()) break;
    let nextT = Infinity;
    for (const end of running.values()) nextT = Math.min(nextT, end);
    if (nextT === Infinity) throw new Error("simulate: scheduler is not done but nothing runs (a scheduler bug)");
    if (!interrupted && sim.interruptAt !== undefined && sim.interruptAt < nextT) {
      t = Math.max(t, sim.interruptAt);
      interrupted = true;
      scheduler.interrupt();
      for (const name of [...running.keys()]) if (running.has(name)) finish(name, "cancelled");
      continue;
    }
    t = nextT;
    for (const [name, end] of [...running.entries()]) {
      if (end === t && running.has(name)) finish(name, byName.get(name)!.fails ? "failed" : "succeeded");
    }
  }
  return { events, makespan: t, result: scheduler.result(), maxRunning, started, schedulerCalls: calls };
}

/** Lower bound on any schedule's makespan with `parallel` slots: max(critical path, work ÷ N). */
export function lowerBound(stacks: readonly SimStack[], parallel: number): number {
  return Math.max(criticalPath(stacks), stacks.reduce((a, s) => a + s.duration, 0) / parallel);
}

/** Longest chain of durations through `dependsOn`. */
export function criticalPath(stacks: readonly SimStack[]): number {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const memo = new Map<string, number>();
  const finishOf = (s: SimStack): number => {
    const known = memo.get(s.name);
    if (known !== undefined) return known;
    let start = 0;
    for (const d of s.dependsOn) {
      const dep = byName.get(d);
      if (dep !== undefined) start = Math.max(start, finishOf(dep));
    }
    memo.set(s.name, start + s.duration);
    return start + s.duration;
  };
  return Math.max(0, ...stacks.map(finishOf));
}

/**
 * The naive runner for comparison: waves by dependency depth, each wave run with
 * `parallel` slots (in name order), the next wave only after the whole wave finished.
 */
export function waveMakespan(stacks: readonly SimStack[], parallel: number): number {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const depth = new Map<string, number>();
  const depthOf = (s: SimStack): number => {
    const known = depth.get(s.name);
    if (known !== undefined) return known;
    const ds = s.dependsOn.map((d) => byName.get(d)).filter((d): d is SimStack => d !== undefined);
    const v = ds.length === 0 ? 0 : 1 + Math.max(...ds.map(depthOf));
    depth.set(s.name, v);
    return v;
  };
  const waves: SimStack[][] = [];
  for (const s of stacks) (waves[depthOf(s)] ??= []).push(s);
  let total = 0;
  for (const wave of waves) {
    const slots = new Array<number>(parallel).fill(0);
    for (const s of [...wave].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      let i = 0;
      for (let j = 1; j < slots.length; j++) if (slots[j] < slots[i]) i = j;
      slots[i] += s.duration;
    }
    total += Math.max(...slots);
  }
  return total;
}

/** One stack at a time. */
export function sequentialMakespan(stacks: readonly SimStack[]): number {
  return stacks.reduce((a, s) => a + s.duration, 0);
}
