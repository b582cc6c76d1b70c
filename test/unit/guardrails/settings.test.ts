/**
 * fleet.yaml `guardrails:` is validated at the edge: a scope declared for both domains, a
 * scope id of the wrong shape, or a global-service exception AWS does not document makes
 * `fleet plan` exit 2 with one line naming fleet.yaml and the key.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runPlanCommand } from "../../../automation/commands/plan";
import { loadFleetSettings } from "../../../automation/fleet";
import { deriveGuardrails } from "../../../automation/fleet/guardrails";
import { AWS_DEFAULT_GLOBAL_SERVICES } from "../../../components/guardrails";
import { fleetDir, readReference } from "../../support/fleetDir";

async function planWith(fleetYaml: string): Promise<{ code: number; err: string }> {
  const dir = fleetDir({ "fleet.yaml": fleetYaml });
  const err: string[] = [];
  const code = await runPlanCommand({ stacksDir: dir, json: true }, { out: () => undefined, err: (s) => void err.push(s) });
  return { code, err: err.join("") };
}

const reference = readReference("fleet.yaml");

describe("fleet.yaml guardrails", () => {
  it.each([
    [
      "a scope declared for both domains",
      reference.replace("targets: [ou-m3rd-us000001]", "targets: [ou-m3rd-us000001, ou-m3rd-eu000001]"),
      /fleet\.yaml: guardrails\.us\.aws\.targets\.1: already declared for domain eu; an organisational scope belongs to one domain/,
    ],
    [
      "a management group declared for both domains",
      reference.replace("managementGroup: meridian-us", "managementGroup: Meridian-EU"),
      /fleet\.yaml: guardrails\.us\.azure\.managementGroup: already declared for domain eu/,
    ],
    ["a key project shared by both domains", reference.replace("keyProjects: [meridian-us-prod]", "keyProjects: [meridian-eu-prod]"), /fleet\.yaml: guardrails\.us\.gcp\.keyProjects\.0: already declared for domain eu/],
    ["an OU id of the wrong shape", reference.replace("ou-m3rd-eu000001", "ou-eu"), /fleet\.yaml: guardrails\.eu\.aws\.targets\.0: an OU id \(ou-xxxx-yyyyyyyy\) or a 12-digit account id/],
    ["an account id of the wrong shape", reference.replace("ou-m3rd-eu000001", '"12345"'), /fleet\.yaml: guardrails\.eu\.aws\.targets\.0: an OU id/],
    ["a folder of the wrong shape", reference.replace("folders/100000000001", "folder/abc"), /fleet\.yaml: guardrails\.eu\.gcp\.folder: a folder such as folders\/123456789012/],
    [
      "a subscription that is not a GUID",
      reference.replace("managementGroup: meridian-eu", "subscriptions: [not-a-guid]"),
      /fleet\.yaml: guardrails\.eu\.azure\.subscriptions\.0: a subscription id \(lower-case GUID\)/,
    ],
    [
      "a global-service exception AWS does not document",
      reference.replace("deployerRoleArn: arn:aws:iam::111111111111:role/meridian-guardrails-deployer-eu", "deployerRoleArn: arn:aws:iam::111111111111:role/meridian-guardrails-deployer-eu\n      globalServices: [iam:*, ec2:*]"),
      /fleet\.yaml: guardrails\.eu\.aws\.globalServices\.1: not one of the global services in AWS's documented region-deny SCP/,
    ],
    [
      "an exemption without an owner",
      reference.replace("targets: [ou-m3rd-eu000001]", "targets: [ou-m3rd-eu000001]\n      exemptions: [{ principal: 'arn:aws:iam::*:role/x', reason: restore drill in Q2, expires: 2027-01-31 }]"),
      /fleet\.yaml: guardrails\.eu\.aws\.exemptions\.0\.owner: missing/,
    ],
  ])("%s → exit 2 naming fleet.yaml and the key", async (_what, yaml, message) => {
    const { code, err } = await planWith(yaml);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err.trim().split("\n")).toHaveLength(1);
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("accepts a subset of the documented global services, and the default leaves KMS and ACM denied", () => {
    const dir = fleetDir({
      "fleet.yaml": reference.replace(
        "deployerRoleArn: arn:aws:iam::111111111111:role/meridian-guardrails-deployer-eu",
        "deployerRoleArn: arn:aws:iam::111111111111:role/meridian-guardrails-deployer-eu\n      globalServices: [iam:*, organizations:*, sts:*, kms:*]",
      ),
    });
    const settings = loadFleetSettings(dir);
    expect(deriveGuardrails("eu", settings).clouds.aws!.globalServices).toEqual(["iam:*", "organizations:*", "sts:*", "kms:*"]);
    expect(deriveGuardrails("us", settings).clouds.aws!.globalServices).toEqual([...AWS_DEFAULT_GLOBAL_SERVICES]);
    expect(AWS_DEFAULT_GLOBAL_SERVICES).not.toContain("kms:*");
    expect(AWS_DEFAULT_GLOBAL_SERVICES).not.toContain("acm:*");
  });

  it("a fleet without guardrails settings loads (no scope, no guardrail) — the plan, not the loader, reports the gap", () => {
    const dir = fleetDir({ "fleet.yaml": "domainOrder: [eu, us]\n" });
    expect(fs.existsSync(path.join(dir, "fleet.yaml"))).toBe(true);
    expect(deriveGuardrails("eu", loadFleetSettings(dir)).clouds).toEqual({});
  });
});
