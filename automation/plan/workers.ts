/**
 * The offline plan on several cores. Mock runs are CPU-bound and the SDK keeps process-wide
 * state (runtime settings, the root stack resource, the config store), so stacks cannot run
 * concurrently in one isolate: each worker thread is its own isolate with its own module
 * cache, and plans one stack at a time exactly as the serial plan does. The main thread only
 * schedules (a stack starts when its dependencies are planned), passes each stack the outputs
 * of its dependencies, and hands the results back in topological order, so the policy pack,
 * the fleet checks and progress see the same sequence as a serial plan.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { Fleet } from "../fleet";
import type { StackPlan } from "./planStack";

/** Where a worker finds the stack program: a module's export, called with `args` if given. */
export interface WorkerProgram {
  /** An absolute module path (TypeScript is loaded through tsx). */
  readonly module: string;
  readonly export: string;
  /** When given, the export is a factory: `export(...args)` returns the stack program. */
  readonly args?: readonly string[];
}

export interface WorkerInit {
  readonly program: WorkerProgram;
}

export type ToWorker =
  | { readonly kind: "fleet"; readonly fleet: Fleet }
  | {
      readonly kind: "stack";
      readonly stack: string;
      readonly outputs: ReadonlyArray<readonly [string, Readonly<Record<string, unknown>>]>;
      readonly secretOutputNames: ReadonlyArray<readonly [string, readonly string[]]>;
      readonly timeoutSeconds?: number;
    };

export type FromWorker = { readonly kind: "ready" } | { readonly kind: "plan"; readonly plan: StackPlan } | { readonly kind: "crash"; readonly stack: string; readonly message: string };

/** The stack program of the fleet (`stacks/program.ts` `runStack`), for workers. */
export const FLEET_PROGRAM: WorkerProgram = { module: path.resolve(__dirname, "..", "..", "stacks", "program"), export: "runStack" };

/** `--program FILE` for workers: `programFromFile(file)` in each worker. */
export function fileProgram(file: string): WorkerProgram {
  return { module: path.resolve(__dirname, "programFile"), export: "programFromFile", args: [path.resolve(file)] };
}

export class PlanWorkerError extends Error {}

interface Task {
  readonly fleet: Fleet;
  readonly message: Extract<ToWorker, { kind: "stack" }>;
  resolve(plan: StackPlan): void;
  reject(e: Error): void;
}

interface Slot {
  readonly worker: Worker;
  fleet?: Fleet;
  task?: Task;
}

/**
 * The entry each worker evaluates: tsx's require hook (the main thread's `--import tsx`
 * covers only its own isolate, and jest's transform none), the SDK's TypeScript deferred
 * (./deferTypescript.ts: each worker has its own module cache), then ./worker.ts.
 */
function bootstrap(): string {
  const ext = path.extname(__filename);
  const entry = path.join(__dirname, `worker${ext}`);
  const defer = path.join(__dirname, `deferTypescript${ext}`);
  return `${ext === ".ts" ? 'require("tsx/cjs");' : ""}require(${JSON.stringify(defer)}).deferTypescript();require(${JSON.stringify(entry)});`;
}

/** A fixed set of plan workers. `plan` queues; each worker takes the next stack when free. */
export class PlanWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private broken: Error | undefined;

  private constructor(readonly size: number) {}

  /** Start `size` workers and wait until each has loaded the program. */
  static async start(size: number, program: WorkerProgram): Promise<PlanWorkerPool> {
    if (!Number.isInteger(size) || size < 1) throw new PlanWorkerError(`the number of plan workers must be a positive integer, not ${size}`);
    const pool = new PlanWorkerPool(size);
    await Promise.all(Array.from({ length: size }, () => pool.spawn(program)));
    return pool;
  }

  private spawn(program: WorkerProgram): Promise<void> {
    return new Promise((resolve, reject) => {
      const init: WorkerInit = { program };
      // execArgv: [] so the main thread's `--import tsx` is not applied twice; V8 flags
      // (--max-semi-space-size) are process-wide and reach the workers' heaps anyway.
      const worker = new Worker(bootstrap(), { eval: true, workerData: init, execArgv: [], stdout: false, stderr: false });
      const slot: Slot = { worker };
      let ready = false;
      worker.on("message", (m: FromWorker) => {
        if (m.kind === "ready") {
          ready = true;
          this.slots.push(slot);
          resolve();
          this.next();
          return;
        }
        const task = slot.task;
        slot.task = undefined;
        if (task === undefined) return;
        if (m.kind === "plan") task.resolve(m.plan);
        else task.reject(new PlanWorkerError(`plan worker failed on ${m.stack}: ${m.message}`));
        this.next();
      });
      const fail = (why: string) => {
        const error = new PlanWorkerError(`plan worker ${why}`);
        if (!ready) return reject(error);
        this.fail(error);
      };
      worker.on("error", (e) => fail(`failed${slot.task ? ` on ${slot.task.message.stack}` : ""}: ${e.message.split("\n")[0]}`));
      worker.on("exit", (code) => {
        if (!this.closing) fail(`exited (code ${code})${slot.task ? ` while planning ${slot.task.message.stack}` : ""}`);
      });
    });
  }

  private closing = false;

  /** Plan one stack on the next free worker. */
  plan(fleet: Fleet, message: Extract<ToWorker, { kind: "stack" }>): Promise<StackPlan> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.queue.push({ fleet, message, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    for (const slot of this.slots) {
      if (slot.task !== undefined) continue;
      const task = this.queue.shift();
      if (task === undefined) return;
      slot.task = task;
      // Each worker receives a fleet once (a structured clone), then only stack names.
      if (slot.fleet !== task.fleet) {
        slot.worker.postMessage({ kind: "fleet", fleet: task.fleet } satisfies ToWorker);
        slot.fleet = task.fleet;
      }
      slot.worker.postMessage(task.message);
    }
  }

  private fail(error: Error): void {
    this.broken ??= error;
    for (const slot of this.slots) {
      slot.task?.reject(error);
      slot.task = undefined;
    }
    for (const task of this.queue.splice(0)) task.reject(error);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
