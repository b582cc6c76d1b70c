/**
 * The run loop: drives the Scheduler against an Engine, one operation per stack, and
 * writes everything a run leaves behind under `<runsDir>/<run-id>/`, split by domain
 * (see ./layout.ts): `summary.json` and `report.md` at the top list domains and counts
 * only; `<domain>/{run.json, events.jsonl, report.md, logs/<stack>.log, evidence/}` hold
 * everything about that domain's stacks and nothing about another domain's.
 *
 * One run at a time per fleet and runs folder (./lock.ts): the lock is taken before the
 * run folder is created (exclusively) and released on every way out.
 *
 * Interrupts: the first SIGINT/SIGTERM stops new starts and cancels running operations
 * through the engine, waits for them to settle (their locks released), writes the record
 * and returns exit code 130. A second one writes a minimal record and the evidence of what
 * ran, releases the lock and calls `hardExit(130)`.
 *
 * A write to the run folder that fails (a full disk) stops the run the same way as a first
 * interrupt and ends it with RunFolderWriteError (the CLI's exit 2); no temp file is left.
 * Everything written or emitted passes through the Redactor first.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Fleet } from "../fleet/load";
import { OperationCancelledError, runOperation, type Engine, type EngineEvent, type Operation, type PolicyViolation } from "../engine/types";
import { Scheduler, scheduleNodes, type GateBoundary, type Outcome, type Strategy } from "../scheduler";
import { domainEvidence, writeEvidence, type RunContext } from "./evidence";
import type { EventSink, FleetEvent } from "./events";
import { nodeFiles, writeAtomic, writeError, type RunFiles, type RunFolderWriteError } from "./files";
import { createRunFolder, domainRunDir, EVENTS_FILE, evidenceDir, newRunId, REPORT_FILE, stackLogName } from "./layout";
import { acquireRunLock, type LockOptions } from "./lock";
import { countStatuses, domainRecord, runSummary, succeededIn, writeRecord, type RunRecord, type RunStatus, type StackRecord } from "./record";
import { Redactor, REDACTED } from "./redact";
import { fleetReport, markdownReport } from "./report";
import { retryTransient, type RetryPolicy, type TransientRule } from "./retry";
import type { InterruptSignal, SignalSource } from "./signals";
import { gatesForDomain, type GateRunner } from "./gates";

export const EXIT_CODES = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

export interface RunInput {
  readonly fleet: Fleet;
  readonly command: Operation;
  /** The stacks to run (selection already resolved: `--stack`, `--domains`, `--with-dependencies`). */
  readonly stacks: readonly string[];
  /** Domain order; the first is the canary. */
  readonly domains: readonly string[];
  readonly strategy: Strategy;
  readonly parallel: number;
  readonly failFast: boolean;
  readonly engine: Engine;
  /** The folder holding run folders (`.fleet-runs`). */
  readonly runsDir: string;
  readonly context: RunContext;
  readonly redactor: Redactor;
  /** `fleetFingerprint(fleet, repoDir)`: stored in the record (a resume must match it) and keys the run lock. */
  readonly fingerprint: string;
  /** (Optional) The record of the run this one resumes: its successes are not run again. */
  readonly resume?: RunRecord;
  /** (Optional) Event consumers (the `--json` printer, the progress renderer); they receive redacted events. */
  readonly sinks?: readonly EventSink[];
  /** (Optional) Defaults to no signals. */
  readonly signals?: SignalSource;
  /** (Optional) Backoff for a held stack lock. Defaults to DEFAULT_RETRY. */
  readonly retry?: RetryPolicy;
  /** (Optional) Allow-listed transient errors (fleet.yaml `retries:`). Defaults to none. */
  readonly retryRules?: readonly TransientRule[];
  /** (Optional) Called on a second interrupt, after the record is written. Defaults to `process.exit`. */
  readonly hardExit?: (code: number) => void;
  /** (Optional) Fixed run id; defaults to `<UTC time>-<command>-<random>`. Its folder must not exist. */
  readonly runId?: string;
  /** (Optional) The run folder's writes (tests inject a full disk). Defaults to node:fs. */
  readonly files?: RunFiles;
  /** (Optional) Lock settings (age limit; tests set pid/host). */
  readonly lock?: LockOptions;
  readonly now?: () => Date;
  /** (Optional) Expected duration per stack (ms) for the scheduler's priority, e.g. from the last run. */
  readonly estimates?: ReadonlyMap<string, number>;
  /** (Optional) Gates between rings and domains (./gates.ts); without it nothing waits at a boundary. */
  readonly gates?: (runDir: string) => GateRunner;
}

export interface RunOutcome {
  readonly runId: string;
  readonly runDir: string;
  readonly status: RunStatus;
  readonly exitCode: number;
  readonly record: RunRecord;
}

/** Run one fleet operation to the end (or to an interrupt). Never throws for stack failures. */
export async function runFleet(input: RunInput): Promise<RunOutcome> {
  const now = input.now ?? (() => new Date());
  const started = now();
  const runId = input.runId ?? newRunId(input.command, started);
  const { fleet, command } = input;
  for (const name of input.stacks) if (!fleet.stacks.has(name)) throw new Error(`"${name}" is not a stack of the fleet`);
  const lock = acquireRunLock(input.runsDir, input.fingerprint, { runId, command }, input.lock);
  try {
    return await runLocked(input, runId, started, now, lock.release);
  } finally {
    lock.release();
  }
}

async function runLocked(input: RunInput, runId: string, started: Date, now: () => Date, releaseLock: () => void): Promise<RunOutcome> {
  const { fleet, engine, command, redactor } = input;
  const files = input.files ?? nodeFiles;
  const { runDir } = guardedCreate(input.runsDir, command, started, runId);
  const domainOf = (name: string): string => fleet.stacks.get(name)!.domain;

  const carried = new Set(input.resume ? succeededIn(input.resume).filter((n) => input.stacks.includes(n)) : []);
  const stacks: Record<string, StackRecord> = {};
  for (const name of input.stacks) {
    const spec = fleet.stacks.get(name)!;
    const prev = input.resume?.stacks[name];
    stacks[name] = carried.has(name)
      ? { ...prev!, status: "succeeded", carriedOver: true, log: undefined } // its log is in the earlier run's folder
      : { name, domain: spec.domain, ring: spec.ring, status: "not-started", attempts: 0, violations: [] };
  }
  const domains = input.domains.filter((d) => Object.values(stacks).some((s) => s.domain === d));
  const record: RunRecord = {
    schema: 2,
    runId,
    command,
    status: "running",
    startedAt: started.toISOString(),
    fingerprint: input.fingerprint,
    options: {
      domains,
      stacks: [...input.stacks],
      strategy: input.strategy,
      parallel: input.parallel,
      failFast: input.failFast,
      engine: engine.kind,
      policyPack: input.context.policyPack?.path,
      backend: input.context.backend,
    },
    resumedFrom: input.resume?.runId,
    who: { user: input.context.user, gitAuthor: input.context.gitAuthor },
    git: { commit: input.context.gitCommit, dirty: input.context.gitDirty },
    stacks,
  };
  const redact = (s: string): string => redactor.redact(s);
  const dirOf = (domain: string): string => domainRunDir(runDir, domain);

  // The first failed write stops the run like an interrupt; the run then ends with it.
  let writeFailure: RunFolderWriteError | undefined;
  let stopForWriteFailure: () => void = () => undefined;
  const guard = (file: string, write: () => void): void => {
    try {
      write();
    } catch (e) {
      if (writeFailure === undefined) {
        writeFailure = writeError(path.relative(process.cwd(), file) || file, e);
        stopForWriteFailure();
      }
    }
  };
  const saveRecord = (only?: string): void => guard(runDir, () => writeRecord(runDir, record, redact, only === undefined ? domains : [only], files));

  try {
    for (const d of domains) files.mkdir(path.join(dirOf(d), "logs"));
    writeRecord(runDir, record, redact, domains, files);
  } catch (e) {
    throw writeError(path.relative(process.cwd(), runDir) || runDir, e); // nothing has started yet
  }
  // Secrets of carried-over stacks are known from the start: a dependent may print them.
  if (command === "up" || command === "refresh") for (const name of carried) await learnSecretOutputs(engine, name, redactor);

  const policyPacksRun: Record<string, Record<string, string>> = {};
  const emit = (event: FleetEvent): void => {
    const clean = redactor.redactDeep(event);
    const domain = "domain" in clean ? clean.domain : undefined;
    if (domain !== undefined) {
      const file = path.join(dirOf(domain), EVENTS_FILE);
      guard(file, () => files.appendFile(file, JSON.stringify(clean) + "\n"));
    }
    for (const sink of input.sinks ?? []) sink(clean);
  };
  const time = (): string => now().toISOString();

  const scheduler = new Scheduler(scheduleNodes(fleet, input.stacks), {
    direction: command === "destroy" ? "reverse" : "forward",
    strategy: input.strategy,
    parallel: input.parallel,
    domainOrder: domains,
    failFast: input.failFast,
    succeeded: carried,
    estimates: input.estimates,
    gates: input.gates !== undefined,
  });
  const gateRunner = input.gates?.(runDir);

  // Wake-up of the loop: stack completions and signals.
  let woken = false;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    woken = true;
    wake?.();
  };
  const stopWaiting = new AbortController();
  const cancelRequested = new Set<string>();
  let interrupted = false;
  let hardExited = false;

  const cancel = (name: string): void => {
    if (cancelRequested.has(name)) return;
    cancelRequested.add(name);
    emit({ type: "stack-output", time: time(), runId, stack: name, domain: domainOf(name), text: "cancelling: asking the engine to stop this update" });
    engine.cancel(name).catch((e: unknown) => {
      emit({ type: "stack-output", time: time(), runId, stack: name, domain: domainOf(name), text: `cancel failed: ${errorText(e)}` });
    });
  };

  /** Stop starting stacks and cancel the running ones (first interrupt, or a failed write). */
  const stopRun = (why: string): void => {
    if (interrupted) return;
    interrupted = true;
    scheduler.interrupt();
    stopWaiting.abort();
    for (const name of scheduler.running) {
      emit({ type: "stack-output", time: time(), runId, stack: name, domain: domainOf(name), text: `${why}: stopping` });
      cancel(name);
    }
    poke();
  };
  stopForWriteFailure = () => stopRun("the run folder cannot be written");

  const dependsOn = (name: string): readonly string[] => fleet.stacks.get(name)?.dependsOn ?? [];
  /** Evidence, reports and the evidence copy of the events, for every domain; each write guarded. */
  const writeDomainOutputs = (finishedAt: Date): void => {
    for (const d of domains) {
      const mine = Object.values(stacks).filter((s) => s.domain === d);
      const rec = domainRecord(record, d);
      const report = redact(markdownReport(record, dependsOn, d));
      guard(path.join(dirOf(d), REPORT_FILE), () => writeAtomic(files, path.join(dirOf(d), REPORT_FILE), report));
      const eventsFile = path.join(dirOf(d), EVENTS_FILE);
      const finished = {
        type: "run-finished",
        time: record.finishedAt ?? finishedAt.toISOString(),
        runId,
        command,
        status: rec.status,
        exitCode: rec.exitCode ?? EXIT_CODES.interrupted,
        durationMs: finishedAt.getTime() - started.getTime(),
        counts: countStatuses(mine),
        domain: d,
        runDir: dirOf(d),
      } satisfies FleetEvent;
      guard(eventsFile, () => files.appendFile(eventsFile, JSON.stringify(redactor.redactDeep(finished)) + "\n"));
      const evDir = evidenceDir(runDir, d);
      guard(evDir, () => {
        files.mkdir(evDir);
        writeEvidence(runDir, domainEvidence(record, input.context, d, policyPacksRun[d] ?? {}), redact);
        writeAtomic(files, path.join(evDir, REPORT_FILE), report);
        writeAtomic(files, path.join(evDir, EVENTS_FILE), fs.existsSync(eventsFile) ? fs.readFileSync(eventsFile, "utf8") : "");
      });
    }
    guard(path.join(runDir, REPORT_FILE), () => writeAtomic(files, path.join(runDir, REPORT_FILE), redact(fleetReport(runSummary(record)))));
  };

  const onSignal = (signal: InterruptSignal): void => {
    if (!interrupted) return stopRun(signal);
    // Second signal: leave now, with what is known on disk — a minimal record and the evidence.
    hardExited = true;
    for (const name of scheduler.running) {
      const s = stacks[name];
      s.status = "cancelled";
      s.error = `${signal} twice: left while the update was still stopping; its lock may still be held`;
    }
    record.status = "interrupted";
    record.finishedAt = time();
    record.exitCode = EXIT_CODES.interrupted;
    saveRecord();
    writeDomainOutputs(now());
    releaseLock();
    poke();
    (input.hardExit ?? ((code: number) => process.exit(code)))(EXIT_CODES.interrupted);
  };
  const unsubscribe = input.signals?.subscribe(onSignal);

  const runStack = async (name: string): Promise<void> => {
    const s = stacks[name];
    const domain = s.domain;
    const startedAt = now();
    s.status = "running";
    s.startedAt = startedAt.toISOString();
    s.log = stackLogName(name);
    const logFile = path.join(dirOf(domain), s.log);
    const log = (text: string): void => guard(logFile, () => files.appendFile(logFile, redact(text.endsWith("\n") ? text : text + "\n")));
    log(`# fleet ${command} ${name} (${domain}) run ${runId} started ${s.startedAt}`);
    emit({ type: "stack-started", time: s.startedAt, runId, stack: name, domain, ring: s.ring, operation: command });
    saveRecord(domain);

    const violations: PolicyViolation[] = [];
    const onEvent = (e: EngineEvent): void => {
      switch (e.type) {
        case "output":
          log(e.text);
          emit({ type: "stack-output", time: time(), runId, stack: name, domain, text: e.text });
          return;
        case "diagnostic":
          log(`${e.severity}: ${e.urn ? `${e.urn}: ` : ""}${e.message}`);
          if (e.severity !== "info") emit({ type: "stack-output", time: time(), runId, stack: name, domain, text: `${e.severity}: ${e.message}` });
          return;
        case "resource":
          if (e.phase !== "started") log(`${e.phase === "failed" ? "failed" : "done"} ${e.op} ${e.resourceType} ${e.urn}`);
          return;
        case "policy-violation": {
          const v = redactor.redactDeep(e.violation);
          violations.push(v);
          log(`policy ${v.enforcement}: ${v.policyPack}/${v.policy}: ${v.message}${v.urn ? ` (${v.urn})` : ""}`);
          emit({ type: "policy-violation", time: time(), runId, stack: name, domain, policyPack: v.policyPack, policy: v.policy, enforcement: v.enforcement, message: v.message, urn: v.urn });
          return;
        }
      }
    };

    let outcome: Outcome;
    try {
      const result = await retryTransient(
        name,
        (n) => {
          s.attempts = n;
          return runOperation(engine, command, name, { onEvent });
        },
        { lock: input.retry, rules: input.retryRules },
        (entry, e) => {
          s.retries = [...(s.retries ?? []), entry];
          const text = `${redactor.redact(e.message.split("\n")[0])}; retry ${entry.attempt + 1} in ${Math.round(entry.delayMs / 100) / 10}s (${entry.rule})`;
          log(text);
          emit({ type: "stack-output", time: time(), runId, stack: name, domain, text });
        },
        stopWaiting.signal,
      );
      s.changes = result.changes;
      if (result.policyPacks) policyPacksRun[domain] = { ...policyPacksRun[domain], ...result.policyPacks };
      const mandatory = violations.filter((v) => v.enforcement === "mandatory");
      if (mandatory.length > 0) {
        // An engine that reports mandatory violations without failing (the offline mock) still fails the stack.
        throw new Error(`${mandatory.length} mandatory policy violation(s): ${mandatory.map((v) => v.policy).join(", ")}`);
      }
      if (command === "up" || command === "refresh") {
        try {
          const outputs = await engine.outputs(name);
          for (const o of Object.values(outputs)) if (o.secret) redactor.add(o.value);
          s.outputs = Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.secret ? REDACTED : redactor.redactDeep(o.value)]));
          guard(logFile, () => rewriteRedacted(files, logFile, redactor)); // secrets first known now: scrub the log written so far
        } catch (e) {
          log(`warning: could not read outputs: ${errorText(e)}`);
        }
      }
      outcome = "succeeded";
    } catch (e) {
      outcome = e instanceof OperationCancelledError || cancelRequested.has(name) || interrupted ? "cancelled" : "failed";
      s.error = redact(errorText(e));
      log(`${outcome}: ${s.error}`);
    }
    if (hardExited) return;
    const finishedAt = now();
    s.status = outcome;
    s.finishedAt = finishedAt.toISOString();
    s.durationMs = finishedAt.getTime() - startedAt.getTime();
    s.violations = violations;
    log(`# ${outcome} in ${s.durationMs}ms`);
    // Durable before announced: whoever sees the event (and kills the run) finds it in the record.
    saveRecord(domain);
    for (const other of scheduler.finish(name, outcome)) cancel(other);
    emit({
      type: "stack-finished",
      time: s.finishedAt,
      runId,
      stack: name,
      domain,
      status: outcome,
      durationMs: s.durationMs,
      attempts: s.attempts,
      changes: s.changes,
      violations: { mandatory: violations.filter((v) => v.enforcement === "mandatory").length, advisory: violations.filter((v) => v.enforcement === "advisory").length },
      error: s.error,
      outputs: s.outputs,
    });
    poke();
  };

  /** One gate: its lines and verdict go to the events of the domains that see it; the record keeps it. */
  const runGate = async (boundary: GateBoundary): Promise<void> => {
    const progress = (text: string): void => emit({ type: "gate-output", time: time(), runId, gate: boundary.id, domain: boundary.checks, text });
    const result = await gateRunner!.run(boundary, stopWaiting.signal, progress);
    record.gates = [...(record.gates ?? []), result];
    saveRecord(boundary.checks);
    if (boundary.domain !== boundary.checks) saveRecord(boundary.domain);
    for (const d of new Set([boundary.checks, boundary.domain])) {
      const seen = gatesForDomain([result], d)![0];
      emit({ type: "gate-finished", time: result.finishedAt ?? time(), runId, gate: boundary.id, domain: d, status: result.status, reason: seen.reason });
    }
    if (!hardExited) scheduler.resolveGate(boundary.id, result.status === "passed");
    poke();
  };

  const inflight = new Set<Promise<void>>();
  const track = (p: Promise<void>): void => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };
  try {
    for (;;) {
      for (const name of scheduler.take()) {
        const p: Promise<void> = runStack(name).catch((e: unknown) => {
          // A bug in the loop itself (not a stack failure): record it on the stack and go on.
          stacks[name].error = redact(`internal error: ${errorText(e)}`);
          if (scheduler.status(name) === "running") scheduler.finish(name, "failed");
          poke();
        });
        track(p);
      }
      if (gateRunner !== undefined) {
        for (const boundary of scheduler.takeGates()) {
          track(
            runGate(boundary).catch((e: unknown) => {
              // A bug in the gate runner itself: the gate fails closed.
              emit({ type: "gate-output", time: time(), runId, gate: boundary.id, domain: boundary.checks, text: `internal error: ${errorText(e)}` });
              scheduler.resolveGate(boundary.id, false);
              poke();
            }),
          );
        }
      }
      if (scheduler.isDone()) break;
      if (!woken) await new Promise<void>((r) => (wake = r));
      woken = false;
      wake = undefined;
      if (hardExited) break;
    }
    // After a second interrupt, do not wait for operations that would not stop.
    if (!hardExited) await Promise.all(inflight);
  } finally {
    unsubscribe?.();
  }
  if (hardExited) return { runId, runDir, status: "interrupted", exitCode: EXIT_CODES.interrupted, record };

  // Final statuses for stacks that never ran.
  const final = scheduler.result();
  for (const [name, status] of final) {
    const s = stacks[name];
    if (s.status === "not-started" || s.status === "running") s.status = status;
  }
  for (const name of input.stacks) {
    const s = stacks[name];
    if (s.status === "skipped" || s.status === "not-started") {
      emit({ type: "stack-finished", time: time(), runId, stack: name, domain: s.domain, status: s.status, attempts: 0, violations: { mandatory: 0, advisory: 0 } });
    }
  }
  const counts = countStatuses(Object.values(stacks));
  const anyMandatory = Object.values(stacks).some((s) => s.violations.some((v) => v.enforcement === "mandatory"));
  const status: RunStatus = interrupted ? "interrupted" : counts.succeeded === input.stacks.length && !anyMandatory ? "succeeded" : "failed";
  const exitCode = status === "succeeded" ? EXIT_CODES.ok : status === "interrupted" ? EXIT_CODES.interrupted : EXIT_CODES.failed;
  const finishedAt = now();
  record.status = status;
  record.finishedAt = finishedAt.toISOString();
  record.exitCode = exitCode;
  saveRecord();
  writeDomainOutputs(finishedAt);
  if (writeFailure !== undefined) throw writeFailure;
  emit({ type: "run-finished", time: record.finishedAt, runId, command, status, exitCode, durationMs: finishedAt.getTime() - started.getTime(), counts, runDir });
  return { runId, runDir, status, exitCode, record };
}

/** The run's own folder, created exclusively; a failure is a RunFolderWriteError (exit 2). */
function guardedCreate(runsDir: string, command: Operation, started: Date, runId: string): { runId: string; runDir: string } {
  try {
    return createRunFolder(runsDir, command, started, runId);
  } catch (e) {
    throw writeError(path.join(runsDir, runId), e);
  }
}

/** Make a stack's secret outputs known to the redactor (a carried-over stack, whose outputs a dependent may print). */
async function learnSecretOutputs(engine: Engine, name: string, redactor: Redactor): Promise<void> {
  try {
    for (const o of Object.values(await engine.outputs(name))) if (o.secret) redactor.add(o.value);
  } catch {
    // Outputs unknown to this engine: nothing to learn; the stack's own record already has them redacted.
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Re-redact a file in place (after new secrets became known). */
function rewriteRedacted(files: RunFiles, file: string, redactor: Redactor): void {
  if (!fs.existsSync(file)) return;
  const text = fs.readFileSync(file, "utf8");
  const clean = redactor.redact(text);
  if (clean !== text) writeAtomic(files, file, clean);
}
