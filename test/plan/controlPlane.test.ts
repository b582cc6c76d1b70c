/**
 * The plan and each domain's control plane: `fleet plan` shows every domain's backend,
 * secrets provider and evidence store (text and `--json`), exits 2 on a fleet.yaml whose
 * control plane leaves its domain, and exits 1 when a stack copies control-plane state or
 * evidence out of its domain (the pack for its own stores, the fleet check across domains).
 */
import * as aws from "@pulumi/aws";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runPlanCommand, type PlanReport } from "../../automation/commands/plan";
import type { StackProgram } from "../../automation/plan";
import { loadFleet } from "../../automation/fleet";
import { checkControlPlaneLocations } from "../../automation/plan/fleetChecks";
import { fleetCli } from "../support/cli";
import { readReference, REFERENCE_STACKS } from "../support/fleetDir";

const root = path.resolve(__dirname, "../..");

const cli = fleetCli;

/** A small fleet (the given reference stacks) with this fleet.yaml. */
function smallFleet(fleetYaml: string, stacks = ["Pulumi.eu-pki.yaml", "Pulumi.us-pki.yaml"]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-cp-plan-"));
  for (const f of stacks) fs.copyFileSync(path.join(REFERENCE_STACKS, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, "fleet.yaml"), fleetYaml);
  return dir;
}

const REFERENCE_YAML = readReference("fleet.yaml");

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) } };
}

describe("fleet plan shows each domain's control plane", () => {
  let json: { code: number; stdout: string; stderr: string };
  let text: { code: number; stdout: string; stderr: string };
  beforeAll(async () => {
    const dir = smallFleet(REFERENCE_YAML);
    [json, text] = await Promise.all([cli(["plan", "--json", "--stacks-dir", dir]), cli(["plan", "--stacks-dir", dir])]);
  }, 300_000);

  it("--json carries backend, secrets provider, evidence store and locations per domain", () => {
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as PlanReport;
    expect(report.controlPlane).toEqual({
      eu: {
        backend: "s3://meridian-state-eu?region=eu-central-1",
        secretsProvider: "awskms://alias/meridian-state-eu?region=eu-central-1",
        evidenceStore: "gs://meridian-evidence-eu",
        locations: { backend: "eu-central-1", secretsProvider: "eu-central-1", evidenceStore: "europe-west1" },
        declared: true,
      },
      us: {
        backend: "s3://meridian-state-us?region=us-east-1",
        secretsProvider: "awskms://alias/meridian-state-us?region=us-east-1",
        evidenceStore: "gs://meridian-evidence-us",
        locations: { backend: "us-east-1", secretsProvider: "us-east-1", evidenceStore: "us-central1" },
        declared: true,
      },
    });
  });

  it("prints them, with their locations, in the human plan", () => {
    expect(text.code).toBe(0);
    const lines = text.stdout.split("\n");
    const start = lines.indexOf("Control plane (per domain: state, secrets and evidence never shared)");
    expect(start).toBeGreaterThan(0);
    expect(lines.slice(start + 1, start + 7)).toEqual([
      "  eu  backend           s3://meridian-state-eu?region=eu-central-1  (eu-central-1)",
      "      secrets provider  awskms://alias/meridian-state-eu?region=eu-central-1  (eu-central-1)",
      "      evidence store    gs://meridian-evidence-eu  (europe-west1)",
      "  us  backend           s3://meridian-state-us?region=us-east-1  (us-east-1)",
      "      secrets provider  awskms://alias/meridian-state-us?region=us-east-1  (us-east-1)",
      "      evidence store    gs://meridian-evidence-us  (us-central1)",
    ]);
  });

  it("shows an undeclared domain's local default and its passphrase variable by name", async () => {
    const dir = smallFleet("domains:\n  eu:\n    backend: file:///srv/meridian/eu\n    secretsProvider: passphrase\n    evidenceStore: file:///srv/meridian/eu-evidence\n    passphraseEnv: MERIDIAN_EU_PASSPHRASE\n");
    const { out, io: sink } = io();
    expect(await runPlanCommand({ stacksDir: dir }, sink)).toBe(0);
    const textOut = out.join("");
    expect(textOut).toContain("  eu  backend           file:///srv/meridian/eu  (local)\n      secrets provider  passphrase from $MERIDIAN_EU_PASSPHRASE  (local)");
    expect(textOut).toContain(`  us  backend           file://${root}/.pulumi-state/us  (local, local default)`);
    expect(textOut).toContain("      secrets provider  passphrase from $PULUMI_CONFIG_PASSPHRASE_US  (local, local default)");
  }, 120_000);
});

describe("fleet plan refuses a control plane outside its domain (exit 2)", () => {
  it("through the CLI: an EU backend in a US region, naming fleet.yaml and the key", async () => {
    const dir = smallFleet(REFERENCE_YAML.replace("s3://meridian-state-eu?region=eu-central-1", "s3://meridian-state-eu?region=us-east-1"));
    const r = await cli(["plan", "--stacks-dir", dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim()).toBe(
      `fleet: ${path.join(dir, "fleet.yaml")}: domains.eu.backend: us-east-1 (from its \`region=\` parameter) is outside domain eu (it is a us location); allowed: eu-central-1, eu-west-1, eu-west-3, eu-north-1, eu-south-1, eu-south-2, EU, EUR4`,
    );
  }, 120_000);

  it.each([
    ["the EU secrets provider in the US", REFERENCE_YAML.replace("alias/meridian-state-eu?region=eu-central-1", "alias/meridian-state-eu?region=us-east-2"), "domains.eu.secretsProvider"],
    ["the EU evidence store declared in the US", REFERENCE_YAML.replace("locations: { evidenceStore: europe-west1 }", "locations: { evidenceStore: us-central1 }"), "domains.eu.locations.evidenceStore"],
    ["the US backend shared with the EU", REFERENCE_YAML.replace("s3://meridian-state-us?region=us-east-1", "s3://meridian-state-eu/us?region=us-east-1"), "domains.us.backend"],
    ["the US on the EU's evidence bucket", REFERENCE_YAML.replace("gs://meridian-evidence-us", "gs://meridian-evidence-eu"), "domains.us.evidenceStore"],
    ["a credential in the EU backend", REFERENCE_YAML.replace("s3://meridian-state-eu?region=eu-central-1", "s3://meridian-state-eu?region=eu-central-1&aws_secret_access_key=NOTPRINTED"), "domains.eu.backend"],
  ])("in process: %s", async (_name, yaml, key) => {
    const dir = smallFleet(yaml);
    const { out, err, io: sink } = io();
    expect(await runPlanCommand({ stacksDir: dir, json: true }, sink)).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(new RegExp(`^fleet: ${path.join(dir, "fleet.yaml").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: ${key.replace(/\./g, "\\.")}: `));
    expect(err[0]).not.toContain("NOTPRINTED");
  });

  it("in process: a stack file whose secretsprovider is the other domain's", async () => {
    const dir = smallFleet(REFERENCE_YAML);
    fs.writeFileSync(path.join(dir, "Pulumi.eu-pki.yaml"), `secretsprovider: awskms://alias/meridian-state-us?region=us-east-1\n${readReference("Pulumi.eu-pki.yaml")}`);
    const { err, io: sink } = io();
    expect(await runPlanCommand({ stacksDir: dir }, sink)).toBe(2);
    expect(err).toEqual([
      `fleet: ${path.join(dir, "Pulumi.eu-pki.yaml")}: secretsprovider: is AWS KMS key alias/meridian-state-us, not domains.eu.secretsProvider in fleet.yaml; a stack's secrets are encrypted by its own domain's provider (move them with \`pulumi stack change-secrets-provider\`)\n`,
    ]);
  });
});

describe("fleet plan refuses copies of control-plane state across domains (exit 1)", () => {
  /** EU replicates its state bucket to a US bucket; US replicates a bucket into the EU state bucket and replicates the EU state key. */
  const program: StackProgram = async (_fleet, stack) => {
    if (stack.endsWith("-guardrails-aws")) return { domain: stack.slice(0, 2) }; // the foundations come after them; nothing to copy here
    if (stack === "eu-foundation-aws") {
      const provider = new aws.Provider("eu-aws", { region: "eu-central-1" });
      const us = new aws.Provider("us-aws", { region: "us-east-1" });
      const dr = new aws.s3.Bucket("state-dr", { bucket: "meridian-state-dr" }, { provider: us });
      new aws.s3.BucketReplicationConfig(
        "state-replication",
        { bucket: "meridian-state-eu", role: "arn:aws:iam::123456789012:role/replication", rules: [{ status: "Enabled", destination: { bucket: dr.arn } }] },
        { provider },
      );
      return { domain: "eu" };
    }
    const provider = new aws.Provider("us-aws", { region: "us-east-1" });
    new aws.s3.BucketReplicationConfig(
      "us-data-push",
      { bucket: "meridian-us-data", role: "arn:aws:iam::123456789012:role/replication", rules: [{ status: "Enabled", destination: { bucket: "arn:aws:s3:::meridian-state-eu" } }] },
      { provider },
    );
    new aws.kms.ReplicaKey("eu-key-copy", { primaryKeyArn: "arn:aws:kms:eu-central-1:123456789012:key/0f0e0d0c-aaaa-bbbb-cccc-00000000000a" }, { provider });
    return { domain: "us" };
  };

  let code: number;
  let report: PlanReport;
  beforeAll(async () => {
    const yaml = REFERENCE_YAML.replace("awskms://alias/meridian-state-eu?region=eu-central-1", "awskms:///arn:aws:kms:eu-central-1:123456789012:key/0f0e0d0c-aaaa-bbbb-cccc-00000000000a");
    const dir = smallFleet(yaml, ["Pulumi.eu-guardrails-aws.yaml", "Pulumi.eu-foundation-aws.yaml", "Pulumi.us-guardrails-aws.yaml", "Pulumi.us-foundation-aws.yaml"]);
    const { out, io: sink } = io();
    code = await runPlanCommand({ stacksDir: dir, json: true, program }, sink);
    report = JSON.parse(out.join("")) as PlanReport;
  }, 120_000);

  it("exits 1", () => {
    expect(code).toBe(1);
  });

  it("the pack refuses the EU state bucket replicated to a US bucket", () => {
    expect(report.violations).toContainEqual(
      expect.objectContaining({
        stack: "eu-foundation-aws",
        policy: "meridian-residency-controlplane-export-deny",
        level: "mandatory",
        message: "S3 replication copies domain eu's state backend bucket meridian-state-eu to bucket meridian-state-dr in us-east-1, outside domain eu",
      }),
    );
  });

  it("the fleet check refuses a US stack copying into the EU state bucket and replicating the EU state key", () => {
    const fleetChecks = report.violations.filter((v) => v.policy === "meridian-fleet-controlplane-export-deny").map((v) => `${v.stack}: ${v.message}`);
    expect(fleetChecks).toEqual(
      expect.arrayContaining([
        "us-foundation-aws: S3 replication copies into domain eu's state backend bucket meridian-state-eu; nothing crosses into another domain's control plane",
        "us-foundation-aws: KMS replica key copies domain eu's state key arn:aws:kms:eu-central-1:123456789012:key/0f0e0d0c-aaaa-bbbb-cccc-00000000000a; a domain's secrets are never decryptable from the other",
        "eu-foundation-aws: S3 replication copies domain eu's state backend bucket meridian-state-eu to bucket meridian-state-dr in us-east-1, outside domain eu",
      ]),
    );
  });
});

describe("the fleet check on settings that did not come through fleet.yaml", () => {
  it("reports a control plane outside its domain as a mandatory violation", () => {
    const fleet = loadFleet(smallFleet(REFERENCE_YAML));
    expect(checkControlPlaneLocations(fleet)).toEqual([]);
    const eu = { ...fleet.settings.controlPlane.eu!, backend: "s3://meridian-state-eu?region=us-east-1", locations: { ...fleet.settings.controlPlane.eu!.locations, evidenceStore: "US" } };
    const moved = { ...fleet, settings: { ...fleet.settings, controlPlane: { ...fleet.settings.controlPlane, eu } } };
    expect(checkControlPlaneLocations(moved).map((v) => `${v.stack} ${v.policy} ${v.level}: ${v.message}`)).toEqual([
      "fleet.yaml meridian-fleet-controlplane-domain-match mandatory: domains.eu.backend is in us-east-1, outside domain eu",
      "fleet.yaml meridian-fleet-controlplane-domain-match mandatory: domains.eu.evidenceStore is in US, outside domain eu",
    ]);
  });
});
