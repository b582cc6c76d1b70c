/**
 * The rollout scheduler (pure: no Pulumi, no clock). See scheduler.ts for the rules and
 * simulate.ts for the simulated-clock runner used by tests and the bench.
 */
import type { Fleet } from "../fleet/load";
import type { ScheduleNode } from "./scheduler";

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
