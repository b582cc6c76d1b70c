/**
 * Run one stack's real program under the mock cloud, isolated in its own runtime state,
 * and return what it would create and export.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Fleet } from "../fleet";
import { MockCloud, type StackOutputs } from "./mock-cloud";
import { RecordingMonitor, type PlannedResource } from "./recordingMonitor";
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

/** The stack's config as the engine would pass it: string values, objects as JSON. */
export function engineConfig(raw: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw).map(([k, v]) => {
      if (v !== null && typeof v === "object" && "secure" in (v as object)) return [k, "[secret]"];
      return [k, typeof v === "string" ? v : JSON.stringify(v)];
    }),
  );
}

export async function planStack(
  fleet: Fleet,
  name: string,
  program: StackProgram,
  upstream: UpstreamOutputs,
  options: { preview?: boolean } = {},
): Promise<StackPlan> {
  const spec = fleet.stacks.get(name);
  if (spec === undefined) throw new Error(`no stack ${name} in the fleet`);
  const started = process.hrtime.bigint();
  const cloud = new MockCloud({ stackOutputs: upstream.outputs, secretOutputNames: upstream.secretOutputNames });
  const monitor = new RecordingMonitor(cloud);
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;

  return state.withLocalStorage(async () => {
    settings.setMockOptions(monitor, "meridian", name, options.preview ?? false, "organization");
    const store = state.getStore();
    store.supportsSecrets = true;
    store.supportsResourceReferences = true;
    store.supportsOutputValues = false;
    pulumi.runtime.setAllConfig(engineConfig(spec.rawConfig), [...spec.secretKeys]);

    const secretOutputNames: string[] = [];
    // A failure inside an apply callback surfaces as an unhandled rejection, not as a throw
    // from the program. Stacks are planned one at a time, so whatever arrives now is ours.
    const stray: Error[] = [];
    const onStray = (e: unknown) => void stray.push(e instanceof Error ? e : new Error(String(e)));
    process.on("unhandledRejection", onStray);
    process.on("uncaughtException", onStray);
    // If the program waits on something that can never settle (an Output whose apply
    // threw), Node drains its event loop and would exit silently: fail the stack instead.
    let onStall: () => void = () => undefined;
    const stalled = new Promise<never>((_, reject) => {
      onStall = () => reject(stray[0] ?? new Error("the program stopped before exporting its outputs (an Output never resolved)"));
    });
    process.once("beforeExit", onStall);
    try {
      const outputs =
        (await Promise.race([stalled, stackModule.runInPulumiStack(async () => {
          const out = await program(fleet, name);
          for (const [k, v] of Object.entries(out)) {
            if (await pulumi.isSecret(pulumi.output(v))) secretOutputNames.push(k);
          }
          return out;
        })])) ?? {};
      await settings.waitForRPCs();
      await new Promise((r) => setImmediate(r));
      if (stray.length > 0) throw stray[0];
      return { name, status: "planned", resources: monitor.resources, outputs, secretOutputNames, seconds: elapsed() };
    } catch (e) {
      await settings.waitForRPCs().catch(() => undefined);
      const err = (stray[0] ?? e) as Error;
      const status: StackStatus = err?.name === "NotImplementedError" ? "not-implemented" : "failed";
      return { name, status, resources: monitor.resources, outputs: {}, secretOutputNames, error: oneLine(err), seconds: elapsed() };
    } finally {
      // Late rejections of this stack's outputs arrive a few turns after it settled; absorb
      // them here so they are never blamed on the next stack.
      for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 0));
      process.off("beforeExit", onStall);
      process.off("unhandledRejection", onStray);
      process.off("uncaughtException", onStray);
    }
  });
}

function oneLine(e: Error | undefined): string {
  let message = e?.message ?? String(e);
  if (pulumi.InputPropertiesError.isInstance(e)) {
    message = `${message}: ${e.errors.map((x) => `${x.propertyPath}: ${x.reason}`).join("; ")}`;
  }
  return message.split("\n").find((l) => l.trim().length > 0)?.trim() ?? "unknown error";
}
