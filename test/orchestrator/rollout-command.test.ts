import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { rolloutEngines, runRolloutCommand, type RolloutIo, type RolloutOptions } from "../../automation/commands/rollout";
import { FakeEngine, type FakeStackScript } from "../../automation/engine/fake";
import { localControlPlaneFleetDir } from "../support/fleetDir";
import { loadFleet } from "../../automation/fleet";
import { recordingIo } from "../support/rolloutIo";
import { ManualSignals, nodeFiles, type FleetEvent, type RunFiles } from "../../automation/orchestrator";

const repo = path.join(__dirname, "../..");
let runsDir: string;
let scripts: Record<string, FakeStackScript> = {};
beforeAll(() => {
  rolloutEngines.fake = async () => new FakeEngine(scripts);
});
afterAll(() => delete rolloutEngines.fake);
beforeEach(() => {
  runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-cli-"));
  scripts = {};
});
afterEach(() => fs.rmSync(runsDir, { recursive: true, force: true }));

function io(over: Partial<RolloutIo> = {}) {
  return recordingIo({ env: { USER: "tester", PULUMI_CONFIG_PASSPHRASE: "pass-phrase-123" }, ...over });
}

const base = (over: Partial<RolloutOptions> = {}): RolloutOptions => ({
  parallel: 4,
  strategy: "canary",
  policyPack: path.join(repo, "policy-pack"),
  engine: "fake",
  stacksDir: path.join(repo, "stacks"),
  runsDir,
  ...over,
});

describe("fleet preview|up|refresh|destroy (command)", () => {
  it("refuses up and destroy without --yes when not on a terminal (exit 2), asks on a terminal", async () => {
    const a = io();
    expect(await runRolloutCommand("up", base(), a.value, repo)).toBe(2);
    expect(a.err.join("")).toMatch(/without --yes/);
    const asked: string[] = [];
    const b = io({ interactive: true, confirm: async (q) => (asked.push(q), false) });
    expect(await runRolloutCommand("destroy", base(), b.value, repo)).toBe(2);
    expect(asked[0]).toMatch(new RegExp(`^destroy ${loadFleet(path.join(repo, "stacks")).stacks.size} stack\\(s\\) in eu, us`));
    expect(await runRolloutCommand("preview", base(), io().value, repo)).toBe(0);
  });

  it("--json prints only JSON event lines, ending with run-finished", async () => {
    const a = io();
    const code = await runRolloutCommand("up", base({ json: true, yes: true, stack: ["eu-mgmt"], withDependencies: true }), a.value, repo);
    expect(code).toBe(0);
    const events = a.out.join("").trim().split("\n").map((l) => JSON.parse(l) as FleetEvent);
    expect(new Set(events.filter((e) => e.type === "stack-started").map((e) => (e as { stack: string }).stack))).toEqual(
      new Set(["eu-guardrails-aws", "eu-foundation-aws", "eu-pki", "eu-mgmt"]),
    );
    expect(events[events.length - 1]).toMatchObject({ type: "run-finished", status: "succeeded", exitCode: 0 });
  });

  it("usage errors exit 2: unknown stack, stack outside --domains, unknown domain, unknown engine, resume of another command", async () => {
    expect(await runRolloutCommand("preview", base({ stack: ["nope"] }), io().value, repo)).toBe(2);
    expect(await runRolloutCommand("preview", base({ stack: ["us-pki"], domains: "eu" }), io().value, repo)).toBe(2);
    expect(await runRolloutCommand("preview", base({ domains: "eu,mars" }), io().value, repo)).toBe(2);
    expect(await runRolloutCommand("preview", base({ engine: "warp" }), io().value, repo)).toBe(2);
    expect(await runRolloutCommand("preview", base({ resume: "no-such-run" }), io().value, repo)).toBe(2);
  });

  it("a failed run exits 1 and prints how to resume; the resume exits 0 and runs only the rest", async () => {
    scripts = { "eu-pki": { fail: "boom" } };
    const a = io();
    expect(await runRolloutCommand("up", base({ yes: true, domains: "eu" }), a.value, repo)).toBe(1);
    const hint = a.out.join("").match(/--resume (\S+)/);
    expect(hint).not.toBeNull();
    scripts = {};
    const b = io();
    expect(await runRolloutCommand("up", base({ yes: true, resume: hint![1], json: true }), b.value, repo)).toBe(0);
    const started = b.out.join("").trim().split("\n").map((l) => JSON.parse(l) as FleetEvent).filter((e) => e.type === "stack-started");
    expect(started.map((e) => (e as { stack: string }).stack)).not.toContain("eu-foundation-aws");
    expect(started.map((e) => (e as { stack: string }).stack)).toContain("eu-pki");
    expect(await runRolloutCommand("destroy", base({ yes: true, resume: hint![1] }), io().value, repo)).toBe(2);
  });

  it("the automation engine needs the passphrase in the environment (exit 2 otherwise, value never printed)", async () => {
    // A fleet on the local default control plane (passphrase per domain): the reference fleet declares KMS.
    const stacksDir = localControlPlaneFleetDir();
    const a = io({ env: { USER: "x" } });
    expect(await runRolloutCommand("preview", base({ engine: "automation", stacksDir }), a.value, repo)).toBe(2);
    expect(a.err.join("")).toMatch(/PULUMI_CONFIG_PASSPHRASE_EU/);
    fs.rmSync(stacksDir, { recursive: true, force: true });
  });

  it("one run at a time: a second up, and a --resume of the live run, are refused (exit 2) naming the holder; the lock goes with the run", async () => {
    scripts = { "eu-pki": { fail: "boom" } };
    const failed = io();
    expect(await runRolloutCommand("up", base({ yes: true, domains: "eu" }), failed.value, repo)).toBe(1);
    const earlier = failed.out.join("").match(/--resume (\S+)/)![1];

    scripts = { "eu-foundation-aws": { hang: true } };
    const signals = new ManualSignals();
    const live = io({ signals });
    const running = runRolloutCommand("up", base({ yes: true, json: true, domains: "eu" }), live.value, repo);
    while (!live.out.join("").includes('"stack-started"')) await new Promise((r) => setTimeout(r, 5));

    const second = io();
    expect(await runRolloutCommand("up", base({ yes: true, domains: "eu" }), second.value, repo)).toBe(2);
    expect(second.err.join("")).toMatch(new RegExp(`^fleet up: another fleet run holds the lock .*pid ${process.pid} on ${os.hostname()}, since \\S+;.*\\n$`));
    const resume = io();
    expect(await runRolloutCommand("up", base({ yes: true, resume: earlier }), resume.value, repo)).toBe(2);
    expect(resume.err.join("")).toMatch(/another fleet run holds the lock/);

    signals.fire("SIGINT");
    expect(await running).toBe(130);
    scripts = {};
    expect(await runRolloutCommand("up", base({ yes: true, resume: earlier }), io().value, repo)).toBe(0);
  });

  it("a full disk: exit 2 with one line naming the file and ENOSPC, and no .tmp file left", async () => {
    let writes = 0;
    const files: RunFiles = {
      ...nodeFiles,
      writeFile: (f, d) => {
        if (++writes > 3) throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
        nodeFiles.writeFile(f, d);
      },
    };
    const a = io({ files });
    expect(await runRolloutCommand("up", base({ yes: true, domains: "eu", json: true }), a.value, repo)).toBe(2);
    const err = a.err.join("");
    expect(err).toMatch(/^fleet up: cannot write \S+(run|summary)\.json: no space left on device \(ENOSPC\)\n$/);
    const all = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? all(path.join(d, e.name)) : [e.name]));
    expect(all(runsDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
