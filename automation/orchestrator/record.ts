/**
 * The run record (`.fleet-runs/<run-id>/run.json`): the options of a run and each
 * stack's status, timing and change summary. Rewritten atomically after every stack
 * state change, so a crash or a second Ctrl-C still leaves a usable record;
 * `--resume <run-id>` reads it back and runs only what did not succeed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ChangeSummary, Operation, PolicyViolation } from "../engine/types";
import type { Strategy } from "../scheduler";

export type StackStatus = "succeeded" | "failed" | "skipped" | "cancelled" | "not-started";
export type RunStatus = "running" | "succeeded" | "failed" | "interrupted";

export const RECORD_FILE = "run.json";
export const RECORD_SCHEMA = 1;

export interface StackRecord {
  readonly name: string;
  readonly domain: string;
  readonly ring: number;
  /** `running` only while the run is alive (or in the record of a run killed hard). */
  status: StackStatus | "running";
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  /** Engine calls made (more than 1 after lock-conflict retries). */
  attempts: number;
  changes?: ChangeSummary;
  violations: PolicyViolation[];
  error?: string;
  /** Succeeded in an earlier run this one resumed; not run again. */
  carriedOver?: boolean;
  /** The per-stack log, relative to the run folder. */
  log?: string;
  /** Outputs after up/refresh, secrets as `[secret]`. */
  outputs?: Record<string, unknown>;
}

export interface RunOptionsRecord {
  readonly domains: readonly string[];
  /** The stacks of the run, after `--stack`, `--domains` and `--with-dependencies`. */
  readonly stacks: readonly string[];
  readonly strategy: Strategy;
  readonly parallel: number;
  readonly failFast: boolean;
  readonly engine: string;
  readonly policyPack?: string;
  readonly backend?: string;
}

export interface RunRecord {
  readonly schema: typeof RECORD_SCHEMA;
  readonly runId: string;
  readonly command: Operation;
  status: RunStatus;
  readonly startedAt: string;
  finishedAt?: string;
  exitCode?: number;
  readonly options: RunOptionsRecord;
  readonly resumedFrom?: string;
  readonly who: { readonly user: string; readonly gitAuthor?: string };
  readonly git: { readonly commit?: string; readonly dirty?: boolean };
  readonly stacks: Record<string, StackRecord>;
}

/** Write the record atomically (temp file + rename). */
export function writeRecord(runDir: string, record: RunRecord, redact: (s: string) => string = (s) => s): void {
  const file = path.join(runDir, RECORD_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, redact(JSON.stringify(record, null, 2)) + "\n");
  fs.renameSync(tmp, file);
}

export class RunRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RunRecordError";
  }
}

/** Resolve `--resume RUN`: a run id under `runsDir`, a run folder or a run.json path. */
export function readRecord(runsDir: string, ref: string): RunRecord {
  const candidates = [path.join(runsDir, ref, RECORD_FILE), path.join(ref, RECORD_FILE), ref];
  const file = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
  if (file === undefined) throw new RunRecordError(`no run record for "${ref}" (looked for ${candidates[0]})`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new RunRecordError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const r = parsed as Partial<RunRecord>;
  if (r.schema !== RECORD_SCHEMA || typeof r.runId !== "string" || r.stacks === undefined || r.options === undefined) {
    throw new RunRecordError(`${file}: not a fleet run record (schema ${RECORD_SCHEMA})`);
  }
  return r as RunRecord;
}

/** Stacks that succeeded in a record (carried over included): what a resume skips. */
export function succeededIn(record: RunRecord): string[] {
  return Object.values(record.stacks)
    .filter((s) => s.status === "succeeded")
    .map((s) => s.name);
}

/** Count of stacks per final status. */
export function countStatuses(stacks: Iterable<StackRecord>): Record<StackStatus, number> {
  const counts: Record<StackStatus, number> = { succeeded: 0, failed: 0, skipped: 0, cancelled: 0, "not-started": 0 };
  for (const s of stacks) if (s.status !== "running") counts[s.status]++;
  return counts;
}
