/**
 * Policy levels (automation/fleet/policySettings.ts) and the one pack configuration
 * (automation/plan/policies.ts `stackPackConfig`):
 *   - fleet.yaml `policy.enforcement` may raise anything and lower only policies that are
 *     neither residency nor encryption policies (decided from metadata); exit 2 otherwise;
 *   - exemptions need a reason, an owner and an expiry;
 *   - the plan, the mock engine, the Automation API engine (up to the CLI's argv) and the CI
 *     script compute exactly the same pack configuration.
 */
import * as fc from "fast-check";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { FleetConfigErrors, loadFleet, type Fleet } from "../../../automation/fleet";
import { protectedPolicies, protectedThemes } from "../../../automation/fleet/policySettings";
import { defaultControlPlane } from "../../../automation/fleet/controlPlane";
import { AutomationEngine, policyConfigFor } from "../../../automation/engine/automation";
import { MockEngine } from "../../../automation/engine/mock";
import { enginePolicyConfig, policyPackEvaluator, stackPackConfig } from "../../../automation/plan/policies";
import { planStack } from "../../../automation/plan/planStack";
import * as evaluate from "../../../policy-pack/evaluate";
import type { PackConfig } from "../../../policy-pack/evaluate";
import { allPolicyMetadata } from "../../../policy-pack/policies";
import { main as engineConfigMain } from "../../../scripts/policy-config";
import { runStack } from "../../../stacks/program";
import { fleetDir, readReference } from "../../support/fleetDir";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- not re-exported by the automation index
const { CommandResult } = require("@pulumi/pulumi/automation/cmd") as { CommandResult: new (stdout: string, stderr: string, code: number) => unknown };

const BASE = readReference("fleet.yaml");
const withPolicy = (policy: string) => fleetDir({ "fleet.yaml": `${BASE}\npolicy:\n${policy}\n` });

function fleetProblems(dir: string): string[] {
  try {
    loadFleet(dir);
    return [];
  } catch (e) {
    if (!(e instanceof FleetConfigErrors)) throw e;
    return e.errors.map((x) => x.message);
  }
}

const protectedSet = protectedPolicies();
const lowerable = allPolicyMetadata.filter((m) => !protectedSet.has(m.name)).map((m) => m.name);

describe("which policies are protected: from metadata, not names", () => {
  it("protects every residency-area policy, every RES-* rule and every SOC2 CC6.7 (encryption) policy", () => {
    for (const m of allPolicyMetadata) {
      const expected = m.area === "residency" || m.rules.some((r) => r.startsWith("RES-")) || m.frameworks.includes("SOC2 C1.1") || m.frameworks.includes("SOC2 CC6.7");
      expect([m.name, protectedSet.has(m.name)]).toEqual([m.name, expected]);
    }
    // Sanity: the set is not empty either way, and includes what a reader expects.
    expect(protectedSet.get("meridian-residency-resource-region-allowlist")).toContain("residency");
    expect(protectedSet.get("meridian-aws-eks-cluster-encrypt")).toEqual(["encryption"]);
    expect(protectedSet.get("meridian-kubernetes-provider-cluster-domain")).toContain("residency");
    expect(lowerable).toContain("meridian-aws-eks-cluster-audit-logging-enable");
  });

  it("follows the metadata: a renamed policy keeps its protection, a re-themed one changes it", () => {
    const meta = allPolicyMetadata.find((m) => m.name === "meridian-aws-eks-cluster-encrypt")!;
    expect(protectedThemes({ ...meta, name: "meridian-aws-eks-cluster-whatever" })).toEqual(["encryption"]);
    expect(protectedThemes({ ...meta, frameworks: ["SOC2 CC7.2"] })).toEqual([]);
  });
});

describe("fleet.yaml policy.enforcement can only raise residency and encryption policies", () => {
  const protectedNames = [...protectedSet.keys()];
  it.each([
    ["advisory", protectedNames[0]],
    ["disabled", "meridian-aws-eks-cluster-encrypt"],
    ["advisory", "meridian-kubernetes-provider-cluster-domain"],
    ["disabled", "all"],
    ["advisory", "all"],
  ])("refuses %s for %s (exit 2 naming fleet.yaml and the key)", (level, name) => {
    const lines = fleetProblems(withPolicy(`  enforcement:\n    ${name}: ${level}`));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`fleet\\.yaml: policy\\.enforcement\\.${name}: "${level}" would lower .*(residency|encryption)`));
  });

  it("refuses an enforcement level for a policy that does not exist (a typo changes nothing)", () => {
    expect(fleetProblems(withPolicy("  enforcement:\n    meridian-residency-typo: mandatory")).join("\n")).toMatch(/policy\.enforcement\.meridian-residency-typo: no such policy/);
  });

  it("refuses an invalid level and an unknown key", () => {
    expect(fleetProblems(withPolicy("  enforcement:\n    all: off")).join("\n")).toMatch(/fleet\.yaml: policy\.enforcement\.all: /);
    expect(fleetProblems(withPolicy("  regions: {}")).join("\n")).toMatch(/fleet\.yaml: policy\.regions: derived from the fleet/);
  });

  it("accepts raising anything and lowering other policies", () => {
    const f = loadFleet(withPolicy(`  enforcement:\n    all: mandatory\n    ${lowerable[0]}: advisory`));
    expect(f.settings.policy.enforcement).toEqual({ all: "mandatory", [lowerable[0]]: "advisory" });
  });

  it("property: a level is accepted exactly when it blocks, or the policy is not protected", () => {
    fc.assert(
      fc.property(fc.constantFrom(...allPolicyMetadata.map((m) => m.name), "all"), fc.constantFrom("advisory", "mandatory", "remediate", "disabled"), (name, level) => {
        const ok = fleetProblems(withPolicy(`  enforcement:\n    ${name}: ${level}`)).length === 0;
        const blocking = level === "mandatory" || level === "remediate";
        expect(ok).toBe(blocking || (name !== "all" && !protectedSet.has(name)));
      }),
      { numRuns: 30 },
    );
  });
});

describe("exemptions are the only waiver: reason, owner and expiry", () => {
  const exemption = (fields: string) => withPolicy(`  exemptions:\n    - policy: meridian-aws-eks-cluster-encrypt\n      resource: legacy-*\n${fields}`);
  it("refuses an exemption without an owner", () => {
    expect(fleetProblems(exemption("      reason: vendor cluster until the migration lands\n      expires: 2099-01-31")).join("\n")).toMatch(/fleet\.yaml: policy\.exemptions\.0\.owner: /);
  });
  it("refuses one without a reason or an expiry", () => {
    expect(fleetProblems(exemption("      owner: platform-team\n      expires: 2099-01-31")).join("\n")).toMatch(/fleet\.yaml: policy\.exemptions\.0\.reason/);
    expect(fleetProblems(exemption("      owner: platform-team\n      reason: vendor cluster until the migration lands")).join("\n")).toMatch(/fleet\.yaml: policy\.exemptions\.0\.expires/);
  });
  it("refuses one for a policy that does not exist", () => {
    const dir = withPolicy("  exemptions:\n    - { policy: meridian-aws-nothing-here, resource: x, reason: vendor cluster until the migration lands, owner: platform-team, expires: 2099-01-31 }");
    expect(fleetProblems(dir).join("\n")).toMatch(/fleet\.yaml: policy\.exemptions\.0\.policy: no such policy/);
  });
  it("accepts a complete one and hands it to the pack with its owner", () => {
    const f = loadFleet(exemption("      owner: platform-team\n      reason: vendor cluster until the migration lands\n      expires: 2099-01-31"));
    expect(stackPackConfig(f, "eu-pki").exemptions).toEqual([expect.objectContaining({ owner: "platform-team", reason: expect.any(String), expires: "2099-01-31" })]);
  });
});

describe("the plan, the mock engine, the Automation API engine and CI compute one pack configuration", () => {
  const POLICY = [
    "  enforcement:",
    `    all: mandatory`,
    `    ${lowerable[0]}: advisory`,
    "  minLogRetentionDays: 400",
    "  exemptions:",
    "    - policy: meridian-aws-eks-cluster-encrypt",
    "      resource: legacy-*",
    "      reason: vendor cluster until the migration lands",
    "      owner: platform-team",
    "      expires: 2099-01-31",
  ].join("\n");
  let fleet: Fleet;
  let dir: string;
  beforeAll(() => {
    dir = withPolicy(POLICY);
    fleet = loadFleet(dir);
  });

  const STACK = "eu-pki";

  it("the compact config carries every fleet.yaml policy setting, enforcement included", () => {
    const config = stackPackConfig(fleet, STACK);
    expect(config).toMatchObject({ domain: "eu", minLogRetentionDays: 400, enforcement: { all: "mandatory", [lowerable[0]]: "advisory" } });
  });

  it("plan and mock engine pass evaluateStack exactly stackPackConfig", async () => {
    const seen: Array<{ stack: string; config: PackConfig }> = [];
    const spy = jest.spyOn(evaluate, "evaluateStack").mockImplementation((stack, _resources, config) => {
      seen.push({ stack, config: config as PackConfig });
      return [];
    });
    try {
      const plan = policyPackEvaluator();
      const planned = await planStack(fleet, STACK, (f, s) => runStack(f, s), { outputs: new Map(), secretOutputNames: new Map() });
      plan.evaluator(fleet, STACK, planned.resources);
      const mock = new MockEngine(fleet, (f, s) => runStack(f, s), policyPackEvaluator());
      await mock.preview(STACK, { onEvent: () => undefined });
      expect(seen).toHaveLength(2);
      for (const s of seen) expect(s.config).toEqual(stackPackConfig(fleet, STACK));
    } finally {
      spy.mockRestore();
    }
  }, 120_000);

  it("the Automation API engine hands the CLI the same config, in both files, with enforcement levels", async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-pc-"));
    const calls: string[][] = [];
    const cli = {
      command: "/stub/bin/pulumi",
      version: { toString: () => "3.100.0" },
      async run(args: string[]) {
        calls.push(args);
        return new CommandResult(args[0] === "stack" && args[1] === "output" ? "{}" : "", "", 0);
      },
    } as unknown as PulumiCommand;
    const repo = path.resolve(__dirname, "../../..");
    const controlPlanes = { eu: defaultControlPlane("eu", work), us: defaultControlPlane("us", work) };
    const env = { PULUMI_CONFIG_PASSPHRASE_EU: "test-eu", PULUMI_CONFIG_PASSPHRASE_US: "test-us" };
    const engine = await AutomationEngine.create({ projectDir: repo, controlPlanes, env, policyPack: path.join(repo, "policy-pack"), policyConfigDir: () => path.join(work, "pc"), fleet, pulumiCommand: cli });
    await engine.preview(STACK, { onEvent: () => undefined }).catch(() => undefined);
    const preview = calls.find((a) => a[0] === "preview")!;
    const engineFile = preview[preview.indexOf("--policy-pack-config") + 1];
    const compact = JSON.parse(fs.readFileSync(path.join(work, "pc", `${STACK}.json`), "utf8"));
    const engineConfig = JSON.parse(fs.readFileSync(engineFile, "utf8"));
    expect(compact).toEqual(JSON.parse(JSON.stringify(stackPackConfig(fleet, STACK))));
    expect(engineConfig).toEqual(JSON.parse(JSON.stringify(enginePolicyConfig(stackPackConfig(fleet, STACK)))));
    expect(engineConfig.all).toBe("mandatory");
    expect(engineConfig[lowerable[0]].enforcementLevel).toBe("advisory");
    expect(policyConfigFor(fleet, STACK)).toEqual(stackPackConfig(fleet, STACK));
  }, 60_000);

  it("CI's policy:config --stack prints the engine's file for the same config", () => {
    const out: string[] = [];
    const code = engineConfigMain(["--stack", STACK, "--stacks-dir", dir], { out: (s) => void out.push(s), err: () => undefined });
    expect(code).toBe(0);
    expect(JSON.parse(out.join(""))).toEqual(JSON.parse(JSON.stringify(enginePolicyConfig(stackPackConfig(fleet, STACK)))));
  });

  it("CI's policy:config refuses a fleet that lowers a protected policy (exit 2), and so does the bare --domain form", () => {
    const bad = withPolicy("  enforcement:\n    meridian-aws-eks-cluster-encrypt: disabled");
    const err: string[] = [];
    expect(engineConfigMain(["--stack", STACK, "--stacks-dir", bad], { out: () => undefined, err: (s) => void err.push(s) })).toBe(2);
    expect(err.join("")).toMatch(/fleet\.yaml: policy\.enforcement\.meridian-aws-eks-cluster-encrypt/);
    const compact = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fleet-pc-")), "c.json");
    fs.writeFileSync(compact, JSON.stringify({ enforcement: { "meridian-residency-key-colocate": "advisory" } }));
    expect(engineConfigMain(["--domain", "eu", "--config", compact], { out: () => undefined, err: () => undefined })).toBe(2);
  });
});
