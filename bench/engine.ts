/**
 * The real-engine figure: wall time of the orchestrated local fleet `up` ÷ the critical-path
 * sum of the same stacks' solo `up` times, all measured in one call (goal ≤ 1.10).
 *
 * The fleet is the e2e fixture (test/e2e/fleets/local: eu-pki → eu-local, us-pki → us-local,
 * one local control plane per domain), run through the orchestrator and the real CLI
 * (test/e2e/harness). Steps: each stack `up` alone (`--stack X`, dependencies first), then
 * `destroy` everything, then one orchestrated `up` of the whole fleet from empty state
 * (same strategy as the default, `canary`), then `destroy`.
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
import { describeRun, fleet, makeProject, preflight, startControlPlane, type FleetRun } from "../test/e2e/harness";

export interface EngineBenchOptions {
  readonly strategy?: "canary" | "parallel";
  readonly log?: (s: string) => void;
}

export async function benchEngine(opts: EngineBenchOptions = {}): Promise<{ ratio: number; fleetSeconds: number; stacks: number; criticalPathSeconds: number; soloSeconds: Record<string, number>; strategy: string }> {
  const strategy = opts.strategy ?? "canary";
  const log = opts.log ?? ((s: string) => process.stderr.write(`bench engine: ${s}\n`));
  const pre = preflight();
  if (pre.missing.length > 0) throw new Error(`engine bench cannot run: missing ${pre.missing.join("; ")}`);
  const [eu, us] = await Promise.all([startControlPlane("eu"), startControlPlane("us")]);
  try {
    const project = makeProject("local", { eu, us });
    const fl = loadFleet(project.fleetDir);
    const order = topological(fl.settings.domainOrder, [...fl.stacks.values()].map((s) => ({ name: s.name, domain: s.domain, dependsOn: s.dependsOn })));
    const must = (r: FleetRun, what: string): FleetRun => {
      if (r.code !== 0) throw new Error(`engine bench: ${what} failed\n${describeRun(r)}`);
      return r;
    };
    const solo: Record<string, number> = {};
    for (const s of order) {
      const r = must(await fleet(project, "up", ["--stack", s.name]), `solo up ${s.name}`);
      solo[s.name] = r.finished(s.name)!.durationMs! / 1000;
      log(`solo up ${s.name}: ${solo[s.name].toFixed(1)} s`);
    }
    must(await fleet(project, "destroy"), "destroy after solo ups");
    const up = must(await fleet(project, "up", ["--strategy", strategy]), "fleet up");
    const fleetSeconds = up.events.find((e) => e.type === "run-finished")!.durationMs! / 1000;
    log(`fleet up (${strategy}): ${fleetSeconds.toFixed(1)} s`);
    must(await fleet(project, "destroy"), "final destroy");
    const criticalPathSeconds = criticalPath(order, solo, strategy, fl.settings.domainOrder);
    const ratio = fleetSeconds / criticalPathSeconds;
    log(`critical path ${criticalPathSeconds.toFixed(1)} s → ratio ${ratio.toFixed(3)}`);
    return { ratio: round(ratio, 3), fleetSeconds: round(fleetSeconds, 1), stacks: order.length, criticalPathSeconds: round(criticalPathSeconds, 1), soloSeconds: solo, strategy };
  } finally {
    eu.stop();
    us.stop();
  }
}

interface Node {
  readonly name: string;
  readonly domain: string;
  readonly dependsOn: readonly string[];
}

function round(n: number, digits: number): number {
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
  benchEngine({ strategy }).then(
    (r) => console.log(JSON.stringify({ engine: r }, null, 2)),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(1);
    },
  );
}
