/**
 * Where a run's files go. One folder per run, split by residency domain so that nothing
 * under a domain's part names a stack or resource of another domain:
 *
 *   <runsDir>/<run-id>/
 *     summary.json                fleet level: domains and counts only
 *     report.md                   fleet level: domains and counts only
 *     <domain>/
 *       run.json                  that domain's run record (its stacks only)
 *       events.jsonl              that domain's events
 *       report.md                 that domain's table and graph
 *       logs/<stack>.log          per-stack engine output
 *       evidence/                 evidence.json, events.jsonl, report.md (the bundle uploaded)
 *       engine/                   engine state kept between runs (the offline engine's outputs)
 *
 * Every path is built here, from names checked to be one plain path segment, so a
 * domain or stack name read from a file can never point outside the run folder.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export const SUMMARY_FILE = "summary.json";
export const RECORD_FILE = "run.json";
export const EVENTS_FILE = "events.jsonl";
export const REPORT_FILE = "report.md";

/** A name that is not one plain path segment (traversal, separator, NUL, absolute, empty, over-long). */
export class UnsafePathError extends Error {
  constructor(what: string) {
    super(`${what} is not a plain file name`);
    this.name = "UnsafePathError";
  }
}

/**
 * A letter or digit, then letters, digits, `.`, `_`, `-`; at most 128 characters. Pulumi
 * stack names and domains fit; `..`, `/`, `\`, NUL, `__proto__` and absolute paths do not.
 */
const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isSafeSegment(name: unknown): name is string {
  return typeof name === "string" && SAFE_SEGMENT.test(name);
}

/** `name` as one path segment, or an UnsafePathError naming only `what` (never the value). */
export function safeSegment(name: string, what: string): string {
  if (!isSafeSegment(name)) throw new UnsafePathError(what);
  return name;
}

/** `<runDir>/<domain>`: everything of one domain. */
export function domainRunDir(runDir: string, domain: string): string {
  return path.join(runDir, safeSegment(domain, "domain name"));
}

/** `<runDir>/<domain>/evidence`: the domain's evidence bundle. */
export function evidenceDir(runDir: string, domain: string): string {
  return path.join(domainRunDir(runDir, domain), "evidence");
}

/** `<runDir>/<domain>/engine`: state an engine keeps for a later `--resume` (the offline engine's outputs). */
export function engineStateDir(runDir: string, domain: string): string {
  return path.join(domainRunDir(runDir, domain), "engine");
}

/** The per-stack log, relative to the domain's folder (as the record stores it). */
export function stackLogName(stack: string): string {
  return path.join("logs", `${safeSegment(stack, "stack name")}.log`);
}

/** Random bits in a run id: 64, so two runs started in the same second never collide by chance. */
const RUN_ID_RANDOM_BYTES = 8;

export function newRunId(command: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${stamp}-${command}-${crypto.randomBytes(RUN_ID_RANDOM_BYTES).toString("hex")}`;
}

/**
 * Create a new run folder exclusively: the runs folder may be created, the run's own folder
 * never pre-exists (no `recursive` on the last segment), so two runs can never share one. A
 * fixed `runId` that exists already is refused; a generated one is drawn again.
 */
export function createRunFolder(runsDir: string, command: string, now: Date, runId?: string): { runId: string; runDir: string } {
  fs.mkdirSync(runsDir, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    const id = runId ?? newRunId(command, now);
    const runDir = path.join(runsDir, safeSegment(id, "run id"));
    try {
      fs.mkdirSync(runDir);
      return { runId: id, runDir };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || runId !== undefined || attempt >= 4) throw e;
    }
  }
}
