/**
 * Exact minimum makespan for small fleets: P|prec|Cmax (N identical slots, stacks with
 * durations and `dependsOn`, no preemption). Used by the scheduler bench to tell how far
 * our list scheduler is from the true optimum, as opposed to from the lower bound
 * max(critical path, work ÷ N), which small fleets often cannot reach at all.
 *
 * Model: the bench's setting — `strategy: "parallel"`, forward. Dependencies are the
 * only constraints besides the N slots; rings are modelled as "every stack of an earlier
 * ring of the same domain first" (the scheduler's ring gate). Canary/sequential domain
 * gates are not modelled.
 *
 * Method: depth-first branch and bound over event times. Some optimal schedule starts
 * every stack at time 0 or at the finish time of another stack (shift each start left
 * until a dependency or a slot stops it), so at each event time the search branches on
 * *which subset* of the ready stacks starts now (at most the free slots; leaving a slot
 * idle on purpose is one of the branches), then jumps to the next finish. Pruning:
 * - bounds at every node: heads + tails (earliest start + longest remaining chain), the
 *   slot-availability work bound, and the subset energy bound (for every head threshold h
 *   and tail threshold q: the stacks with head ≥ h and tail-after ≥ q need their work
 *   packed into the slots from h on, then q more);
 * - dominance: a branch that leaves a slot idle while a ready stack would finish before
 *   the next event anyway is dropped (starting it too is never worse);
 * - transpositions: a state (finished set, running stacks with remaining times) already
 *   explored at an earlier or equal time is not explored again.
 * The incumbent starts at the caller's makespan (our scheduler's), so "no better found"
 * proves our schedule optimal. A node budget bounds the search; if it runs out the
 * result says `optimal: false` and reports the best schedule and the best proven bound.
 */
import type { SimStack } from "../automation/scheduler";

export interface OptimalResult {
  /** Best makespan found (equal to `upperBound` passed in when nothing better exists). */
  readonly makespan: number;
  /** True when the search finished: `makespan` is the optimum. */
  readonly optimal: boolean;
  /** Proven lower bound on the optimum (= makespan when optimal). */
  readonly lowerBound: number;
  /** Search nodes visited. */
  readonly nodes: number;
  /** Start time per stack of the best schedule found; empty if none beat `upperBound`. */
  readonly starts: ReadonlyMap<string, number>;
}

export interface OptimalOptions {
  /** (Optional) A known feasible makespan (e.g. our scheduler's); the search looks for strictly better. */
  readonly upperBound?: number;
  /** (Optional) Stop after this many search nodes. Defaults to 2,000,000. */
  readonly maxNodes?: number;
  /**
   * (Optional) Search only non-delay schedules (never leave a slot idle while a stack is
   * ready) — the schedules a list scheduler can produce with *some* priority order. The
   * result is then the best any priority rule could do, not the true optimum. Defaults to false.
   */
  readonly nonDelay?: boolean;
}

const MAX_STACKS = 30;

/** Minimum makespan of `stacks` on `parallel` slots (exact when `optimal`). */
export function optimalMakespan(stacks: readonly SimStack[], parallel: number, opts: OptimalOptions = {}): OptimalResult {
  if (!Number.isInteger(parallel) || parallel < 1) throw new Error(`parallel must be an integer ≥ 1, got ${parallel}`);
  const n = stacks.length;
  if (n > MAX_STACKS) throw new Error(`optimalMakespan: ${n} stacks is too many for an exact search (max ${MAX_STACKS})`);
  if (n === 0) return { makespan: 0, optimal: true, lowerBound: 0, nodes: 0, starts: new Map() };
  const index = new Map(stacks.map((s, i) => [s.name, i]));
  const p = stacks.map((s) => {
    if (!(s.duration > 0)) throw new Error(`stack "${s.name}": duration must be > 0`);
    return s.duration;
  });
  const preds: number[][] = stacks.map(() => []);
  const addEdge = (from: number, to: number): void => {
    if (from !== to && !preds[to].includes(from)) preds[to].push(from);
  };
  stacks.forEach((s, i) => {
    for (const d of s.dependsOn) {
      const j = index.get(d);
      if (j !== undefined) addEdge(j, i);
    }
    stacks.forEach((o, j) => {
      if (o.domain === s.domain && o.ring < s.ring) addEdge(j, i);
    });
  });
  const predMask = preds.map((ps) => ps.reduce((m, j) => m | (1 << j), 0));
  const succs: number[][] = stacks.map(() => []);
  preds.forEach((ps, i) => ps.forEach((j) => succs[j].push(i)));
  // Topological order (Kahn); a cycle is a caller bug.
  const topo: number[] = [];
  {
    const indeg = preds.map((ps) => ps.length);
    const queue = indeg.flatMap((d, i) => (d === 0 ? [i] : []));
    while (queue.length > 0) {
      const i = queue.shift()!;
      topo.push(i);
      for (const s of succs[i]) if (--indeg[s] === 0) queue.push(s);
    }
    if (topo.length !== n) throw new Error("optimalMakespan: dependency cycle");
  }
  // tail[i]: duration of i plus the longest chain after it; after[i] = tail[i] - p[i].
  const tail = new Array<number>(n).fill(0);
  for (let k = n - 1; k >= 0; k--) {
    const i = topo[k];
    let m = 0;
    for (const s of succs[i]) m = Math.max(m, tail[s]);
    tail[i] = p[i] + m;
  }
  const after = tail.map((q, i) => q - p[i]);
  const all = n === 31 ? -1 : (1 << n) - 1;
  const maxNodes = opts.maxNodes ?? 2_000_000;

  let best = opts.upperBound ?? Infinity;
  let bestStarts = new Map<string, number>();
  let nodes = 0;
  let exhausted = false;
  const startOf = new Array<number>(n).fill(-1);
  const seen = new Map<string, number>();
  const head = new Array<number>(n).fill(0);
  const slotFree = new Array<number>(parallel).fill(0);

  /** Smallest C with Σ_slots max(0, C − max(from, free_k)) ≥ work (slotFree sorted ascending). */
  const fill = (from: number, work: number): number => {
    if (work <= 0) return from;
    let k = 0;
    let sum = 0;
    // Slots open at max(from, free); add them in order of opening.
    for (;;) {
      const open = Math.max(from, slotFree[k]);
      sum += open;
      k++;
      const c = (work + sum) / k;
      const nextOpen = k < parallel ? Math.max(from, slotFree[k]) : Infinity;
      if (c <= nextOpen) return c;
    }
  };

  /** Lower bound on the makespan of any completion of this state. */
  const bound = (t: number, done: number, started: number, running: ReadonlyArray<readonly [number, number]>): number => {
    let lb = t;
    for (const [j, end] of running) lb = Math.max(lb, end + after[j]);
    let work = 0;
    for (const i of topo) {
      if ((started >> i) & 1) continue;
      let h = t;
      for (const j of preds[i]) {
        if ((done >> j) & 1) continue;
        h = Math.max(h, startOf[j] >= 0 ? startOf[j] + p[j] : head[j] + p[j]);
      }
      head[i] = h;
      work += p[i];
      lb = Math.max(lb, h + tail[i]);
    }
    for (let k = 0; k < parallel; k++) slotFree[k] = k < running.length ? running[k][1] : t;
    slotFree.sort((a, b) => a - b);
    lb = Math.max(lb, fill(t, work));
    // Subset energy bound over (head ≥ hh, after ≥ qq).
    for (let a = 0; a < n; a++) {
      if ((started >> a) & 1) continue;
      const hh = head[a];
      if (hh === t) continue; // head ≥ t holds for every unstarted stack: the loop below covers it
      for (let b = 0; b < n; b++) {
        if ((started >> b) & 1) continue;
        const qq = after[b];
        let w = 0;
        for (let i = 0; i < n; i++) if (!((started >> i) & 1) && head[i] >= hh && after[i] >= qq) w += p[i];
        if (w > 0) lb = Math.max(lb, fill(hh, w) + qq);
      }
    }
    for (let b = 0; b < n; b++) {
      if ((started >> b) & 1) continue;
      const qq = after[b];
      if (qq === 0) continue;
      let w = 0;
      for (let i = 0; i < n; i++) if (!((started >> i) & 1) && after[i] >= qq) w += p[i];
      lb = Math.max(lb, fill(t, w) + qq);
    }
    return lb;
  };

  let rootBound = 0;

  const search = (t: number, done: number, started: number, running: Array<[number, number]>): void => {
    if (exhausted) return;
    if (++nodes > maxNodes) {
      exhausted = true;
      return;
    }
    if (done === all) {
      if (t < best) {
        best = t;
        bestStarts = new Map(stacks.map((s, i) => [s.name, startOf[i]]));
      }
      return;
    }
    const lb = bound(t, done, started, running);
    if (nodes === 1) rootBound = lb;
    if (lb >= best) return;
    const key = `${done}|${started}|${running.map(([j, end]) => `${j}:${end - t}`).join(",")}`;
    const prev = seen.get(key);
    if (prev !== undefined && prev <= t) return;
    seen.set(key, t);

    const ready: number[] = [];
    for (let i = 0; i < n; i++) if (!((started >> i) & 1) && (predMask[i] & done) === predMask[i]) ready.push(i);
    ready.sort((a, b) => tail[b] - tail[a] || p[b] - p[a] || a - b);
    const free = parallel - running.length;
    const maxK = Math.min(free, ready.length);
    const minK = opts.nonDelay === true ? maxK : running.length === 0 ? 1 : 0;
    // Subsets of `ready`, largest first, each in priority order (so the first leaf is the list schedule).
    const chosen: number[] = [];
    const tryChosen = (): void => {
      let next = Infinity;
      for (const [, end] of running) next = Math.min(next, end);
      for (const j of chosen) next = Math.min(next, t + p[j]);
      // Dominance: a slot left idle while a ready stack would finish by the next event anyway.
      if (chosen.length < free) {
        for (const j of ready) if (!chosen.includes(j) && t + p[j] <= next) return;
      }
      let nextStarted = started;
      const nextRunning: Array<[number, number]> = [];
      let nextDone = done;
      for (const j of chosen) {
        nextStarted |= 1 << j;
        startOf[j] = t;
      }
      for (const r of running) {
        if (r[1] === next) nextDone |= 1 << r[0];
        else nextRunning.push(r);
      }
      for (const j of chosen) {
        if (t + p[j] === next) nextDone |= 1 << j;
        else nextRunning.push([j, t + p[j]]);
      }
      nextRunning.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
      search(next, nextDone, nextStarted, nextRunning);
      for (const j of chosen) startOf[j] = -1;
    };
    const pick = (from: number, k: number): void => {
      if (exhausted) return;
      if (k === 0) {
        tryChosen();
        return;
      }
      for (let i = from; i <= ready.length - k; i++) {
        chosen.push(ready[i]);
        pick(i + 1, k - 1);
        chosen.pop();
        if (exhausted) return;
      }
    };
    for (let k = maxK; k >= minK; k--) pick(0, k);
  };

  search(0, 0, 0, []);
  const optimal = !exhausted;
  return {
    makespan: best,
    optimal,
    lowerBound: optimal ? best : Math.min(best, rootBound),
    nodes: Math.min(nodes, maxNodes),
    starts: bestStarts,
  };
}
