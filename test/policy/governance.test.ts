/** Exemptions (active, expired, wrong policy, glob, URN) and config validation. */
import { clock } from "../../policy-pack/lib/define";
import { parseConfig } from "../../policy-pack/lib/config";
import { awsEu, EU, res, runAll, urnOf } from "./harness";

const mutableRepo = res(
  "aws:ecr/repository:Repository",
  "legacy-repo",
  { encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: "arn:aws:kms:eu-central-1:1:key/k" }], imageTagMutability: "MUTABLE", imageScanningConfiguration: { scanOnPush: true } },
  { provider: awsEu },
);
const ECR = "meridian-aws-ecr-repository-harden";
const reason = "vendor image needs tag overwrite until Q3 migration (TICKET-123)";

describe("exemptions", () => {
  it("an active exemption switches the violation off and is reported as advisory", () => {
    const vs = runAll([mutableRepo], { ...EU, exemptions: [{ policy: ECR, resource: "legacy-*", reason, expires: "2999-12-31" }] });
    expect(vs.filter((v) => v.policy === ECR)).toEqual([]);
    const report = vs.filter((v) => v.policy === "meridian-governance-exemption-report");
    expect(report).toHaveLength(1);
    expect(report[0]!.level).toBe("advisory");
    expect(report[0]!.urn).toBe(mutableRepo.urn);
    expect(report[0]!.message).toContain("EXEMPTED meridian-aws-ecr-repository-harden until 2999-12-31");
    expect(report[0]!.message).toContain("imageTagMutability");
    expect(vs.filter((v) => v.level === "mandatory")).toEqual([]);
  });

  it("an expired exemption does not apply and is itself a mandatory violation", () => {
    const vs = runAll([mutableRepo], { ...EU, exemptions: [{ policy: ECR, urn: mutableRepo.urn, reason, expires: "2020-01-31" }] });
    expect(vs.filter((v) => v.policy === ECR && v.level === "mandatory")).toHaveLength(1);
    const expired = vs.filter((v) => v.policy === "meridian-governance-exemption-expire");
    expect(expired).toHaveLength(1);
    expect(expired[0]!.level).toBe("mandatory");
    expect(expired[0]!.message).toContain("expired on 2020-01-31");
  });

  it("a bare expiry date lasts until the end of that day (UTC)", () => {
    const saved = clock.now;
    try {
      const exemptions = [{ policy: ECR, urn: mutableRepo.urn, reason, expires: "2030-06-30" }];
      clock.now = () => Date.parse("2030-06-30T23:00:00Z");
      expect(runAll([mutableRepo], { ...EU, exemptions }).filter((v) => v.policy === ECR)).toEqual([]);
      clock.now = () => Date.parse("2030-07-01T00:00:01Z");
      expect(runAll([mutableRepo], { ...EU, exemptions }).filter((v) => v.policy === ECR)).toHaveLength(1);
    } finally {
      clock.now = saved;
    }
  });

  it("an exemption for another policy does not switch this one off", () => {
    const vs = runAll([mutableRepo], { ...EU, exemptions: [{ policy: "meridian-aws-kms-key-rotate", urn: mutableRepo.urn, reason, expires: "2999-12-31" }] });
    expect(vs.filter((v) => v.policy === ECR && v.level === "mandatory")).toHaveLength(1);
    expect(vs.filter((v) => v.policy === "meridian-governance-exemption-report")).toEqual([]);
  });

  it("an exemption for another resource does not apply", () => {
    const vs = runAll([mutableRepo], { ...EU, exemptions: [{ policy: ECR, urn: urnOf("aws:ecr/repository:Repository", "other"), reason, expires: "2999-12-31" }] });
    expect(vs.filter((v) => v.policy === ECR && v.level === "mandatory")).toHaveLength(1);
  });

  it("exempts stack-policy violations by URN too", () => {
    const bucket = res("aws:s3/bucketV2:BucketV2", "scratch", {}, { provider: awsEu });
    const vs = runAll([bucket], { ...EU, exemptions: [{ policy: "meridian-aws-s3-bucket-encryption-attach", resource: "scratch", reason, expires: "2999-12-31" }] });
    expect(vs.filter((v) => v.policy === "meridian-aws-s3-bucket-encryption-attach")).toEqual([]);
    expect(vs.filter((v) => v.policy === "meridian-governance-exemption-report").map((v) => v.urn)).toEqual([bucket.urn]);
  });

  it("an exemption naming an unknown policy is a config violation", () => {
    const vs = runAll([], { ...EU, exemptions: [{ policy: "meridian-aws-nothing-here", resource: "*", reason, expires: "2999-12-31" }] });
    expect(vs.filter((v) => v.policy === "meridian-governance-config-validate").map((v) => v.message)).toEqual([
      "exemptions[0] names unknown policy 'meridian-aws-nothing-here'",
    ]);
  });
});

describe("config validation", () => {
  it("accepts the documented shape and applies catalogue defaults", () => {
    const c = parseConfig({ domain: "eu", regions: { eu: { aws: ["eu-central-1"] } } });
    expect(c.errors).toEqual([]);
    expect([...c.allowed.aws]).toEqual(["eu-central-1"]);
    expect(c.allowed.gcp.has("europe-west1")).toBe(true);
    expect(c.minLogRetentionDays).toBe(365);
  });

  it.each([
    [{ domain: "apac" }, "domain: Invalid option"],
    [{ domain: "eu", regions: { eu: { aws: [] } } }, "regions.eu.aws"],
    [{ domain: "eu", regionz: {} }, "Unrecognized key"],
    [{ domain: "eu", exemptions: [{ policy: "meridian-aws-kms-key-rotate", resource: "*", reason: "short", expires: "2999-12-31" }] }, "exemptions.0.reason"],
    [{ domain: "eu", exemptions: [{ policy: "meridian-aws-kms-key-rotate", resource: "*", reason, expires: "next week" }] }, "exemptions.0.expires: an ISO date"],
    [{ domain: "eu", exemptions: [{ policy: "meridian-aws-kms-key-rotate", reason, expires: "2999-12-31" }] }, "set `urn` or `resource`"],
    [{ domain: "eu", namespaceExceptions: { tools: { podSecurity: "privileged" } } }, "namespaceExceptions.tools.reason"],
  ])("rejects %j with a message naming the key", (raw, fragment) => {
    const c = parseConfig(raw);
    expect(c.errors.join("\n")).toContain(fragment);
  });

  it("an invalid config is a mandatory violation and disables every exemption (fail closed)", () => {
    const vs = runAll([mutableRepo], {
      ...EU,
      exemptions: [{ policy: ECR, urn: mutableRepo.urn, reason, expires: "2999-12-31" }],
      minLogRetentionDays: -1,
    });
    expect(vs.filter((v) => v.policy === "meridian-governance-config-validate" && v.level === "mandatory").map((v) => v.message)).toEqual([
      expect.stringContaining("minLogRetentionDays"),
    ]);
    expect(vs.filter((v) => v.policy === ECR && v.level === "mandatory")).toHaveLength(1);
  });

  it("a missing domain is a mandatory violation saying how to set it; residency checks wait for it", () => {
    const usVpc = res("aws:ec2/vpc:Vpc", "vpc", {}, { provider: { ...awsEu, props: { region: "us-east-1" } } });
    const vs = runAll([usVpc], { ...EU, domain: undefined });
    const missing = vs.filter((v) => v.policy === "meridian-residency-stack-domain-required");
    expect(missing).toHaveLength(1);
    expect(missing[0]!.level).toBe("mandatory");
    expect(missing[0]!.message).toContain("--policy-pack-config");
    expect(missing[0]!.message).toContain("`domain`");
  });
});
