/**
 * Providers are pinned to the domain's declared owners (fleet.yaml `accounts`): AWS
 * `allowedAccountIds`, Azure `subscriptionId`, GCP `project`. The loader refuses a stack
 * whose cloud cannot be pinned; the stack programs' providers carry the pins.
 */
import { parse, stringify } from "yaml";
import { loadFleet } from "../../../automation/fleet";
import { loadErrors } from "../../support/loadErrors";
import { providerPins } from "../../../automation/fleet/pins";
import { planStack } from "../../../automation/plan";
import { runStack } from "../../../stacks/program";
import { fleetDir, readReference, REFERENCE_STACKS } from "../../support/fleetDir";

function withAccounts(accounts: string): string {
  return fleetDir({ "fleet.yaml": `${readReference("fleet.yaml").replace(/\naccounts:\n(?:[ \t]+.*\n)*/, "\n")}accounts:\n${accounts}` });
}


const US = '  us: { aws: ["200000000002"], gcp: [meridian-us-prod], azure: [20000000-0000-4000-8000-000000000002] }\n';

describe("provider pins at load", () => {
  it("pins every reference stack's clouds to its own domain's owners", () => {
    const fleet = loadFleet(REFERENCE_STACKS);
    let checked = 0;
    for (const spec of fleet.stacks.values()) {
      const pins = providerPins(spec, fleet.settings);
      const mine = fleet.settings.accounts[spec.domain];
      for (const cloud of spec.clouds) {
        checked++;
        if (cloud === "aws" && spec.role === "guardrails") expect(pins.aws).toEqual(["111111111111"]); // the deployer role's (management) account
        else if (cloud === "aws") expect(pins.aws).toEqual(mine.aws);
        if (cloud === "azure") expect(mine.azure).toContain(pins.azure);
        if (cloud === "gcp") expect(mine.gcp).toContain(pins.gcp);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(28);
    expect(fleet.settings.accounts.eu.aws).not.toEqual(fleet.settings.accounts.us.aws);
  });

  it("refuses an AWS stack whose domain declares no AWS account, naming file and key", () => {
    const errors = loadErrors(withAccounts(`  eu: { gcp: [meridian-eu-prod], azure: [10000000-0000-4000-8000-000000000001] }\n${US}`));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => /Pulumi\.eu-[a-z-]+\.yaml: aws:allowedAccountIds: no AWS account to pin the provider to: declare domain eu's under fleet\.yaml accounts\.eu\.aws$/.test(e))).toBe(true);
    const files = errors.map((e) => /Pulumi\.(eu-[a-z-]+)\.yaml/.exec(e)![1]).sort();
    // Every EU stack on AWS but the guardrails one (pinned to its deployer's account).
    expect(files).toEqual(["eu-dns", "eu-foundation-aws", "eu-interconnect-aws-azure", "eu-interconnect-aws-gcp", "eu-mgmt", "eu-workload-aws"]);
  });

  it("refuses an Azure stack when its domain has several subscriptions and the stack names none", () => {
    const two = "[10000000-0000-4000-8000-000000000001, 33333333-3333-4333-8333-333333333333]";
    const errors = loadErrors(withAccounts(`  eu: { aws: ["100000000001"], gcp: [meridian-eu-prod], azure: ${two} }\n${US}`));
    expect(errors).toContainEqual(expect.stringContaining("Pulumi.eu-foundation-azure.yaml: azure-native:subscriptionId: domain eu declares 2 subscriptions"));
  });

  it("lets a stack narrow to one of its domain's subscriptions", () => {
    const two = "[10000000-0000-4000-8000-000000000001, 33333333-3333-4333-8333-333333333333]";
    const dir = withAccounts(`  eu: { aws: ["100000000001"], gcp: [meridian-eu-prod], azure: ${two} }\n${US}`);
    const fs = jest.requireActual<typeof import("node:fs")>("node:fs");
    for (const f of fs.readdirSync(dir).filter((x) => /^Pulumi\.eu-.*azure.*\.yaml$/.test(x))) {
      const doc = parse(fs.readFileSync(`${dir}/${f}`, "utf8")) as { config: Record<string, unknown> };
      doc.config["azure-native:subscriptionId"] = "33333333-3333-4333-8333-333333333333";
      fs.writeFileSync(`${dir}/${f}`, stringify(doc));
    }
    const fleet = loadFleet(dir);
    expect(providerPins(fleet.stacks.get("eu-foundation-azure")!, fleet.settings).azure).toBe("33333333-3333-4333-8333-333333333333");
  });
});

describe("provider pins in the stack programs (under mocks)", () => {
  const fleet = loadFleet(REFERENCE_STACKS);
  const none = { outputs: new Map(), secretOutputNames: new Map() };
  const providerOf = async (stack: string, type: string) => {
    const plan = await planStack(fleet, stack, runStack, none);
    expect(plan.error).toBeUndefined();
    const providers = plan.resources.filter((r) => r.type === type);
    expect(providers).toHaveLength(1);
    return providers[0].props as Record<string, unknown>;
  };
  const list = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);

  it("AWS: allowedAccountIds are the domain's accounts", async () => {
    expect(list((await providerOf("eu-foundation-aws", "pulumi:providers:aws")).allowedAccountIds)).toEqual(["100000000001"]);
    expect(list((await providerOf("us-foundation-aws", "pulumi:providers:aws")).allowedAccountIds)).toEqual(["200000000002"]);
  }, 60_000);

  it("Azure: subscriptionId is the domain's subscription", async () => {
    expect((await providerOf("eu-foundation-azure", "pulumi:providers:azure-native")).subscriptionId).toBe("10000000-0000-4000-8000-000000000001");
    expect((await providerOf("us-foundation-azure", "pulumi:providers:azure-native")).subscriptionId).toBe("20000000-0000-4000-8000-000000000002");
  }, 60_000);

  it("GCP: project is the domain's project", async () => {
    expect((await providerOf("eu-foundation-gcp", "pulumi:providers:gcp")).project).toBe("meridian-eu-prod");
  }, 60_000);
});
