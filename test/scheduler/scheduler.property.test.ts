/**
 * Property tests over random DAG fleets, run on the simulated clock. Each property reads
 * the trace (start/finish events in order) and checks one promise of the scheduler.
 */
import fc from "fast-check";
import { simulate, type SchedulerOptions, type SimStack, type SimTrace } from "../../automation/scheduler";
import { fleetArb, optionsArb } from "./arbitraries";

const RUNS = { numRuns: 300 };

/** Stacks a stack waits for in this direction (dependencies forward, dependents in reverse). */
function waitsFor(stacks: readonly SimStack[], name: string, opts: SchedulerOptions): string[] {
  const names = new Set(stacks.map((s) => s.name));
  if (opts.direction === "forward") return stacks.find((s) => s.name === name)!.dependsOn.filter((d) => names.has(d));
  return stacks.filter((s) => s.dependsOn.includes(name)).map((s) => s.name);
}

/** Transitive closure of `waitsFor` inverted: everything that waits (directly or not) on `name`. */
function waitersOf(stacks: readonly SimStack[], name: string, opts: SchedulerOptions): Set<string> {
  const out = new Set<string>();
  let frontier = [name];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const s of stacks) {
      if (!out.has(s.name) && waitsFor(stacks, s.name, opts).some((w) => frontier.includes(w))) {
        out.add(s.name);
        next.push(s.name);
      }
    }
    frontier = next;
  }
  return out;
}

function finishIndex(trace: SimTrace): Map<string, { i: number; outcome: string }> {
  const m = new Map<string, { i: number; outcome: string }>();
  trace.events.forEach((e, i) => {
    if (e.kind === "finish") m.set(e.name, { i, outcome: e.outcome! });
  });
  return m;
}

describe("scheduler properties (random DAGs)", () => {
  it("starts a stack only after everything it waits for succeeded (dependencies forward, dependents for destroy)", () => {
    fc.assert(
      fc.property(fleetArb(30, 0.15), optionsArb(), (stacks, opts) => {
        const trace = simulate(stacks, opts);
        const finished = finishIndex(trace);
        trace.events.forEach((e, i) => {
          if (e.kind !== "start") return;
          for (const w of waitsFor(stacks, e.name, opts)) {
            const f = finished.get(w);
            expect(f).toBeDefined();
            expect(f!.outcome).toBe("succeeded");
            expect(f!.i).toBeLessThan(i);
          }
        });
      }),
      RUNS,
    );
  });

  it("never runs more than N stacks at once", () => {
    fc.assert(
      fc.property(fleetArb(40, 0.1), optionsArb(), (stacks, opts) => {
        const trace = simulate(stacks, opts);
        let running = 0;
        for (const e of trace.events) {
          running += e.kind === "start" ? 1 : -1;
          expect(running).toBeLessThanOrEqual(opts.parallel);
        }
        expect(trace.maxRunning).toBeLessThanOrEqual(opts.parallel);
      }),
      RUNS,
    );
  });

  it("runs everything to success when nothing fails", () => {
    fc.assert(
      fc.property(fleetArb(40, 0), optionsArb(), (stacks, opts) => {
        const trace = simulate(stacks, opts);
        expect([...trace.result.values()].every((s) => s === "succeeded")).toBe(true);
        expect(new Set(trace.started).size).toBe(stacks.length);
      }),
      RUNS,
    );
  });

  it("after a failure: no dependent starts, nothing more starts in that domain, and (canary) no later domain starts", () => {
    fc.assert(
      fc.property(fleetArb(30, 0.2), optionsArb(), (stacks, opts) => {
        const trace = simulate(stacks, opts);
        const domainOf = new Map(stacks.map((s) => [s.name, s.domain]));
        const order = [...opts.domainOrder];
        trace.events.forEach((e, i) => {
          if (e.kind !== "finish" || e.outcome === "succeeded") return;
          const later = trace.events.slice(i + 1).filter((x) => x.kind === "start");
          // Nothing that waits on it, ever (it cannot have started before, since it waits on this one).
          const waiters = waitersOf(stacks, e.name, opts);
          expect(trace.started.filter((s) => waiters.has(s))).toEqual([]);
          // The domain is halted.
          expect(later.filter((x) => domainOf.get(x.name) === domainOf.get(e.name)).map((x) => x.name)).toEqual([]);
          if (opts.strategy === "canary") {
            const idx = order.indexOf(domainOf.get(e.name)!);
            const laterDomains = new Set(order.slice(idx + 1));
            expect(trace.started.filter((s) => laterDomains.has(domainOf.get(s)!))).toEqual([]);
          }
        });
      }),
      RUNS,
    );
  });

  it("gates rings and (canary) domains: a stack starts only when every earlier ring of its domain and every earlier domain succeeded", () => {
    fc.assert(
      fc.property(fleetArb(30, 0.15), optionsArb(), (stacks, opts) => {
        const trace = simulate(stacks, opts);
        const finished = finishIndex(trace);
        const rev = opts.direction === "reverse";
        trace.events.forEach((e, i) => {
          if (e.kind !== "start") return;
          const me = stacks.find((s) => s.name === e.name)!;
          const earlierRing = stacks.filter((s) => s.domain === me.domain && (rev ? s.ring > me.ring : s.ring < me.ring));
          const earlierDomain =
            opts.strategy === "canary" ? stacks.filter((s) => opts.domainOrder.indexOf(s.domain) < opts.domainOrder.indexOf(me.domain)) : [];
          for (const s of [...earlierRing, ...earlierDomain]) {
            const f = finished.get(s.name);
            expect(f?.outcome).toBe("succeeded");
            expect(f!.i).toBeLessThan(i);
          }
          if (opts.strategy === "sequential") {
            // Every earlier domain has nothing running and nothing left to start.
            for (const s of stacks.filter((x) => opts.domainOrder.indexOf(x.domain) < opts.domainOrder.indexOf(me.domain))) {
              const f = finished.get(s.name);
              if (f !== undefined) expect(f.i).toBeLessThan(i);
              else expect(trace.started.indexOf(s.name)).toBe(-1);
            }
          }
        });
      }),
      RUNS,
    );
  });

  it("with strategy parallel, a failure in one domain does not stop the other", () => {
    fc.assert(
      fc.property(fleetArb(30, 0.2), optionsArb(), (stacks, base) => {
        const opts = { ...base, strategy: "parallel" as const };
        const trace = simulate(stacks, opts);
        for (const domain of ["eu", "us"]) {
          const mine = stacks.filter((s) => s.domain === domain);
          // A domain whose own stacks never fail runs to completion regardless of the other domain.
          if (mine.length > 0 && mine.every((s) => !s.fails)) {
            for (const s of mine) expect(trace.result.get(s.name)).toBe("succeeded");
          }
        }
      }),
      RUNS,
    );
  });

  it("resume runs exactly the stacks that did not succeed", () => {
    fc.assert(
      fc.property(fleetArb(30, 0.2), optionsArb(), fc.option(fc.integer({ min: 0, max: 60 })), (stacks, opts, interruptAt) => {
        const first = simulate(stacks, opts, interruptAt === null ? {} : { interruptAt });
        const succeeded = [...first.result].filter(([, s]) => s === "succeeded").map(([n]) => n);
        const unfinished = stacks.map((s) => s.name).filter((n) => !succeeded.includes(n));
        const healed = stacks.map((s) => ({ ...s, fails: false }));
        const second = simulate(healed, { ...opts, succeeded });
        expect([...second.started].sort()).toEqual([...unfinished].sort());
        expect([...second.result.values()].every((s) => s === "succeeded")).toBe(true);
      }),
      RUNS,
    );
  });

  it("destroy order is the reverse: a stack is destroyed only after every stack depending on it", () => {
    fc.assert(
      fc.property(fleetArb(30, 0), optionsArb(), (stacks, base) => {
        const opts = { ...base, direction: "reverse" as const };
        const trace = simulate(stacks, opts);
        const startAt = new Map<string, number>();
        const finishAt = new Map<string, number>();
        trace.events.forEach((e, i) => (e.kind === "start" ? startAt : finishAt).set(e.name, i));
        for (const s of stacks) {
          for (const dep of s.dependsOn) expect(finishAt.get(s.name)!).toBeLessThan(startAt.get(dep)!);
        }
      }),
      RUNS,
    );
  });

  it("an interrupt stops every start and cancels what runs; nothing fails because of it", () => {
    fc.assert(
      fc.property(fleetArb(30, 0), optionsArb(), fc.integer({ min: 0, max: 40 }), (stacks, opts, at) => {
        const trace = simulate(stacks, opts, { interruptAt: at });
        for (const e of trace.events) {
          if (e.t > at) throw new Error(`event after the interrupt: ${JSON.stringify(e)}`);
        }
        const statuses = new Set(trace.result.values());
        // Dependents of a cancelled stack are `skipped`; everything else left is `not-started`.
        for (const s of statuses) expect(["succeeded", "cancelled", "skipped", "not-started"]).toContain(s);
        expect(trace.events.filter((e) => e.outcome === "failed")).toEqual([]);
        // Had it not been interrupted, it would have run everything (no failures injected).
        if (trace.makespan < at) expect([...trace.result.values()].every((x) => x === "succeeded")).toBe(true);
      }),
      RUNS,
    );
  });

  it("skipped means something it waits for failed, was cancelled or skipped; not-started otherwise", () => {
    fc.assert(
      fc.property(fleetArb(30, 0.2), optionsArb(), (stacks, opts) => {
        const trace = simulate(stacks, opts);
        for (const s of stacks) {
          const st = trace.result.get(s.name)!;
          const blocked = waitsFor(stacks, s.name, opts).some((w) => ["failed", "cancelled", "skipped"].includes(trace.result.get(w)!));
          if (st === "skipped") expect(blocked).toBe(true);
          if (st === "not-started") expect(blocked).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it("with estimates (pilot search on small fleets): waits and the slot cap hold, and exact estimates never lengthen the run", () => {
    fc.assert(
      fc.property(fleetArb(30), optionsArb(), (stacks, base) => {
        const estimates = new Map(stacks.map((s) => [s.name, s.duration]));
        const trace = simulate(stacks, { ...base, estimates });
        const plain = simulate(stacks, { ...base, estimates, pilot: false });
        expect(trace.maxRunning).toBeLessThanOrEqual(base.parallel);
        const finished = new Set<string>();
        for (const e of trace.events) {
          if (e.kind === "finish" && e.outcome === "succeeded") finished.add(e.name);
          if (e.kind === "start") for (const w of waitsFor(stacks, e.name, base)) expect(finished.has(w)).toBe(true);
        }
        expect([...trace.result.values()].every((st) => st === "succeeded")).toBe(true);
        expect(trace.makespan).toBeLessThanOrEqual(plain.makespan);
      }),
      { numRuns: 150 },
    );
  });
});
