/**
 * One plan worker thread: its own V8 isolate and module cache, so the SDK's process-wide
 * state (the runtime settings, the stack resource, the config store) is its own. It loads
 * the program once, then plans the stacks the main thread sends it, one at a time, exactly
 * as the serial plan does (`planStack`). Protocol: ./workers.ts.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Fleet } from "../fleet";
import { planStack, type StackProgram } from "./planStack";
import type { ToWorker, WorkerInit, FromWorker } from "./workers";

function loadProgram(init: WorkerInit): StackProgram {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(init.program.module) as Record<string, unknown>;
  const exported = mod[init.program.export];
  if (typeof exported !== "function") throw new Error(`${init.program.module} exports no function ${init.program.export}`);
  return (init.program.args ? (exported as (...a: unknown[]) => StackProgram)(...init.program.args) : exported) as StackProgram;
}

function main(): void {
  const port = parentPort;
  if (port === null) throw new Error("automation/plan/worker.ts runs only as a worker thread");
  const send = (m: FromWorker) => port.postMessage(m);
  // A worker's stdout is the main thread's, where `plan --json` prints its one object:
  // program chatter goes to stderr, as the main thread's quiet console sends it.
  const toStderr = (...args: unknown[]) => void process.stderr.write(`${args.map(String).join(" ")}\n`);
  console.log = toStderr;
  console.info = toStderr;
  // As in the serial plan (./index.ts): the SDK's stack stamps cost a third of the CPU.
  Error.stackTraceLimit = 0;
  const init = workerData as WorkerInit;
  const program = loadProgram(init);
  let fleet: Fleet | undefined;
  port.on("message", (m: ToWorker) => {
    if (m.kind === "fleet") {
      fleet = m.fleet;
      return;
    }
    if (fleet === undefined) throw new Error("plan worker: a stack before its fleet");
    // While a stack runs the port must not keep the thread alive: a program that waits on
    // something that never settles drains the loop, and planStack's `beforeExit` fails it.
    port.unref();
    planStack(fleet, m.stack, program, { outputs: new Map(m.outputs), secretOutputNames: new Map(m.secretOutputNames) }, { timeoutSeconds: m.timeoutSeconds }).then(
      (plan) => {
        port.ref();
        send({ kind: "plan", plan });
      },
      (e: unknown) => {
        port.ref();
        send({ kind: "crash", stack: m.stack, message: e instanceof Error ? e.message : String(e) });
      },
    );
  });
  send({ kind: "ready" });
}

main();
