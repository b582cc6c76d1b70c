import fc from "fast-check";
import type { Direction, SchedulerOptions, SimStack, Strategy } from "../../automation/scheduler";

export const DOMAIN_NAMES = ["eu", "us"] as const;

/**
 * A random fleet: up to `maxStacks` stacks over two domains; each stack depends on a
 * random subset of earlier stacks of its domain (so the graph is a DAG); its ring is at
 * least its dependencies' rings (the fleet's rule).
 */
export function fleetArb(maxStacks = 30, failRate = 0): fc.Arbitrary<SimStack[]> {
  return fc
    .array(
      fc.record({
        domain: fc.constantFrom(...DOMAIN_NAMES),
        ring: fc.nat({ max: 2 }),
        depPicks: fc.array(fc.nat({ max: 1000 }), { maxLength: 3 }),
        duration: fc.integer({ min: 1, max: 20 }),
        failRoll: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      { minLength: 1, maxLength: maxStacks },
    )
    .map((raw) => {
      const out: SimStack[] = [];
      raw.forEach((r, i) => {
        const earlier = out.filter((s) => s.domain === r.domain);
        const deps = earlier.length === 0 ? [] : [...new Set(r.depPicks.map((p) => earlier[p % earlier.length].name))];
        const ring = Math.max(r.ring, ...deps.map((d) => out.find((s) => s.name === d)!.ring));
        out.push({ name: `s${i}`, domain: r.domain, ring, dependsOn: deps, duration: r.duration, fails: r.failRoll < failRate });
      });
      return out;
    });
}

export function optionsArb(): fc.Arbitrary<SchedulerOptions> {
  return fc.record({
    direction: fc.constantFrom<Direction>("forward", "reverse"),
    strategy: fc.constantFrom<Strategy>("canary", "parallel", "sequential"),
    parallel: fc.integer({ min: 1, max: 6 }),
    domainOrder: fc.constantFrom(["eu", "us"], ["us", "eu"]),
    failFast: fc.boolean(),
  });
}
