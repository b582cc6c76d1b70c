/**
 * The orchestrator over the offline mock engine, through the real CLI entry: a whole
 * domain goes up in dependency order with the real stack programs and the policy pack,
 * and a failing stack halts its dependents. (A child process: jest's module loader is
 * several times slower than node's on the provider SDKs.)
 */
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";
import { fleetDir, readReference } from "../support/fleetDir";

const root = path.resolve(__dirname, "../..");
/** The reference fleet's EU stacks, counted from its files (the test must not break when a stack is added). */
const EU_STACKS = fs.readdirSync(path.join(root, "stacks")).filter((f) => /^Pulumi\.eu-[a-z0-9-]+\.yaml$/.test(f)).length;

async function fleet(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = promisify(execFile);
  return run(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "automation/cli.ts"), ...args], { cwd: root, maxBuffer: 64 << 20, env: { ...process.env, CI: "true" } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

type Event = { type: string; stack?: string; status?: string; domain?: string };
const events = (stdout: string): Event[] => stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Event);

describe("fleet up --engine mock", () => {
  it("rolls out the EU domain in dependency order, all succeeded, evidence only in eu/", async () => {
    const runs = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-runs-"));
    const r = await fleet(["up", "--engine", "mock", "--domains", "eu", "--yes", "--json", "--runs-dir", runs]);
    expect(r.code).toBe(0);
    const ev = events(r.stdout);
    const finished = ev.filter((e) => e.type === "stack-finished");
    expect(finished).toHaveLength(EU_STACKS);
    expect(finished.every((e) => e.status === "succeeded")).toBe(true);
    const order = new Map(ev.map((e, i) => [`${e.type}:${e.stack}`, i]));
    const dir = path.join(root, "stacks");
    for (const f of fs.readdirSync(dir).filter((x) => x.startsWith("Pulumi.eu-"))) {
      const stack = f.slice("Pulumi.".length, -".yaml".length);
      const deps = (parse(fs.readFileSync(path.join(dir, f), "utf8")) as { config: Record<string, string[]> }).config["meridian:dependsOn"];
      for (const d of deps) expect(order.get(`stack-finished:${d}`)!).toBeLessThan(order.get(`stack-started:${stack}`)!);
    }
    const [run] = fs.readdirSync(runs).filter((d) => !d.startsWith("."));
    expect(fs.readdirSync(path.join(runs, run)).sort()).toEqual(["eu", "report.md", "summary.json"]);
    expect(fs.readdirSync(path.join(runs, run, "eu", "evidence")).sort()).toEqual(["events.jsonl", "evidence.json", "report.md"]);
    expect(ev.at(-1)?.type).toBe("run-finished");
  }, 300_000);

  it("a stack that fails leaves its dependents not started, and the run exits 1", async () => {
    const doc = parse(readReference("Pulumi.eu-pki.yaml")) as { config: Record<string, unknown> };
    // Valid for the fleet model, refused by the component: an intermediate outliving the root.
    doc.config["meridian:pki"] = { rootValidityHours: 8760, intermediateValidityHours: 9000 };
    const dir = fleetDir({ "Pulumi.eu-pki.yaml": stringify(doc) });
    const runs = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-runs-"));
    const r = await fleet(["up", "--engine", "mock", "--domains", "eu", "--yes", "--json", "--runs-dir", runs, "--stacks-dir", dir]);
    expect(r.code).toBe(1);
    const finished = new Map(events(r.stdout).filter((e) => e.type === "stack-finished").map((e) => [e.stack, e.status]));
    expect(finished.get("eu-pki")).toBe("failed");
    expect(events(r.stdout).some((e) => e.type === "stack-started" && e.stack === "eu-mgmt")).toBe(false);
    const record = JSON.parse(fs.readFileSync(path.join(runs, fs.readdirSync(runs).filter((d) => !d.startsWith("."))[0], "eu", "run.json"), "utf8")) as { stacks: Record<string, { status: string }> | Array<{ name: string; status: string }> };
    const statusOf = (name: string) => (Array.isArray(record.stacks) ? record.stacks.find((s) => s.name === name)?.status : record.stacks[name]?.status);
    expect(["skipped", "not-started"]).toContain(statusOf("eu-workload-aws"));
  }, 300_000);

  it("--resume finishes the fleet: the outputs of stacks carried over are kept in the run folder (per domain) for their dependents", async () => {
    const good = readReference("Pulumi.eu-pki.yaml");
    const doc = parse(good) as { config: Record<string, unknown> };
    doc.config["meridian:pki"] = { rootValidityHours: 8760, intermediateValidityHours: 9000 };
    const dir = fleetDir({ "Pulumi.eu-pki.yaml": stringify(doc) });
    const runs = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-runs-"));
    const first = await fleet(["up", "--engine", "mock", "--domains", "eu", "--yes", "--json", "--runs-dir", runs, "--stacks-dir", dir]);
    expect(first.code).toBe(1);
    const carried = events(first.stdout).filter((e) => e.type === "stack-finished" && e.status === "succeeded").map((e) => e.stack!);
    expect(carried.length).toBeGreaterThan(0);
    const [runId] = fs.readdirSync(runs).filter((d) => !d.startsWith("."));
    // Each succeeded stack's mock state sits in its own domain's folder.
    expect(fs.readdirSync(path.join(runs, runId, "eu", "engine")).sort()).toEqual(carried.map((n) => `${n}.json`).sort());

    fs.writeFileSync(path.join(dir, "Pulumi.eu-pki.yaml"), good);
    const second = await fleet(["up", "--engine", "mock", "--resume", runId, "--yes", "--json", "--runs-dir", runs, "--stacks-dir", dir]);
    const ev = events(second.stdout);
    const failed = ev.filter((e) => e.type === "stack-finished" && e.status !== "succeeded");
    expect(failed).toEqual([]);
    expect(second.code).toBe(0);
    const ran = ev.filter((e) => e.type === "stack-started").map((e) => e.stack!);
    expect(ran.filter((n) => carried.includes(n))).toEqual([]);
    expect(ran.length + carried.length).toBe(EU_STACKS);
    // Dependents of carried-over stacks ran (the case that used to fail "upstream has no outputs").
    const dir2 = path.join(runs, fs.readdirSync(runs).filter((d) => !d.startsWith(".") && d !== runId)[0]);
    expect(fs.readdirSync(path.join(dir2, "eu", "engine")).length).toBe(EU_STACKS);
  }, 600_000);

  it("a real second Ctrl-C: exit 130 at once, a minimal record and the evidence of what ran are on disk, and the run lock is gone", async () => {
    const runs = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-runs-"));
    // As `npm run fleet` runs it (one node process; the tsx CLI would put a relay process between).
    const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "automation/cli.ts"), "up", "--engine", "mock", "--domains", "eu", "--yes", "--json", "--runs-dir", runs], {
      cwd: root,
      // Each mock operation holds 3 s, and a cancelled one takes 3 s to stop, as the CLI finishing a
      // slow cloud's steps in flight would: the second SIGINT lands while a stack is still
      // stopping however fast the plan is (a 50 ms gap alone lost that race on Node 24).
      env: { ...process.env, CI: "true", MERIDIAN_MOCK_LATENCY_MS: "3000", MERIDIAN_MOCK_STOP_MS: "3000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let signalled = false;
    let second = false;
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
      // After the first stack finished, while others run: SIGINT, and once the run says it is stopping, SIGINT again.
      if (!signalled && stdout.includes('"stack-finished"')) {
        signalled = true;
        child.kill("SIGINT");
      }
      if (signalled && !second && stdout.includes(": stopping")) {
        second = true;
        child.kill("SIGINT");
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect({ signalled, second }).toEqual({ signalled: true, second: true });
    expect(code).toBe(130);
    const [run] = fs.readdirSync(runs).filter((d) => !d.startsWith("."));
    expect(fs.readdirSync(runs).filter((d) => d.startsWith(".lock-"))).toEqual([]);
    const summary = JSON.parse(fs.readFileSync(path.join(runs, run, "summary.json"), "utf8")) as { status: string; exitCode: number };
    expect(summary).toMatchObject({ status: "interrupted", exitCode: 130 });
    const evidence = JSON.parse(fs.readFileSync(path.join(runs, run, "eu", "evidence", "evidence.json"), "utf8")) as { verdicts: { outcome: string }; results: Array<{ status: string }> };
    expect(evidence.verdicts.outcome).toBe("incomplete");
    expect(evidence.results.some((r) => r.status === "succeeded")).toBe(true);
    // The hard-exit path it was (not a first interrupt that happened to finish in time).
    const record = JSON.parse(fs.readFileSync(path.join(runs, run, "eu", "run.json"), "utf8")) as { stacks: Record<string, { error?: string }> };
    expect(Object.values(record.stacks).some((s) => /SIGINT twice/.test(s.error ?? ""))).toBe(true);
    expect(fs.readdirSync(path.join(runs, run, "eu")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  }, 300_000);

  it("one Ctrl-C during a held operation stops the run at once: the wait ends, the stack is cancelled, exit 130", async () => {
    const runs = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-runs-"));
    // A 120 s hold: a wait that a cancel could not end would keep the run going that long.
    const env = { ...process.env, CI: "true", MERIDIAN_MOCK_LATENCY_MS: "120000" };
    const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "automation/cli.ts"), "up", "--engine", "mock", "--stack", "eu-pki", "--yes", "--json", "--runs-dir", runs], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let signalledAt: number | undefined;
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
      // Once the stack's program has run and its operation is in the wait.
      if (signalledAt === undefined && stdout.includes("mock: holding the operation 120000 ms")) {
        signalledAt = Date.now();
        child.kill("SIGINT");
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    const stoppedInMs = Date.now() - signalledAt!;
    expect(signalledAt).toBeDefined();
    expect(code).toBe(130);
    // Start-up and the program are over before the signal; what is left is writing the record.
    expect(stoppedInMs).toBeLessThan(20_000);
    expect(events(stdout).find((e) => e.type === "stack-finished" && e.stack === "eu-pki")?.status).toBe("cancelled");
    const [run] = fs.readdirSync(runs).filter((d) => !d.startsWith("."));
    expect(JSON.parse(fs.readFileSync(path.join(runs, run, "summary.json"), "utf8"))).toMatchObject({ status: "interrupted", exitCode: 130 });
  }, 200_000);

  it("kill -9 mid-run: the dead run's lock is stale, and a --resume of its record finishes the work", async () => {
    const runs = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-runs-"));
    const args = ["up", "--engine", "mock", "--stack", "eu-mgmt", "--with-dependencies", "--parallel", "1", "--yes", "--json", "--runs-dir", runs];
    // Each mock operation holds 2 s, so the kill lands while the next stack runs, however fast the plan is.
    const env = { ...process.env, CI: "true", MERIDIAN_MOCK_LATENCY_MS: "2000" };
    const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "automation/cli.ts"), ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
      if (stdout.includes('"stack-finished"')) child.kill("SIGKILL");
    });
    await new Promise((resolve) => child.on("exit", resolve));
    const [runId] = fs.readdirSync(runs).filter((d) => !d.startsWith("."));
    expect(fs.readdirSync(runs).filter((d) => d.startsWith(".lock-"))).toHaveLength(1);
    const done = events(stdout).filter((e) => e.type === "stack-finished" && e.status === "succeeded").map((e) => e.stack);
    expect(done.length).toBeGreaterThan(0);

    const r = await fleet(["up", "--engine", "mock", "--resume", runId, "--yes", "--json", "--runs-dir", runs]);
    expect(r.code).toBe(0);
    const started = events(r.stdout).filter((e) => e.type === "stack-started").map((e) => e.stack);
    expect(started).toContain("eu-mgmt");
    for (const n of done) expect(started).not.toContain(n);
    expect(fs.readdirSync(runs).filter((d) => d.startsWith(".lock-"))).toEqual([]);
  }, 300_000);
});

describe("MERIDIAN_MOCK_LATENCY_MS and MERIDIAN_MOCK_STOP_MS", () => {
  it.each(["MERIDIAN_MOCK_LATENCY_MS", "MERIDIAN_MOCK_STOP_MS"])("%s is 0 unset, a whole number of ms otherwise, and refuses anything else as bad input", async (name) => {
    const { mockTiming } = await import("../../automation/engine/mock");
    const key = name === "MERIDIAN_MOCK_LATENCY_MS" ? "latencyMs" : "stopMs";
    expect([mockTiming({})[key], mockTiming({ [name]: "" })[key], mockTiming({ [name]: "250" })[key]]).toEqual([0, 0, 250]);
    for (const bad of ["-1", "1.5", "2s", "700000", "1e3"]) {
      expect(() => mockTiming({ [name]: bad })).toThrow(new RegExp(`^${name}=.*expected a whole number of milliseconds`));
    }
  });
});
