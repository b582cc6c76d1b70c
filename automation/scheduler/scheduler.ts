/**
 * The rollout scheduler: a pure state machine over the fleet graph. It knows stack
 * names, domains, rings and `dependsOn` — nothing of Pulumi, clouds or time.
 *
 * The caller drives it: `take()` returns the stacks to start now, `finish()` reports an
 * outcome, `interrupt()` stops all further starts. A stack starts as soon as everything
 * it waits for has succeeded (no rigid waves), at most `parallel` at once, the ready
 * stack with the longest remaining critical path first — or, for fleets of up to 60
 * stacks with duration estimates, in the start order a pilot search on the estimates
 * found better (see `choosePriorities`).
 *
 * What a stack waits for:
 * - its dependencies (`direction: "forward"`: preview, up, refresh) or its dependents
 *   (`"reverse"`: destroy);
 * - every earlier ring of its domain (ascending rings forward, descending in reverse);
 * - with `strategy: "canary"`, every earlier domain fully succeeded; with
 *   `"sequential"`, every earlier domain settled (succeeded, or halted and drained);
 *   with `"parallel"`, nothing across domains.
 *
 * - with `gates: true`, the gate of its boundary passed (`takeGates`/`resolveGate`): one
 *   before each ring after a domain's first, and (canary) one before each domain after the
 *   first. The caller runs the gate (soak, health checks, approval); a failed gate halts the
 *   domain behind it, whose stacks end `not-started`.
 *
 * The first failure (or cancellation) in a domain halts that domain: nothing in it
 * starts again. Stacks left behind end `skipped` when something they wait for failed,
 * was cancelled or skipped, and `not-started` otherwise.
 */

export type Direction = "forward" | "reverse";
export type Strategy = "canary" | "parallel" | "sequential";
export const STRATEGIES: readonly Strategy[] = ["canary", "parallel", "sequential"];

/** What the scheduler needs to know about a stack. */
export interface ScheduleNode {
  readonly name: string;
  readonly domain: string;
  /** Rollout ring inside the domain (`meridian:ring`); 0 first. */
  readonly ring: number;
  /** Stacks this one depends on; names outside the scheduled set are ignored (already in place). */
  readonly dependsOn: readonly string[];
}

export interface SchedulerOptions {
  /** `forward` for preview/up/refresh (dependencies first), `reverse` for destroy. */
  readonly direction: Direction;
  readonly strategy: Strategy;
  /** (Required) Most stacks running at once; an integer ≥ 1. */
  readonly parallel: number;
  /** Domain order; the first is the canary. Domains not listed follow, sorted by name. */
  readonly domainOrder: readonly string[];
  /** (Optional) On a failure, also cancel the running stacks of that domain. Defaults to false. */
  readonly failFast?: boolean;
  /** (Optional) Stacks that already succeeded (a resumed run): never started again. */
  readonly succeeded?: Iterable<string>;
  /** (Optional) Expected duration per stack (any unit) for the critical-path priority. Defaults to 1 each. */
  readonly estimates?: ReadonlyMap<string, number>;
  /**
   * (Optional) With `estimates` and at most 60 stacks, search the start order on the
   * estimates (pilot search, see `choosePriorities`) instead of using the bottom level
   * alone. Defaults to true.
   */
  readonly pilot?: boolean;
  /**
   * (Optional) Hold every ring boundary (and, under `canary`, every domain boundary) until
   * the caller resolves its gate. Defaults to false.
   */
  readonly gates?: boolean;
}

/** A boundary the rollout waits at: before `ring` of `domain`, or before `domain` itself. */
export interface GateBoundary {
  /** `<domain>/ring-<n>` or `<domain>/entry`. */
  readonly id: string;
  readonly kind: "ring" | "domain";
  /** The domain that waits behind the gate. */
  readonly domain: string;
  /** For a ring gate: the ring that waits. */
  readonly ring?: number;
  /** The domain whose health the gate checks: the same domain for a ring, the one before for a domain. */
  readonly checks: string;
}

type GateState = "reached" | "checking" | "passed" | "failed";

/** Fleets up to this many stacks get the pilot search over start orders (see `choosePriorities`). */
const PILOT_MAX_STACKS = 60;
/** Ready stacks tried per decision by the pilot search. */
const PILOT_WIDTH = 4;

export type Outcome = "succeeded" | "failed" | "cancelled";
export type FinalStatus = "succeeded" | "failed" | "skipped" | "cancelled" | "not-started";
export type LiveStatus = "pending" | "running" | Outcome;

/** A graph the scheduler refuses (a caller bug or a config error; the CLI exits 2). */
export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScheduleError";
  }
}

interface Node {
  readonly name: string;
  readonly domainIdx: number;
  readonly ringIdx: number;
  /** Stacks that must succeed before this one starts (direction applied). */
  readonly waitsFor: string[];
  /** Stacks that wait for this one. */
  readonly releases: string[];
  status: LiveStatus;
  /** How many of `waitsFor` have not succeeded yet. */
  blocking: number;
  /** Longest path (by estimate) from this stack to the end of the graph, itself included. */
  priority: number;
}

interface DomainState {
  readonly name: string;
  /** Per ring index: stacks not yet succeeded. */
  readonly unsucceeded: number[];
  running: number;
  halted: boolean;
}

export class Scheduler {
  private readonly nodes = new Map<string, Node>();
  private readonly domains: DomainState[] = [];
  /** Stacks whose `blocking` is 0 and that are still pending (gates not checked). */
  private readonly unblocked = new Set<string>();
  private readonly runningSet = new Set<string>();
  private interrupted = false;
  private readonly gateStates = new Map<string, { boundary: GateBoundary; state: GateState }>();
  /** Per domain index, its rings (values) in the order they open. */
  private readonly ringValues: number[][] = [];

  constructor(
    nodes: readonly ScheduleNode[],
    private readonly opts: SchedulerOptions,
    /** Internal: a fixed priority per stack (the portfolio's trial runs). */
    internal?: { readonly priorities: ReadonlyMap<string, number> },
  ) {
    if (!Number.isInteger(opts.parallel) || opts.parallel < 1) {
      throw new ScheduleError(`parallel must be an integer ≥ 1, got ${opts.parallel}`);
    }
    const byName = new Map<string, ScheduleNode>();
    for (const n of nodes) {
      if (byName.has(n.name)) throw new ScheduleError(`stack "${n.name}" is scheduled twice`);
      byName.set(n.name, n);
    }
    const present = [...new Set(nodes.map((n) => n.domain))];
    const order = [
      ...opts.domainOrder.filter((d, i) => present.includes(d) && opts.domainOrder.indexOf(d) === i),
      ...present.filter((d) => !opts.domainOrder.includes(d)).sort(),
    ];
    const reverse = opts.direction === "reverse";
    // Rings per domain, in the order they open.
    const ringsOf = new Map<string, number[]>();
    for (const d of order) {
      const rings = [...new Set(nodes.filter((n) => n.domain === d).map((n) => n.ring))].sort((a, b) => a - b);
      ringsOf.set(d, reverse ? rings.reverse() : rings);
      this.ringValues.push(ringsOf.get(d)!);
      this.domains.push({ name: d, unsucceeded: rings.map(() => 0), running: 0, halted: false });
    }
    for (const n of nodes) {
      for (const dep of n.dependsOn) {
        const target = byName.get(dep);
        if (target === undefined) continue;
        if (dep === n.name) throw new ScheduleError(`stack "${n.name}" depends on itself`);
        if (target.domain !== n.domain) {
          throw new ScheduleError(`stack "${n.name}" (${n.domain}) depends on "${dep}" (${target.domain}): references never cross domains`);
        }
        if (target.ring > n.ring) {
          throw new ScheduleError(
            `stack "${n.name}" (ring ${n.ring}) depends on "${dep}" (ring ${target.ring}): a stack's ring must be ≥ the rings of its dependencies`,
          );
        }
      }
    }
    for (const n of nodes) {
      const domainIdx = order.indexOf(n.domain);
      this.nodes.set(n.name, {
        name: n.name,
        domainIdx,
        ringIdx: ringsOf.get(n.domain)!.indexOf(n.ring),
        waitsFor: [],
        releases: [],
        status: "pending",
        blocking: 0,
        priority: 0,
      });
    }
    for (const n of nodes) {
      for (const dep of new Set(n.dependsOn)) {
        if (!byName.has(dep)) continue;
        const [waiter, waited] = reverse ? [dep, n.name] : [n.name, dep];
        this.nodes.get(waiter)!.waitsFor.push(waited);
        this.nodes.get(waited)!.releases.push(waiter);
      }
    }
    this.computePriorities();
    if (internal?.priorities !== undefined) {
      for (const [name, p] of internal.priorities) this.nodes.get(name)!.priority = p;
    } else if (opts.estimates !== undefined && opts.pilot !== false && nodes.length <= PILOT_MAX_STACKS) {
      this.choosePriorities(nodes);
    }
    for (const node of this.nodes.values()) {
      this.domains[node.domainIdx].unsucceeded[node.ringIdx]++;
      node.blocking = node.waitsFor.length;
    }
    for (const name of opts.succeeded ?? []) {
      const node = this.nodes.get(name);
      if (node !== undefined && node.status === "pending") this.markSucceeded(node);
    }
    for (const node of this.nodes.values()) {
      if (node.status === "pending" && node.blocking === 0) this.unblocked.add(node.name);
    }
  }

  /** Stack names in the schedule. */
  get names(): string[] {
    return [...this.nodes.keys()];
  }

  /** Stacks running now. */
  get running(): string[] {
    return [...this.runningSet];
  }

  status(name: string): LiveStatus {
    const node = this.nodes.get(name);
    if (node === undefined) throw new ScheduleError(`"${name}" is not scheduled`);
    return node.status;
  }

  /** The stacks to start now (marked running), best first; empty when none may start. */
  take(): string[] {
    if (this.interrupted) return [];
    const free = this.opts.parallel - this.runningSet.size;
    if (free <= 0 || this.unblocked.size === 0) return [];
    const started = this.readyNow().slice(0, free);
    for (const node of started) {
      node.status = "running";
      this.unblocked.delete(node.name);
      this.runningSet.add(node.name);
      this.domains[node.domainIdx].running++;
    }
    return started.map((n) => n.name);
  }

  /** Stacks whose waits and gates are all clear, best first (not started). */
  private readyNow(): Node[] {
    const ready: Node[] = [];
    if (this.interrupted) return ready;
    for (const name of this.unblocked) {
      const node = this.nodes.get(name)!;
      if (this.gateOpen(node)) ready.push(node);
    }
    ready.sort((a, b) => b.priority - a.priority || a.domainIdx - b.domainIdx || (a.name < b.name ? -1 : 1));
    return ready;
  }

  /**
   * Record a running stack's outcome. Returns the running stacks the caller should cancel
   * (fail-fast: the rest of a failed domain); empty otherwise.
   */
  finish(name: string, outcome: Outcome): string[] {
    const node = this.nodes.get(name);
    if (node === undefined || node.status !== "running") {
      throw new ScheduleError(`"${name}" is not running (status ${node?.status ?? "unknown"})`);
    }
    this.runningSet.delete(name);
    const domain = this.domains[node.domainIdx];
    domain.running--;
    if (outcome === "succeeded") {
      this.markSucceeded(node);
      return [];
    }
    node.status = outcome;
    domain.halted = true;
    if (!this.opts.failFast) return [];
    return [...this.runningSet].filter((n) => this.nodes.get(n)!.domainIdx === node.domainIdx);
  }

  /** Stop every further start (SIGINT); running stacks still report through `finish`. */
  interrupt(): void {
    this.interrupted = true;
  }

  /** True when nothing runs and nothing may start: the run is over. */
  isDone(): boolean {
    if (this.runningSet.size > 0) return false;
    if (this.interrupted) return true;
    for (const g of this.gateStates.values()) if (g.state === "checking") return false;
    for (const name of this.unblocked) if (this.gateOpen(this.nodes.get(name)!)) return false;
    return true;
  }

  /** Final status per stack; pending stacks become `skipped` or `not-started`. */
  result(): Map<string, FinalStatus> {
    const out = new Map<string, FinalStatus>();
    const visit = (node: Node): FinalStatus => {
      const known = out.get(node.name);
      if (known !== undefined) return known;
      let s: FinalStatus;
      if (node.status === "pending" || node.status === "running") {
        const blocked = node.waitsFor.some((w) => {
          const ws = visit(this.nodes.get(w)!);
          return ws === "failed" || ws === "cancelled" || ws === "skipped";
        });
        s = blocked ? "skipped" : "not-started";
      } else {
        s = node.status;
      }
      out.set(node.name, s);
      return s;
    };
    for (const node of this.nodes.values()) visit(node);
    return out;
  }

  /** Gates reached since the last call (everything before them succeeded); marked `checking`. */
  takeGates(): GateBoundary[] {
    if (this.interrupted) return [];
    for (const name of this.unblocked) this.gateOpen(this.nodes.get(name)!); // marks reached gates
    const due: GateBoundary[] = [];
    for (const g of this.gateStates.values()) {
      if (g.state !== "reached") continue;
      g.state = "checking";
      due.push(g.boundary);
    }
    return due;
  }

  /** The outcome of a gate handed out by `takeGates`: passed opens it, failed halts the domain behind it. */
  resolveGate(id: string, passed: boolean): void {
    const g = this.gateStates.get(id);
    if (g === undefined || g.state !== "checking") throw new ScheduleError(`gate "${id}" is not being checked`);
    g.state = passed ? "passed" : "failed";
    if (!passed) this.domains.find((d) => d.name === g.boundary.domain)!.halted = true;
  }

  /** Is the gate open; a gate met for the first time is recorded as reached. */
  private gatePassed(boundary: GateBoundary): boolean {
    const known = this.gateStates.get(boundary.id);
    if (known === undefined) this.gateStates.set(boundary.id, { boundary, state: "reached" });
    return known?.state === "passed";
  }

  private markSucceeded(node: Node): void {
    node.status = "succeeded";
    this.unblocked.delete(node.name);
    this.domains[node.domainIdx].unsucceeded[node.ringIdx]--;
    for (const r of node.releases) {
      const waiter = this.nodes.get(r)!;
      waiter.blocking--;
      if (waiter.blocking === 0 && waiter.status === "pending") this.unblocked.add(r);
    }
  }

  private gateOpen(node: Node): boolean {
    const domain = this.domains[node.domainIdx];
    if (domain.halted) return false;
    if (this.opts.strategy !== "parallel") {
      for (let d = 0; d < node.domainIdx; d++) {
        const earlier = this.domains[d];
        const succeeded = earlier.unsucceeded.every((c) => c === 0);
        if (this.opts.strategy === "canary" && !succeeded) return false;
        if (this.opts.strategy === "sequential" && !succeeded && !(earlier.halted && earlier.running === 0)) return false;
      }
      if (this.opts.gates === true && this.opts.strategy === "canary" && node.domainIdx > 0) {
        const before = this.domains[node.domainIdx - 1].name;
        if (!this.gatePassed({ id: `${domain.name}/entry`, kind: "domain", domain: domain.name, checks: before })) return false;
      }
    }
    for (let r = 0; r < node.ringIdx; r++) if (domain.unsucceeded[r] > 0) return false;
    if (this.opts.gates === true && node.ringIdx > 0) {
      for (let r = 1; r <= node.ringIdx; r++) {
        const ring = this.ringValues[node.domainIdx][r];
        if (!this.gatePassed({ id: `${domain.name}/ring-${ring}`, kind: "ring", domain: domain.name, ring, checks: domain.name })) return false;
      }
    }
    return true;
  }

  /**
   * Small fleets: list scheduling by bottom level alone is sometimes measurably worse
   * than the optimum (bench/optimal.ts finds the cases). A pilot (rollout) search fixes
   * the start order one stack at a time: at each point where more stacks are ready than
   * slots are free, it tries the best few ready stacks first, completes each trial
   * schedule by bottom level on the estimates (a dry run: same gates, nothing fails),
   * and keeps the stack whose trial finishes soonest (bottom level wins ties). The
   * resulting start order becomes the priority. Pure: only the estimates the bottom
   * level already relies on; with exact estimates the run reproduces the pilot's
   * schedule, which is never longer than the bottom-level one.
   */
  private choosePriorities(nodes: readonly ScheduleNode[]): void {
    const base = new Map([...this.nodes.values()].map((n) => [n.name, n.priority]));
    // Forced stacks rank above every bottom level, in their forced order.
    let top = 1;
    for (const v of base.values()) top += v;
    const prioritiesFor = (forced: readonly string[]): Map<string, number> => {
      const m = new Map(base);
      forced.forEach((name, i) => m.set(name, top + forced.length - i));
      return m;
    };
    const forced: string[] = [];
    let current = this.dryRun(nodes, prioritiesFor(forced));
    while (forced.length < current.starts.length) {
      const i = forced.length;
      const { name, alternatives } = current.starts[i];
      let pick = name;
      let pickRun = current;
      for (const alt of alternatives.slice(0, PILOT_WIDTH)) {
        if (alt === name) continue;
        const trial = this.dryRun(nodes, prioritiesFor([...forced, alt]));
        if (trial.makespan < pickRun.makespan) {
          pick = alt;
          pickRun = trial;
        }
      }
      forced.push(pick);
      current = pickRun;
    }
    for (const [name, p] of prioritiesFor(forced)) this.nodes.get(name)!.priority = p;
  }

  /**
   * Dry run on the estimates with the given priorities (nothing fails): the makespan and,
   * per start in order, the other ready stacks that could have taken that slot instead
   * (best first, itself included; empty when every ready stack started at once).
   */
  private dryRun(
    nodes: readonly ScheduleNode[],
    priorities: ReadonlyMap<string, number>,
  ): { makespan: number; starts: Array<{ name: string; alternatives: string[] }> } {
    const est = (name: string): number => this.opts.estimates?.get(name) ?? 1;
    const s = new Scheduler(nodes, { ...this.opts, gates: false }, { priorities }); // gates take no estimated time
    const running = new Map<string, number>();
    const starts: Array<{ name: string; alternatives: string[] }> = [];
    let t = 0;
    for (;;) {
      const ready = s.readyNow().map((n) => n.name);
      const taken = s.take();
      taken.forEach((name, j) => {
        running.set(name, t + est(name));
        starts.push({ name, alternatives: ready.length > taken.length ? ready.slice(j) : [] });
      });
      if (running.size === 0) return { makespan: t, starts };
      t = Infinity;
      for (const end of running.values()) t = Math.min(t, end);
      for (const [name, end] of [...running]) {
        if (end === t) {
          running.delete(name);
          s.finish(name, "succeeded");
        }
      }
    }
  }

  /** Bottom level: estimate plus the longest chain of stacks waiting on this one. */
  private computePriorities(): void {
    const est = (name: string): number => this.opts.estimates?.get(name) ?? 1;
    const done = new Set<string>();
    const onPath = new Set<string>();
    const visit = (start: Node): void => {
      // Iterative post-order so deep chains never overflow the stack.
      const stack: Array<{ node: Node; i: number }> = [{ node: start, i: 0 }];
      onPath.add(start.name);
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        if (top.i < top.node.releases.length) {
          const next = this.nodes.get(top.node.releases[top.i++])!;
          if (onPath.has(next.name)) throw new ScheduleError(`dependency cycle through "${next.name}"`);
          if (!done.has(next.name)) {
            onPath.add(next.name);
            stack.push({ node: next, i: 0 });
          }
        } else {
          let longest = 0;
          for (const r of top.node.releases) longest = Math.max(longest, this.nodes.get(r)!.priority);
          top.node.priority = est(top.node.name) + longest;
          done.add(top.node.name);
          onPath.delete(top.node.name);
          stack.pop();
        }
      }
    };
    for (const node of this.nodes.values()) if (!done.has(node.name)) visit(node);
  }
}
