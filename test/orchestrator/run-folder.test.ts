/**
 * The run folder as untrusted-input hardening sees it: split by domain (no domain's part
 * names another domain's stack, in an up, a failed run, an interrupted run, a hard exit
 * and a resume), exclusive run folders with collision-proof ids, a full disk (injected
 * writer) that ends the run with a clear error and no temp file, and the run lock.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadFleet } from "../../automation/fleet";
import { FakeEngine, type FakeStackScript } from "../../automation/engine/fake";
import {
  acquireRunLock,
  createRunFolder,
  fleetFingerprint,
  lockFile,
  ManualSignals,
  newRunId,
  nodeFiles,
  readRecord,
  Redactor,
  RunFolderWriteError,
  RunLockError,
  runFleet,
  selectionFromRecord,
  selectStacks,
  type RunFiles,
  type RunInput,
} from "../../automation/orchestrator";

const repo = path.join(__dirname, "../..");
const fleet = loadFleet(path.join(repo, "stacks"));
const ALL = selectStacks(fleet, { command: "up" });
const STACKS_OF: Record<string, string[]> = {
  eu: ALL.stacks.filter((n) => fleet.stacks.get(n)!.domain === "eu"),
  us: ALL.stacks.filter((n) => fleet.stacks.get(n)!.domain === "us"),
};
const FINGERPRINT = fleetFingerprint(fleet, repo);

let runsDir: string;
beforeEach(() => {
  runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-runfolder-"));
});
afterEach(() => fs.rmSync(runsDir, { recursive: true, force: true }));

function input(scripts: Record<string, FakeStackScript>, over: Partial<RunInput> = {}): RunInput & { engine: FakeEngine } {
  const engine = new FakeEngine(scripts);
  return {
    fleet,
    command: "up",
    stacks: ALL.stacks,
    domains: ALL.domains,
    strategy: "parallel",
    parallel: 4,
    failFast: false,
    engine,
    runsDir,
    fingerprint: FINGERPRINT,
    context: { user: "tester", node: process.version },
    redactor: new Redactor(),
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    ...over,
  } as RunInput & { engine: FakeEngine };
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? filesUnder(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

/** Every file of a domain's part names none of the other domain's stacks; the top level names no stack at all. */
function expectSplit(runDir: string): void {
  const top = fs.readdirSync(runDir, { withFileTypes: true });
  const topFiles = top.filter((d) => d.isFile()).map((d) => d.name).sort();
  expect(topFiles).toEqual(expect.arrayContaining(["summary.json"]));
  expect(top.filter((d) => d.isDirectory()).map((d) => d.name).every((d) => d in STACKS_OF)).toBe(true);
  for (const f of topFiles) {
    const text = fs.readFileSync(path.join(runDir, f), "utf8");
    for (const n of ALL.stacks) expect(`${f}: ${text.includes(n) ? n : ""}`).toBe(`${f}: `);
  }
  for (const [domain, other] of [["eu", "us"], ["us", "eu"]]) {
    const files = filesUnder(path.join(runDir, domain));
    for (const f of files) {
      const text = fs.readFileSync(f, "utf8") + f.slice(runDir.length);
      for (const n of STACKS_OF[other]) expect(`${path.relative(runDir, f)}: ${text.includes(n) ? n : ""}`).toBe(`${path.relative(runDir, f)}: `);
    }
  }
}

describe("run folder split by domain", () => {
  it("an up: <domain>/{run.json, events.jsonl, report.md, logs/, evidence/}; summary and report list domains and counts only", async () => {
    const out = await runFleet(input({}));
    expect(out.exitCode).toBe(0);
    for (const d of ["eu", "us"]) {
      expect(fs.readdirSync(path.join(out.runDir, d)).sort()).toEqual(["events.jsonl", "evidence", "logs", "report.md", "run.json"]);
      expect(fs.readdirSync(path.join(out.runDir, d, "logs")).sort()).toEqual(STACKS_OF[d].map((n) => `${n}.log`).sort());
      expect(fs.readdirSync(path.join(out.runDir, d, "evidence")).sort()).toEqual(["events.jsonl", "evidence.json", "report.md"]);
      const rec = JSON.parse(fs.readFileSync(path.join(out.runDir, d, "run.json"), "utf8"));
      expect(Object.keys(rec.stacks).sort()).toEqual([...STACKS_OF[d]].sort());
      expect(rec.options.stacks.sort()).toEqual([...STACKS_OF[d]].sort());
    }
    const summary = JSON.parse(fs.readFileSync(path.join(out.runDir, "summary.json"), "utf8"));
    expect(summary.domains.eu).toMatchObject({ status: "succeeded", stacks: STACKS_OF.eu.length, counts: { succeeded: STACKS_OF.eu.length } });
    expect(fs.readdirSync(out.runDir).sort()).toEqual(["eu", "report.md", "summary.json", "us"]);
    expectSplit(out.runDir);
  });

  it("a failed run: each domain has its own status; still split", async () => {
    const out = await runFleet(input({ "us-mgmt": { fail: "boom in us" } }));
    expect(out.exitCode).toBe(1);
    expect(JSON.parse(fs.readFileSync(path.join(out.runDir, "eu", "run.json"), "utf8")).status).toBe("succeeded");
    expect(JSON.parse(fs.readFileSync(path.join(out.runDir, "us", "run.json"), "utf8")).status).toBe("failed");
    expect(JSON.parse(fs.readFileSync(path.join(out.runDir, "summary.json"), "utf8")).status).toBe("failed");
    expect(fs.existsSync(lockFile(runsDir, FINGERPRINT))).toBe(false);
    expectSplit(out.runDir);
  });

  it("an interrupted run (one SIGINT) and a hard exit (two): still split; the hard exit leaves a record and the evidence of what ran, and no lock", async () => {
    const signals = new ManualSignals();
    const scripts = Object.fromEntries(ALL.stacks.map((n) => [n, { hang: true } as FakeStackScript]));
    let started = 0;
    const out = await runFleet(input(scripts, { signals, sinks: [(e) => e.type === "stack-started" && ++started === 3 && setTimeout(() => signals.fire(), 2)] }));
    expect(out.exitCode).toBe(130);
    expect(fs.existsSync(lockFile(runsDir, FINGERPRINT))).toBe(false);
    expectSplit(out.runDir);

    const signals2 = new ManualSignals();
    let lockAtExit: boolean | undefined;
    const exits: number[] = [];
    const hard = input(
      { "eu-guardrails-aws": { durationMs: 1 }, "eu-pki": { hang: true, ignoreCancel: true } },
      {
        signals: signals2,
        strategy: "canary",
        hardExit: (c) => {
          exits.push(c);
          lockAtExit = fs.existsSync(lockFile(runsDir, FINGERPRINT));
        },
        sinks: [(e) => e.type === "stack-started" && e.stack === "eu-pki" && setTimeout(() => (signals2.fire(), setTimeout(() => signals2.fire(), 2)), 2)],
      },
    );
    const out2 = await runFleet(hard);
    expect(exits).toEqual([130]);
    expect(lockAtExit).toBe(false);
    const rec = readRecord(runsDir, out2.runId, { fleet, fingerprint: FINGERPRINT });
    expect(rec.status).toBe("interrupted");
    expect(rec.stacks["eu-pki"].status).toBe("cancelled");
    const ev = JSON.parse(fs.readFileSync(path.join(out2.runDir, "eu", "evidence", "evidence.json"), "utf8"));
    expect(ev.verdicts.outcome).toBe("incomplete");
    expect(ev.results.find((r: { stack: string }) => r.stack === "eu-guardrails-aws")?.status).toBe("succeeded");
    expect(fs.existsSync(path.join(out2.runDir, "eu", "evidence", "events.jsonl"))).toBe(true);
    expectSplit(out2.runDir);
  });

  it("a resume: still split, carried-over stacks stay in their own domain", async () => {
    const first = await runFleet(input({ "eu-mgmt": { fail: "boom" }, "us-pki": { fail: "boom" } }));
    const record = readRecord(runsDir, first.runId, { fleet, fingerprint: FINGERPRINT });
    const sel = selectionFromRecord(fleet, record, "up");
    const second = await runFleet(input({}, { resume: record, stacks: sel.stacks, domains: sel.domains }));
    expect(second.exitCode).toBe(0);
    expect(second.record.stacks["eu-pki"]).toMatchObject({ carriedOver: true });
    expectSplit(second.runDir);
  });
});

describe("run ids and run folders", () => {
  it("run ids carry 64 random bits and do not repeat", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const ids = new Set(Array.from({ length: 5000 }, () => newRunId("up", now)));
    expect(ids.size).toBe(5000);
    expect([...ids][0]).toMatch(/^20260101T000000Z-up-[0-9a-f]{16}$/);
  });

  it("a run folder is created exclusively: a fixed id that exists is refused, and runFleet never writes into an existing run", async () => {
    const now = new Date();
    const { runId } = createRunFolder(runsDir, "up", now);
    expect(() => createRunFolder(runsDir, "up", now, runId)).toThrow(/EEXIST/);
    await expect(runFleet(input({}, { runId }))).rejects.toThrow(/exists already/);
    expect(fs.readdirSync(path.join(runsDir, runId))).toEqual([]);
    expect(() => createRunFolder(runsDir, "up", now, "../escape")).toThrow(/not a plain file name/);
  });
});

/** A disk that fills up after `budget` writes: the write creates a partial file, then fails with ENOSPC. */
function fullDisk(budget: number): RunFiles & { failures: number } {
  let left = budget;
  const fail = (file: string, data: string, append: boolean): void => {
    if (left-- > 0) return append ? nodeFiles.appendFile(file, data) : nodeFiles.writeFile(file, data);
    files.failures++;
    fs.writeFileSync(file, data.slice(0, 3), { flag: append ? "a" : "w" });
    throw Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), { code: "ENOSPC", errno: -28 });
  };
  const files = {
    failures: 0,
    writeFile: (f: string, d: string) => fail(f, d, false),
    appendFile: (f: string, d: string) => fail(f, d, true),
    rename: nodeFiles.rename,
    unlink: nodeFiles.unlink,
    mkdir: nodeFiles.mkdir,
  };
  return files;
}

describe("a full disk", () => {
  it.each([0, 5, 40])("after %i writes: the run stops (no stack started after), rejects with a clear ENOSPC error, leaves no .tmp file and no lock", async (budget) => {
    const disk = fullDisk(budget);
    const scripts = Object.fromEntries(ALL.stacks.map((n) => [n, { durationMs: 2 } as FakeStackScript]));
    const run = input(scripts, { files: disk, parallel: 2 });
    const err = await runFleet(run).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RunFolderWriteError);
    expect((err as Error).message).toMatch(/^cannot write \S+: no space left on device \(ENOSPC\)$/);
    expect(disk.failures).toBeGreaterThan(0);
    expect(filesUnder(runsDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(fs.existsSync(lockFile(runsDir, FINGERPRINT))).toBe(false);
    expect(run.engine.started().length).toBeLessThan(ALL.stacks.length);
  });
});

describe("the run lock", () => {
  const info = { runId: "20260101T000000Z-up-0000000000000000", command: "up" };

  it("a second run of the same fleet and runs folder is refused with the holder's pid, host and start time", async () => {
    const lock = acquireRunLock(runsDir, FINGERPRINT, info);
    const err = await runFleet(input({})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunLockError);
    expect((err as Error).message).toContain(`pid ${process.pid} on ${os.hostname()}, since ${lock.holder.startedAt}`);
    expect((err as Error).message).toContain(info.runId);
    expect(fs.readdirSync(runsDir).filter((d) => !d.startsWith("."))).toEqual([]);
    lock.release();
    expect(fs.existsSync(lock.file)).toBe(false);
    expect((await runFleet(input({}))).exitCode).toBe(0);
    expect(fs.existsSync(lock.file)).toBe(false);
  });

  it("another fleet (another fingerprint) in the same runs folder is not blocked", () => {
    const a = acquireRunLock(runsDir, FINGERPRINT, info);
    const b = acquireRunLock(runsDir, "f".repeat(64), info);
    a.release();
    b.release();
  });

  it("stale locks are taken over: a dead pid on this host, or older than the age limit on another host; a fresh one on another host is not", () => {
    const dead = acquireRunLock(runsDir, FINGERPRINT, info, { pid: 999_999_999 });
    // The holder "crashed": its release never runs. A dead pid of this host is stale.
    const next = acquireRunLock(runsDir, FINGERPRINT, info);
    expect(next.holder.pid).toBe(process.pid);
    next.release();
    void dead;

    const t0 = new Date("2026-01-01T00:00:00Z");
    acquireRunLock(runsDir, FINGERPRINT, info, { host: "other-host", now: () => t0 });
    expect(() => acquireRunLock(runsDir, FINGERPRINT, info, { now: () => new Date(t0.getTime() + 3600_000) })).toThrow(/pid \d+ on other-host/);
    const later = acquireRunLock(runsDir, FINGERPRINT, info, { now: () => new Date(t0.getTime() + 25 * 3600_000) });
    expect(later.holder.host).toBe(os.hostname());
    later.release();
  });

  it("release removes only its own lock; an unreadable fresh lock is refused without quoting it, an old one is taken over", () => {
    const mine = acquireRunLock(runsDir, FINGERPRINT, info);
    fs.writeFileSync(mine.file, "{\"pid\": \"SECRET-CONTENT\"");
    mine.release();
    expect(fs.existsSync(mine.file)).toBe(true);
    let msg = "";
    try {
      acquireRunLock(runsDir, FINGERPRINT, info);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/being written by another run/);
    expect(msg).not.toContain("SECRET-CONTENT");
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(mine.file, old, old);
    acquireRunLock(runsDir, FINGERPRINT, info).release();
    expect(fs.readdirSync(runsDir)).toEqual([]);
  });
});
