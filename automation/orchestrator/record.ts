/**
 * The run record: the options of a run and each stack's status, timing and change summary.
 * In memory it is one `RunRecord` for the whole run; on disk it is split by domain (see
 * ./layout.ts): `<domain>/run.json` holds that domain's stacks only, and the fleet-level
 * `summary.json` lists domains and counts only. Both are rewritten atomically after every
 * stack state change, so a crash or a second Ctrl-C still leaves a usable record;
 * `--resume <run-id>` reads them back (./resume.ts) and runs only what did not succeed.
 */
import * as crypto from "node:crypto";
import * as path from "node:path";
import { controlPlaneFor } from "../fleet/controlPlane";
import type { Fleet } from "../fleet/load";
import type { ChangeSummary, Operation, PolicyViolation } from "../engine/types";
import type { Strategy } from "../scheduler";
import { nodeFiles, writeAtomic, type RunFiles } from "./files";
import { domainRunDir, RECORD_FILE, SUMMARY_FILE } from "./layout";

export type StackStatus = "succeeded" | "failed" | "skipped" | "cancelled" | "not-started";
export type RunStatus = "running" | "succeeded" | "failed" | "interrupted";

export { RECORD_FILE, SUMMARY_FILE };
/** Version of the on-disk record; 2 is the per-domain split. A resume refuses any other. */
import type { RetryEntry } from "./retry";
import { gatesForDomain, type GateRecord } from "./gates";

export const RECORD_SCHEMA = 2;

export interface StackRecord {
  readonly name: string;
  readonly domain: string;
  readonly ring: number;
  /** `running` only while the run is alive (or in the record of a run killed hard). */
  status: StackStatus | "running";
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  /** Engine calls made (more than 1 after retries; see `retries`). */
  attempts: number;
  /** The retries made, in order (a held lock or an allow-listed transient error). */
  retries?: RetryEntry[];
  changes?: ChangeSummary;
  violations: PolicyViolation[];
  error?: string;
  /** Succeeded in an earlier run this one resumed; not run again. */
  carriedOver?: boolean;
  /** The per-stack log, relative to the domain's folder (`logs/<stack>.log`). */
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
  /** `fleetFingerprint` of the fleet the run was made for; a resume must match it. */
  readonly fingerprint: string;
  readonly options: RunOptionsRecord;
  readonly resumedFrom?: string;
  readonly who: { readonly user: string; readonly gitAuthor?: string };
  readonly git: { readonly commit?: string; readonly dirty?: boolean };
  readonly stacks: Record<string, StackRecord>;
  /** (Optional) Gates between rings and domains, in the order they finished (./gates.ts). */
  gates?: GateRecord[];
}

/** One domain's `run.json`: the run record filtered to the domain, with the domain's own status. */
export interface DomainRunRecord extends RunRecord {
  readonly domain: string;
}

/** The fleet-level `summary.json`: what a person or a resume needs across domains, and no stack name. */
export interface RunSummary {
  readonly schema: typeof RECORD_SCHEMA;
  readonly kind: "meridian-run-summary";
  readonly runId: string;
  readonly command: Operation;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly exitCode?: number;
  readonly fingerprint: string;
  readonly resumedFrom?: string;
  readonly options: { readonly domains: readonly string[]; readonly strategy: Strategy; readonly parallel: number; readonly failFast: boolean; readonly engine: string };
  readonly domains: Readonly<Record<string, { readonly status: RunStatus; readonly stacks: number; readonly counts: Readonly<Record<StackStatus | "running", number>> }>>;
}

/**
 * What makes two fleets "the same" for a resume: the stack names with their domains, the
 * domains, and each domain's state backend (`controlPlaneFor`). A record made for another
 * fleet (another checkout's backend, a stack renamed or moved to the other domain) is refused.
 */
export function fleetFingerprint(fleet: Fleet, repoDir: string): string {
  const domains = [...fleet.settings.domainOrder].sort();
  const stacks = [...fleet.stacks.values()].map((s) => `${s.name}@${s.domain}`).sort();
  const backends = domains.map((d) => `${d}=${controlPlaneFor(fleet.settings.controlPlane, d, repoDir).backend}`);
  return crypto.createHash("sha256").update(JSON.stringify({ domains, stacks, backends })).digest("hex");
}

/** A domain's status: its own stacks decide, except that an interrupted run is interrupted everywhere. */
export function domainStatus(record: RunRecord, domain: string): RunStatus {
  if (record.status === "running" || record.status === "interrupted") return record.status;
  const mine = Object.values(record.stacks).filter((s) => s.domain === domain);
  const ok = mine.every((s) => s.status === "succeeded" && !s.violations.some((v) => v.enforcement === "mandatory"));
  return ok ? "succeeded" : "failed";
}

const EXIT_FOR: Record<RunStatus, number | undefined> = { running: undefined, succeeded: 0, failed: 1, interrupted: 130 };

export function domainRecord(record: RunRecord, domain: string): DomainRunRecord {
  const status = domainStatus(record, domain);
  return {
    ...record,
    domain,
    status,
    exitCode: record.exitCode === undefined ? undefined : EXIT_FOR[status],
    options: { ...record.options, stacks: record.options.stacks.filter((n) => record.stacks[n]?.domain === domain) },
    stacks: Object.fromEntries(Object.entries(record.stacks).filter(([, s]) => s.domain === domain)),
    gates: gatesForDomain(record.gates, domain),
  };
}

export function runSummary(record: RunRecord): RunSummary {
  const { options } = record;
  return {
    schema: RECORD_SCHEMA,
    kind: "meridian-run-summary",
    runId: record.runId,
    command: record.command,
    status: record.status,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    exitCode: record.exitCode,
    fingerprint: record.fingerprint,
    resumedFrom: record.resumedFrom,
    options: { domains: options.domains, strategy: options.strategy, parallel: options.parallel, failFast: options.failFast, engine: options.engine },
    domains: Object.fromEntries(
      options.domains.map((d) => {
        const mine = Object.values(record.stacks).filter((s) => s.domain === d);
        return [d, { status: domainStatus(record, d), stacks: mine.length, counts: { ...countStatuses(mine), running: mine.filter((s) => s.status === "running").length } }];
      }),
    ),
  };
}

/**
 * Write the record: `summary.json` and the `run.json` of each domain in `domains` (default:
 * all of the run's), each atomically. Throws RunFolderWriteError when the disk refuses.
 */
export function writeRecord(
  runDir: string,
  record: RunRecord,
  redact: (s: string) => string = (s) => s,
  domains: readonly string[] = record.options.domains,
  files: RunFiles = nodeFiles,
): void {
  for (const d of domains) {
    files.mkdir(domainRunDir(runDir, d));
    writeAtomic(files, path.join(domainRunDir(runDir, d), RECORD_FILE), redact(JSON.stringify(domainRecord(record, d), null, 2)) + "\n");
  }
  writeAtomic(files, path.join(runDir, SUMMARY_FILE), redact(JSON.stringify(runSummary(record), null, 2)) + "\n");
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
