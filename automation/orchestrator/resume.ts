/**
 * Reading a run record back for `--resume`. The record is untrusted input: anyone who can
 * write the runs folder can hand the tool a hostile one. So it is read only from regular
 * files of bounded size, validated with a schema, checked to belong to this fleet (the
 * fingerprint) and cross-checked against the fleet before any name in it becomes a path.
 * Every refusal is one line that names the file and the field, never the file's content.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { topologicalOrder, type Fleet } from "../fleet";
import type { GateRecord } from "./gates";
import { domainRunDir, isSafeSegment, RECORD_FILE, SUMMARY_FILE } from "./layout";
import { domainRecordSchema, stackSchema, summarySchema, violationSchema } from "./schemas";
import { RECORD_SCHEMA, type DomainRunRecord, type RunRecord, type RunSummary, type StackRecord } from "./record";

export class RunRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RunRecordError";
  }
}

/** A record file larger than this is refused unread (a run of thousands of stacks stays far below). */
export const MAX_RECORD_BYTES = 16 << 20;

/** The schema's own key names: the only path segments a refusal may quote. */
const SCHEMA_KEYS = new Set([
  ...Object.keys(summarySchema.shape),
  ...Object.keys(domainRecordSchema.shape),
  ...Object.keys(stackSchema.shape),
  ...Object.keys(violationSchema.shape),
  ...Object.keys(domainRecordSchema.shape.options.shape),
  "create", "update", "delete", "replace", "same", "user", "gitAuthor", "commit", "dirty", "status", "counts", "succeeded", "failed", "skipped", "cancelled", "not-started", "running",
]);

/** `stacks.*.status`: schema keys and indexes are shown, keys taken from the file are not. */
function fieldPath(issuePath: readonly PropertyKey[]): string {
  if (issuePath.length === 0) return "(top level)";
  return issuePath.map((p) => (typeof p === "number" ? String(p) : typeof p === "string" && SCHEMA_KEYS.has(p) ? p : "*")).join(".");
}

function issueText(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${issue.expected}`;
    case "invalid_value":
      return "not an allowed value";
    case "too_big":
    case "too_small":
      return "out of range";
    case "invalid_format":
      return "wrong format";
    default:
      return "invalid";
  }
}

/** Read a JSON file that must be a regular file (no symlink, FIFO, device, folder) of bounded size. */
function readJson(file: string, shown: string): unknown {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch {
    throw new RunRecordError(`${shown}: missing`);
  }
  if (!stat.isFile()) throw new RunRecordError(`${shown}: not a regular file`);
  if (stat.size > MAX_RECORD_BYTES) throw new RunRecordError(`${shown}: larger than ${MAX_RECORD_BYTES >> 20} MiB`);
  let raw: string;
  try {
    raw = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new RunRecordError(`${shown}: cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    // JSON.parse's message quotes the text around the error: never shown.
    throw new RunRecordError(`${shown}: not valid JSON`);
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, shown: string): T {
  const version = value !== null && typeof value === "object" ? (value as { schema?: unknown }).schema : undefined;
  if (typeof version === "number" && version !== RECORD_SCHEMA) {
    throw new RunRecordError(`${shown}: record schema ${Number.isSafeInteger(version) && version >= 0 && version < 1e6 ? version : "?"} is not the schema this version reads (${RECORD_SCHEMA}); start a new run`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RunRecordError(`${shown}: not a fleet run record (field ${fieldPath(issue.path)}: ${issueText(issue)})`);
  }
  return parsed.data;
}

export interface RecordExpectations {
  readonly fleet: Fleet;
  /** `fleetFingerprint` of the fleet about to run. */
  readonly fingerprint: string;
}

/** The run folder a `--resume` argument names: a run id under `runsDir`, or a run folder's path. */
export function resolveRunDir(runsDir: string, ref: string): string {
  if (ref.length === 0 || ref.length > 4096 || ref.includes("\0")) throw new RunRecordError("--resume: not a run id or run folder");
  const candidates = [...(isSafeSegment(ref) ? [path.join(runsDir, ref)] : []), path.resolve(ref)];
  const dir = candidates.find((d) => fs.existsSync(path.join(d, SUMMARY_FILE)));
  if (dir !== undefined) return dir;
  if (candidates.some((d) => fs.existsSync(path.join(d, RECORD_FILE)))) {
    throw new RunRecordError("--resume: that run was recorded by an older meridian (record schema 1, one folder for all domains); start a new run");
  }
  if (path.basename(ref) === RECORD_FILE || path.basename(ref) === SUMMARY_FILE) throw new RunRecordError("--resume: name the run (its id or folder), not a file in it");
  throw new RunRecordError(`--resume: no run record for ${isSafeSegment(ref) ? `"${ref}" under ${runsDir}` : "that path"} (looked for ${SUMMARY_FILE})`);
}

/**
 * Read and validate the record of a run for `--resume`. With `expect`, the record must
 * belong to that fleet, and every domain and stack it names must be one of the fleet's
 * (in the right domain) before it is used for anything.
 */
export function readRecord(runsDir: string, ref: string, expect?: RecordExpectations): RunRecord {
  const runDir = resolveRunDir(runsDir, ref);
  const shown = (file: string): string => path.relative(process.cwd(), file) || file;
  const summaryFile = path.join(runDir, SUMMARY_FILE);
  const summary: RunSummary = parseWith(summarySchema, readJson(summaryFile, shown(summaryFile)), shown(summaryFile)) as RunSummary;
  const fail = (what: string): never => {
    throw new RunRecordError(`${shown(summaryFile)}: ${what}`);
  };
  if (path.basename(runDir) !== summary.runId) fail("its run id is not its folder's name");
  if (expect !== undefined && summary.fingerprint !== expect.fingerprint) {
    fail("made for another fleet (its stacks, domains or state backends differ); start a new run");
  }
  const fleetDomains = expect?.fleet.settings.domainOrder as readonly string[] | undefined;
  const domains = summary.options.domains;
  if (new Set(domains).size !== domains.length) fail("field options.domains: a domain is listed twice");
  if (fleetDomains !== undefined && domains.some((d) => !fleetDomains.includes(d))) fail("field options.domains: not a domain of this fleet");
  if (Object.keys(summary.domains).sort().join() !== [...domains].sort().join()) fail("field domains: does not match options.domains");

  const stacks: Record<string, StackRecord> = Object.create(null) as Record<string, StackRecord>;
  const names: string[] = [];
  // Each gate once, from the record of the domain whose health it checked (the others hold its verdict only).
  const gates: GateRecord[] = [];
  let first: DomainRunRecord | undefined;
  for (const d of domains) {
    const file = path.join(domainRunDir(runDir, d), RECORD_FILE);
    const rec = parseWith(domainRecordSchema, readJson(file, shown(file)), shown(file)) as DomainRunRecord;
    const bad = (what: string): never => {
      throw new RunRecordError(`${shown(file)}: ${what}`);
    };
    if (rec.domain !== d || rec.runId !== summary.runId || rec.command !== summary.command || rec.fingerprint !== summary.fingerprint) {
      bad("field domain, runId, command or fingerprint: does not match summary.json");
    }
    for (const [key, s] of Object.entries(rec.stacks)) {
      if (s.name !== key) bad("field stacks.*.name: not its key");
      if (s.domain !== d) bad("field stacks.*.domain: not this folder's domain");
      const spec = expect?.fleet.stacks.get(s.name);
      if (expect !== undefined && (spec === undefined || spec.domain !== d)) bad("field stacks: names a stack that is not in this domain of the fleet");
      stacks[key] = s;
    }
    for (const n of rec.options.stacks) if (stacks[n]?.domain !== d) bad("field options.stacks: names a stack without a record in this file");
    names.push(...rec.options.stacks);
    gates.push(...(rec.gates ?? []).filter((g) => g.domain === d && domains.includes(g.next)));
    first ??= rec;
  }
  if (new Set(names).size !== names.length) fail("a stack is listed twice");
  const ordered = expect !== undefined ? topologicalOrder(expect.fleet).filter((n) => names.includes(n)) : names;
  const base = first!;
  return {
    schema: RECORD_SCHEMA,
    runId: summary.runId,
    command: summary.command,
    status: summary.status,
    startedAt: summary.startedAt,
    finishedAt: summary.finishedAt,
    exitCode: summary.exitCode,
    fingerprint: summary.fingerprint,
    resumedFrom: summary.resumedFrom,
    options: { ...base.options, ...summary.options, stacks: ordered },
    who: base.who,
    git: base.git,
    stacks,
    gates: gates.length > 0 ? gates : undefined,
  };
}
