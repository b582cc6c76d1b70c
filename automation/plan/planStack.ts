/**
 * Run one stack's program under the mock cloud, isolated in its own runtime state, and
 * return what it would create and export. `planStack` runs a fleet stack's program;
 * `planProgram` runs any Pulumi TypeScript program (a tenant's `index.ts`, a corpus
 * program) with the config an engine would give it.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Fleet } from "../fleet";
import { MockCloud, type StackOutputs } from "./mock-cloud";
import { RecordingMonitor, type PlannedResource } from "./recordingMonitor";
import { planRuntime, withPlanRuntime } from "./planRuntime";
import { STRUCT_CODECS } from "./plainStruct";
import { settings, stackModule, state } from "./runtimeInternals";

export type StackStatus = "planned" | "not-implemented" | "failed";

export interface StackPlan {
  readonly name: string;
  readonly status: StackStatus;
  readonly resources: readonly PlannedResource[];
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly secretOutputNames: readonly string[];
  /** One line, no stack trace; secrets never appear here. */
  readonly error?: string;
  readonly seconds: number;
}

/** The program to run: the same function `stacks/index.ts` runs, taking the fleet and the stack name. */
export type StackProgram = (fleet: Fleet, stack: string) => Promise<Record<string, unknown>>;

export interface UpstreamOutputs {
  readonly outputs: StackOutputs;
  readonly secretOutputNames: ReadonlyMap<string, readonly string[]>;
}

/** A stack that never settles fails after this long (a reference stack plans in under 3 s). */
export const DEFAULT_STACK_TIMEOUT_SECONDS = 300;

/** The stack's config as the engine would pass it: string values, objects as JSON. */
export function engineConfig(raw: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw).map(([k, v]) => {
      if (v !== null && typeof v === "object" && "secure" in (v as object)) return [k, "[secret]"];
      return [k, typeof v === "string" ? v : JSON.stringify(v)];
    }),
  );
}

export interface ProgramRun {
  readonly project: string;
  readonly stack: string;
  /** Engine-style config (`engineConfig`): `aws:region` reaches the default aws provider. */
  readonly config: Readonly<Record<string, string>>;
  readonly secretKeys?: readonly string[];
  /** The program body: what the Pulumi nodejs runtime would run inside the root stack. */
  readonly program: () => Promise<Record<string, unknown> | void>;
  readonly upstream?: UpstreamOutputs;
  readonly preview?: boolean;
  readonly organization?: string;
  /** Fail the stack when the program has not settled by then. */
  readonly timeoutSeconds?: number;
}

export async function planStack(
  fleet: Fleet,
  name: string,
  program: StackProgram,
  upstream: UpstreamOutputs,
  options: { preview?: boolean; timeoutSeconds?: number } = {},
): Promise<StackPlan> {
  const spec = fleet.stacks.get(name);
  if (spec === undefined) throw new Error(`no stack ${name} in the fleet`);
  return planProgram({
    project: "meridian",
    stack: name,
    config: engineConfig(spec.rawConfig),
    secretKeys: [...spec.secretKeys],
    program: () => program(fleet, name),
    upstream,
    preview: options.preview,
    timeoutSeconds: options.timeoutSeconds,
  });
}

export async function planProgram(run: ProgramRun): Promise<StackPlan> {
  const name = run.stack;
  const started = process.hrtime.bigint();
  const cloud = new MockCloud({ stackOutputs: run.upstream?.outputs, secretOutputNames: run.upstream?.secretOutputNames });
  const runtime = planRuntime();
  const structs = STRUCT_CODECS[runtime === "lean" ? "plain" : "protobuf"];
  const monitor = new RecordingMonitor(cloud, run.config, new Set(run.secretKeys ?? []), disabledDefaultProviders(run.config), structs);
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  const timeoutSeconds = run.timeoutSeconds ?? DEFAULT_STACK_TIMEOUT_SECONDS;

  return withPlanRuntime(runtime, async () => {
    settings.setMockOptions(monitor, run.project, name, run.preview ?? false, run.organization ?? "organization");
    const store = state.getStore();
    store.supportsSecrets = true;
    store.supportsResourceReferences = true;
    store.supportsOutputValues = false;
    pulumi.runtime.setAllConfig({ ...run.config }, [...(run.secretKeys ?? [])]);

    const secretOutputNames: string[] = [];
    // A failure inside an apply callback surfaces as an unhandled rejection, not as a throw
    // from the program. Stacks are planned one at a time, so whatever arrives now is ours.
    const stray: Error[] = [];
    const onStray = (e: unknown) => void stray.push(e instanceof Error ? e : new Error(String(e)));
    process.on("unhandledRejection", onStray);
    process.on("uncaughtException", onStray);
    // If the program waits on something that can never settle (an Output whose apply
    // threw), Node drains its event loop and would exit silently: fail the stack instead.
    // If something keeps the loop alive (a timer, a socket), the timeout fails it.
    let onStall: () => void = () => undefined;
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      onStall = () => reject(stray[0] ?? new Error("the program stopped before exporting its outputs (an Output never resolved)"));
      timer = setTimeout(
        () => reject(new Error(`the program did not finish within ${timeoutSeconds}s (it waits on something that never settles)`)),
        timeoutSeconds * 1000,
      );
      timer.unref();
    });
    process.once("beforeExit", onStall);
    try {
      const outputs =
        (await Promise.race([
          stalled,
          stackModule.runInPulumiStack(async () => {
            const out = (await run.program()) ?? {};
            for (const [k, v] of Object.entries(out)) {
              if (await pulumi.isSecret(pulumi.output(v))) secretOutputNames.push(k);
            }
            return out;
          }),
        ])) ?? {};
      await Promise.race([stalled, settings.waitForRPCs()]);
      await new Promise((r) => setImmediate(r));
      if (monitor.failures.length > 0) throw monitor.failures[0];
      if (stray.length > 0) throw stray[0];
      return { name, status: "planned", resources: monitor.resources, outputs, secretOutputNames, seconds: elapsed() };
    } catch (e) {
      // Registrations still in flight are answered quickly; a stalled program's are not waited for.
      await Promise.race([settings.waitForRPCs().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
      const err = (monitor.failures[0] ?? stray[0] ?? e) as Error;
      const status: StackStatus = err?.name === "NotImplementedError" ? "not-implemented" : "failed";
      return { name, status, resources: monitor.resources, outputs: {}, secretOutputNames, error: oneLine(err), seconds: elapsed() };
    } finally {
      clearTimeout(timer);
      // Late rejections of this stack's outputs arrive a few turns after it settled; absorb
      // them here so they are never blamed on the next stack.
      for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 0));
      process.off("beforeExit", onStall);
      process.off("unhandledRejection", onStray);
      process.off("uncaughtException", onStray);
    }
  });
}

/** `pulumi:disable-default-providers`: packages (or `*`) whose default provider the engine refuses. */
function disabledDefaultProviders(config: Readonly<Record<string, string>>): ReadonlySet<string> {
  const raw = config["pulumi:disable-default-providers"];
  if (!raw) return new Set();
  try {
    const list = JSON.parse(raw) as unknown;
    return new Set(Array.isArray(list) ? list.map(String) : [String(list)]);
  } catch {
    return new Set(raw.split(",").map((s) => s.trim()));
  }
}

function oneLine(e: Error | undefined): string {
  let message = e?.message ?? String(e);
  if (pulumi.InputPropertiesError.isInstance(e)) {
    message = `${message}: ${e.errors.map((x) => `${x.propertyPath}: ${x.reason}`).join("; ")}`;
  }
  const lines = message.split("\n").map((l) => l.trim()).filter((l) => l.length > 0);
  // "Transform failed with 1 error:" (a syntax error) says where only on the next line.
  if (lines.length > 1 && lines[0].endsWith(":")) return `${lines[0]} ${lines[1]}`;
  return lines[0] ?? "unknown error";
}
