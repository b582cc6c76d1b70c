/**
 * What every orchestrated command (`fleet preview|up|refresh|destroy`, `fleet drift`,
 * `fleet upgrade`) does the same way: open with the redactor, a `fail` that prints one redacted
 * line and returns exit 2, the fleet load and the engine lookup ({@link commandPreamble}); resolve
 * the control planes with their secret values registered for redaction
 * ({@link redactedControlPlanes}); and build the orchestrator's input for one run
 * ({@link runInput}), so a rollout, a drift check and an upgrade run with the same settings
 * (retry rules, estimates, run-folder writes, signals) unless they say otherwise.
 */
import type { Domain } from "../../components/residency/catalogue";
import type { Fleet } from "../fleet";
import { domainSecretValues, type ControlPlanes } from "../engine/domainEnv";
import type { Engine, Operation } from "../engine/types";
import type { Strategy } from "../scheduler";
import { EXIT_CODES, lastDurations, Redactor, transientRules, type EventSink, type GateRunner, type RunContext, type RunInput, type RunRecord } from "../orchestrator";
import { resolveControlPlanes } from "./controlPlanes";
import { loadFleetOrReport } from "./fleetLoad";
import type { EngineFactory, RolloutIo } from "./rollout";

export interface Preamble {
  readonly redactor: Redactor;
  /** Print `fleet <command>: <msg>` (redacted) on stderr and return the usage exit code, 2. */
  readonly fail: (msg: string) => number;
  readonly fleet: Fleet;
  /** The `--engine` factory. */
  readonly factory: EngineFactory;
}

/**
 * The opening of a command: the fleet loaded (each problem one line naming file and key) and
 * `--engine` known. Returns the exit code instead when either fails.
 */
export function commandPreamble(command: string, opts: { readonly stacksDir: string; readonly engine: string }, io: Pick<RolloutIo, "err" | "env">, engines: Readonly<Record<string, EngineFactory>>): Preamble | number {
  const redactor = Redactor.fromEnvironment(io.env);
  const fail = (msg: string): number => {
    io.err(`fleet ${command}: ${redactor.redact(msg)}\n`);
    return EXIT_CODES.usage;
  };
  const fleet = loadFleetOrReport(opts.stacksDir, io.err);
  if (fleet === undefined) return EXIT_CODES.usage;
  const factory = engines[opts.engine];
  if (factory === undefined) return fail(`--engine: unknown engine "${opts.engine}"; known: ${Object.keys(engines).join(", ")}`);
  return { redactor, fail, fleet, factory };
}

/** Each domain's control plane (`--backend` over fleet.yaml), its passphrase values added to the redactor. Throws UsageError. */
export function redactedControlPlanes(fleet: Fleet, backend: string | undefined, env: NodeJS.ProcessEnv, repoDir: string, redactor: Redactor): ControlPlanes {
  const planes = resolveControlPlanes(fleet, backend, env, repoDir);
  // A passphrase variable of any name is a secret: redact its value wherever it could appear.
  for (const v of domainSecretValues(planes, env)) redactor.add(v);
  return planes;
}

/** One run as a command sets it up; {@link runInput} adds what every command passes alike. */
export interface RunSetup {
  readonly fleet: Fleet;
  readonly stacks: readonly string[];
  readonly domains: readonly string[] | readonly Domain[];
  readonly strategy: Strategy;
  readonly parallel: number;
  readonly failFast: boolean;
  readonly engine: Engine;
  readonly runsDir: string;
  readonly fingerprint: string;
  /** The run's context, already redacted. */
  readonly context: RunContext;
  readonly redactor: Redactor;
  readonly io: RolloutIo;
  /** (Optional) The record a `--resume` continues. */
  readonly resume?: RunRecord;
  /** (Optional) The gates between rings and domains. */
  readonly gates?: (runDir: string) => GateRunner;
}

/** The orchestrator's input for one run of `op` with id `runId`: the setup, the io's writes and signals, fleet.yaml's retry rules and the last run's durations. */
export function runInput(setup: RunSetup, op: Operation, runId: string, sinks: readonly EventSink[]): RunInput {
  const { io, ...run } = setup;
  return {
    ...run,
    command: op,
    runId,
    files: io.files,
    sinks,
    signals: io.signals,
    hardExit: io.hardExit,
    estimates: lastDurations(setup.runsDir, op),
    retryRules: transientRules(setup.fleet.settings.retries),
  };
}
