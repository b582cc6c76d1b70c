import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { rolloutEngines, runRolloutCommand, type RolloutIo, type RolloutOptions } from "../../automation/commands/rollout";
import { FakeEngine, type FakeStackScript } from "../../automation/engine/fake";
import { ManualSignals, type FleetEvent } from "../../automation/orchestrator";

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
  const out: string[] = [];
  const err: string[] = [];
  const value: RolloutIo = {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    interactive: false,
    confirm: async () => false,
    stderr: { write: (s: string) => err.push(s), isTTY: false },
    env: { USER: "tester", PULUMI_CONFIG_PASSPHRASE: "pass-phrase-123" },
    signals: new ManualSignals(),
    ...over,
  };
  return { value, out, err };
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
    expect(asked[0]).toMatch(/^destroy 28 stack\(s\) in eu, us/);
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
    const a = io({ env: { USER: "x" } });
    expect(await runRolloutCommand("preview", base({ engine: "automation" }), a.value, repo)).toBe(2);
    expect(a.err.join("")).toMatch(/PULUMI_CONFIG_PASSPHRASE/);
  });
});
