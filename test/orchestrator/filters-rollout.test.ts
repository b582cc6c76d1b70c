/**
 * `--filter` through the rollout commands' entry (runRolloutCommand, fake engine): the
 * filtered stacks are exactly the ones the engine runs, for preview and for destroy with
 * --with-dependencies; --resume and --filter together, and a bad filter, exit 2.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { rolloutEngines, runRolloutCommand, type RolloutOptions } from "../../automation/commands/rollout";
import { FakeEngine } from "../../automation/engine/fake";
import { dependentsOf, loadFleet } from "../../automation/fleet";
import { recordingIo } from "../support/rolloutIo";

const repo = path.join(__dirname, "../..");
const stacksDir = path.join(repo, "stacks");
const fleet = loadFleet(stacksDir);
let engine: FakeEngine;
let runsDir: string;
beforeAll(() => {
  rolloutEngines.fake = async () => (engine = new FakeEngine());
});
afterAll(() => delete rolloutEngines.fake);
beforeEach(() => (runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-filter-"))));
afterEach(() => fs.rmSync(runsDir, { recursive: true, force: true }));
const opts = (over: Partial<RolloutOptions>): RolloutOptions => ({ parallel: 4, strategy: "canary", policyPack: path.join(repo, "policy-pack"), engine: "fake", stacksDir, runsDir, yes: true, ...over });
const io = () => recordingIo({ env: { USER: "tester", PULUMI_CONFIG_PASSPHRASE: "pass-phrase-123" } });

describe("--filter on the rollout commands", () => {
  it("preview runs exactly the filtered stacks", async () => {
    expect(await runRolloutCommand("preview", opts({ filter: ["role=workload", "!cloud=azure"] }), io().value, repo)).toBe(0);
    const expected = [...fleet.stacks.values()].filter((s) => s.role === "workload" && !s.clouds.includes("azure")).map((s) => s.name);
    expect(engine.started("preview").sort()).toEqual(expected.sort());
  });

  it("destroy --with-dependencies adds the filtered stacks' dependents", async () => {
    expect(await runRolloutCommand("destroy", opts({ filter: ["us-pki"], withDependencies: true }), io().value, repo)).toBe(0);
    expect(engine.started("destroy").sort()).toEqual(["us-pki", ...dependentsOf(fleet, "us-pki")].sort());
  });

  it("--resume with --filter is refused (exit 2)", async () => {
    const a = io();
    expect(await runRolloutCommand("up", opts({ resume: "some-run", filter: ["eu-*"] }), a.value, repo)).toBe(2);
    expect(a.err.join("")).toMatch(/--resume reruns the stacks of that run; it takes no --stack, --filter or --domains/);
  });

  it("a bad filter is exit 2 naming it", async () => {
    const a = io();
    expect(await runRolloutCommand("preview", opts({ filter: ["ring=x"] }), a.value, repo)).toBe(2);
    expect(a.err.join("")).toMatch(/fleet preview: --filter "ring=x": ring=x: a ring is a whole number/);
  });
});
