/**
 * Gates between rings and domains (automation/orchestrator/gates.ts) with the fake engine:
 * nothing behind a gate starts before it passed; soak, HTTP (a real local server), command
 * (a real child process), SLO burn (a local Prometheus-shaped API) and approval (flag, file,
 * timeout); a failed gate halts the domain behind it and is recorded in the run record,
 * evidence, events and report of the domain it checked — never in the other domain's.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { loadFleet, type Fleet } from "../../automation/fleet";
import { gatesConfigured, gatesSettingsSchema, type GatesSettings } from "../../automation/fleet/gates";
import { FakeEngine } from "../../automation/engine/fake";
import { approvalFile, fleetFingerprint, GateRunner, readRecord, Redactor, runFleet, selectStacks, sloErrorRatioRecord, type FleetEvent, type GateRecord, type RunInput } from "../../automation/orchestrator";
import { domainRecordSchema, eventSchema } from "../../automation/orchestrator/schemas";
import { errorRatioRecord } from "../../components/observability/spec";
import { Scheduler } from "../../automation/scheduler";
import { rolloutGates } from "../../automation/commands/rollout";
import { fleetDir } from "../support/fleetDir";

const reference = loadFleet(path.join(__dirname, "../../stacks"));
const ALL = selectStacks(reference, { command: "up" });
const ringOf = (n: string) => reference.stacks.get(n)!.ring;
const domainOf = (n: string) => reference.stacks.get(n)!.domain;

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-gates-"));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function withGates(raw: unknown): Fleet {
  return { ...reference, settings: { ...reference.settings, gates: gatesSettingsSchema.parse(raw) } };
}

/** A local HTTP server answering `handler`; closed after the test. */
async function server(handler: http.RequestListener): Promise<{ url: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const s = http.createServer((req, res) => {
    hits.push(req.url ?? "");
    handler(req, res);
  });
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, hits, close: () => new Promise((r) => s.close(() => r())) };
}

function input(fleet: Fleet, over: Partial<RunInput> & { approve?: boolean; sleep?: (ms: number) => void; passedBefore?: { runId: string; gates: readonly GateRecord[] }; failing?: readonly string[] } = {}): { input: RunInput; events: FleetEvent[]; engine: FakeEngine } {
  const engine = new FakeEngine(Object.fromEntries(ALL.stacks.map((n) => [n, { durationMs: 1, fail: over.failing?.includes(n) ? "injected failure" : undefined }])));
  const events: FleetEvent[] = [];
  const runsDir = path.join(tmp, "runs");
  return {
    engine,
    events,
    input: {
      fleet,
      command: "up",
      stacks: ALL.stacks,
      domains: ALL.domains,
      strategy: "canary",
      parallel: 4,
      failFast: false,
      engine,
      runsDir,
      context: { user: "tester", node: process.version },
      redactor: new Redactor(),
      fingerprint: fleetFingerprint(fleet, path.join(__dirname, "../..")),
      sinks: [(e) => events.push(e)],
      gates: (runDir) =>
        new GateRunner({
          settings: fleet.settings.gates,
          runDir,
          approved: over.approve === true,
          sloObjective: () => 99.9,
          pollMs: 5,
          passedBefore: over.passedBefore,
          io: {
            sleep: async (ms) => {
              over.sleep?.(ms);
              await new Promise((r) => setTimeout(r, 1));
            },
          },
        }),
      ...over,
    },
  };
}

const started = (events: FleetEvent[]) => events.filter((e) => e.type === "stack-started").map((e) => ("stack" in e ? e.stack : ""));
const readJson = (f: string) => JSON.parse(fs.readFileSync(f, "utf8"));

describe("the scheduler's gates", () => {
  it("holds ring 1 until its gate passes, and the second domain until the domain gate passes", () => {
    const nodes = [
      { name: "a0", domain: "eu", ring: 0, dependsOn: [] },
      { name: "a1", domain: "eu", ring: 1, dependsOn: [] },
      { name: "b0", domain: "us", ring: 0, dependsOn: [] },
    ];
    const s = new Scheduler(nodes, { direction: "forward", strategy: "canary", parallel: 4, domainOrder: ["eu", "us"], gates: true });
    expect(s.take()).toEqual(["a0"]);
    expect(s.takeGates()).toEqual([]);
    s.finish("a0", "succeeded");
    expect(s.take()).toEqual([]);
    expect(s.takeGates().map((g) => g.id)).toEqual(["eu/ring-1"]);
    expect(s.isDone()).toBe(false); // a gate is being checked
    s.resolveGate("eu/ring-1", true);
    expect(s.take()).toEqual(["a1"]);
    s.finish("a1", "succeeded");
    expect(s.take()).toEqual([]);
    expect(s.takeGates()).toEqual([{ id: "us/entry", kind: "domain", domain: "us", checks: "eu" }]);
    s.resolveGate("us/entry", false);
    expect(s.take()).toEqual([]);
    expect(s.isDone()).toBe(true);
    expect(s.result().get("b0")).toBe("not-started");
  });
});

describe("fleet.yaml gates:", () => {
  it("is off unless something is configured, and refuses bad checks by key", () => {
    expect(gatesConfigured(gatesSettingsSchema.parse(undefined))).toBe(false);
    expect(gatesConfigured(gatesSettingsSchema.parse({ soakSeconds: 60 }))).toBe(true);
    expect(gatesConfigured(gatesSettingsSchema.parse({ domains: { us: { checks: [{ name: "x", kind: "command", command: ["true"] }] } } }))).toBe(true);
    expect(gatesSettingsSchema.safeParse({ domains: { eu: { checks: [{ name: "x", kind: "http", url: "https://user:pw@example.com/" }] } } }).success).toBe(false);
    expect(gatesSettingsSchema.safeParse({ domains: { mars: {} } }).success).toBe(false);
    expect(gatesSettingsSchema.safeParse({ approval: "sometimes" }).success).toBe(false);
  });

  it("a bad gates key in fleet.yaml exits the loader with the file and key", () => {
    const dir = fleetDir();
    fs.appendFileSync(path.join(dir, "fleet.yaml"), "\ngates:\n  soakSeconds: -1\n");
    expect(() => loadFleet(dir)).toThrow(/fleet\.yaml.*gates\.soakSeconds/);
  });

  it("reads the same recording rule the observability component deploys", () => {
    for (const w of ["5m", "1h", "3d"]) expect(sloErrorRatioRecord(w)).toBe(errorRatioRecord(w));
  });
});

describe("runFleet with gates", () => {
  it("soaks and checks at every ring and domain boundary before anything behind it starts; all recorded", async () => {
    const ok = await server((_req, res) => res.writeHead(200).end("ok"));
    try {
      const soaks: number[] = [];
      const fleet = withGates({ soakSeconds: 30, domains: { eu: { soakSeconds: 45, checks: [{ name: "gateway", kind: "http", url: `${ok.url}/healthz` }, { name: "nodes", kind: "command", command: [process.execPath, "-e", "process.exit(0)"] }] } } });
      const h = input(fleet, { sleep: (ms) => soaks.push(ms) });
      const out = await runFleet(h.input);
      expect(out.exitCode).toBe(0);
      const gates = out.record.gates!;
      expect(gates.map((g) => g.id).sort()).toEqual(["eu/ring-1", "us/entry", "us/ring-1"]);
      expect(gates.every((g) => g.status === "passed")).toBe(true);
      expect(soaks.sort()).toEqual([30_000, 45_000, 45_000]);
      expect(ok.hits).toEqual(["/healthz", "/healthz"]); // eu's ring gate and the domain gate check eu
      // Order: every gate finished before the first stack behind it started.
      const at = (pred: (e: FleetEvent) => boolean) => h.events.findIndex(pred);
      for (const g of gates) {
        const firstBehind = at((e) => e.type === "stack-started" && domainOf(e.stack) === g.next && (g.kind === "domain" || ringOf(e.stack) === g.ring));
        const finished = at((e) => e.type === "gate-finished" && e.gate === g.id);
        expect(finished).toBeGreaterThanOrEqual(0);
        expect(firstBehind).toBeGreaterThan(finished);
      }
      // The record of each domain holds its own gates; us sees the domain gate's verdict only.
      const eu = readJson(path.join(out.runDir, "eu", "run.json"));
      const us = readJson(path.join(out.runDir, "us", "run.json"));
      expect(domainRecordSchema.safeParse(eu).success).toBe(true);
      expect(domainRecordSchema.safeParse(us).success).toBe(true);
      expect(eu.gates.map((g: GateRecord) => g.id).sort()).toEqual(["eu/ring-1", "us/entry"]);
      const usDomainGate = us.gates.find((g: GateRecord) => g.id === "us/entry");
      expect(usDomainGate.checks).toEqual([]);
      expect(JSON.stringify(us)).not.toContain(ok.url);
      expect(JSON.stringify(us)).not.toContain("gateway");
      for (const d of ["eu", "us"]) {
        const lines = fs.readFileSync(path.join(out.runDir, d, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
        for (const l of lines) expect(eventSchema.safeParse(l).success).toBe(true);
      }
      const evidence = readJson(path.join(out.runDir, "eu", "evidence", "evidence.json"));
      expect(evidence.gates.find((g: GateRecord) => g.id === "eu/ring-1").checks.map((c: { name: string }) => c.name)).toEqual(["gateway", "nodes"]);
      expect(fs.readFileSync(path.join(out.runDir, "eu", "report.md"), "utf8")).toMatch(/## Gates[\s\S]*eu\/ring-1 \| eu \| 45s \| gateway \(http\) ok: HTTP 200; nodes \(command\) ok: exit 0/);
    } finally {
      await ok.close();
    }
  });

  it("a failed health check halts the domain behind the gate: ring 1 never starts, the run fails", async () => {
    const bad = await server((_req, res) => res.writeHead(503).end("down"));
    try {
      const fleet = withGates({ domains: { eu: { checks: [{ name: "gateway", kind: "http", url: `${bad.url}/healthz` }] } } });
      const h = input(fleet);
      const out = await runFleet(h.input);
      expect(out.exitCode).toBe(1);
      expect(out.status).toBe("failed");
      const euRing1 = ALL.stacks.filter((n) => domainOf(n) === "eu" && ringOf(n) === 1);
      expect(euRing1.length).toBeGreaterThan(0);
      for (const n of euRing1) expect(out.record.stacks[n].status).toBe("not-started");
      // canary: the next domain waits for the canary to succeed, so it never starts either
      expect(started(h.events).some((n) => domainOf(n) === "us")).toBe(false);
      const gate = out.record.gates!.find((g) => g.id === "eu/ring-1")!;
      expect(gate.status).toBe("failed");
      expect(gate.reason).toBe("health check gateway failed: HTTP 503, expected 200");
      expect(readJson(path.join(out.runDir, "eu", "evidence", "evidence.json")).verdicts.outcome).toBe("fail");
    } finally {
      await bad.close();
    }
  });

  it("a failing command check and an SLO burning too fast fail their gates; a burn within budget passes", async () => {
    const fleetCmd = withGates({ domains: { us: { checks: [{ name: "nodes", kind: "command", command: [process.execPath, "-e", "console.log('2 nodes NotReady'); process.exit(3)"] }] } } });
    const cmd = await runFleet(input(fleetCmd, { domains: ["us"], stacks: ALL.stacks.filter((n) => domainOf(n) === "us") }).input);
    expect(cmd.exitCode).toBe(1);
    expect(cmd.record.gates![0].reason).toBe("health check nodes failed: exit 3: 2 nodes NotReady");

    let ratio = "0.0144"; // 14.4x the 0.1% budget
    const prom = await server((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [1, ratio] }] } }));
    });
    try {
      const fleetSlo = withGates({ domains: { us: { checks: [{ name: "slo", kind: "slo-burn", prometheusUrl: prom.url, window: "1h", maxBurnRate: 2 }] } } });
      const usOnly = { domains: ["us"], stacks: ALL.stacks.filter((n) => domainOf(n) === "us") };
      const burning = await runFleet(input(fleetSlo, usOnly).input);
      expect(burning.exitCode).toBe(1);
      expect(burning.record.gates![0].checks[0].detail).toMatch(/^burn rate 14\.4 over 1h .*at most 2$/);
      expect(decodeURIComponent(prom.hits[0])).toBe("/api/v1/query?query=max(meridian:slo_errors:ratio_rate1h)");
      ratio = "0.0005";
      const fine = await runFleet(input(fleetSlo, usOnly).input);
      expect(fine.exitCode).toBe(0);
      expect(fine.record.gates![0].checks[0]).toMatchObject({ ok: true, detail: expect.stringMatching(/^burn rate 0\.5 /) });
    } finally {
      await prom.close();
    }
  });

  it("approval: --approve passes at once; otherwise the gate waits for its file, and fails when none comes in time", async () => {
    const usOnly = { domains: ["us"], stacks: ALL.stacks.filter((n) => domainOf(n) === "us") };
    const byFlag = await runFleet(input(withGates({ approval: "rings" }), { ...usOnly, approve: true }).input);
    expect(byFlag.exitCode).toBe(0);
    expect(byFlag.record.gates![0].approval).toMatchObject({ required: true, by: "flag" });

    // A person creates the file the gate names while it waits.
    const runsDir = path.join(tmp, "runs");
    const h = input(withGates({ approval: "rings" }), { ...usOnly, runId: "approve-by-file" });
    const runDir = path.join(runsDir, "approve-by-file");
    const approver = setInterval(() => {
      if (fs.existsSync(path.join(runDir, "us"))) {
        const f = approvalFile(runDir, { id: "us/ring-1" });
        fs.mkdirSync(path.dirname(f), { recursive: true });
        fs.writeFileSync(f, "approved by the on-call\n");
      }
    }, 10);
    try {
      const byFile = await runFleet(h.input);
      expect(byFile.exitCode).toBe(0);
      expect(byFile.record.gates![0].approval).toMatchObject({ by: "file", file: path.join("us", "approvals", "ring-1.approved") });
    } finally {
      clearInterval(approver);
    }

    let clock = Date.parse("2026-12-01T12:00:00Z");
    const timedOutFleet = withGates({ approval: "all", approvalTimeoutSeconds: 60 });
    const out = await runFleet({
      ...input(timedOutFleet, usOnly).input,
      gates: (runDir) =>
        new GateRunner({ settings: timedOutFleet.settings.gates, runDir, approved: false, sloObjective: () => 99.9, io: { now: () => new Date(clock), sleep: async () => void (clock += 30_000) } }),
    });
    expect(out.exitCode).toBe(1);
    expect(out.record.gates![0].reason).toBe(`no approval within 60s (${path.join("us", "approvals", "ring-1.approved")})`);
  });

  it("without gates configured a rollout records none (settings: GatesSettings default)", async () => {
    const settings: GatesSettings = reference.settings.gates;
    expect(gatesConfigured(settings)).toBe(false);
    const out = await runFleet({ ...input(reference).input, gates: undefined });
    expect(out.exitCode).toBe(0);
    expect(out.record.gates).toBeUndefined();
  });

  describe("a resumed run", () => {
    const euRing1 = ALL.stacks.find((n) => domainOf(n) === "eu" && ringOf(n) === 1)!;

    /** Run 1: eu's ring gate passes, then a ring-1 stack of eu fails, so the domain gate into us is never reached. */
    async function firstRun() {
      const health = await server((_req, res) => res.writeHead(200).end("ok"));
      const fleet = withGates({ domains: { eu: { checks: [{ name: "gateway", kind: "http", url: `${health.url}/healthz` }] } } });
      const first = await runFleet(input(fleet, { failing: [euRing1] }).input);
      expect(first.exitCode).toBe(1);
      expect(first.record.stacks[euRing1].status).toBe("failed");
      expect(first.record.gates!.map((g) => [g.id, g.status])).toEqual([["eu/ring-1", "passed"]]);
      expect(health.hits).toHaveLength(1);
      // The resume reads the record back from disk, as `fleet up --resume` does.
      const resume = readRecord(path.join(tmp, "runs"), first.runId, { fleet, fingerprint: fleetFingerprint(fleet, path.join(__dirname, "../..")) });
      return { health, fleet, first, resume };
    }

    it("does not pass again a gate the resumed run passed: its verdict is carried, marked with that run; a gate not passed runs", async () => {
      const { health, fleet, first, resume } = await firstRun();
      try {
        expect(resume.gates!.map((g) => g.id)).toEqual(["eu/ring-1"]);
        const h = input(fleet, { resume, passedBefore: { runId: resume.runId, gates: resume.gates! } });
        const second = await runFleet(h.input);
        expect(second.exitCode).toBe(0);
        expect(second.record.stacks[euRing1].status).toBe("succeeded"); // the failed ring-1 stack ran again behind the carried gate
        expect(health.hits).toHaveLength(2); // only us/entry checked eu
        const byId = new Map(second.record.gates!.map((g) => [g.id, g]));
        expect(byId.get("eu/ring-1")).toMatchObject({ status: "passed", carriedFrom: first.runId, startedAt: first.record.gates![0].startedAt, checks: [expect.objectContaining({ name: "gateway", ok: true })] });
        expect(byId.get("us/entry")).toMatchObject({ status: "passed", checks: [expect.objectContaining({ name: "gateway", ok: true })] });
        expect(byId.get("us/entry")!.carriedFrom).toBeUndefined();
        expect(h.events.some((e) => e.type === "gate-output" && e.gate === "eu/ring-1" && e.text === `gate eu/ring-1: passed in run ${first.runId}; not passed again`)).toBe(true);
        // Recorded in the run record on disk (schema-valid), in the checked domain's file.
        const eu = domainRecordSchema.parse(readJson(path.join(second.runDir, "eu", "run.json")));
        expect(eu.gates!.find((g) => g.id === "eu/ring-1")!.carriedFrom).toBe(first.runId);

        // A resume of that resume still names the run that passed the gate.
        const again = readRecord(path.join(tmp, "runs"), second.runId, { fleet, fingerprint: fleetFingerprint(fleet, path.join(__dirname, "../..")) });
        const runner = new GateRunner({ settings: fleet.settings.gates, runDir: tmp, approved: false, sloObjective: () => 99.9, passedBefore: { runId: again.runId, gates: again.gates! } });
        const carried = await runner.run({ id: "eu/ring-1", kind: "ring", domain: "eu", ring: 1, checks: "eu" }, new AbortController().signal);
        expect(carried.carriedFrom).toBe(first.runId);
        expect(health.hits).toHaveLength(2);
      } finally {
        await health.close();
      }
    });

    it("`fleet up --resume` hands the resumed record's gates to its runner (commands/rollout.ts rolloutGates), as an upgrade's resume does", async () => {
      const { health, fleet, first, resume } = await firstRun();
      try {
        const runner = rolloutGates(fleet, false, resume)!(tmp);
        const gate = await runner.run({ id: "eu/ring-1", kind: "ring", domain: "eu", ring: 1, checks: "eu" }, new AbortController().signal);
        expect(gate).toMatchObject({ status: "passed", carriedFrom: first.runId });
        expect(health.hits).toHaveLength(1);
        // An upgrade's own run always gates, and starts fresh: nothing is carried.
        const fresh = await rolloutGates(fleet, false, undefined, true)!(tmp).run({ id: "eu/ring-1", kind: "ring", domain: "eu", ring: 1, checks: "eu" }, new AbortController().signal);
        expect(fresh.carriedFrom).toBeUndefined();
        expect(health.hits).toHaveLength(2);
        expect(rolloutGates(reference, false, undefined, true)).toBeDefined();
        expect(rolloutGates(reference, false)).toBeUndefined();
      } finally {
        await health.close();
      }
    });

    it("a failed gate is not carried: it runs again in full", async () => {
      const health = await server((_req, res) => res.writeHead(200).end("ok"));
      try {
        const failed: GateRecord = { id: "eu/ring-1", kind: "ring", domain: "eu", next: "eu", ring: 1, status: "failed", startedAt: new Date().toISOString(), soakSeconds: 0, checks: [], reason: "x" };
        const fleet = withGates({ domains: { eu: { checks: [{ name: "gateway", kind: "http", url: `${health.url}/healthz` }] } } });
        const runner = new GateRunner({ settings: fleet.settings.gates, runDir: tmp, approved: false, sloObjective: () => 99.9, passedBefore: { runId: "r1", gates: [failed] } });
        const again = await runner.run({ id: "eu/ring-1", kind: "ring", domain: "eu", ring: 1, checks: "eu" }, new AbortController().signal);
        expect(again).toMatchObject({ status: "passed", checks: [expect.objectContaining({ ok: true })] });
        expect(again.carriedFrom).toBeUndefined();
        expect(health.hits).toHaveLength(1);
      } finally {
        await health.close();
      }
    });

    it("without the resumed run's gates, the gate is passed again (the control for the test above)", async () => {
      const { health, fleet, resume } = await firstRun();
      try {
        const second = await runFleet(input(fleet, { resume }).input);
        expect(second.exitCode).toBe(0);
        expect(health.hits).toHaveLength(3);
        expect(second.record.gates!.every((g) => g.carriedFrom === undefined)).toBe(true);
      } finally {
        await health.close();
      }
    });
  });
});
