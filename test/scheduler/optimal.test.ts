/**
 * The exact solver of bench/optimal.ts, checked against two independent brute forces on
 * tiny instances, against the lower bound, and against its own schedule's feasibility.
 */
import fc from "fast-check";
import { optimalMakespan } from "../../bench/optimal";
import { lowerBound, simulate, type SimStack } from "../../automation/scheduler";

/** A tiny DAG: each stack depends on a random subset of earlier ones (one domain, ring 0). */
function tinyArb(maxStacks: number, maxDuration: number): fc.Arbitrary<SimStack[]> {
  return fc
    .array(fc.record({ deps: fc.array(fc.nat({ max: 100 }), { maxLength: 2 }), duration: fc.integer({ min: 1, max: maxDuration }) }), {
      minLength: 1,
      maxLength: maxStacks,
    })
    .map((raw) =>
      raw.map((r, i) => ({
        name: `s${i}`,
        domain: "eu",
        ring: 0,
        dependsOn: i === 0 ? [] : [...new Set(r.deps.map((d) => `s${d % i}`))],
        duration: r.duration,
      })),
    );
}

/**
 * Brute force 1: every precedence-feasible order, each stack placed at its earliest start
 * where a slot is free for its whole duration (serial schedule generation). The best over
 * all orders is optimal: some order generates every active schedule.
 */
function bruteForceOrders(stacks: readonly SimStack[], parallel: number): number {
  const n = stacks.length;
  const idx = new Map(stacks.map((s, i) => [s.name, i]));
  const preds = stacks.map((s) => s.dependsOn.map((d) => idx.get(d)!));
  const start = new Array<number>(n).fill(-1);
  let best = Infinity;
  const busyAt = (t: number, placed: number[]): number => placed.filter((j) => start[j] <= t && t < start[j] + stacks[j].duration).length;
  const fits = (t: number, d: number, placed: number[]): boolean => {
    const points = [t, ...placed.map((j) => start[j]).filter((x) => x > t && x < t + d)];
    return points.every((x) => busyAt(x, placed) < parallel);
  };
  const rec = (placed: number[]): void => {
    if (placed.length === n) {
      best = Math.min(best, Math.max(...placed.map((j) => start[j] + stacks[j].duration)));
      return;
    }
    for (let i = 0; i < n; i++) {
      if (start[i] >= 0 || !preds[i].every((j) => start[j] >= 0)) continue;
      const est = Math.max(0, ...preds[i].map((j) => start[j] + stacks[j].duration));
      const candidates = [est, ...placed.map((j) => start[j] + stacks[j].duration).filter((x) => x > est)].sort((a, b) => a - b);
      start[i] = candidates.find((t) => fits(t, stacks[i].duration, placed))!;
      rec([...placed, i]);
      start[i] = -1;
    }
  };
  rec([]);
  return best;
}

/** Brute force 2: every integer start-time vector on a horizon, checked directly. */
function bruteForceGrid(stacks: readonly SimStack[], parallel: number): number {
  const n = stacks.length;
  const horizon = stacks.reduce((a, s) => a + s.duration, 0);
  const idx = new Map(stacks.map((s, i) => [s.name, i]));
  const start = new Array<number>(n).fill(0);
  let best = Infinity;
  const rec = (i: number): void => {
    if (i === n) {
      const end = Math.max(...stacks.map((s, j) => start[j] + s.duration));
      if (end >= best) return;
      for (let t = 0; t < end; t++) {
        if (stacks.filter((s, j) => start[j] <= t && t < start[j] + s.duration).length > parallel) return;
      }
      best = end;
      return;
    }
    for (let t = 0; t + stacks[i].duration <= horizon; t++) {
      if (!stacks[i].dependsOn.every((d) => start[idx.get(d)!] + stacks[idx.get(d)!].duration <= t)) continue;
      start[i] = t;
      rec(i + 1);
    }
  };
  rec(0);
  return best;
}

function checkFeasible(stacks: readonly SimStack[], parallel: number, starts: ReadonlyMap<string, number>, makespan: number): void {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  for (const s of stacks) {
    const t = starts.get(s.name)!;
    expect(t).toBeGreaterThanOrEqual(0);
    expect(t + s.duration).toBeLessThanOrEqual(makespan);
    for (const d of s.dependsOn) expect(starts.get(d)! + byName.get(d)!.duration).toBeLessThanOrEqual(t);
  }
  for (const t of new Set(starts.values())) {
    expect(stacks.filter((s) => starts.get(s.name)! <= t && t < starts.get(s.name)! + s.duration).length).toBeLessThanOrEqual(parallel);
  }
}

describe("optimalMakespan (exact P|prec|Cmax for small fleets)", () => {
  it("matches brute force over all orders on tiny instances", () => {
    fc.assert(
      fc.property(tinyArb(7, 30), fc.integer({ min: 1, max: 3 }), (stacks, parallel) => {
        const best = bruteForceOrders(stacks, parallel);
        const r = optimalMakespan(stacks, parallel);
        expect(r.optimal).toBe(true);
        expect(r.makespan).toBe(best);
        checkFeasible(stacks, parallel, r.starts, r.makespan);
        // Seeded with a slightly worse incumbent it must still find the optimum (an
        // over-tight bound would prune it and wrongly confirm the incumbent).
        expect(optimalMakespan(stacks, parallel, { upperBound: best + 1 }).makespan).toBe(best);
      }),
      { numRuns: 200 },
    );
  });

  it("matches brute force over every integer start time on very small instances", () => {
    fc.assert(
      fc.property(tinyArb(4, 3), fc.integer({ min: 1, max: 2 }), (stacks, parallel) => {
        expect(optimalMakespan(stacks, parallel).makespan).toBe(bruteForceGrid(stacks, parallel));
      }),
      { numRuns: 60 },
    );
  });

  it("solves a hand-checked instance where the list order matters", () => {
    // 2 slots. a (1) releases c (4); b (2) and d (3) are free. Work 10 on 2 slots: ≥ 5,
    // reached by a then c on one slot, d then b on the other.
    const stacks: SimStack[] = [
      { name: "a", domain: "eu", ring: 0, dependsOn: [], duration: 1 },
      { name: "b", domain: "eu", ring: 0, dependsOn: [], duration: 2 },
      { name: "c", domain: "eu", ring: 0, dependsOn: ["a"], duration: 4 },
      { name: "d", domain: "eu", ring: 0, dependsOn: [], duration: 3 },
    ];
    const r = optimalMakespan(stacks, 2);
    expect(r).toMatchObject({ makespan: 5, optimal: true });
    checkFeasible(stacks, 2, r.starts, 5);
  });

  it("is never below the lower bound and never above our scheduler (random fleets up to 12 stacks, N = 1–4)", () => {
    fc.assert(
      fc.property(tinyArb(12, 30), fc.integer({ min: 1, max: 4 }), (stacks, parallel) => {
        const ours = simulate(stacks, {
          direction: "forward",
          strategy: "parallel",
          parallel,
          domainOrder: ["eu"],
          estimates: new Map(stacks.map((s) => [s.name, s.duration])),
        }).makespan;
        const r = optimalMakespan(stacks, parallel, { upperBound: ours });
        expect(r.optimal).toBe(true);
        expect(r.makespan).toBeGreaterThanOrEqual(Math.ceil(lowerBound(stacks, parallel) - 1e-9));
        expect(r.makespan).toBeLessThanOrEqual(ours);
        if (r.makespan < ours) checkFeasible(stacks, parallel, r.starts, r.makespan);
      }),
      { numRuns: 60 },
    );
  });

  it("models rings as 'earlier rings of the domain first'", () => {
    const stacks: SimStack[] = [
      { name: "r0", domain: "eu", ring: 0, dependsOn: [], duration: 5 },
      { name: "r1", domain: "eu", ring: 1, dependsOn: [], duration: 5 },
      { name: "us", domain: "us", ring: 1, dependsOn: [], duration: 5 },
    ];
    expect(optimalMakespan(stacks, 4).makespan).toBe(10);
  });

  it("reports optimal: false when the node budget runs out, with a bound below the best found", () => {
    const stacks: SimStack[] = Array.from({ length: 9 }, (_, i) => ({ name: `s${i}`, domain: "eu", ring: 0, dependsOn: [], duration: 10 + ((i * 7) % 5) }));
    const r = optimalMakespan(stacks, 4, { maxNodes: 3, upperBound: 40 });
    expect(r.optimal).toBe(false);
    expect(r.makespan).toBeLessThanOrEqual(40);
    expect(r.lowerBound).toBeLessThanOrEqual(r.makespan);
  });
});
