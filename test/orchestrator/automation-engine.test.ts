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
  explainForeignReference,
  mapEngineEvent,
  policyConfigFor,
  policyPacksFromSummary,
  stackFileSecretsProblem,
  workspaceOptions,
} from "../../automation/engine/automation";
import { defaultControlPlane } from "../../automation/fleet/controlPlane";
import type { ControlPlanes } from "../../automation/engine/domainEnv";
import { OperationCancelledError, StackLockedError, type EngineEvent } from "../../automation/engine/types";

import { CommandResult, createCommandError, stubCli } from "./stubCli";

const repo = path.join(__dirname, "../..");
const fleet = loadFleet(path.join(repo, "stacks"));
const LOCKED_STDERR = "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n  file:///x/.pulumi/locks/organization/meridian/eu-pki/abc.json: created by alice@host (pid 4242) at 2025-01-01T00:00:00Z";

/** Local per-domain planes under `root`: `file://<root>/state-<d>`, passphrase from `PULUMI_CONFIG_PASSPHRASE_<D>`. */
function localPlanes(root: string): ControlPlanes {
  return {
    eu: { ...defaultControlPlane("eu", root), backend: `file://${root}/state-eu` },
    us: { ...defaultControlPlane("us", root), backend: `file://${root}/state-us` },
  };
}
const DOMAIN_ENV = { PULUMI_CONFIG_PASSPHRASE_EU: "eu-pass-phrase", PULUMI_CONFIG_PASSPHRASE_US: "us-pass-phrase", PULUMI_CONFIG_PASSPHRASE: "one-for-all" };

describe("Automation API adapter: pure pieces", () => {
  it("builds each stack's workspace options from its own domain: backend, secrets provider, own passphrase; the rest removed", () => {
    const planes: ControlPlanes = { ...localPlanes("/tmp/p"), us: { backend: "s3://state-us?region=us-east-1", secretsProvider: "awskms://alias/state-us?region=us-east-1", evidenceStore: "s3://ev-us?region=us-east-1" } };
    const eu = workspaceOptions({ projectDir: repo, controlPlanes: planes, env: DOMAIN_ENV, fleet, policyConfigDir: () => "/tmp/pc" }, "eu-pki", undefined, "/tmp/pc/eu-pki.json");
    expect(eu).toMatchObject({ workDir: repo, secretsProvider: "passphrase", envVars: { PULUMI_BACKEND_URL: "file:///tmp/p/state-eu", MERIDIAN_POLICY_CONFIG: "/tmp/pc/eu-pki.json", PULUMI_CONFIG_PASSPHRASE: "eu-pass-phrase" } });
    // Removed from the CLI's environment: present as keys whose value is undefined.
    for (const v of ["PULUMI_CONFIG_PASSPHRASE_EU", "PULUMI_CONFIG_PASSPHRASE_US", "PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_CONFIG_PASSPHRASE_US_FILE", "PULUMI_ACCESS_TOKEN"]) {
      expect(Object.keys(eu.envVars!)).toContain(v);
      expect(eu.envVars![v]).toBeUndefined();
    }
    const us = workspaceOptions({ projectDir: repo, controlPlanes: planes, env: DOMAIN_ENV, fleet, policyConfigDir: () => "/tmp/pc" }, "us-pki", undefined);
    expect(us.secretsProvider).toBe("awskms://alias/state-us?region=us-east-1");
    expect(us.envVars!.PULUMI_BACKEND_URL).toBe("s3://state-us?region=us-east-1");
    // A KMS domain gets no passphrase at all, neither its own nor another domain's nor the generic one.
    expect(Object.values(us.envVars!).filter((v) => v !== undefined)).not.toEqual(expect.arrayContaining([expect.stringMatching(/pass-phrase|one-for-all/)]));
  });

  it("refuses a passphrase domain whose own variable is unset, even when the generic one is set", () => {
    expect(() => workspaceOptions({ projectDir: repo, controlPlanes: localPlanes("/tmp/p"), env: { PULUMI_CONFIG_PASSPHRASE: "one-for-all", PULUMI_CONFIG_PASSPHRASE_EU: "x-eu-pass" }, fleet, policyConfigDir: () => "/tmp/pc" }, "us-pki", undefined)).toThrow(
      "domain us uses the passphrase secrets provider: set PULUMI_CONFIG_PASSPHRASE_US (or PULUMI_CONFIG_PASSPHRASE_US_FILE)",
    );
    const file = workspaceOptions({ projectDir: repo, controlPlanes: localPlanes("/tmp/p"), env: { PULUMI_CONFIG_PASSPHRASE_US_FILE: "/run/secrets/us" }, fleet, policyConfigDir: () => "/tmp/pc" }, "us-pki", undefined);
    expect(file.envVars!.PULUMI_CONFIG_PASSPHRASE_FILE).toBe("/run/secrets/us");
    expect(file.envVars!.PULUMI_CONFIG_PASSPHRASE).toBeUndefined();
  });

  it("reads the policy packs the 3.248 CLI reports: PascalCase PolicyPacks, local packs as <name>|local|<path>", () => {
    // The summary event of a real 3.248 `preview --policy-pack` (a probe pack named probe-pack, package.json version 1.2.3), verbatim.
    const real = JSON.parse('{"maybeCorrupt":false,"durationSeconds":1,"resourceChanges":{"create":1},"PolicyPacks":{"probe-pack|local|/tmp/op/probe/pack":"1.2.3"},"isPreview":true,"result":"succeeded"}');
    expect(policyPacksFromSummary(real)).toEqual({ "probe-pack": "1.2.3" });
    expect(policyPacksFromSummary({ PolicyPacks: { "meridian|local|/repo/policy-pack": "0.1.0" } })).toEqual({ meridian: "0.1.0" });
    expect(policyPacksFromSummary({ policyPacks: { meridian: "v0.1.0" } })).toEqual({ meridian: "v0.1.0" });
    expect(policyPacksFromSummary({ PolicyPacks: {} })).toEqual({});
    expect(policyPacksFromSummary({})).toBeUndefined();
  });

  it("writes the policy config the pack reads: the stack's domain, its own domain's stacks only, the region allowlists", () => {
    const c = policyConfigFor(fleet, "us-mgmt");
    expect(c.domain).toBe("us");
    const usStacks = [...fleet.stacks.values()].filter((s) => s.domain === "us").map((s) => s.name);
    expect(Object.keys(c.stackDomains!).sort()).toEqual(usStacks.sort());
    // The other domain's stack names never enter a domain's config (nor its run folder).
    expect(c.stackDomains!["eu-pki"]).toBeUndefined();
    expect(JSON.stringify(c)).not.toMatch(/"eu-[a-z-]+"/);
    expect(c.regions!.eu!.aws).toContain("eu-central-1");
    expect(c.regions!.us!.aws).toContain("us-east-1");
    // The same derivation as the plan's: the baseline's documented exception reaches the engine too.
    expect(c.namespaceExceptions!["meridian-node-agents"].podSecurity).toBe("privileged");
    const learned = policyConfigFor(fleet, "us-mgmt", { us: ["r.example/meridian/us/"], eu: ["r.example/meridian/eu/"] });
    expect(learned.registries).toEqual({ us: ["r.example/meridian/us/"] });
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

describe("AutomationEngine against a stub CLI", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-ae-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const engineWith = (cli: PulumiCommand, planes: ControlPlanes = localPlanes(dir)) =>
    AutomationEngine.create({ projectDir: repo, controlPlanes: planes, env: DOMAIN_ENV, policyPack: path.join(repo, "policy-pack"), policyConfigDir: (d) => path.join(dir, d, "pc"), fleet, pulumiCommand: cli });

  it("previews with the policy pack and the stack's policy config, streams events, reads the change summary", async () => {
    const { cli, calls } = stubCli(async (args) => {
      if (args[0] === "preview") {
        const log = args[args.indexOf("--event-log") + 1];
        const events = [
          { sequence: 1, timestamp: 1, policyEvent: { message: "not EU", color: "never", policyName: "residency", policyPackName: "meridian", policyPackVersion: "0.1.0", policyPackVersionTag: "", enforcementLevel: "mandatory" } },
          // As the 3.248 CLI writes it (apitype.SummaryEvent's JSON tag is "PolicyPacks").
          { sequence: 2, timestamp: 2, summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: { create: 4, same: 1 }, PolicyPacks: { [`meridian|local|${path.join(repo, "policy-pack")}`]: "0.1.0" } } },
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
    expect(preview.args[preview.args.indexOf("--policy-pack-config") + 1]).toBe(path.join(dir, "eu", "pc", "eu-pki.engine.json"));
    expect(preview.env.PULUMI_BACKEND_URL).toBe(`file://${dir}/state-eu`);
    expect(preview.env.MERIDIAN_POLICY_CONFIG).toBe(path.join(dir, "eu", "pc", "eu-pki.json"));
    const written = JSON.parse(fs.readFileSync(path.join(dir, "eu", "pc", "eu-pki.json"), "utf8"));
    expect(written).toMatchObject({ domain: "eu", stackDomains: { "eu-pki": "eu" } });
    expect(written.stackDomains["us-pki"]).toBeUndefined();
    expect(calls[0].args.slice(0, 4)).toEqual(["stack", "select", "--stack", "eu-pki"]);
    expect(fs.existsSync(path.join(dir, "state-eu"))).toBe(true);
    expect(fs.existsSync(path.join(dir, "state-us"))).toBe(true);
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

/** What `stack history` answers after an update (the SDK reads the summary from it). */
const HISTORY = JSON.stringify([{ version: 1, kind: "update", startTime: "2026-12-01T10:00:00Z", message: "", environment: {}, config: {}, result: "succeeded", resourceChanges: { same: 1 } }]);
function answerFor(args: string[]): string {
  if (args[0] === "stack" && args[1] === "history") return HISTORY;
  if (args[0] === "stack" && args[1] === "output") return "{}";
  return "";
}

describe("AutomationEngine: each stack against its own domain's control plane (stub CLI)", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-ae-dom-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const planes = (root: string): ControlPlanes => ({
    eu: { ...localPlanes(root).eu },
    us: { backend: "s3://meridian-state-us?region=us-east-1", secretsProvider: "awskms://alias/meridian-state-us?region=us-east-1", evidenceStore: "s3://meridian-evidence-us?region=us-east-1" },
  });

  it("EU and US stacks running side by side: every CLI call of a stack sees only its domain's backend and secrets", async () => {
    const { cli, calls } = stubCli(async (args) => {
      if (args[0] === "stack" && args[1] === "select") return { code: 255, stderr: `error: no stack named '${args[3]}' found` };
      if (args[0] === "preview" || args[0] === "up") await new Promise((r) => setTimeout(r, 30));
      return { stdout: answerFor(args) };
    });
    const engine = await AutomationEngine.create({ projectDir: repo, controlPlanes: planes(dir), env: DOMAIN_ENV, policyConfigDir: () => path.join(dir, "pc"), fleet, pulumiCommand: cli });
    await Promise.all([engine.preview("eu-pki", { onEvent: () => undefined }), engine.preview("us-pki", { onEvent: () => undefined }), engine.up("eu-mgmt", { onEvent: () => undefined }), engine.up("us-mgmt", { onEvent: () => undefined })]);
    const stackOf = (args: string[]) => args[args.indexOf("--stack") + 1] ?? args[2];
    const byDomain = (d: string) => calls.filter((c) => (stackOf(c.args) ?? "").startsWith(`${d}-`));
    expect(byDomain("eu").length).toBeGreaterThanOrEqual(6);
    expect(byDomain("us").length).toBeGreaterThanOrEqual(6);
    for (const c of byDomain("eu")) {
      const seen = JSON.stringify(Object.fromEntries(Object.entries(c.env).filter(([, v]) => v !== undefined)));
      expect(c.env.PULUMI_BACKEND_URL).toBe(`file://${dir}/state-eu`);
      expect(c.env.PULUMI_CONFIG_PASSPHRASE).toBe("eu-pass-phrase");
      expect(seen).not.toMatch(/us-pass-phrase|one-for-all|meridian-state-us|_US/);
    }
    for (const c of byDomain("us")) {
      const seen = JSON.stringify(Object.fromEntries(Object.entries(c.env).filter(([, v]) => v !== undefined)));
      expect(c.env.PULUMI_BACKEND_URL).toBe("s3://meridian-state-us?region=us-east-1");
      expect(c.env.PULUMI_CONFIG_PASSPHRASE).toBeUndefined();
      expect(seen).not.toMatch(/pass-phrase|one-for-all|state-eu|_EU/);
    }
    // Created stacks carry their domain's secrets provider (stack init writes it into the stack file).
    const inits = calls.filter((c) => c.args[0] === "stack" && c.args[1] === "init").map((c) => c.args.slice(2, 5));
    expect(inits).toEqual(
      expect.arrayContaining([
        ["eu-pki", "--secrets-provider", "passphrase"],
        ["us-pki", "--secrets-provider", "awskms://alias/meridian-state-us?region=us-east-1"],
        ["us-mgmt", "--secrets-provider", "awskms://alias/meridian-state-us?region=us-east-1"],
      ]),
    );
  });

  it("explains a StackReference to another domain's stack: it is not in this domain's backend", async () => {
    const { cli } = stubCli(async (args) =>
      args[0] === "preview"
        ? // The real 3.248 CLI's lines for a StackReference to a stack its backend does not have (captured with a probe project).
          {
            code: 255,
            stderr: [
              '    pulumi:pulumi:StackReference organization/meridian/eu-pki  error: Preview failed: unknown stack "organization/meridian/eu-pki"',
              " +  pulumi:pulumi:Stack meridian-us-mgmt create error: preview failed",
              " +  pulumi:pulumi:Stack meridian-us-mgmt create 1 error",
              "    error: preview failed",
              '    error: Preview failed: unknown stack "organization/meridian/eu-pki"',
            ].join("\n"),
          }
        : {},
    );
    const engine = await AutomationEngine.create({ projectDir: repo, controlPlanes: planes(dir), env: DOMAIN_ENV, policyConfigDir: () => path.join(dir, "pc"), fleet, pulumiCommand: cli });
    await expect(engine.preview("us-mgmt", { onEvent: () => undefined })).rejects.toThrow(
      "us-mgmt: references stack eu-pki of domain eu, which is not in domain us's backend (s3://meridian-state-us?region=us-east-1): a stack can only read stacks of its own domain",
    );
    // A same-domain stack that is missing stays the CLI's own error.
    expect(explainForeignReference(fleet, "us-mgmt", 'unknown stack "organization/meridian/us-pki"', "s3://x")).toBeUndefined();
  });

  it("refuses a stack file set up for another secrets provider before the CLI runs", () => {
    const file = path.join(dir, "Pulumi.us-pki.yaml");
    fs.writeFileSync(file, "encryptionsalt: v1:abc\nconfig: {}\n");
    expect(stackFileSecretsProblem(file, "awskms://alias/meridian-state-us?region=us-east-1")).toMatch(/encryptionsalt is an encryptionsalt \(passphrase secrets\), not "awskms:\/\/alias\/meridian-state-us/);
    expect(stackFileSecretsProblem(file, "passphrase")).toBeUndefined();
    fs.writeFileSync(file, "secretsprovider: awskms://alias/meridian-state-eu?region=eu-central-1\n");
    expect(stackFileSecretsProblem(file, "awskms://alias/meridian-state-us?region=us-east-1")).toMatch(/change-secrets-provider/);
    expect(stackFileSecretsProblem(path.join(dir, "none.yaml"), "passphrase")).toBeUndefined();
  });
});

describe("the CLI process's real environment (real SDK, real spawn, a shell-script CLI)", () => {
  let dir: string;
  const saved: Record<string, string | undefined> = {};
  const inherited = { PULUMI_CONFIG_PASSPHRASE: "one-for-all", PULUMI_CONFIG_PASSPHRASE_EU: "eu-pass-phrase", PULUMI_CONFIG_PASSPHRASE_US: "us-pass-phrase", PULUMI_ACCESS_TOKEN: "pul-generic-token" };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-ae-env-"));
    fs.mkdirSync(path.join(dir, "cli", "bin"), { recursive: true });
    // Answers `version`, and for any other command appends its argv and environment to a file.
    fs.writeFileSync(
      path.join(dir, "cli", "bin", "pulumi"),
      [
        "#!/bin/sh",
        'if [ "$1" = version ]; then echo v3.248.0; exit 0; fi',
        `{ echo "ARGS $*"; env | sed 's/^/ENV /'; echo END; } >> "${dir}/calls.txt"`,
        `if [ "$1 $2" = "stack history" ]; then echo '${HISTORY}'; fi`,
        `if [ "$1 $2" = "stack output" ]; then echo '{}'; fi`,
        "exit 0",
      ].join("\n") + "\n",
      { mode: 0o755 },
    );
    for (const [k, v] of Object.entries(inherited)) {
      saved[k] = process.env[k];
      process.env[k] = v; // what an operator's shell would hand down
    }
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the EU CLI inherits neither the US passphrase nor the generic one; the US CLI (KMS) gets no passphrase at all", async () => {
    const { PulumiCommand } = await import("@pulumi/pulumi/automation");
    const cli = await PulumiCommand.get({ root: path.join(dir, "cli"), skipVersionCheck: true });
    const planes: ControlPlanes = {
      eu: { ...localPlanes(dir).eu },
      us: { backend: "s3://meridian-state-us?region=us-east-1", secretsProvider: "awskms://alias/meridian-state-us?region=us-east-1", evidenceStore: "s3://meridian-evidence-us?region=us-east-1" },
    };
    const engine = await AutomationEngine.create({ projectDir: repo, controlPlanes: planes, env: process.env, policyConfigDir: () => path.join(dir, "pc"), fleet, pulumiCommand: cli });
    await engine.refresh("eu-pki", { onEvent: () => undefined });
    await engine.refresh("us-pki", { onEvent: () => undefined });
    const calls = fs
      .readFileSync(path.join(dir, "calls.txt"), "utf8")
      .split("END\n")
      .filter((c) => c.includes("ARGS refresh"))
      .map((c) => ({ args: /^ARGS (.*)$/m.exec(c)![1], env: Object.fromEntries([...c.matchAll(/^ENV ([^=]+)=(.*)$/gm)].map((m) => [m[1], m[2]])) }));
    expect(calls.map((c) => c.args.split(" ").slice(0, 1)[0])).toEqual(["refresh", "refresh"]);
    const [eu, us] = calls;
    expect(eu.args).toContain("--stack eu-pki");
    expect(eu.env.PULUMI_BACKEND_URL).toBe(`file://${dir}/state-eu`);
    expect(eu.env.PULUMI_CONFIG_PASSPHRASE).toBe("eu-pass-phrase");
    for (const gone of ["PULUMI_CONFIG_PASSPHRASE_EU", "PULUMI_CONFIG_PASSPHRASE_US", "PULUMI_ACCESS_TOKEN"]) expect(eu.env[gone]).toBeUndefined();
    expect(us.args).toContain("--stack us-pki");
    expect(us.env.PULUMI_BACKEND_URL).toBe("s3://meridian-state-us?region=us-east-1");
    for (const gone of ["PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_EU", "PULUMI_CONFIG_PASSPHRASE_US", "PULUMI_ACCESS_TOKEN"]) expect(us.env[gone]).toBeUndefined();
    expect(JSON.stringify(us.env)).not.toMatch(/pass-phrase|one-for-all|pul-generic-token/);
  });
});
