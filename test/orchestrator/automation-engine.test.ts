/**
 * The Automation API adapter without a Pulumi CLI: the pure pieces (backend, workspace
 * options, policy config, event mapping, error classification) and the adapter itself
 * driven through the real @pulumi/pulumi/automation code against a stub CLI that plays
 * back what the real one prints (stderr of a held lock, an event log, SIGINT on abort).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { loadFleet } from "../../automation/fleet";
import {
  AutomationEngine,
  changesFromOpMap,
  classifyError,
  mapEngineEvent,
  policyConfigFor,
  resolveBackend,
  workspaceOptions,
} from "../../automation/engine/automation";
import { OperationCancelledError, StackLockedError, type EngineEvent } from "../../automation/engine/types";

// Internal helpers of the Automation API, used here so errors are built exactly as the SDK builds them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { CommandResult } = require("@pulumi/pulumi/automation/cmd") as { CommandResult: new (stdout: string, stderr: string, code: number, err?: Error) => unknown };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createCommandError } = require("@pulumi/pulumi/automation/errors") as { createCommandError: (r: unknown) => Error };

const repo = path.join(__dirname, "../..");
const fleet = loadFleet(path.join(repo, "stacks"));
const LOCKED_STDERR = "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n  file:///x/.pulumi/locks/organization/meridian/eu-pki/abc.json: created by alice@host (pid 4242) at 2025-01-01T00:00:00Z";

describe("Automation API adapter: pure pieces", () => {
  it("resolves the backend: --backend, then PULUMI_BACKEND_URL, then file://<repo>/.pulumi-state", () => {
    expect(resolveBackend("s3://bucket", { PULUMI_BACKEND_URL: "file:///env" }, "/repo")).toBe("s3://bucket");
    expect(resolveBackend(undefined, { PULUMI_BACKEND_URL: "file:///env" }, "/repo")).toBe("file:///env");
    expect(resolveBackend(undefined, {}, "/repo")).toBe("file:///repo/.pulumi-state");
  });

  it("builds workspace options on the project dir with the backend and passphrase provider, never the passphrase itself", () => {
    const prev = process.env.PULUMI_CONFIG_PASSPHRASE;
    process.env.PULUMI_CONFIG_PASSPHRASE = "very-secret-passphrase";
    try {
      const o = workspaceOptions({ projectDir: repo, backendUrl: "file:///tmp/state", fleet, policyConfigDir: "/tmp/pc" }, undefined, "/tmp/pc/eu-pki.json");
      expect(o).toMatchObject({
        workDir: repo,
        secretsProvider: "passphrase",
        envVars: { PULUMI_BACKEND_URL: "file:///tmp/state", MERIDIAN_POLICY_CONFIG: "/tmp/pc/eu-pki.json" },
      });
      expect(JSON.stringify(o)).not.toContain("very-secret-passphrase");
    } finally {
      if (prev === undefined) delete process.env.PULUMI_CONFIG_PASSPHRASE;
      else process.env.PULUMI_CONFIG_PASSPHRASE = prev;
    }
  });

  it("writes the policy config the pack reads: the stack's domain, every stack's domain, the region allowlists", () => {
    const c = policyConfigFor(fleet, "us-mgmt");
    expect(c.domain).toBe("us");
    expect(Object.keys(c.stackDomains!)).toHaveLength(fleet.stacks.size);
    expect(c.stackDomains!["eu-pki"]).toBe("eu");
    expect(c.regions!.eu!.aws).toContain("eu-central-1");
    expect(c.regions!.us!.aws).toContain("us-east-1");
    // The same derivation as the plan's: the baseline's documented exception reaches the engine too.
    expect(c.namespaceExceptions!["meridian-node-agents"].podSecurity).toBe("privileged");
    expect(policyConfigFor(fleet, "us-mgmt", { us: ["r.example/meridian/us/"] }).registries!.us).toEqual(["r.example/meridian/us/"]);
  });

  it("maps engine events: steps, policy violations (warning → advisory), diagnostics; skips stdout and planning steps", () => {
    const meta = { op: "create" as const, urn: "urn:pulumi:eu-pki::meridian::tls:index/privateKey:PrivateKey::root", type: "tls:index/privateKey:PrivateKey", provider: "" };
    expect(mapEngineEvent({ sequence: 1, timestamp: 0, resourcePreEvent: { metadata: meta } })).toEqual([{ type: "resource", op: "create", urn: meta.urn, resourceType: meta.type, phase: "started" }]);
    expect(mapEngineEvent({ sequence: 1, timestamp: 0, resourcePreEvent: { metadata: meta, planning: true } })).toEqual([]);
    expect(mapEngineEvent({ sequence: 2, timestamp: 0, resOpFailedEvent: { metadata: meta, status: 1, steps: 1 } })[0]).toMatchObject({ phase: "failed" });
    const policy = { message: "bad region", color: "never", policyName: "residency", policyPackName: "meridian", policyPackVersion: "0.1.0", policyPackVersionTag: "0.1.0", enforcementLevel: "warning" as const, resourceUrn: meta.urn };
    expect(mapEngineEvent({ sequence: 3, timestamp: 0, policyEvent: policy })).toEqual([
      { type: "policy-violation", violation: { policyPack: "meridian", policyPackVersion: "0.1.0", policy: "residency", enforcement: "advisory", message: "bad region", urn: meta.urn } },
    ]);
    expect(mapEngineEvent({ sequence: 4, timestamp: 0, policyEvent: { ...policy, enforcementLevel: "mandatory" } })[0]).toMatchObject({ violation: { enforcement: "mandatory" } });
    expect(mapEngineEvent({ sequence: 5, timestamp: 0, stdoutEvent: { message: "x", color: "never" } })).toEqual([]);
    expect(mapEngineEvent({ sequence: 6, timestamp: 0, diagnosticEvent: { message: "boom\n", color: "never", severity: "error" } })).toEqual([{ type: "diagnostic", severity: "error", message: "boom", urn: undefined }]);
  });

  it("classifies the SDK's errors: a held lock is StackLockedError, an abort is a cancellation, the rest a failure with stderr only", () => {
    const locked = createCommandError(new CommandResult("", LOCKED_STDERR, 255));
    expect(locked.name).toBe("ConcurrentUpdateError");
    expect(classifyError("eu-pki", locked, false)).toBeInstanceOf(StackLockedError);
    const service = createCommandError(new CommandResult("", "error: [409] Conflict: Another update is currently in progress.", 255));
    expect(classifyError("eu-pki", service, false)).toBeInstanceOf(StackLockedError);
    expect(classifyError("eu-pki", new Error("whatever"), true)).toBeInstanceOf(OperationCancelledError);
    const failed = classifyError("eu-pki", createCommandError(new CommandResult("lots of stdout", "error: creating KMS key: AccessDenied", 255)), false);
    expect(failed).not.toBeInstanceOf(StackLockedError);
    expect(failed.message).toBe("eu-pki: error: creating KMS key: AccessDenied");
  });

  it("reduces a failed CLI run to its error lines, not the progress display or the command line", () => {
    const text = [
      "Command failed with exit code 1: /repo/.tools/bin/pulumi preview --stack eu-pki --non-interactive",
      "@ previewing update.......",
      " +  pulumi:pulumi:Stack meridian-eu-pki create error: Running program failed",
      "Diagnostics:",
      "  pulumi:pulumi:Stack (meridian-eu-pki):",
      "    error: Running program '/repo/stacks/index.ts' failed with an unhandled exception:",
      "    TypeError: cannot read properties of undefined",
      "Resources:",
    ].join("\n");
    const e = createCommandError(new CommandResult("", text, -2));
    expect(classifyError("eu-pki", e, false).message).toBe(
      "eu-pki: error: Running program '/repo/stacks/index.ts' failed with an unhandled exception:\nTypeError: cannot read properties of undefined",
    );
  });

  it("sums change summaries (imports count as creates)", () => {
    expect(changesFromOpMap({ create: 2, import: 1, update: 3, delete: 1, replace: 1, same: 9 })).toEqual({ create: 3, update: 3, delete: 1, replace: 1, same: 9 });
  });
});

/** A stand-in for the Pulumi CLI: records argv and env, answers like the real one. */
function stubCli(behaviour: (args: string[], signal?: AbortSignal) => Promise<{ stdout?: string; stderr?: string; code?: number }>) {
  const calls: Array<{ args: string[]; env: Record<string, string> }> = [];
  const cli = {
    command: "/stub/bin/pulumi",
    version: { toString: () => "3.100.0" },
    async run(args: string[], _cwd: string, env: Record<string, string>, onOutput?: (s: string) => void, _onError?: (s: string) => void, signal?: AbortSignal) {
      calls.push({ args: [...args], env });
      const r = await behaviour(args, signal);
      if (r.stdout && onOutput) onOutput(r.stdout);
      const result = new CommandResult(r.stdout ?? "", r.stderr ?? "", r.code ?? 0);
      if ((r.code ?? 0) !== 0) throw createCommandError(result);
      return result;
    },
  };
  return { cli: cli as unknown as PulumiCommand, calls };
}

describe("AutomationEngine against a stub CLI", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-ae-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const engineWith = (cli: PulumiCommand) =>
    AutomationEngine.create({ projectDir: repo, backendUrl: `file://${dir}/state`, policyPack: path.join(repo, "policy-pack"), policyConfigDir: path.join(dir, "pc"), fleet, pulumiCommand: cli });

  it("previews with the policy pack and the stack's policy config, streams events, reads the change summary", async () => {
    const { cli, calls } = stubCli(async (args) => {
      if (args[0] === "preview") {
        const log = args[args.indexOf("--event-log") + 1];
        const events = [
          { sequence: 1, timestamp: 1, policyEvent: { message: "not EU", color: "never", policyName: "residency", policyPackName: "meridian", policyPackVersion: "0.1.0", policyPackVersionTag: "", enforcementLevel: "mandatory" } },
          { sequence: 2, timestamp: 2, summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: { create: 4, same: 1 }, policyPacks: { meridian: "0.1.0" } } },
        ];
        fs.appendFileSync(log, events.map((e) => JSON.stringify(e)).join("\n") + "\n");
        await new Promise((r) => setTimeout(r, 700)); // the SDK tails the event log every 200ms
        return { stdout: "Previewing update (eu-pki)\n" };
      }
      return {};
    });
    const engine = await engineWith(cli);
    const events: EngineEvent[] = [];
    const result = await engine.preview("eu-pki", { onEvent: (e) => events.push(e) });
    expect(result.changes).toMatchObject({ create: 4, same: 1 });
    expect(result.policyPacks).toEqual({ meridian: "0.1.0" });
    expect(events).toContainEqual({ type: "output", text: "Previewing update (eu-pki)\n" });
    expect(events).toContainEqual(expect.objectContaining({ type: "policy-violation", violation: expect.objectContaining({ policy: "residency", enforcement: "mandatory" }) }));
    const preview = calls.find((c) => c.args[0] === "preview")!;
    expect(preview.args).toEqual(expect.arrayContaining(["--stack", "eu-pki", "--policy-pack", path.join(repo, "policy-pack")]));
    // The shared config goes through the environment; the same config in the engine's format
    // (keys = policy names, with enforcement levels) is the --policy-pack-config file.
    expect(preview.args[preview.args.indexOf("--policy-pack-config") + 1]).toBe(path.join(dir, "pc", "eu-pki.engine.json"));
    expect(preview.env.PULUMI_BACKEND_URL).toBe(`file://${dir}/state`);
    expect(preview.env.MERIDIAN_POLICY_CONFIG).toBe(path.join(dir, "pc", "eu-pki.json"));
    expect(JSON.parse(fs.readFileSync(path.join(dir, "pc", "eu-pki.json"), "utf8"))).toMatchObject({ domain: "eu", stackDomains: { "us-pki": "us" } });
    expect(calls[0].args.slice(0, 4)).toEqual(["stack", "select", "--stack", "eu-pki"]);
    expect(fs.existsSync(path.join(dir, "state"))).toBe(true);
  });

  it("creates the stack with the passphrase provider when it does not exist yet", async () => {
    const { cli, calls } = stubCli(async (args) => {
      if (args[0] === "stack" && args[1] === "select") return { code: 255, stderr: "error: no stack named 'eu-pki' found" };
      if (args[0] === "preview") return { stdout: "" };
      return {};
    });
    const engine = await engineWith(cli);
    await engine.preview("eu-pki", { onEvent: () => undefined });
    expect(calls[1].args.slice(0, 5)).toEqual(["stack", "init", "eu-pki", "--secrets-provider", "passphrase"]);
  });

  it("reports a held lock as StackLockedError (retryable) and other failures as plain errors", async () => {
    const { cli } = stubCli(async (args) => (args[0] === "up" ? { code: 255, stderr: LOCKED_STDERR } : args[0] === "refresh" ? { code: 255, stderr: "error: provider crashed" } : {}));
    const engine = await engineWith(cli);
    await expect(engine.up("eu-pki", { onEvent: () => undefined })).rejects.toBeInstanceOf(StackLockedError);
    await expect(engine.refresh("eu-pki", { onEvent: () => undefined })).rejects.toThrow("eu-pki: error: provider crashed");
  });

  it("cancel aborts the running CLI (the SDK sends it SIGINT) and the operation rejects as cancelled", async () => {
    let sawAbort = false;
    const { cli } = stubCli(async (args, signal) => {
      if (args[0] !== "up") return {};
      await new Promise<void>((resolve) => signal!.addEventListener("abort", () => resolve()));
      sawAbort = true;
      return { code: 255, stderr: "error: update canceled" };
    });
    const engine = await engineWith(cli);
    const running = engine.up("eu-mgmt", { onEvent: () => undefined });
    await new Promise((r) => setTimeout(r, 50));
    await engine.cancel("eu-mgmt");
    await expect(running).rejects.toBeInstanceOf(OperationCancelledError);
    expect(sawAbort).toBe(true);
  });

  it("destroy of a stack the backend never had is a no-op, not a failure", async () => {
    const { cli, calls } = stubCli(async (args) => (args[1] === "select" ? { code: 255, stderr: "error: no stack named 'us-pki' found" } : {}));
    const engine = await engineWith(cli);
    const r = await engine.destroy("us-pki", { onEvent: () => undefined });
    expect(r.changes.delete).toBe(0);
    expect(calls.some((c) => c.args[0] === "destroy" || c.args[1] === "init")).toBe(false);
  });

  it("reads outputs with their secret flags", async () => {
    const { cli } = stubCli(async (args) => {
      if (args[0] === "stack" && args[1] === "output") {
        return args.includes("--show-secrets") ? { stdout: JSON.stringify({ caCert: "PEM", caKey: "KEY" }) } : { stdout: JSON.stringify({ caCert: "PEM", caKey: "[secret]" }) };
      }
      return {};
    });
    const engine = await engineWith(cli);
    expect(await engine.outputs("eu-pki")).toEqual({ caCert: { value: "PEM", secret: false }, caKey: { value: "KEY", secret: true } });
  });
});
