/**
 * Scheduler bench: random DAG fleets (10–200 stacks, two domains, random durations) run
 * on a simulated clock — no sleeping — by our scheduler, by a naive wave-by-wave runner
 * and by a sequential runner. Reports makespan ÷ lower bound, where the lower bound is
 * max(critical path, total work ÷ N), and the scheduler's own cost per stack. The small
 * fleets are also solved exactly (bench/optimal.ts) to split the gap into ours ÷ OPT (the
 * scheduler's share) and OPT ÷ lower bound (the bound's).
 *
 *   npx tsx bench/scheduler.ts [--json]
 */
import { performance } from "node:perf_hooks";
import { lowerBound, sequentialMakespan, simulate, waveMakespan, type SimStack } from "../automation/scheduler";
import { optimalMakespan } from "./optimal";

export interface SchedulerBench {
  /** Worst makespan ÷ lower bound of our scheduler over the simulated fleets. */
  ratio: number;
  /** Worst ratio of the naive wave-by-wave runner. */
  waveRatio: number;
  /** Worst ratio of one-at-a-time. */
  sequentialRatio: number;
  /** Wall-clock scheduling cost per stack (take/finish/isDone and the simulation loop), ms. */
  overheadMsPerStack: number;
  /**
   * Worst makespan ÷ exact optimum (bench/optimal.ts) over the small fleets (10 and 22
   * stacks) whose optimum the search proved within its node budget.
   */
  optimalRatio: number;
  /** How many small fleets were proved optimal, of how many tried. */
  optimalSolved: number;
  optimalTried: number;
}

/** Fleets up to this size are also solved exactly (within OPTIMAL_NODES search nodes each). */
const OPTIMAL_MAX_STACKS = 22;
const OPTIMAL_NODES = 200_000;

/** Deterministic PRNG (mulberry32), so every run measures the same fleets. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A fleet shaped like ours, scaled up: per domain, stacks depend on up to 3 earlier
 * stacks of the same domain (biased to recent ones, so chains form); durations from
 * 30 s to 15 min, long-tailed like real cloud resources (clusters slow, PKI fast).
 */
export function randomFleet(n: number, seed: number): SimStack[] {
  const rnd = prng(seed);
  const out: SimStack[] = [];
  for (let i = 0; i < n; i++) {
    const domain = rnd() < 0.5 ? "eu" : "us";
    const earlier = out.filter((s) => s.domain === domain);
    const deps = new Set<string>();
    const k = earlier.length === 0 ? 0 : Math.floor(rnd() * 4);
    for (let j = 0; j < k; j++) {
      const pick = earlier.length - 1 - Math.floor(rnd() ** 2 * earlier.length);
      deps.add(earlier[pick].name);
    }
    const duration = Math.round(30 + 870 * rnd() ** 3);
    out.push({ name: `s${i}`, domain, ring: 0, dependsOn: [...deps], duration });
  }
  return out;
}

/** Worst ratio of our scheduler per fleet size (the small fleets are where the lower bound is loosest). */
export const worstBySize = new Map<number, number>();
/** Per small fleet size: worst ours ÷ OPT, worst OPT ÷ lower bound, solved/tried. */
export const optimalBySize = new Map<number, { oursOverOpt: number; optOverLb: number; solved: number; tried: number }>();

export async function benchScheduler(opts: { fleets?: number; parallel?: number } = {}): Promise<SchedulerBench> {
  const parallel = opts.parallel ?? 4;
  const sizes = [10, 22, 50, 100, 150, 200];
  const perSize = Math.max(1, Math.round((opts.fleets ?? 120) / sizes.length));
  let ratio = 0;
  let waveRatio = 0;
  let sequentialRatio = 0;
  let ms = 0;
  let stacks = 0;
  for (const n of sizes) {
    for (let k = 0; k < perSize; k++) {
      const fleet = randomFleet(n, n * 1000 + k);
      const lb = lowerBound(fleet, parallel);
      const t0 = performance.now();
      const trace = simulate(fleet, {
        direction: "forward",
        strategy: "parallel",
        parallel,
        domainOrder: ["eu", "us"],
        estimates: new Map(fleet.map((s) => [s.name, s.duration])),
      });
      ms += performance.now() - t0;
      stacks += n;
      ratio = Math.max(ratio, trace.makespan / lb);
      worstBySize.set(n, Math.max(worstBySize.get(n) ?? 0, trace.makespan / lb));
      if (n <= OPTIMAL_MAX_STACKS) {
        const o = optimalBySize.get(n) ?? { oursOverOpt: 0, optOverLb: 0, solved: 0, tried: 0 };
        const opt = optimalMakespan(fleet, parallel, { upperBound: trace.makespan, maxNodes: OPTIMAL_NODES });
        o.tried++;
        if (opt.optimal) {
          o.solved++;
          o.oursOverOpt = Math.max(o.oursOverOpt, trace.makespan / opt.makespan);
          o.optOverLb = Math.max(o.optOverLb, opt.makespan / lb);
        }
        optimalBySize.set(n, o);
      }
      waveRatio = Math.max(waveRatio, waveMakespan(fleet, parallel) / lb);
      sequentialRatio = Math.max(sequentialRatio, sequentialMakespan(fleet) / lb);
    }
  }
  const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;
  const small = [...optimalBySize.values()];
  return {
    ratio: round(ratio),
    waveRatio: round(waveRatio),
    sequentialRatio: round(sequentialRatio),
    overheadMsPerStack: round(ms / stacks, 4),
    optimalRatio: round(Math.max(0, ...small.map((o) => o.oursOverOpt))),
    optimalSolved: small.reduce((a, o) => a + o.solved, 0),
    optimalTried: small.reduce((a, o) => a + o.tried, 0),
  };
}

if (require.main === module) {
  void benchScheduler().then((r) => {
    if (process.argv.includes("--json")) {
      console.log(JSON.stringify({ scheduler: r }));
      return;
    }
    console.log("scheduler: makespan ÷ lower bound (worst over 120 random fleets of 10–200 stacks, N=4)");
    console.log(`  as-soon-as-ready (ours)  ${r.ratio.toFixed(3)}   goal ≤ 1.05`);
    console.log(`  wave by wave (naive)     ${r.waveRatio.toFixed(3)}`);
    console.log(`  sequential               ${r.sequentialRatio.toFixed(3)}`);
    console.log(`  ours, worst by fleet size: ${[...worstBySize].map(([n, x]) => `${n}: ${x.toFixed(3)}`).join(", ")}`);
    console.log(`  scheduling overhead      ${r.overheadMsPerStack.toFixed(4)} ms/stack   goal < 1 ms`);
    console.log(`  ours ÷ exact optimum (small fleets proved optimal: ${r.optimalSolved}/${r.optimalTried})  worst ${r.optimalRatio.toFixed(3)}`);
    for (const [n, o] of optimalBySize) {
      console.log(`    ${n} stacks: ours ÷ OPT ${o.oursOverOpt.toFixed(3)}, OPT ÷ lower bound ${o.optOverLb.toFixed(3)} (${o.solved}/${o.tried} solved)`);
    }
  });
}
