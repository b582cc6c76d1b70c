/**
 * The Automation API engine's part of saved plans, against a stub CLI (argv recorded): a
 * preview with `savePlan` runs `pulumi preview --save-plan <file>`, an up with `plan` runs
 * `pulumi up --plan <file>`, and neither flag appears otherwise. (That the real CLI honours
 * them is test/e2e/saved-plans.e2e.test.ts.)
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AutomationEngine } from "../../automation/engine/automation";
import { defaultControlPlane } from "../../automation/fleet/controlPlane";
import { loadFleet } from "../../automation/fleet";
import { stubCli } from "./stubCli";

const repo = path.join(__dirname, "../..");
const fleet = loadFleet(path.join(repo, "stacks"));

describe("AutomationEngine: update plans on the CLI's command line", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-plan-ae-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("preview --save-plan <file> with savePlan, up --plan <file> with plan, neither without", async () => {
    // What the SDK reads after an update: the stack's history (the summary) and its outputs.
    const history = JSON.stringify([{ version: 1, kind: "update", startTime: "2026-12-01T10:00:00Z", message: "", environment: {}, config: {}, result: "succeeded", resourceChanges: { same: 1 } }]);
    const { cli, calls } = stubCli(async (args) => ({ stdout: args[1] === "history" ? history : args[1] === "output" ? "{}" : "" }));
    const engine = await AutomationEngine.create({
      projectDir: repo,
      controlPlanes: { eu: { ...defaultControlPlane("eu", dir), backend: `file://${dir}/state-eu` }, us: { ...defaultControlPlane("us", dir), backend: `file://${dir}/state-us` } },
      env: { PULUMI_CONFIG_PASSPHRASE_EU: "eu-pass-phrase", PULUMI_CONFIG_PASSPHRASE_US: "us-pass-phrase" },
      policyConfigDir: (d) => path.join(dir, d, "pc"),
      fleet,
      pulumiCommand: cli,
    });
    const plan = path.join(dir, "eu", "plans", "eu-pki.plan.json");
    await engine.preview("eu-pki", { onEvent: () => undefined, savePlan: plan });
    await engine.up("eu-pki", { onEvent: () => undefined, plan });
    await engine.preview("eu-pki", { onEvent: () => undefined });
    await engine.up("eu-pki", { onEvent: () => undefined });
    const ops = calls.filter((c) => c.args[0] === "preview" || c.args[0] === "up");
    expect(ops.map((c) => c.args[0])).toEqual(["preview", "up", "preview", "up"]);
    expect(ops[0].args[ops[0].args.indexOf("--save-plan") + 1]).toBe(plan);
    expect(ops[1].args[ops[1].args.indexOf("--plan") + 1]).toBe(plan);
    expect(ops[1].args).toContain("--skip-preview"); // the update is not re-previewed: the plan is the preview
    expect(ops[2].args).not.toContain("--save-plan");
    expect(ops[3].args).not.toContain("--plan");
  });
});
