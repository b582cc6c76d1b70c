/**
 * `--engine remote` (Pulumi Deployments) through the real @pulumi/pulumi/automation code against
 * a stub CLI: the exact CLI arguments and environment of every invocation, per domain. What only
 * Pulumi Cloud can show (the deployment really runs on the domain's agent pool, cancel stops it
 * there) is said in docs/orchestrator.md.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadFleet } from "../../automation/fleet";
import { loadRemoteDomains, RemoteEngine, remoteProblem } from "../../automation/engine/remote";
import { defaultControlPlane } from "../../automation/fleet/controlPlane";
import type { ControlPlanes } from "../../automation/engine/domainEnv";
import { OperationCancelledError } from "../../automation/engine/types";
import { rolloutEngines, runRolloutCommand, type RolloutIo } from "../../automation/commands/rollout";
import { ManualSignals } from "../../automation/orchestrator";
import { stubCli, type StubBehaviour } from "./stubCli";

const repo = path.join(__dirname, "../..");
const fleet = loadFleet(path.join(repo, "stacks"));
const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const PLANES: ControlPlanes = {
  eu: { backend: "https://api.pulumi.eu.example.com", secretsProvider: "awskms://alias/meridian-state-eu?region=eu-central-1", evidenceStore: "s3://meridian-evidence-eu?region=eu-central-1" },
  us: { backend: "https://api.pulumi.us.example.com", secretsProvider: "awskms://alias/meridian-state-us?region=us-east-1", evidenceStore: "s3://meridian-evidence-us?region=us-east-1" },
};
const ENV = { PULUMI_ACCESS_TOKEN_EU: "pul-eu-token-1", PULUMI_ACCESS_TOKEN_US: "pul-us-token-2", PULUMI_ACCESS_TOKEN: "pul-generic-3" };
const HISTORY = JSON.stringify([{ version: 1, kind: "update", startTime: "2026-12-01T10:00:00Z", message: "", environment: {}, config: {}, result: "succeeded", resourceChanges: { update: 2, same: 5 } }]);

/** The CLI's answers the SDK needs: remote support in `preview --help`, a stack that exists, history. */
function remoteCli(over: StubBehaviour = async () => ({})) {
  return stubCli(async (args, signal) => {
    if (args[0] === "preview" && args.includes("--help")) return { stdout: "Flags:\n      --remote   [EXPERIMENTAL] Run the operation remotely\n" };
    const r = await over(args, signal);
    if (Object.keys(r).length > 0) return r;
    if (args[0] === "stack" && args[1] === "history") return { stdout: HISTORY };
    if (args[0] === "stack" && args[1] === "output") return { stdout: "{}" };
    return {};
  });
}

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-remote-"))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const engineWith = (cli: ReturnType<typeof stubCli>["cli"]) =>
  RemoteEngine.create({ fleet, controlPlanes: PLANES, remote: loadRemoteDomains(repo), commit: COMMIT, workDir: dir, env: ENV, pulumiCommand: cli });

describe("RemoteEngine against a stub CLI", () => {
  it("reads each domain's organization, project and agent pool from deployments/Pulumi.<domain>.yaml", () => {
    expect(loadRemoteDomains(repo)).toEqual({
      eu: { organization: "meridian-eu", project: "meridian", agentPoolId: "00000000-0000-4000-8000-0000000000e1" },
      us: { organization: "meridian-us", project: "meridian", agentPoolId: "00000000-0000-4000-8000-0000000000a2" },
    });
  });

  it("runs each operation remotely: the domain's org, the rollout's commit, the stack's deployment settings; EU env for EU, US env for US", async () => {
    const { cli, calls } = remoteCli();
    const engine = await engineWith(cli);
    const eu = await engine.up("eu-pki", { onEvent: () => undefined });
    await engine.preview("us-pki", { onEvent: () => undefined });
    await engine.refresh("us-pki", { onEvent: () => undefined });
    await engine.destroy("eu-pki", { onEvent: () => undefined });
    expect(eu.changes).toMatchObject({ update: 2, same: 5 });

    const op = (name: string, stack: string) => calls.find((c) => c.args[0] === name && c.args.includes(stack))!;
    const remoteArgs = ["--remote", "--remote-git-commit", COMMIT, "--remote-inherit-settings"];
    const up = op("up", "meridian-eu/meridian/eu-pki");
    expect(up.args.slice(0, 3)).toEqual(["up", "--yes", "--skip-preview"]);
    expect(up.args).toEqual(expect.arrayContaining([...remoteArgs, "--stack", "meridian-eu/meridian/eu-pki"]));
    // The pool is the stack's deployment settings' (inherited), never set per command.
    expect(up.args.join(" ")).not.toMatch(/agent-pool/);
    expect(op("preview", "meridian-us/meridian/us-pki").args).toEqual(expect.arrayContaining([...remoteArgs, "--stack", "meridian-us/meridian/us-pki"]));
    expect(op("refresh", "meridian-us/meridian/us-pki").args).toEqual(expect.arrayContaining([...remoteArgs, "--yes"]));
    expect(op("destroy", "meridian-eu/meridian/eu-pki").args).toEqual(expect.arrayContaining([...remoteArgs, "--yes"]));

    for (const c of calls) {
      const fq = c.args.find((a) => /^meridian-(eu|us)\//.test(a));
      if (fq === undefined) continue;
      const d = fq.startsWith("meridian-eu/") ? "eu" : "us";
      const other = d === "eu" ? "us" : "eu";
      expect(c.env.PULUMI_BACKEND_URL).toBe(PLANES[d].backend);
      expect(c.env.PULUMI_ACCESS_TOKEN).toBe(ENV[d === "eu" ? "PULUMI_ACCESS_TOKEN_EU" : "PULUMI_ACCESS_TOKEN_US"]);
      const seen = JSON.stringify(Object.fromEntries(Object.entries(c.env).filter(([, v]) => v !== undefined)));
      expect(seen).not.toContain(`pulumi.${other}.example.com`);
      expect(seen).not.toMatch(/pul-generic-3/);
      expect(seen).not.toContain(other === "eu" ? "pul-eu-token-1" : "pul-us-token-2");
      if (["up", "preview", "refresh", "destroy"].includes(c.args[0])) expect(c.env.PULUMI_EXPERIMENTAL).toBe("true");
    }
  });

  it("creates a missing stack in its domain's organization with the domain's secrets provider, without selecting it", async () => {
    // A remote workspace checks the stack with `pulumi stack --stack <name>`: it never selects (global state).
    const { cli, calls } = remoteCli(async (args) => (args[0] === "stack" && args[1] === "--stack" ? { code: 255, stderr: "error: no stack named 'meridian-us/meridian/us-mgmt' found" } : {}));
    const engine = await engineWith(cli);
    await engine.preview("us-mgmt", { onEvent: () => undefined });
    expect(calls.some((c) => c.args[0] === "stack" && c.args[1] === "select")).toBe(false);
    const init = calls.find((c) => c.args[0] === "stack" && c.args[1] === "init")!;
    expect(init.args.slice(0, 6)).toEqual(["stack", "init", "meridian-us/meridian/us-mgmt", "--secrets-provider", "awskms://alias/meridian-state-us?region=us-east-1", "--no-select"]);
    expect(init.env.PULUMI_BACKEND_URL).toBe("https://api.pulumi.us.example.com");
  });

  it("cancel stops the deployment's update in Pulumi Cloud (pulumi cancel), then the local CLI; the operation rejects as cancelled", async () => {
    const order: string[] = [];
    const { cli, calls } = remoteCli(async (args, signal) => {
      if (args[0] === "cancel") {
        order.push("cancel");
        return { stdout: "The currently running update for 'meridian-eu/meridian/eu-mgmt' has been canceled!" };
      }
      if (args[0] !== "up") return {};
      await new Promise<void>((resolve) => signal!.addEventListener("abort", () => resolve()));
      order.push("local CLI stopped");
      return { code: 255, stderr: "error: update canceled" };
    });
    const engine = await engineWith(cli);
    const running = engine.up("eu-mgmt", { onEvent: () => undefined });
    await new Promise((r) => setTimeout(r, 100));
    await engine.cancel("eu-mgmt");
    await expect(running).rejects.toBeInstanceOf(OperationCancelledError);
    expect(order).toEqual(["cancel", "local CLI stopped"]);
    const cancel = calls.find((c) => c.args[0] === "cancel")!;
    expect(cancel.args).toEqual(expect.arrayContaining(["--yes", "--stack", "meridian-eu/meridian/eu-mgmt"]));
    expect(cancel.env.PULUMI_ACCESS_TOKEN).toBe("pul-eu-token-1");
  });
});

describe("--engine remote at the CLI", () => {
  it("refuses a domain without a Pulumi Cloud backend or with a passphrase (exit 2), naming the domain", async () => {
    const local: ControlPlanes = { eu: defaultControlPlane("eu", "/repo"), us: PLANES.us };
    expect(remoteProblem("eu", local)).toMatch(/domain eu's backend file:\/\/\/repo\/.pulumi-state\/eu is not a Pulumi Cloud/);
    expect(remoteProblem("us", { ...PLANES, us: { ...PLANES.us, secretsProvider: "passphrase" } })).toMatch(/domain us uses the passphrase secrets provider/);
    expect(remoteProblem("us", PLANES)).toBeUndefined();

    const err: string[] = [];
    const io: RolloutIo = { out: () => undefined, err: (s) => err.push(s), interactive: false, confirm: async () => false, stderr: { write: () => true }, env: { USER: "t" }, signals: new ManualSignals() };
    expect(rolloutEngines.remote).toBeDefined();
    const code = await runRolloutCommand("preview", { parallel: 1, strategy: "canary", policyPack: path.join(repo, "policy-pack"), engine: "remote", stacksDir: path.join(repo, "stacks"), runsDir: path.join(dir, "runs") }, io, repo);
    expect(code).toBe(2);
    // The reference fleet keeps its state in S3 per domain: not something Deployments can run against.
    expect(err.join("")).toMatch(/^fleet preview: --engine remote: domain eu's backend s3:\/\/meridian-state-eu\?region=eu-central-1 is not a Pulumi Cloud/);
  });
});
