/**
 * The rollout scheduler (pure: no Pulumi, no clock). See scheduler.ts for the rules and
 * simulate.ts for the simulated-clock runner used by tests and the bench.
 */
import type { Fleet } from "../fleet/load";
import type { ScheduleNode } from "./scheduler";
import { simulate } from "./simulate";

export * from "./scheduler";
export * from "./simulate";

/** The scheduler's view of the selected stacks of a fleet. */
export function scheduleNodes(fleet: Fleet, names: Iterable<string>): ScheduleNode[] {
  const out: ScheduleNode[] = [];
  for (const name of names) {
    const spec = fleet.stacks.get(name);
    if (spec === undefined) throw new Error(`"${name}" is not a stack of the fleet`);
    out.push({ name, domain: spec.domain, ring: spec.ring, dependsOn: spec.dependsOn });
  }
  return out;
}

/**
 * Each stack's rollout step as `fleet up` orders it (canary strategy, domains in
 * `domainOrder`, rings in order, dependencies first), from the scheduler itself on a
 * simulated clock where every stack takes one step and any number run at once: the step is
 * when the stack would start. The plan shows this order, so it cannot disagree with a rollout.
 */
export function rolloutSteps(fleet: Fleet, domainOrder: readonly string[] = fleet.settings.domainOrder): Map<string, number> {
  const nodes = scheduleNodes(fleet, fleet.stacks.keys()).map((n) => ({ ...n, duration: 1 }));
  const trace = simulate(nodes, { direction: "forward", strategy: "canary", parallel: Math.max(1, nodes.length), domainOrder, pilot: false });
  return new Map(trace.events.filter((e) => e.kind === "start").map((e) => [e.name, e.t]));
}
