/**
 * The offline engine: the same Engine interface as the Automation API, backed by the
 * plan's mock cloud. `fleet up --engine mock` rehearses a rollout — order, parallelism,
 * rings, failure handling, events, report, evidence, the policy pack — with no cloud and
 * no CLI. "Deployed" state lives in memory for the run: `up` records a stack's resources
 * and outputs so its dependents' StackReferences resolve, `destroy` forgets them. With a
 * `MockStateStore` (the CLI gives one) that state is also kept in the run folder, per
 * domain, and a `--resume` starts from the resumed run's: a stack carried over still has
 * outputs for its dependents. It holds the mock cloud's values only (no credential is ever
 * involved offline), secret outputs included, because a dependent needs them as inputs.
 *
 * Mock programs are CPU-bound and the SDK's per-run state is attributed by time, so
 * operations are serialized internally; the orchestrator may still ask for N at once.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import type { Fleet } from "../fleet";
import { nodeFiles, writeAtomic } from "../orchestrator/files";
import { engineStateDir, safeSegment } from "../orchestrator/layout";
import { canonicalJson } from "../orchestrator/savedPlans";
import { UsageError } from "../orchestrator/select";
import { planStack, type StackPlan, type StackProgram } from "../plan/planStack";
import type { FleetViolation } from "../plan/fleetChecks";
import type { PlannedResource } from "../plan/recordingMonitor";
import { NO_CHANGES, OperationCancelledError, type ChangeSummary, type DriftedResource, type Engine, type OperationOptions, type OperationResult, type StackOutputs } from "./types";

export type MockEvaluator = (fleet: Fleet, stack: string, resources: readonly PlannedResource[]) => FleetViolation[];

export interface Deployed {
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly secretOutputNames: readonly string[];
  readonly urns: ReadonlySet<string>;
}

/** Where the mock's deployed state outlives the process: `load` from a resumed run, `save` into this one. */
export interface MockStateStore {
  load(stack: string): Deployed | undefined;
  /** `undefined`: the stack is no longer deployed (destroyed). */
  save(stack: string, deployed: Deployed | undefined): void;
}

/** The variable giving `--engine mock` a least time per stack operation, in ms (`MockTiming.latencyMs`). */
export const MOCK_LATENCY_ENV = "MERIDIAN_MOCK_LATENCY_MS";
/** The variable giving a cancelled `--engine mock` operation the time it takes to stop, in ms (`MockTiming.stopMs`). */
export const MOCK_STOP_ENV = "MERIDIAN_MOCK_STOP_MS";

/**
 * How long the offline engine's operations take, to rehearse interrupts as a slow cloud has
 * them. Both default to 0 (as fast as the mock cloud plans).
 */
export interface MockTiming {
  /** The least time each stack operation takes; a cancel (Ctrl-C) ends the wait at once. */
  readonly latencyMs: number;
  /**
   * What a cancelled operation then takes to stop, as the Pulumi CLI, after its SIGINT,
   * finishes the steps in flight before it lets go (automation/engine/automation.ts). Not
   * interruptible: a second Ctrl-C during it is the orchestrator's hard exit.
   */
  readonly stopMs: number;
}

/** A mock timing variable as a number of ms: unset or empty is 0; anything but a whole number up to 600000 is bad input. */
function msFromEnv(env: NodeJS.ProcessEnv, name: string): number {
  const v = env[name];
  if (v === undefined || v === "") return 0;
  if (!/^\d{1,6}$/.test(v) || Number(v) > 600_000) throw new UsageError(`${name}=${JSON.stringify(v.slice(0, 20))}: expected a whole number of milliseconds, at most 600000`);
  return Number(v);
}

/** `MERIDIAN_MOCK_LATENCY_MS` and `MERIDIAN_MOCK_STOP_MS`, each validated (bad input is a UsageError naming the variable). */
export function mockTiming(env: NodeJS.ProcessEnv): MockTiming {
  return { latencyMs: msFromEnv(env, MOCK_LATENCY_ENV), stopMs: msFromEnv(env, MOCK_STOP_ENV) };
}

export class MockEngine implements Engine {
  readonly kind = "mock";
  private readonly deployed = new Map<string, Deployed>();
  /** Outputs a preview computed, so a dependent's preview can resolve before anything is up. */
  private readonly previewed = new Map<string, Deployed>();
  private readonly cancelled = new Set<string>();
  /** The latency wait of the operation running now, per stack: a cancel aborts it. */
  private readonly waits = new Map<string, AbortController>();
  private readonly timing: MockTiming;
  /** Destroyed in this run: never reloaded from the resumed run's state. */
  private readonly forgotten = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly fleet: Fleet,
    private readonly program: StackProgram,
    /** The policy pack, as the plan runs it; `observe` sees every planned stack first. */
    private readonly policy?: { evaluator: MockEvaluator; observe?: (plan: StackPlan, fleet: Fleet) => void },
    private readonly state?: MockStateStore,
    /** (Optional) Changes made to the mock cloud outside Pulumi, for rehearsing `fleet drift`. Defaults to none. */
    private readonly outOfBand?: MockOutOfBand,
    /** (Optional) How long operations take, and a cancelled one to stop, in ms, as a slow cloud's would: rehearses interrupts mid-operation. Defaults to 0 and 0. */
    timing: Partial<MockTiming> = {},
  ) {
    this.timing = { latencyMs: timing.latencyMs ?? 0, stopMs: timing.stopMs ?? 0 };
  }

  /** A stack's deployed state: this run's, else (once, carried forward into this run) the resumed run's. */
  private current(stack: string): Deployed | undefined {
    this.loadCarried();
    return this.deployed.get(stack);
  }

  private carriedLoaded = false;
  private carriedError: Error | undefined;

  /**
   * On first use, take over every stack the resumed run left deployed: into this run's
   * state, and into the policy pack's view (`observe`), as if it had been planned in this
   * run — the pack's fleet-wide facts (a domain's registry allowlist, from its foundations'
   * outputs) must not depend on which stacks a resume carried over.
   */
  private loadCarried(): void {
    if (this.carriedError !== undefined) throw this.carriedError;
    if (this.carriedLoaded || this.state === undefined) return;
    this.carriedLoaded = true;
    for (const name of this.fleet.stacks.keys()) {
      if (this.deployed.has(name) || this.forgotten.has(name)) continue;
      let carried: Deployed | undefined;
      try {
        carried = this.state.load(name);
      } catch (e) {
        // An invalid state file: every operation of this run fails with the same clear message.
        this.carriedError = e as Error;
        throw e;
      }
      if (carried === undefined) continue;
      this.setDeployed(name, carried);
      this.policy?.observe?.({ name, status: "planned", resources: [], outputs: carried.outputs, secretOutputNames: carried.secretOutputNames, seconds: 0 }, this.fleet);
    }
  }

  private setDeployed(stack: string, d: Deployed | undefined): void {
    if (d === undefined) {
      this.deployed.delete(stack);
      this.forgotten.add(stack);
    } else {
      this.deployed.set(stack, d);
      this.forgotten.delete(stack);
    }
    this.state?.save(stack, d);
  }

  preview(stack: string, opts: OperationOptions): Promise<OperationResult> {
    return this.serialize(stack, opts, async () => {
      const result = await this.run(stack, opts, "preview");
      this.previewed.set(stack, result.deployed);
      if (opts.savePlan !== undefined) {
        writeAtomic(nodeFiles, opts.savePlan, JSON.stringify(mockPlan(stack, result.resources, result.before), null, 2) + "\n");
        opts.onEvent({ type: "output", text: `mock update plan written to ${opts.savePlan}\n` });
      }
      return { changes: result.changes };
    });
  }

  up(stack: string, opts: OperationOptions): Promise<OperationResult> {
    return this.serialize(stack, opts, async () => {
      const result = await this.run(stack, opts, "up");
      // Like `pulumi up --plan`: a departure from the saved plan fails the stack. The mock's
      // update is all-or-nothing, so nothing of it is applied.
      if (opts.plan !== undefined) {
        const departures = planDepartures(readMockPlan(opts.plan, stack), result.resources, result.before);
        if (departures.length > 0) throw new Error(`${stack}: the update departs from its saved plan (${departures.length}): ${departures.slice(0, 3).join("; ")}${departures.length > 3 ? "; …" : ""}`);
        opts.onEvent({ type: "output", text: `mock update constrained by the plan ${opts.plan}: every resource as planned\n` });
      }
      this.setDeployed(stack, result.deployed);
      return { changes: result.changes };
    });
  }

  refresh(stack: string, opts: OperationOptions): Promise<OperationResult> {
    return this.serialize(stack, opts, async () => {
      const current = this.current(stack);
      if (opts.previewOnly === true) {
        // The mock cloud only drifts where a rehearsal says so; nothing is written either way.
        const drift = this.outOfBand?.(stack) ?? [];
        opts.onEvent({ type: "output", text: `mock preview-only refresh of ${stack}: ${drift.length} resource(s) changed outside Pulumi (rehearsal), no state written\n` });
        const deleted = drift.filter((d) => d.kind === "deleted").length;
        return { changes: { ...NO_CHANGES, update: drift.length - deleted, delete: deleted, same: Math.max(0, (current?.urns.size ?? 0) - drift.length) }, drift };
      }
      opts.onEvent({ type: "output", text: `mock refresh of ${stack}: the mock cloud never drifts\n` });
      return { changes: { ...NO_CHANGES, same: current?.urns.size ?? 0 } };
    });
  }

  destroy(stack: string, opts: OperationOptions): Promise<OperationResult> {
    return this.serialize(stack, opts, async () => {
      const current = this.current(stack);
      for (const urn of current?.urns ?? []) opts.onEvent({ type: "resource", op: "delete", urn, resourceType: urn.split("::")[2]?.split("$").pop() ?? "", phase: "done" });
      this.setDeployed(stack, undefined);
      return { changes: { ...NO_CHANGES, delete: current?.urns.size ?? 0 } };
    });
  }

  async outputs(stack: string): Promise<StackOutputs> {
    const d = this.current(stack);
    if (d === undefined) return {};
    return Object.fromEntries(Object.entries(d.outputs).map(([k, value]) => [k, { value, secret: d.secretOutputNames.includes(k) }]));
  }

  async cancel(stack: string): Promise<void> {
    this.cancelled.add(stack);
    this.waits.get(stack)?.abort();
  }

  private serialize<T>(stack: string, opts: OperationOptions, work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      // Not started yet: nothing is in flight, so it stops at once.
      if (this.cancelled.delete(stack)) throw new OperationCancelledError(stack);
      const result = await work();
      await this.latency(stack, opts);
      // A cancel that arrived while the (uninterruptible) mock run or the latency wait was
      // going wins: the orchestrator asked to stop, so the result is not reported as a success.
      if (this.cancelled.delete(stack)) {
        if (this.timing.stopMs > 0) {
          opts.onEvent({ type: "output", text: `mock: cancelled; stopping takes ${this.timing.stopMs} ms (${MOCK_STOP_ENV}), as the CLI finishes the steps in flight\n` });
          await sleep(this.timing.stopMs);
        }
        throw new OperationCancelledError(stack);
      }
      return result;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The operation's least time (`timing.latencyMs`), cut short by a cancel of the stack. */
  private async latency(stack: string, opts: OperationOptions): Promise<void> {
    if (this.timing.latencyMs === 0 || this.cancelled.has(stack)) return;
    opts.onEvent({ type: "output", text: `mock: holding the operation ${this.timing.latencyMs} ms (${MOCK_LATENCY_ENV}); a cancel ends the wait\n` });
    const wait = new AbortController();
    this.waits.set(stack, wait);
    try {
      await sleep(this.timing.latencyMs, undefined, { signal: wait.signal });
    } catch (e) {
      if (!wait.signal.aborted) throw e;
    } finally {
      this.waits.delete(stack);
    }
  }

  private async run(
    stack: string,
    opts: OperationOptions,
    op: "preview" | "up",
  ): Promise<{ changes: ChangeSummary; deployed: Deployed; resources: readonly PlannedResource[]; before: ReadonlySet<string> }> {
    const upstream = new Map<string, Record<string, unknown>>();
    const secretNames = new Map<string, readonly string[]>();
    for (const dep of this.fleet.stacks.get(stack)?.dependsOn ?? []) {
      const d = this.current(dep) ?? (op === "preview" ? this.previewed.get(dep) : undefined);
      if (d === undefined) throw new Error(`${stack}: upstream stack ${dep} has no outputs (${op === "up" ? "it is not up" : "neither up nor previewed"})`);
      upstream.set(dep, { ...d.outputs });
      secretNames.set(dep, d.secretOutputNames);
    }
    opts.onEvent({ type: "output", text: `mock ${op} of ${stack} (no cloud, no credentials)\n` });
    const plan = await planStack(this.fleet, stack, this.program, { outputs: upstream, secretOutputNames: secretNames }, { preview: op === "preview" });
    if (plan.status !== "planned") throw new Error(plan.error ?? `${stack}: ${plan.status}`);
    const before = this.current(stack)?.urns ?? new Set<string>();
    const urns = new Set(plan.resources.filter((r) => r.custom).map((r) => r.urn));
    const changes: ChangeSummary = {
      create: [...urns].filter((u) => !before.has(u)).length,
      update: 0,
      delete: [...before].filter((u) => !urns.has(u)).length,
      replace: 0,
      same: [...urns].filter((u) => before.has(u)).length,
    };
    for (const r of plan.resources.filter((x) => x.custom)) {
      opts.onEvent({ type: "resource", op: before.has(r.urn) ? "same" : "create", urn: r.urn, resourceType: r.type, phase: "done" });
    }
    this.policy?.observe?.(plan, this.fleet);
    for (const v of this.policy?.evaluator(this.fleet, stack, plan.resources) ?? []) {
      opts.onEvent({
        type: "policy-violation",
        violation: { policyPack: "meridian", policy: v.policy, enforcement: v.level, message: v.message, ...(v.urn ? { urn: v.urn } : {}) },
      });
    }
    return { changes, deployed: { outputs: plan.outputs, secretOutputNames: plan.secretOutputNames, urns }, resources: plan.resources.filter((r) => r.custom), before };
  }
}

/** Per stack, the resources changed in the mock cloud outside Pulumi. */
export type MockOutOfBand = (stack: string) => readonly DriftedResource[];

const outOfBandFileSchema = z.record(
  z.string(),
  z.array(
    z
      .object({
        urn: z.string().startsWith("urn:pulumi:"),
        resourceType: z.string().min(1),
        kind: z.enum(["changed", "deleted"]),
        properties: z.array(z.string().min(1)).default([]),
      })
      .strict(),
  ),
);

/**
 * Out-of-band changes for the mock cloud from a JSON file (`{ "<stack>": [{ urn,
 * resourceType, kind, properties }] }`), named by `MERIDIAN_MOCK_DRIFT`: how a rehearsal of
 * `fleet drift --engine mock` (and its tests) says what changed. Validated; problems name the file.
 */
export function fileMockOutOfBand(file: string): MockOutOfBand {
  let parsed: z.infer<typeof outOfBandFileSchema>;
  try {
    parsed = outOfBandFileSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
  } catch (e) {
    const why = e instanceof z.ZodError ? e.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") : (e as NodeJS.ErrnoException).code ?? (e as Error).message.split("\n")[0];
    throw new Error(`${file}: not a mock drift file (${why})`);
  }
  return (stack) => parsed[stack] ?? [];
}

// ---------------------------------------------------------------------------------------
// The mock's update plans (the real engine's are Pulumi's own, `pulumi preview --save-plan`)

/** The SDK's marker for a value not known at preview (`pulumi.runtime` unknownValue). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const mockPlanSchema = z
  .object({
    schema: z.literal(1),
    kind: z.literal("meridian-mock-plan"),
    stack: z.string(),
    resources: z.record(
      z.string(),
      z.object({ op: z.enum(["create", "same", "delete"]), type: z.string(), inputs: z.string().regex(/^[0-9a-f]{64}$/), unknown: z.array(z.string()) }).strict(),
    ),
  })
  .strict();

export type MockPlan = z.infer<typeof mockPlanSchema>;

/** Paths (`a.b.0`) of the values a preview did not know; the plan accepts any value there, as Pulumi's does. */
function unknownPaths(v: unknown, at = ""): string[] {
  if (v === UNKNOWN) return [at];
  if (v === null || typeof v !== "object") return [];
  return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => unknownPaths(x, at === "" ? k : `${at}.${k}`));
}

/** sha256 of the canonical inputs, with the values at `unknown` paths masked. */
function inputsDigest(props: Record<string, unknown>, unknown: readonly string[]): string {
  const masked = structuredClone(props);
  for (const p of unknown) {
    const keys = p.split(".");
    let o: Record<string, unknown> | undefined = masked;
    for (const k of keys.slice(0, -1)) o = o?.[k] !== null && typeof o?.[k] === "object" ? (o[k] as Record<string, unknown>) : undefined;
    if (o !== undefined && keys[keys.length - 1] in o) o[keys[keys.length - 1]] = UNKNOWN;
  }
  return crypto.createHash("sha256").update(canonicalJson(masked)).digest("hex");
}

/** What a mock preview would do to each custom resource, with a digest of its inputs (no values: no secret lands in the file). */
export function mockPlan(stack: string, resources: readonly PlannedResource[], before: ReadonlySet<string>): MockPlan {
  const registered = new Set(resources.map((r) => r.urn));
  return {
    schema: 1,
    kind: "meridian-mock-plan",
    stack,
    resources: Object.fromEntries([
      ...resources.map((r) => {
        const unknown = unknownPaths(r.props);
        return [r.urn, { op: before.has(r.urn) ? "same" : "create", type: r.type, inputs: inputsDigest(r.props, unknown), unknown }] as const;
      }),
      ...[...before]
        .filter((urn) => !registered.has(urn))
        .map((urn) => [urn, { op: "delete", type: urn.split("::")[2]?.split("$").pop() ?? "", inputs: inputsDigest({}, []), unknown: [] }] as const),
    ]),
  };
}

/** Read a mock plan file (untrusted: validated); one clear error naming the file otherwise. */
export function readMockPlan(file: string, stack: string): MockPlan {
  let plan: MockPlan;
  try {
    plan = mockPlanSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
  } catch {
    throw new Error(`${stack}: ${file} is not a mock update plan`);
  }
  if (plan.stack !== stack) throw new Error(`${stack}: ${file} is the plan of stack ${plan.stack}`);
  return plan;
}

/** Every way an update departs from its plan, as Pulumi words it ("violates plan"), in URN order. */
export function planDepartures(plan: MockPlan, resources: readonly PlannedResource[], before: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const r of resources) {
    seen.add(r.urn);
    const planned = plan.resources[r.urn];
    const op = before.has(r.urn) ? "same" : "create";
    if (planned === undefined) out.push(`resource ${r.urn} violates plan: it is not in the plan`);
    else if (planned.op === "delete") out.push(`resource ${r.urn} violates plan: registered where the plan says delete`);
    else if (planned.op !== op) out.push(`resource ${r.urn} violates plan: ${op} where the plan says ${planned.op}`);
    else if (inputsDigest(r.props, planned.unknown) !== planned.inputs) out.push(`resource ${r.urn} violates plan: properties changed`);
  }
  for (const [urn, planned] of Object.entries(plan.resources)) if (!seen.has(urn) && planned.op !== "delete") out.push(`resource ${urn} violates plan: planned but not registered`);
  for (const urn of before) if (!seen.has(urn) && plan.resources[urn] === undefined) out.push(`resource ${urn} violates plan: deleted, which the plan does not say`);
  return out.sort();
}

const deployedFileSchema = z.object({
  schema: z.literal(1),
  stack: z.string(),
  outputs: z.record(z.string(), z.unknown()),
  secretOutputNames: z.array(z.string()),
  urns: z.array(z.string()),
});

/** Largest mock state file read back; the reference fleet's biggest is a few kB. */
const MAX_STATE_BYTES = 8 << 20;

/**
 * The mock's state in run folders: `<runDir>/<domain>/engine/<stack>.json` (each stack under
 * its own domain), read from the resumed run's folder (validated: it is untrusted input)
 * and written into this run's.
 */
export function fileMockState(fleet: Fleet, runDir: string, resumedRunDir?: string): MockStateStore {
  const fileIn = (dir: string, stack: string): string => {
    const spec = fleet.stacks.get(stack);
    if (spec === undefined) throw new Error(`"${stack}" is not a stack of the fleet`);
    return path.join(engineStateDir(dir, spec.domain), `${safeSegment(stack, "stack name")}.json`);
  };
  return {
    load(stack) {
      if (resumedRunDir === undefined) return undefined;
      const file = fileIn(resumedRunDir, stack);
      let stat: fs.Stats;
      try {
        stat = fs.lstatSync(file);
      } catch {
        return undefined;
      }
      const bad = new Error(`${stack}: the offline engine's state in the resumed run is not valid; start a new run`);
      if (!stat.isFile() || stat.size > MAX_STATE_BYTES) throw bad;
      let parsed: z.infer<typeof deployedFileSchema>;
      try {
        parsed = deployedFileSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
      } catch {
        throw bad;
      }
      if (parsed.stack !== stack) throw bad;
      return { outputs: parsed.outputs, secretOutputNames: parsed.secretOutputNames, urns: new Set(parsed.urns) };
    },
    save(stack, deployed) {
      const file = fileIn(runDir, stack);
      if (deployed === undefined) {
        fs.rmSync(file, { force: true });
        return;
      }
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const doc = { schema: 1, stack, outputs: deployed.outputs, secretOutputNames: deployed.secretOutputNames, urns: [...deployed.urns] };
      writeAtomic(nodeFiles, file, JSON.stringify(doc, null, 2) + "\n");
    },
  };
}
