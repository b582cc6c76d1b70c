/**
 * The real-engine figure: wall time of the orchestrated local fleet `up` ÷ the critical-path
 * sum of the same stacks' solo `up` times, all measured in one call (goal ≤ 1.10).
 *
 * The fleet is the e2e fixture (test/e2e/fleets/local: eu-pki → eu-local, us-pki → us-local,
 * one local control plane per domain), run through the orchestrator and the real CLI
 * (test/e2e/harness).
 *
 * Steps: a **warm-up** round that is not measured (one fleet `up` and `destroy`: the first
 * runs pay cold caches — tsx's transpile cache, the plugins' first start, the API servers'
 * first writes — which made single measurements swing from 0.88 to 1.23), then `repeats`
 * (default 3) measured rounds, each: every stack `up` alone (`--stack X`, dependencies first),
 * `destroy`, one orchestrated `up` of the whole fleet from empty state (strategy `canary` by
 * default, as the rollout), `destroy`. The figure uses **medians**: each stack's median solo
 * time, the median fleet time; the per-round ratios are returned too (their spread is the
 * noise).
 *
 * - solo time of a stack: the orchestrator's `durationMs` of that stack in its solo run
 *   (the engine operation; the CLI process start-up is inside it, node start-up of the
 *   orchestrator is not);
 * - fleet time: the orchestrated run's `run-finished.durationMs`;
 * - critical path: longest path through the graph the rollout must respect — `dependsOn`
 *   plus, for `canary`, "every stack of domain N+1 waits for every stack of domain N";
 *   for `parallel`, `dependsOn` only.
 *
 * Throws (with the reason) when the engine is not built — callers print it, never a figure.
 */
import { loadFleet } from "../automation/fleet";
import { describeRun, fleet, makeProject, preflight, startControlPlane, type FleetRun, type Project } from "../test/e2e/harness";

export interface EngineBenchOptions {
  readonly strategy?: "canary" | "parallel";
  /** (Optional) Measured rounds after the warm-up. Defaults to 3. */
  readonly repeats?: number;
  readonly log?: (s: string) => void;
}

export interface EngineBenchResult {
  /** median fleet time ÷ critical path of the median solo times. */
  readonly ratio: number;
  /** Median orchestrated fleet `up`, seconds. */
  readonly fleetSeconds: number;
  readonly stacks: number;
  readonly criticalPathSeconds: number;
  /** Median solo `up` per stack, seconds. */
  readonly soloSeconds: Record<string, number>;
  readonly strategy: string;
  readonly repeats: number;
  /** Each measured round: its fleet time and its own ratio (fleet ÷ that round's critical path). */
  readonly rounds: ReadonlyArray<{ readonly fleetSeconds: number; readonly criticalPathSeconds: number; readonly ratio: number }>;
  /** The unmeasured warm-up's fleet `up`, seconds (how much the cold start costs). */
  readonly warmupFleetSeconds: number;
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error("median of nothing");
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export async function benchEngine(opts: EngineBenchOptions = {}): Promise<EngineBenchResult> {
  const strategy = opts.strategy ?? "canary";
  const repeats = opts.repeats ?? 3;
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`engine bench: repeats must be a positive integer (got ${repeats})`);
  const log = opts.log ?? ((s: string) => process.stderr.write(`bench engine: ${s}\n`));
  const pre = preflight();
  if (pre.missing.length > 0) throw new Error(`engine bench cannot run: missing ${pre.missing.join("; ")}`);
  const [eu, us] = await Promise.all([startControlPlane("eu"), startControlPlane("us")]);
  try {
    const project = makeProject("local", { eu, us });
    const fl = loadFleet(project.fleetDir);
    const order = topological(fl.settings.domainOrder, [...fl.stacks.values()].map((s) => ({ name: s.name, domain: s.domain, dependsOn: s.dependsOn })));
    const warm = await fleetUp(project, strategy);
    log(`warm-up fleet up (not measured): ${warm.toFixed(1)} s`);
    const solos: Record<string, number[]> = Object.fromEntries(order.map((s) => [s.name, []]));
    const rounds: { fleetSeconds: number; criticalPathSeconds: number; ratio: number }[] = [];
    for (let round = 1; round <= repeats; round++) {
      const solo: Record<string, number> = {};
      for (const s of order) {
        const r = must(await fleet(project, "up", ["--stack", s.name]), `solo up ${s.name}`);
        solo[s.name] = r.finished(s.name)!.durationMs! / 1000;
        solos[s.name].push(solo[s.name]);
      }
      must(await fleet(project, "destroy"), "destroy after solo ups");
      const fleetSeconds = await fleetUp(project, strategy);
      const criticalPathSeconds = criticalPath(order, solo, strategy, fl.settings.domainOrder);
      rounds.push({ fleetSeconds: roundTo(fleetSeconds, 1), criticalPathSeconds: roundTo(criticalPathSeconds, 1), ratio: roundTo(fleetSeconds / criticalPathSeconds, 3) });
      log(`round ${round}/${repeats}: solo ${order.map((s) => `${s.name} ${solo[s.name].toFixed(1)} s`).join(", ")}; fleet up (${strategy}) ${fleetSeconds.toFixed(1)} s; ratio ${(fleetSeconds / criticalPathSeconds).toFixed(3)}`);
    }
    const soloSeconds = Object.fromEntries(order.map((s) => [s.name, roundTo(median(solos[s.name]), 1)]));
    const fleetSeconds = median(rounds.map((r) => r.fleetSeconds));
    const criticalPathSeconds = criticalPath(order, Object.fromEntries(order.map((s) => [s.name, median(solos[s.name])])), strategy, fl.settings.domainOrder);
    const ratio = fleetSeconds / criticalPathSeconds;
    log(`medians of ${repeats}: fleet ${fleetSeconds.toFixed(1)} s, critical path ${criticalPathSeconds.toFixed(1)} s → ratio ${ratio.toFixed(3)} (rounds ${rounds.map((r) => r.ratio.toFixed(3)).join(", ")})`);
    return {
      ratio: roundTo(ratio, 3),
      fleetSeconds: roundTo(fleetSeconds, 1),
      stacks: order.length,
      criticalPathSeconds: roundTo(criticalPathSeconds, 1),
      soloSeconds,
      strategy,
      repeats,
      rounds,
      warmupFleetSeconds: roundTo(warm, 1),
    };
  } finally {
    eu.stop();
    us.stop();
  }
}

function must(r: FleetRun, what: string): FleetRun {
  if (r.code !== 0) throw new Error(`engine bench: ${what} failed\n${describeRun(r)}`);
  return r;
}

/** One orchestrated fleet `up` from empty state and its `destroy`; the up's duration in seconds. */
async function fleetUp(project: Project, strategy: string): Promise<number> {
  const up = must(await fleet(project, "up", ["--strategy", strategy]), "fleet up");
  must(await fleet(project, "destroy"), "destroy after the fleet up");
  return up.events.find((e) => e.type === "run-finished")!.durationMs! / 1000;
}

interface Node {
  readonly name: string;
  readonly domain: string;
  readonly dependsOn: readonly string[];
}

function roundTo(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Domains in rollout order, dependencies first inside each. */
function topological(domainOrder: readonly string[], nodes: Node[]): Node[] {
  const out: Node[] = [];
  const seen = new Set<string>();
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const visit = (n: Node): void => {
    if (seen.has(n.name)) return;
    seen.add(n.name);
    for (const d of n.dependsOn) visit(byName.get(d)!);
    out.push(n);
  };
  for (const d of domainOrder) for (const n of nodes.filter((x) => x.domain === d).sort((a, b) => a.name.localeCompare(b.name))) visit(n);
  return out;
}

/** Longest finish time with unlimited slots, under dependsOn (+ the canary gate between domains). */
export function criticalPath(order: readonly Node[], seconds: Record<string, number>, strategy: string, domainOrder: readonly string[]): number {
  const finish = new Map<string, number>();
  const domainEnd = new Map<string, number>();
  for (const n of order) {
    let start = Math.max(0, ...n.dependsOn.map((d) => finish.get(d) ?? 0));
    if (strategy === "canary") {
      const i = domainOrder.indexOf(n.domain);
      for (const earlier of domainOrder.slice(0, Math.max(0, i))) start = Math.max(start, domainEnd.get(earlier) ?? 0);
    }
    const end = start + seconds[n.name];
    finish.set(n.name, end);
    domainEnd.set(n.domain, Math.max(domainEnd.get(n.domain) ?? 0, end));
  }
  return Math.max(...finish.values());
}

if (require.main === module) {
  const strategy = process.argv.includes("--parallel") ? "parallel" : "canary";
  const at = process.argv.indexOf("--repeats");
  const repeats = at >= 0 ? Number(process.argv[at + 1]) : undefined;
  benchEngine({ strategy, repeats }).then(
    (r) => console.log(JSON.stringify({ engine: r }, null, 2)),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(1);
    },
  );
}
