/**
 * `fleet drift`: with the fake engine (scripted drift, failures, secrets) through
 * runDriftCommand, and through the real CLI entry with `--engine mock` and a mock drift file.
 * Checks: only preview-only refreshes run, exit codes 0/2/1, drift.json per domain with that
 * domain's stacks only, the report section, redaction, and that a drift run is not resumable.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runDriftCommand, type DriftOptions } from "../../automation/commands/drift";
import { rolloutEngines, runRolloutCommand } from "../../automation/commands/rollout";
import { FakeEngine, type FakeStackScript } from "../../automation/engine/fake";
import type { DriftedResource } from "../../automation/engine/types";
import { loadFleet } from "../../automation/fleet";
import type { DomainDrift } from "../../automation/orchestrator";
import { recordingIo } from "../support/rolloutIo";
import { execFile } from "node:child_process";

/** The real CLI entry in a child process with extra environment (jest's process.env does not reach children). */
function fleetCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(repo, "node_modules/tsx/dist/cli.mjs"), path.join(repo, "automation/cli.ts"), ...args], { cwd: repo, env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (e, stdout, stderr) =>
      resolve({ code: e === null ? 0 : Number((e as { code?: number }).code), stdout, stderr }),
    );
  });
}

const repo = path.join(__dirname, "../..");
const stacksDir = path.join(repo, "stacks");
const fleet = loadFleet(stacksDir);
const euStacks = [...fleet.stacks.values()].filter((s) => s.domain === "eu").map((s) => s.name);
let runsDir: string;
let scripts: Record<string, FakeStackScript> = {};
let engine: FakeEngine;
beforeAll(() => {
  rolloutEngines.fake = async () => (engine = new FakeEngine(scripts));
});
afterAll(() => delete rolloutEngines.fake);
beforeEach(() => {
  runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-drift-"));
  scripts = {};
});
afterEach(() => fs.rmSync(runsDir, { recursive: true, force: true }));

const PASSPHRASE = "pass-phrase-123";
const io = () => recordingIo({ env: { USER: "tester", PULUMI_CONFIG_PASSPHRASE: PASSPHRASE } });
const opts = (over: Partial<DriftOptions> = {}): DriftOptions => ({ parallel: 4, engine: "fake", stacksDir, runsDir, ...over });
const tagDrift: DriftedResource = { urn: "urn:pulumi:eu-workload-aws::meridian::aws:eks/cluster:Cluster::eu-workload-aws-eks", resourceType: "aws:eks/cluster:Cluster", kind: "changed", properties: ["tags", "version"] };
const gone: DriftedResource = { urn: "urn:pulumi:eu-workload-aws::meridian::aws:s3/bucket:Bucket::logs", resourceType: "aws:s3/bucket:Bucket", kind: "deleted", properties: [] };

function runDirOf(): string {
  const [dir] = fs.readdirSync(runsDir).filter((d) => d.includes("-drift-"));
  return path.join(runsDir, dir);
}
const evidence = (domain: string): DomainDrift => JSON.parse(fs.readFileSync(path.join(runDirOf(), domain, "evidence", "drift.json"), "utf8")) as DomainDrift;

describe("fleet drift (command, fake engine)", () => {
  it("a clean fleet exits 0 after a preview-only refresh of every selected stack and nothing else", async () => {
    const a = io();
    expect(await runDriftCommand(opts({ filter: ["domain=eu"] }), a.value, repo)).toBe(0);
    const ops = engine.calls.filter((c) => c.op !== "outputs");
    expect(new Set(ops.map((c) => c.stack))).toEqual(new Set(euStacks));
    expect(ops.every((c) => c.op === "refresh" && c.previewOnly === true)).toBe(true);
    expect(a.out.join("")).toContain(`Drift: 0 of ${euStacks.length} stack(s) drifted, ${euStacks.length} clean (eu 0).`);
    expect(evidence("eu")).toMatchObject({ domain: "eu", previewOnly: true, counts: { clean: euStacks.length, drifted: 0, error: 0 } });
    expect(fs.existsSync(path.join(runDirOf(), "us"))).toBe(false);
  });

  it("drift exits 2 and names the stacks, resources and properties, in the domain's evidence only", async () => {
    scripts["eu-workload-aws"] = { drift: [tagDrift, gone] };
    const a = io();
    expect(await runDriftCommand(opts(), a.value, repo)).toBe(2);
    const text = a.out.join("");
    expect(text).toContain("eu-workload-aws: 2 resource(s) drifted");
    expect(text).toContain(`  changed ${tagDrift.urn} (tags, version)`);
    expect(text).toContain(`  deleted ${gone.urn}`);
    expect(text).toContain(`Drift: 1 of ${fleet.stacks.size} stack(s) drifted, ${fleet.stacks.size - 1} clean (eu 1, us 0).`);
    const eu = evidence("eu");
    expect(eu.stacks.find((s) => s.name === "eu-workload-aws")).toEqual({ name: "eu-workload-aws", status: "drifted", resources: [tagDrift, gone] });
    const us = fs.readFileSync(path.join(runDirOf(), "us", "evidence", "drift.json"), "utf8");
    expect(us).not.toMatch(/eu-/);
    expect(fs.readFileSync(path.join(runDirOf(), "eu", "report.md"), "utf8")).toContain("## Drift (preview-only refresh, no state written)");
    const record = JSON.parse(fs.readFileSync(path.join(runDirOf(), "eu", "run.json"), "utf8")) as { command: string; stacks: Record<string, { changes: { update: number; delete: number } }> };
    expect(record.command).toBe("refresh");
    expect(record.stacks["eu-workload-aws"].changes).toMatchObject({ update: 1, delete: 1 });
  });

  it("a stack that cannot be checked exits 1 (over drift elsewhere), its error redacted", async () => {
    scripts["us-dns"] = { fail: `backend refused passphrase ${PASSPHRASE}` };
    scripts["eu-workload-aws"] = { drift: [tagDrift] };
    const a = io();
    expect(await runDriftCommand(opts(), a.value, repo)).toBe(1);
    expect(a.out.join("")).toMatch(/us-dns: not checked: .*backend refused passphrase/);
    const all = [...a.out, ...a.err].join("") + fs.readFileSync(path.join(runDirOf(), "us", "evidence", "drift.json"), "utf8");
    expect(all).not.toContain(PASSPHRASE);
    expect(evidence("us").counts.error).toBe(1);
  });

  it("--json prints event lines, then one drift-report per domain", async () => {
    scripts["us-pki"] = { drift: [{ ...tagDrift, urn: "urn:pulumi:us-pki::meridian::tls:index/privateKey:PrivateKey::root" }] };
    const a = io();
    expect(await runDriftCommand(opts({ json: true }), a.value, repo)).toBe(2);
    const lines = a.out.join("").trim().split("\n").map((l) => JSON.parse(l) as { type: string; domain?: string });
    expect(lines.slice(-2).map((l) => [l.type, l.domain])).toEqual([["drift-report", "eu"], ["drift-report", "us"]]);
    expect(lines.some((l) => l.type === "run-finished")).toBe(true);
  });

  it("usage errors exit 2 on stderr: unknown engine, a bad filter, nothing selected", async () => {
    const cases: Array<[Partial<DriftOptions>, RegExp]> = [
      [{ engine: "nope" }, /--engine: unknown engine "nope"/],
      [{ filter: ["colour=red"] }, /--filter "colour=red": unknown attribute/],
      [{ filter: ["domain=eu", "!domain=eu"] }, /no stacks selected/],
    ];
    for (const [o, message] of cases) {
      const a = io();
      expect(await runDriftCommand(opts(o), a.value, repo)).toBe(2);
      expect(a.err.join("")).toMatch(message);
    }
  });

  it("a drift run cannot be resumed as a refresh (that would write state)", async () => {
    scripts["eu-pki"] = { fail: "boom" };
    expect(await runDriftCommand(opts({ stack: ["eu-pki"] }), io().value, repo)).toBe(1);
    const a = io();
    const code = await runRolloutCommand("refresh", { parallel: 1, strategy: "canary", policyPack: path.join(repo, "policy-pack"), engine: "fake", stacksDir, runsDir, resume: path.basename(runDirOf()) }, a.value, repo);
    expect(code).toBe(2);
    expect(a.err.join("")).toMatch(/was a drift check .* run `fleet drift` again/);
  });
});

describe("fleet drift through the real CLI entry (--engine mock)", () => {
  it("reports the mock cloud's out-of-band changes from MERIDIAN_MOCK_DRIFT, exit 2; 0 without; a bad file exits 2 naming it", async () => {
    const file = path.join(runsDir, "drift.json");
    fs.writeFileSync(file, JSON.stringify({ "us-workload-gcp": [{ urn: "urn:pulumi:us-workload-gcp::meridian::gcp:container/cluster:Cluster::gke", resourceType: "gcp:container/cluster:Cluster", kind: "changed", properties: ["resourceLabels"] }] }));
    const args = ["drift", "--engine", "mock", "--filter", "domain=us", "--runs-dir", runsDir];
    {
      const drifted = await fleetCli(args, { MERIDIAN_MOCK_DRIFT: file });
      expect(drifted.stderr).toContain("no state is written");
      expect(drifted.stdout).toContain("changed urn:pulumi:us-workload-gcp::meridian::gcp:container/cluster:Cluster::gke (resourceLabels)");
      expect(drifted.code).toBe(2);
      fs.writeFileSync(file, JSON.stringify({ "us-dns": [{ urn: "not-a-urn", resourceType: "x", kind: "changed" }] }));
      const bad = await fleetCli(args, { MERIDIAN_MOCK_DRIFT: file });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/MERIDIAN_MOCK_DRIFT: .*drift\.json: not a mock drift file \(us-dns\.0\.urn/);
    }
    const clean = await fleetCli(args);
    expect(clean.stdout).toMatch(/Drift: 0 of \d+ stack\(s\) drifted/);
    expect(clean.code).toBe(0);
  }, 120_000);
});
