/**
 * One run at a time per fleet and runs folder: `<runsDir>/.lock-<fleet fingerprint>.json`,
 * created exclusively (`wx`: the file system decides who wins, atomically, also on NFS v3+)
 * and holding who holds it (pid, host, start time, run id, command).
 *
 * A lock is stale, and taken over, when its holder is a process of this host that no longer
 * exists (`kill -9`, a crash), or when it is older than `maxAgeMs` (a holder on another host
 * whose pid cannot be checked). Take-over renames the stale file away first, so of two runs
 * breaking the same stale lock only one wins. The holder releases the lock on every exit
 * path (the run's `finally`, before a hard exit, and a process `exit` hook as a backstop).
 *
 * Why not proper-lockfile: it keeps no holder details (the refusal must name pid, host and
 * start time), it detects staleness only by an mtime that a timer must refresh while the run
 * lives (a run busy in long synchronous work would look stale and lose its lock), and it has
 * no dead-pid check, so a killed run would block the next one for the whole stale period.
 */
import * as fs from "node:fs";
import * as crypto from "node:crypto";
import * as os from "node:os";
import * as path from "node:path";
import { z } from "zod";
import { writeError } from "./files";
import { isSafeSegment } from "./layout";

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  readonly runId: string;
  readonly command: string;
}

export class RunLockError extends Error {
  constructor(
    message: string,
    readonly holder?: LockHolder,
  ) {
    super(message);
    this.name = "RunLockError";
  }
}

export interface RunLock {
  readonly file: string;
  readonly holder: LockHolder;
  /** Remove the lock if it is still this run's; safe to call more than once. */
  release(): void;
}

export interface LockOptions {
  /** A lock older than this is stale whatever its holder. Defaults to 24 hours (longer than any rollout). */
  readonly maxAgeMs?: number;
  readonly now?: () => Date;
  readonly pid?: number;
  readonly host?: string;
  /** Is `pid` alive on this host? Defaults to `process.kill(pid, 0)`. */
  readonly isAlive?: (pid: number) => boolean;
}

export const DEFAULT_LOCK_MAX_AGE_MS = 24 * 3600_000;
/** A lock file that cannot be read as a holder (a crash between create and write) is stale after this. */
const UNREADABLE_GRACE_MS = 10_000;

const holderSchema = z.object({
  pid: z.int().min(1).max(2 ** 31),
  host: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/),
  startedAt: z.iso.datetime(),
  runId: z.string().refine(isSafeSegment),
  command: z.enum(["preview", "up", "refresh", "destroy"]),
});

export function lockFile(runsDir: string, fingerprint: string): string {
  return path.join(runsDir, `.lock-${fingerprint.slice(0, 16)}.json`);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, owned by someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

type Existing = { kind: "held"; holder: LockHolder } | { kind: "unreadable" } | { kind: "stale"; raw: string; why: string } | { kind: "gone" };

function inspect(file: string, opts: ReturnType<typeof withDefaults>): Existing {
  let raw: string;
  let mtime: number;
  try {
    const st = fs.lstatSync(file);
    if (!st.isFile()) throw new RunLockError(`the lock ${file} is not a regular file; remove it`);
    mtime = st.mtimeMs;
    raw = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { kind: "gone" };
    throw e;
  }
  let holder: LockHolder | undefined;
  try {
    const parsed = holderSchema.safeParse(JSON.parse(raw));
    if (parsed.success) holder = parsed.data;
  } catch {
    // Not JSON: handled as unreadable below.
  }
  const now = opts.now().getTime();
  if (holder === undefined) {
    return now - mtime > UNREADABLE_GRACE_MS ? { kind: "stale", raw, why: "unreadable" } : { kind: "unreadable" };
  }
  if (holder.host === opts.host && !opts.isAlive(holder.pid)) return { kind: "stale", raw, why: `process ${holder.pid} is gone` };
  if (now - Date.parse(holder.startedAt) > opts.maxAgeMs) return { kind: "stale", raw, why: "older than the lock's age limit" };
  return { kind: "held", holder };
}

/** Move a stale lock away, unless someone replaced it meanwhile (then put theirs back). */
function breakStale(file: string, raw: string): void {
  const aside = `${file}.stale-${crypto.randomBytes(4).toString("hex")}`;
  try {
    fs.renameSync(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
    throw e;
  }
  const moved = fs.readFileSync(aside, "utf8");
  if (moved !== raw) {
    // A fresh lock taken between our look and our rename: restore it (link fails if yet another exists).
    try {
      fs.linkSync(aside, file);
    } catch {
      // Someone holds the lock now either way.
    }
  }
  fs.rmSync(aside, { force: true });
}

function describe(h: LockHolder, file: string): string {
  return `another fleet run holds the lock of this fleet and runs folder: run ${h.runId} (${h.command}), pid ${h.pid} on ${h.host}, since ${h.startedAt}; wait for it to end (if that process is gone for good, delete ${file})`;
}

function withDefaults(options: LockOptions): Required<Omit<LockOptions, "now">> & { now: () => Date } {
  return {
    maxAgeMs: options.maxAgeMs ?? DEFAULT_LOCK_MAX_AGE_MS,
    now: options.now ?? (() => new Date()),
    pid: options.pid ?? process.pid,
    host: options.host ?? os.hostname(),
    isAlive: options.isAlive ?? pidAlive,
  };
}

/**
 * Refuse early (before an engine is built or a backend touched) when a live run holds the
 * lock. Only a look: `acquireRunLock` still decides, atomically, when the run starts.
 */
export function assertNoLiveRun(runsDir: string, fingerprint: string, options: LockOptions = {}): void {
  const file = lockFile(runsDir, fingerprint);
  const existing = inspect(file, withDefaults(options));
  if (existing.kind === "held") throw new RunLockError(describe(existing.holder, file), existing.holder);
}

/**
 * Take the lock for a run, or throw RunLockError naming the holder (RunFolderWriteError when
 * the runs folder cannot be written at all).
 */
export function acquireRunLock(runsDir: string, fingerprint: string, run: { runId: string; command: string }, options: LockOptions = {}): RunLock {
  try {
    return tryAcquire(runsDir, fingerprint, run, withDefaults(options));
  } catch (e) {
    if (e instanceof RunLockError) throw e;
    throw writeError(lockFile(runsDir, fingerprint), e);
  }
}

function tryAcquire(runsDir: string, fingerprint: string, run: { runId: string; command: string }, opts: ReturnType<typeof withDefaults>): RunLock {
  fs.mkdirSync(runsDir, { recursive: true });
  const file = lockFile(runsDir, fingerprint);
  const holder: LockHolder = { pid: opts.pid, host: opts.host, startedAt: opts.now().toISOString(), runId: run.runId, command: run.command };
  const raw = JSON.stringify(holder) + "\n";
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(file, "wx", 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const existing = inspect(file, opts);
      if (existing.kind === "held") throw new RunLockError(describe(existing.holder, file), existing.holder);
      if (existing.kind === "unreadable") throw new RunLockError(`the lock ${file} is being written by another run (or unreadable); retry in a few seconds`);
      if (existing.kind === "stale") breakStale(file, existing.raw);
      continue;
    }
    try {
      fs.writeSync(fd, raw);
    } catch (e) {
      fs.closeSync(fd);
      fs.rmSync(file, { force: true });
      throw e;
    }
    fs.closeSync(fd);
    return ownLock(file, holder, raw);
  }
  throw new RunLockError(`could not take the lock ${file}: other runs keep taking it`);
}

function ownLock(file: string, holder: LockHolder, raw: string): RunLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off("exit", release);
    try {
      if (fs.readFileSync(file, "utf8") === raw) fs.rmSync(file, { force: true });
    } catch {
      // Already gone (deleted by hand): nothing to release.
    }
  };
  // Backstop for exits that skip the run's own release (an uncaught error, process.exit elsewhere).
  process.on("exit", release);
  return { file, holder, release };
}
