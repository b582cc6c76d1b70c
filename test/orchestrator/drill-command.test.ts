/**
 * `fleet drill restore|failover --engine mock`: end to end through the command (and once
 * through the real CLI entry), evidence in the drilled domain's store only, every injected
 * failure halting at its step, and bad input refused with one line and exit 2.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runFailoverCommand, runRestoreCommand, type DrillIo } from "../../automation/commands/drill";
import { previousRun } from "../../automation/drill/cron";
import { FAILOVER_STEPS, type FailoverEngine } from "../../automation/drill/failover";
import { MockFailoverEngine } from "../../automation/drill/mock";
import { RESTORE_STEPS } from "../../automation/drill/restore";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fleetDir, readReference, REFERENCE_STACKS } from "../support/fleetDir";

const NOW = new Date("2026-12-01T13:30:00Z");
const ROOT = path.resolve(__dirname, "../..");

/** The real CLI entry in a child process, with `env` added to this process's environment. */
async function fleetCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), path.join(ROOT, "automation/cli.ts"), ...args], { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 16 << 20 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

function setup() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-drill-"));
  const stores = { eu: path.join(tmp, "ev-eu"), us: path.join(tmp, "ev-us") };
  const out: string[] = [];
  const err: string[] = [];
  const io: DrillIo = {
    out: (s) => void out.push(s),
    err: (s) => void err.push(s),
    env: { MERIDIAN_EVIDENCE_STORE_EU: `file://${stores.eu}`, MERIDIAN_EVIDENCE_STORE_US: `file://${stores.us}` },
    now: () => new Date(NOW),
  };
  return { tmp, stores, out, err, io, runsDir: path.join(tmp, "runs") };
}

/** A parsed evidence document (JSON of any shape). */
type Evidence = ReturnType<typeof JSON.parse>;

/** Every evidence document stored under a store directory. */
function stored(dir: string, kind: string): Evidence[] {
  if (!fs.existsSync(dir)) return [];
  const found: Evidence[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === `${kind}.json`) found.push(JSON.parse(fs.readFileSync(p, "utf8")));
    }
  };
  walk(dir);
  return found;
}

describe("fleet drill restore --engine mock", () => {
  it("restores the latest backup into a scratch namespace, checks it, deletes it, and stores RPO/RTO evidence in the EU store only", async () => {
    const s = setup();
    const code = await runRestoreCommand({ cluster: "eu-workload-aws", namespace: "payments", engine: "mock", stacksDir: REFERENCE_STACKS, runsDir: s.runsDir, json: true }, s.io);
    expect(code).toBe(0);
    const printed = JSON.parse(s.out.join(""));
    const [evidence] = stored(s.stores.eu, "restore-drill");
    expect(stored(s.stores.us, "restore-drill")).toEqual([]);
    expect(evidence.runId).toBe(printed.runId);
    expect(evidence).toMatchObject({ kind: "restore-drill", domain: "eu", cluster: "eu-workload-aws", namespace: "payments", engine: "mock", rehearsal: true, status: "succeeded", scratchKept: false });
    expect(evidence.scratchNamespace).toMatch(/^drill-payments-[0-9a-f]{6}$/);
    // Every 4 hours (the default schedule): the latest run before 13:30 is 12:00, so 90 minutes of data at risk.
    expect(evidence.backup.completedAt).toBe(previousRun("0 */4 * * *", NOW).toISOString());
    expect(evidence.rpoSeconds).toBe(5400);
    expect(evidence.objectives).toEqual({ rpoSeconds: 4 * 3600, rtoSeconds: 3600 });
    expect([evidence.rpoMet, evidence.rtoMet]).toEqual([true, true]);
    expect(evidence.steps.map((x: { step: string; ok: boolean }) => [x.step, x.ok])).toEqual(RESTORE_STEPS.map((x) => [x, true]));
    expect(evidence.checks.every((c: { ok: boolean }) => c.ok)).toBe(true);
    expect(evidence.backup.items).toBeGreaterThanOrEqual(4);
  });

  it.each([
    ["find-backup", [], false],
    ["restore", ["find-backup"], true],
    ["check", ["find-backup", "restore"], true],
    ["cleanup", ["find-backup", "restore", "check"], true],
  ] as const)("halts at an injected %s failure: later steps never run, exit 1, evidence stored", async (step, before, kept) => {
    const s = setup();
    const code = await runRestoreCommand({ cluster: "eu-workload-gcp", namespace: "payments", engine: "mock", injectFailure: step, stacksDir: REFERENCE_STACKS, runsDir: s.runsDir, json: true }, s.io);
    expect(code).toBe(1);
    const [evidence] = stored(s.stores.eu, "restore-drill");
    expect(evidence).toMatchObject({ status: "failed", failedStep: step, injectedFailure: step, scratchKept: kept });
    expect(evidence.steps.map((x: { step: string; ok: boolean }) => [x.step, x.ok])).toEqual([...before.map((b) => [b, true]), [step, false]]);
    if (step !== "cleanup") expect(evidence.rtoSeconds).toBeUndefined();
  });

  it("the check catches an object the restore dropped (not a hard-coded verdict)", async () => {
    const s = setup();
    await runRestoreCommand({ cluster: "eu-workload-aws", namespace: "payments", engine: "mock", injectFailure: "check", stacksDir: REFERENCE_STACKS, runsDir: s.runsDir, json: true }, s.io);
    const [evidence] = stored(s.stores.eu, "restore-drill");
    const present = evidence.checks.find((c: { name: string }) => c.name === "objects-present");
    expect(present.ok).toBe(false);
    expect(present.detail).toMatch(/^missing: /);
  });

  it("refuses bad input with one line and exit 2", async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ cluster: "eu-workload-nope", namespace: "payments" }, /--cluster eu-workload-nope: no Pulumi.eu-workload-nope.yaml/],
      [{ cluster: "eu-foundation-aws", namespace: "payments" }, /a foundation stack has no cluster/],
      [{ cluster: "eu-workload-aws", namespace: "kube-system" }, /--namespace kube-system: no backup Schedule for it on eu-workload-aws \(backed up: payments\)/],
      [{ cluster: "eu-workload-aws", namespace: "payments", engine: "kubernetes" }, /--engine kubernetes needs --kubeconfig <file>/],
      [{ cluster: "eu-workload-aws", namespace: "payments", engine: "kubernetes", kubeconfig: "/nonexistent/kubeconfig" }, /--kubeconfig \/nonexistent\/kubeconfig: no such file/],
      [{ cluster: "eu-workload-aws", namespace: "payments", engine: "kubernetes", kubeconfig: __filename, restoreTimeout: "soon" }, /--restore-timeout soon: a whole number of seconds/],
      [{ cluster: "eu-workload-aws", namespace: "payments", engine: "kubernetes", kubeconfig: __filename, injectFailure: "check" }, /--inject-failure applies to --engine mock only/],
      [{ cluster: "eu-workload-aws", namespace: "payments", kubeconfig: __filename }, /--kubeconfig applies to --engine kubernetes only/],
    ];
    for (const [args, message] of cases) {
      const s = setup();
      const { cluster, namespace, engine, ...rest } = args;
      expect(await runRestoreCommand({ cluster: cluster!, namespace: namespace!, engine: engine ?? "mock", ...rest, stacksDir: REFERENCE_STACKS, runsDir: s.runsDir }, s.io)).toBe(2);
      expect(s.err).toHaveLength(1);
      expect(s.err[0]).toMatch(message);
      expect(fs.existsSync(s.runsDir)).toBe(false);
    }
  });

  it("runs through the real CLI entry; a missing --engine is a usage error", async () => {
    const s = setup();
    {
      const ok = await fleetCli(["drill", "restore", "--cluster", "us-workload-azure", "--namespace", "payments", "--engine", "mock", "--json", "--runs-dir", s.runsDir], { MERIDIAN_EVIDENCE_STORE_US: `file://${s.stores.us}` });
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout).evidenceStore).toBe(`file://${s.stores.us}`);
      expect(JSON.parse(ok.stdout)).toMatchObject({ domain: "us", status: "succeeded", evidenceStored: true });
      expect(stored(s.stores.us, "restore-drill")).toHaveLength(1);
      const missing = await fleetCli(["drill", "restore", "--cluster", "us-workload-azure", "--namespace", "payments"]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/--engine/);
    }
  }, 120_000);
});

describe("fleet drill failover --engine mock", () => {
  it("flips the name to the secondary and back, with evidence in the domain's store", async () => {
    const s = setup();
    const code = await runFailoverCommand({ hostname: "pay.us.meridian.example.com", engine: "mock", stacksDir: REFERENCE_STACKS, runsDir: s.runsDir, json: true }, s.io);
    expect(code).toBe(0);
    expect(stored(s.stores.eu, "failover-drill")).toEqual([]);
    const [evidence] = stored(s.stores.us, "failover-drill");
    expect(evidence).toMatchObject({ kind: "failover-drill", domain: "us", dnsStack: "us-dns", primary: "us-workload-aws", secondary: "us-workload-gcp", status: "succeeded", restored: true, expectedSeconds: 150 });
    expect(evidence).toMatchObject({ failoverSeconds: 0, failoverMet: true, restoreSeconds: 0, restoreMet: true });
    expect(evidence.steps.map((x: { step: string }) => x.step)).toEqual([...FAILOVER_STEPS]);
  });

  it("a failover slower than interval × threshold + TTL misses its objective: the drill succeeded, the evidence says MISSED, exit 1", async () => {
    // Route 53 took 200 s to move the name (the drill waits up to twice the expected 150 s), and 40 s back.
    const records = new Map([["pay.eu.meridian.example.com", { primary: "eu-workload-aws", secondary: "eu-workload-gcp" }]]);
    const mock = new MockFailoverEngine(records);
    const slow: FailoverEngine = {
      kind: "mock-slow",
      rehearsal: true,
      resolve: (h) => mock.resolve(h),
      setInverted: (h, t, i) => mock.setInverted(h, t, i),
      waitFor: async (h, t, timeout) => (await mock.waitFor(h, t, timeout)) + (t === "eu-workload-gcp" ? 200 : 40),
    };
    for (const [engine, code, met] of [[slow, 1, false], [undefined, 0, true]] as const) {
      const s = setup();
      const io = { ...s.io, failoverEngine: engine };
      expect(await runFailoverCommand({ hostname: "pay.eu.meridian.example.com", engine: "mock", stacksDir: REFERENCE_STACKS, runsDir: s.runsDir }, io)).toBe(code);
      const [evidence] = stored(s.stores.eu, "failover-drill");
      expect(evidence).toMatchObject({ status: "succeeded", restored: true, failoverMet: met, restoreMet: true });
      expect(s.out.join("")).toMatch(met ? /failover: 0s \(objective 150s: met\)/ : /failover: 200s \(objective 150s: MISSED\); back to the primary: 40s \(objective 150s: met\)/);
    }
  });

  it.each([
    ["baseline", ["baseline"], true],
    ["flip", ["baseline", "flip", "restore", "verify-restore"], true],
    ["verify-failover", ["baseline", "flip", "verify-failover", "restore", "verify-restore"], true],
    ["restore", ["baseline", "flip", "verify-failover", "restore"], false],
    ["verify-restore", ["baseline", "flip", "verify-failover", "restore", "verify-restore"], false],
  ] as const)("an injected %s failure fails the drill, and the record is restored whenever it was flipped", async (step, ran, restored) => {
    const s = setup();
    const code = await runFailoverCommand({ hostname: "pay.eu.meridian.example.com", engine: "mock", injectFailure: step, stacksDir: REFERENCE_STACKS, runsDir: s.runsDir, json: true }, s.io);
    expect(code).toBe(1);
    const [evidence] = stored(s.stores.eu, "failover-drill");
    expect(evidence).toMatchObject({ status: "failed", failedStep: step, restored });
    expect(evidence.steps.map((x: { step: string }) => x.step)).toEqual(ran);
  });

  it("refuses an unknown name and a record whose secondary is in the other domain", async () => {
    const s = setup();
    expect(await runFailoverCommand({ hostname: "nope.eu.meridian.example.com", engine: "mock", stacksDir: REFERENCE_STACKS, runsDir: s.runsDir }, s.io)).toBe(2);
    expect(s.err[0]).toMatch(/no dns stack has a failover record for it/);
    const dir = fleetDir({ "Pulumi.eu-dns.yaml": readReference("Pulumi.eu-dns.yaml").replace("secondary: eu-workload-gcp", "secondary: us-workload-gcp") });
    const t = setup();
    expect(await runFailoverCommand({ hostname: "pay.eu.meridian.example.com", engine: "mock", stacksDir: dir, runsDir: t.runsDir }, t.io)).toBe(2);
    expect(t.err.join("")).toMatch(/us-workload-gcp/);
  });
});
