/**
 * The plan must fail (exit 1) on a deliberately bad stack, naming the policies: an
 * unencrypted public EKS cluster, a mutable unscanned ECR repository, an EU bucket in
 * the US multi-region, and an exemption that has expired. The bad program stands in for
 * the stack program; everything else (fleet model, plan, policy pack) is the real thing.
 */
import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import { runPlanCommand, type PlanReport } from "../../automation/commands/plan";
import type { StackProgram } from "../../automation/plan";
import { fleetDir } from "../support/fleetDir";

const badProgram: StackProgram = async (_fleet, stack) => {
  if (stack === "eu-foundation-aws") {
    const provider = new aws.Provider("eu-aws", { region: "eu-central-1" });
    new aws.eks.Cluster("bad-eks", { roleArn: "arn:aws:iam::123456789012:role/eks", vpcConfig: { subnetIds: ["subnet-1", "subnet-2"], endpointPublicAccess: true } }, { provider });
    new aws.ecr.Repository("bad-repo", { imageTagMutability: "MUTABLE" }, { provider });
  }
  if (stack === "eu-foundation-gcp") {
    const provider = new gcp.Provider("eu-gcp", { project: "meridian-eu-prod", region: "europe-west1" });
    new gcp.storage.Bucket("eu-data", { location: "US", uniformBucketLevelAccess: true }, { provider });
  }
  return { domain: "eu" };
};

describe("fleet plan on a deliberately bad stack", () => {
  let code: number;
  let report: PlanReport;
  beforeAll(async () => {
    const dir = fleetDir();
    const onlyTwo = (f: string) => /^Pulumi\.eu-(foundation|guardrails)-(aws|gcp)\.yaml$/.test(f);
    const fs = await import("node:fs");
    for (const f of fs.readdirSync(dir)) if (f.startsWith("Pulumi.") && !onlyTwo(f)) fs.rmSync(`${dir}/${f}`);
    fs.writeFileSync(
      `${dir}/fleet.yaml`,
      [
        "policy:",
        "  exemptions:",
        "    - policy: meridian-aws-ecr-repository-harden",
        "      resource: bad-repo",
        "      reason: vendor image needs mutable tags until their fix ships",
        "      owner: platform-team",
        "      expires: 2020-01-31",
        "accounts:",
        "  eu: { aws: [\"100000000001\"], gcp: [meridian-eu-prod] }",
      ].join("\n"),
    );
    const out: string[] = [];
    code = await runPlanCommand({ stacksDir: dir, json: true, program: badProgram }, { out: (s) => void out.push(s), err: () => undefined });
    report = JSON.parse(out.join("")) as PlanReport;
  }, 120_000);

  it("exits 1", () => {
    expect(code).toBe(1);
  });

  it.each([
    ["meridian-aws-eks-cluster-encrypt", "bad-eks"],
    ["meridian-aws-eks-cluster-private-endpoint", "bad-eks"],
    ["meridian-aws-ecr-repository-harden", "bad-repo"],
    ["meridian-gcp-storage-bucket-harden", "eu-data"],
    ["meridian-residency-resource-region-allowlist", "eu-data"],
    ["meridian-governance-exemption-expire", undefined],
  ])("names %s", (policy, resource) => {
    const hits = report.violations.filter((v) => v.policy === policy && v.level === "mandatory");
    expect(hits.length).toBeGreaterThan(0);
    if (resource) expect(hits.some((v) => (v.urn ?? "").endsWith(`::${resource}`))).toBe(true);
  });

  it("keeps the expired exemption from hiding the violation", () => {
    expect(report.violations.some((v) => v.policy === "meridian-aws-ecr-repository-harden" && v.level === "mandatory")).toBe(true);
  });
});
