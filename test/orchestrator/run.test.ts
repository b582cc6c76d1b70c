import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { transientRules } from "../../automation/orchestrator/retry";
import { loadFleet } from "../../automation/fleet";
import { FakeEngine, type FakeStackScript } from "../../automation/engine/fake";
import type { Operation } from "../../automation/engine/types";
import {
  fleetFingerprint,
  ManualSignals,
  ProgressRenderer,
  readRecord,
  Redactor,
  runFleet,
  selectStacks,
  selectionFromRecord,
  type FleetEvent,
  type RunInput,
} from "../../automation/orchestrator";
import type { Strategy } from "../../automation/scheduler";

const fleet = loadFleet(path.join(__dirname, "../../stacks"));
const ALL = selectStacks(fleet, { command: "up" });
const EU = ALL.stacks.filter((n) => n.startsWith("eu-"));
const US = ALL.stacks.filter((n) => n.startsWith("us-"));
const FINGERPRINT = fleetFingerprint(fleet, path.join(__dirname, "../.."));
const expectFleet = { fleet, fingerprint: FINGERPRINT };

let runsDir: string;
beforeEach(() => {
  runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-runs-"));
});
afterEach(() => fs.rmSync(runsDir, { recursive: true, force: true }));

interface Harness {
  engine: FakeEngine;
  events: FleetEvent[];
  input: RunInput;
}

function harness(scripts: Record<string, FakeStackScript>, over: Partial<RunInput> = {}, command: Operation = "up"): Harness {
  const engine = new FakeEngine(scripts);
  const events: FleetEvent[] = [];
  const input: RunInput = {
    fleet,
    command,
    stacks: ALL.stacks,
    domains: ALL.domains,
    strategy: "canary" as Strategy,
    parallel: 4,
    failFast: false,
    engine,
    runsDir,
    context: { user: "tester", gitAuthor: "Test Er <t@example.com>", gitCommit: "abc123", gitDirty: false, node: process.version, policyPack: { path: "policy-pack", name: "meridian-policies", version: "0.1.0" } },
    redactor: new Redactor(),
    fingerprint: FINGERPRINT,
    sinks: [(e) => events.push(e)],
    retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
    ...over,
  };
  return { engine, events, input };
}

const byStack = (events: FleetEvent[], type: FleetEvent["type"]): string[] =>
  events.filter((e) => e.type === type).map((e) => ("stack" in e ? e.stack : ""));

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? filesUnder(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

describe("runFleet with the fake engine", () => {
  it("rolls out the reference fleet: canary EU first, at most N at once, record, report and events", async () => {
    const h = harness(Object.fromEntries(ALL.stacks.map((n) => [n, { durationMs: 5 }])));
    const out = await runFleet(h.input);
    expect(out.exitCode).toBe(0);
    expect(out.status).toBe("succeeded");
    expect(h.engine.maxConcurrent).toBeLessThanOrEqual(4);
    expect(h.engine.maxConcurrent).toBeGreaterThan(1);
    const started = byStack(h.events, "stack-started");
    expect(started.sort()).toEqual([...ALL.stacks].sort());
    const order = h.events.map((e) => `${e.type}:${"stack" in e ? e.stack : ""}`);
    const lastEuFinish = Math.max(...EU.map((n) => order.indexOf(`stack-finished:${n}`)));
    const firstUsStart = Math.min(...US.map((n) => order.indexOf(`stack-started:${n}`)));
    expect(lastEuFinish).toBeLessThan(firstUsStart);
    expect(h.events[h.events.length - 1]).toMatchObject({ type: "run-finished", status: "succeeded", exitCode: 0 });

    const record = readRecord(runsDir, out.runId, expectFleet);
    expect(Object.values(record.stacks).every((s) => s.status === "succeeded" && s.durationMs !== undefined && s.changes?.create === 1)).toBe(true);
    const report = fs.readFileSync(path.join(out.runDir, "eu", "report.md"), "utf8");
    expect(report).toContain("| stack | domain | status | duration | creates | updates | replaces | deletes | violations |");
    expect(report).toMatch(new RegExp(`\\| \\*\\*total \\(${EU.length}\\)\\*\\* \\| {2}\\| {2}\\| \\S+ \\| ${EU.length} \\| 0 \\| 0 \\| 0 \\| 0 \\|`));
    expect(report).toMatch(/took \d+(ms|s)/);
    // Rows in execution order: each row's stack started no earlier than the one above it.
    const rowNames = [...report.matchAll(/^\| (eu-[a-z0-9-]+) \|/gm)].map((m) => m[1]);
    const startedAt = rowNames.map((n) => record.stacks[n]!.startedAt!);
    expect(startedAt).toEqual([...startedAt].sort());
    // The timeline: one Gantt bar per stack that ran, in its domain's section.
    const gantt = report.slice(report.indexOf("## Timeline"), report.indexOf("## Graph"));
    expect(gantt).toContain("gantt");
    expect(gantt).toContain("section eu");
    expect(gantt).not.toContain("section us");
    for (const n of EU) expect(gantt).toMatch(new RegExp(`^    ${n} :n_${n.replace(/-/g, "_")}, \\d+, \\d+$`, "m"));
    expect(report).toContain("```mermaid");
    expect(report).toContain("n_eu_pki --> n_eu_mgmt");
    expect(fs.existsSync(path.join(out.runDir, "eu", "logs", "eu-mgmt.log"))).toBe(true);
    const jsonl = ["eu", "us"].flatMap((d) => fs.readFileSync(path.join(out.runDir, d, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as FleetEvent));
    // Each domain's stream ends with its own run-finished; the fleet-wide one goes to the sinks only.
    expect(jsonl.filter((e) => e.type !== "run-finished").length).toBe(h.events.filter((e) => e.type !== "run-finished").length);
    expect(jsonl.filter((e) => e.type === "run-finished").map((e) => ("domain" in e ? e.domain : undefined))).toEqual(["eu", "us"]);
    expect(fs.readFileSync(path.join(out.runDir, "report.md"), "utf8")).toContain(`| eu | succeeded | ${EU.length} |`);
  });

  it("halts the domain on the first failure; dependents are skipped and the canary gate keeps US from starting", async () => {
    const h = harness({ "eu-pki": { durationMs: 2, fail: "boom: CA rejected" } });
    const out = await runFleet(h.input);
    expect(out.exitCode).toBe(1);
    const r = out.record.stacks;
    expect(r["eu-pki"]).toMatchObject({ status: "failed", error: "boom: CA rejected" });
    expect(r["eu-mgmt"].status).toBe("skipped");
    expect(r["eu-workload-aws"].status).toBe("skipped");
    for (const n of US) expect(r[n].status).toBe("not-started");
    expect(h.engine.started().filter((n) => n.startsWith("us-"))).toEqual([]);
    expect(h.events.filter((e) => e.type === "stack-finished" && e.stack === "us-pki")).toMatchObject([{ status: "not-started" }]);
  });

  it("with --strategy parallel the other domain completes", async () => {
    const h = harness({ "eu-pki": { fail: "boom" } }, { strategy: "parallel" });
    const out = await runFleet(h.input);
    expect(out.exitCode).toBe(1);
    for (const n of US) expect(out.record.stacks[n].status).toBe("succeeded");
    expect(out.record.stacks["eu-mgmt"].status).toBe("skipped");
  });

  it("--fail-fast cancels the running stacks of the failed domain through the engine; without it they finish", async () => {
    const scripts = { "eu-foundation-aws": { durationMs: 5, fail: "quota exceeded" }, "eu-foundation-gcp": { hang: true }, "eu-pki": { durationMs: 60 } };
    const ff = harness(scripts, { failFast: true, parallel: 4 });
    const out = await runFleet(ff.input);
    expect(out.exitCode).toBe(1);
    expect(out.record.stacks["eu-foundation-gcp"].status).toBe("cancelled");
    expect(out.record.stacks["eu-pki"].status).toBe("cancelled");
    expect(ff.engine.calls.filter((c) => c.op === "cancel").map((c) => c.stack).sort()).toEqual(["eu-foundation-azure", "eu-foundation-gcp", "eu-pki"].filter((n) => out.record.stacks[n].status === "cancelled").sort());

    const slow = harness({ "eu-foundation-aws": { durationMs: 5, fail: "quota exceeded" }, "eu-pki": { durationMs: 60 } }, { failFast: false });
    const out2 = await runFleet(slow.input);
    expect(out2.record.stacks["eu-pki"].status).toBe("succeeded");
    expect(slow.engine.calls.filter((c) => c.op === "cancel")).toEqual([]);
  });

  it("retries a held lock with bounded backoff, then reports it clearly; other errors are not retried", async () => {
    const h = harness({ "eu-pki": { lockConflicts: 2 }, "us-pki": { lockConflicts: 99 }, "eu-mgmt": { fail: "provider crashed" } }, { strategy: "parallel" });
    const out = await runFleet(h.input);
    expect(out.record.stacks["eu-pki"]).toMatchObject({ status: "succeeded", attempts: 3 });
    expect(out.record.stacks["us-pki"]).toMatchObject({ status: "failed", attempts: 4 });
    expect(out.record.stacks["us-pki"].error).toMatch(/locked by another update; gave up after 4 attempts.*pulumi cancel --stack us-pki/);
    expect(h.engine.started().filter((n) => n === "eu-mgmt")).toHaveLength(1);
    expect(h.events.some((e) => e.type === "stack-output" && e.stack === "eu-pki" && /retry 2 in/.test(e.text))).toBe(true);
  });

  it("retries only allow-listed transient errors, each rule with its own budget, records them, and runs dependents once", async () => {
    const rules = transientRules([
      { name: "aws-throttling", match: "ThrottlingException|Rate exceeded", attempts: 3, backoffSeconds: 1, maxBackoffSeconds: 1 },
      { name: "gcp-unavailable", match: "503 Service Unavailable", attempts: 2, backoffSeconds: 1, maxBackoffSeconds: 1 },
    ]).map((r) => ({ ...r, baseDelayMs: 1, maxDelayMs: 2 }));
    const h = harness({ "eu-foundation-aws": { lockConflicts: 1, transient: { count: 2, message: "creating VPC: ThrottlingException: Rate exceeded" } } }, { strategy: "parallel", retryRules: rules });
    const out = await runFleet(h.input);
    const aws = out.record.stacks["eu-foundation-aws"];
    expect(aws).toMatchObject({ status: "succeeded", attempts: 4 });
    expect(aws.retries!.map((r) => [r.attempt, r.rule])).toEqual([[1, "stack-locked"], [2, "aws-throttling"], [3, "aws-throttling"]]);
    // Its rule's budget (2 calls) is spent: the error is reported with the rule named.
    const gcp = await runFleet(harness({ "eu-foundation-gcp": { transient: { count: 5, message: "googleapi: Error 503 Service Unavailable" } } }, { retryRules: rules }).input);
    expect(gcp.record.stacks["eu-foundation-gcp"]).toMatchObject({ status: "failed", attempts: 2 });
    expect(gcp.record.stacks["eu-foundation-gcp"].error).toMatch(/503 Service Unavailable[\s\S]*retry rule gcp-unavailable in fleet\.yaml retries is exhausted/);
    // Not on the allow-list: one call, no retry.
    const azure = await runFleet(harness({ "eu-foundation-azure": { fail: "AuthorizationFailed: no access" } }, { retryRules: rules }).input);
    expect(azure.record.stacks["eu-foundation-azure"]).toMatchObject({ status: "failed", attempts: 1 });
    expect(azure.record.stacks["eu-foundation-azure"].retries).toBeUndefined();
    // The dependents of the retried stack ran once, after it succeeded.
    expect(out.record.stacks["eu-mgmt"].status).toBe("succeeded");
    for (const dependent of ["eu-interconnect-aws-gcp", "eu-mgmt", "eu-workload-aws"]) expect(h.engine.started().filter((n) => n === dependent)).toHaveLength(1);
    expect(h.engine.started().filter((n) => n === "eu-foundation-aws")).toHaveLength(4);
    const report = fs.readFileSync(path.join(out.runDir, "eu", "report.md"), "utf8");
    expect(report).toContain("| eu-foundation-aws | eu | succeeded after 3 retries (stack-locked, aws-throttling) |");
    const evidence = JSON.parse(fs.readFileSync(path.join(out.runDir, "eu", "evidence", "evidence.json"), "utf8")) as { results: Array<{ stack: string; retries?: unknown[] }> };
    expect(evidence.results.find((r) => r.stack === "eu-foundation-aws")!.retries).toHaveLength(3);
    expect(h.events.some((e) => e.type === "stack-output" && e.stack === "eu-foundation-aws" && /ThrottlingException.*retry 3 in .*\(aws-throttling\)/.test(e.text))).toBe(true);
  });

  it("SIGINT mid-run: stops starting, cancels running updates through the engine, writes the record, exits 130", async () => {
    const signals = new ManualSignals();
    const scripts = Object.fromEntries(ALL.stacks.map((n) => [n, { hang: true } as FakeStackScript]));
    const h = harness(scripts, { signals, strategy: "parallel" });
    h.input = { ...h.input, sinks: [(e) => { h.events.push(e); if (e.type === "stack-started" && h.events.filter((x) => x.type === "stack-started").length === 4) setTimeout(() => signals.fire("SIGINT"), 5); }] };
    const out = await runFleet(h.input);
    expect(out.exitCode).toBe(130);
    expect(out.status).toBe("interrupted");
    const statuses = Object.values(out.record.stacks).map((s) => s.status);
    expect(statuses.filter((s) => s === "cancelled")).toHaveLength(4);
    expect(statuses.filter((s) => s === "succeeded" || s === "failed" || s === "running")).toEqual([]);
    expect(h.engine.calls.filter((c) => c.op === "cancel")).toHaveLength(4);
    expect(h.engine.started()).toHaveLength(4);
    expect(readRecord(runsDir, out.runId, expectFleet).status).toBe("interrupted");
    expect(signals.listening).toBe(0);
  });

  it("a second SIGINT exits at once, with the record written", async () => {
    const signals = new ManualSignals();
    const exits: number[] = [];
    const h = harness({ "eu-pki": { hang: true, ignoreCancel: true } }, { signals, hardExit: (c) => exits.push(c) });
    h.input = {
      ...h.input,
      sinks: [(e) => { if (e.type === "stack-started" && e.stack === "eu-pki") setTimeout(() => { signals.fire("SIGINT"); setTimeout(() => signals.fire("SIGINT"), 5); }, 5); }],
    };
    const out = await runFleet(h.input);
    expect(exits).toEqual([130]);
    expect(out.exitCode).toBe(130);
    const rec = readRecord(runsDir, out.runId, expectFleet);
    expect(rec.status).toBe("interrupted");
    expect(rec.stacks["eu-pki"].status).toBe("cancelled");
    expect(rec.stacks["eu-pki"].error).toMatch(/lock may still be held/);
  });

  it("--resume runs exactly what did not succeed, and carries the rest over", async () => {
    const first = harness({ "eu-mgmt": { fail: "boom" } }, { strategy: "parallel" });
    const out1 = await runFleet(first.input);
    expect(out1.exitCode).toBe(1);
    const unfinished = Object.values(out1.record.stacks).filter((s) => s.status !== "succeeded").map((s) => s.name);
    expect(unfinished.length).toBeGreaterThan(1);

    const record = readRecord(runsDir, out1.runId, expectFleet);
    const sel = selectionFromRecord(fleet, record, "up");
    const second = harness({}, { resume: record, stacks: sel.stacks, domains: sel.domains, strategy: record.options.strategy });
    const out2 = await runFleet(second.input);
    expect(out2.exitCode).toBe(0);
    expect(second.engine.started().sort()).toEqual(unfinished.sort());
    expect(out2.record.resumedFrom).toBe(out1.runId);
    expect(out2.record.stacks["eu-pki"]).toMatchObject({ status: "succeeded", carriedOver: true });
    expect(() => selectionFromRecord(fleet, record, "destroy")).toThrow(/resume it with `fleet up --resume/);
  });

  it("destroy runs in reverse: a stack only after everything that depends on it", async () => {
    const h = harness(Object.fromEntries(ALL.stacks.map((n) => [n, { durationMs: 2 }])), {}, "destroy");
    const out = await runFleet(h.input);
    expect(out.exitCode).toBe(0);
    const order = h.events.map((e) => `${e.type}:${"stack" in e ? e.stack : ""}`);
    for (const spec of fleet.stacks.values()) {
      for (const dep of spec.dependsOn) {
        expect(order.indexOf(`stack-finished:${spec.name}`)).toBeLessThan(order.indexOf(`stack-started:${dep}`));
      }
    }
  });

  it("a mandatory policy violation fails the stack even when the engine did not; advisory ones do not", async () => {
    const v = { policyPack: "meridian-policies", policy: "residency-region", message: "region us-east-1 is not an EU region" };
    const h = harness({
      "eu-pki": { violations: [{ ...v, enforcement: "mandatory" }] },
      "us-pki": { violations: [{ ...v, policy: "tags", enforcement: "advisory" }] },
    }, { strategy: "parallel" });
    const out = await runFleet(h.input);
    expect(out.exitCode).toBe(1);
    expect(out.record.stacks["eu-pki"].status).toBe("failed");
    expect(out.record.stacks["us-pki"].status).toBe("succeeded");
    expect(h.events.filter((e) => e.type === "policy-violation").map((e) => (e as { policy: string }).policy).sort()).toEqual(["residency-region", "tags"]);
  });

  it("writes per-domain evidence: who, what, when, results, verdicts — EU never in the US folder and vice versa", async () => {
    const h = harness({ "us-mgmt": { fail: "boom" } }, { strategy: "parallel" });
    const out = await runFleet(h.input);
    for (const [domain, mine, other] of [["eu", EU, US], ["us", US, EU]] as const) {
      const dir = path.join(out.runDir, domain, "evidence");
      expect(fs.readdirSync(dir).sort()).toEqual(["events.jsonl", "evidence.json", "report.md"]);
      const ev = JSON.parse(fs.readFileSync(path.join(dir, "evidence.json"), "utf8"));
      expect(ev.who).toEqual({ user: "tester", gitAuthor: "Test Er <t@example.com>" });
      expect(ev.what).toMatchObject({ command: "up", gitCommit: "abc123", policyPack: { version: "0.1.0" } });
      expect(ev.what.stacks).toEqual([...mine].sort());
      expect(ev.when.startedAt).toMatch(/^\d{4}-/);
      expect(ev.results).toHaveLength(mine.length);
      expect(ev.verdicts.outcome).toBe(domain === "eu" ? "pass" : "fail");
      for (const f of fs.readdirSync(dir)) {
        const text = fs.readFileSync(path.join(dir, f), "utf8");
        for (const n of other) expect(text).not.toContain(n);
      }
    }
  });

  it("never lets a secret into progress, logs, events, the record, the report or the evidence", async () => {
    const passphrase = "correct-horse-battery-staple";
    const dbPassword = "s3cr3t-db-pa55word-xyz";
    // A fake, truncated key, assembled at run time so secret scanners do not flag the source.
    const label = ["RSA", "PRIVATE", "KEY"].join(" ");
    const pem = `-----BEGIN ${label}-----\nMIIEowIBAAKCAQEAx\n-----END ${label}-----`;
    const redactor = Redactor.fromEnvironment({ PULUMI_CONFIG_PASSPHRASE: passphrase, HOME: "/home/x" });
    const printed: string[] = [];
    const h = harness(
      {
        "eu-pki": {
          output: [`using passphrase ${passphrase}\n`, `key:\n${pem}\n`],
          outputs: { dbPassword: { value: dbPassword, secret: true }, endpoint: { value: "https://pki.eu", secret: false } },
        },
        "eu-mgmt": {
          output: [`read upstream ${dbPassword}\n`],
          violations: [{ policyPack: "p", policy: "q", enforcement: "advisory", message: `leaked ${dbPassword}` }],
        },
        "eu-workload-aws": { fail: `auth failed with ${passphrase} / password=hunter22hunter` },
      },
      { redactor, strategy: "parallel", parallel: 1 },
    );
    const progress = new ProgressRenderer({ write: (t: string) => printed.push(t), isTTY: true, columns: 200 }, 22, {});
    h.input = { ...h.input, sinks: [(e) => printed.push(JSON.stringify(e)), (e) => progress.onEvent(e)] };
    const out = await runFleet(h.input);
    const everything = [...printed, ...filesUnder(out.runDir).map((f) => fs.readFileSync(f, "utf8"))].join("\n");
    for (const secret of [passphrase, dbPassword, "MIIEowIBAAKCAQEAx", "hunter22hunter"]) expect(everything).not.toContain(secret);
    expect(everything).toContain("[secret]");
    expect(out.record.stacks["eu-pki"].outputs).toEqual({ dbPassword: "[secret]", endpoint: "https://pki.eu" });
    // The scrubbing is not vacuous: the fake did emit them.
    expect(h.engine.started()).toEqual(expect.arrayContaining(["eu-pki", "eu-mgmt", "eu-workload-aws"]));
  });

  it("property: credentials inside URLs never reach progress, logs, events, the record, the reports or the evidence", async () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9._~-]{12,40}$/).filter((x) => /[0-9]/.test(x) && /[A-Za-z]/.test(x) && !/^[.~_-]|[.~_-]$/.test(x));
    const shapes: Array<(s: string) => string> = [
      (x) => `https://deploy:${x}@git.example.com/org/repo.git`,
      (x) => `https://${x}@github.com/org/repo.git`,
      (x) => `https://b.s3.eu-central-1.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${x}&X-Amz-Date=20260101T000000Z`,
      (x) => `https://b.s3.amazonaws.com/k?X-Amz-Signature=${x}`,
      (x) => `https://acct.blob.core.windows.net/c/o?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-01-01&sig=${x}`,
      (x) => `awskms://alias/state-eu?region=eu-central-1&secret_access_key=${x}`,
      (x) => `https://api.example.com/v1?token=${x}`,
      (x) => `https://login.example.com/cb?access_token=${x}&state=1`,
      (x) => `GET https://h/x?bearer=${x}`,
      (x) => `Authorization: Bearer ${x}`,
    ];
    const stacks = ["eu-foundation-aws", "eu-pki", "eu-mgmt"];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(secret, fc.nat(shapes.length - 1)), { minLength: 6, maxLength: 6 }), async (gen) => {
        const [a, b, c, d, e, f] = gen.map(([x, i]) => ({ secret: x, url: shapes[i](x) }));
        const printed: string[] = [];
        const h = harness(
          {
            "eu-foundation-aws": { output: [`cloning ${a.url}\n`], outputs: { endpoint: { value: b.url, secret: false } } },
            "eu-pki": { violations: [{ policyPack: "p", policy: "q", enforcement: "advisory", message: `store at ${c.url}` }], output: [`upload ${d.url}\n`] },
            "eu-mgmt": { fail: `request to ${e.url} failed` },
          },
          { stacks, domains: ["eu"], redactor: new Redactor(), context: { user: "t", node: process.version, backend: f.url } },
        );
        const progress = new ProgressRenderer({ write: (t: string) => printed.push(t), isTTY: false }, 3, {});
        h.input = { ...h.input, sinks: [(ev) => printed.push(JSON.stringify(ev)), (ev) => progress.onEvent(ev)] };
        const out = await runFleet(h.input);
        const everything = [...printed, ...filesUnder(out.runDir).map((file) => fs.readFileSync(file, "utf8"))].join("\n");
        for (const g of [a, b, c, d, e, f]) expect(everything).not.toContain(g.secret);
        expect(everything).toContain("[secret]");
        expect(out.record.stacks["eu-mgmt"].status).toBe("failed");
      }),
      { numRuns: 30, seed: 20261201 },
    );
  });
});
