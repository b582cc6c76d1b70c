/**
 * The orchestrator over the offline mock engine, through the real CLI entry: a whole
 * domain goes up in dependency order with the real stack programs and the policy pack,
 * and a failing stack halts its dependents. (A child process: jest's module loader is
 * several times slower than node's on the provider SDKs.)
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";
import { fleetDir, readReference } from "../support/fleetDir";

const root = path.resolve(__dirname, "../..");

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
    expect(finished).toHaveLength(14);
    expect(finished.every((e) => e.status === "succeeded")).toBe(true);
    const order = new Map(ev.map((e, i) => [`${e.type}:${e.stack}`, i]));
    const dir = path.join(root, "stacks");
    for (const f of fs.readdirSync(dir).filter((x) => x.startsWith("Pulumi.eu-"))) {
      const stack = f.slice("Pulumi.".length, -".yaml".length);
      const deps = (parse(fs.readFileSync(path.join(dir, f), "utf8")) as { config: Record<string, string[]> }).config["meridian:dependsOn"];
      for (const d of deps) expect(order.get(`stack-finished:${d}`)!).toBeLessThan(order.get(`stack-started:${stack}`)!);
    }
    const [run] = fs.readdirSync(runs);
    expect(fs.readdirSync(path.join(runs, run, "evidence"))).toEqual(["eu"]);
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
    const record = JSON.parse(fs.readFileSync(path.join(runs, fs.readdirSync(runs)[0], "run.json"), "utf8")) as { stacks: Record<string, { status: string }> | Array<{ name: string; status: string }> };
    const statusOf = (name: string) => (Array.isArray(record.stacks) ? record.stacks.find((s) => s.name === name)?.status : record.stacks[name]?.status);
    expect(["skipped", "not-started"]).toContain(statusOf("eu-workload-aws"));
  }, 300_000);
});
