/** evaluateStack reproduces the analyzer server's semantics. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { evaluateStack, hasMandatory } from "../../policy-pack/evaluate";
import { UnknownValueError } from "../../policy-pack/lib/values";
import { advisory, awsEu, callResource, EU, k8sEu, mandatory, provider, res, run, runAll, secret, stackResource, STACK, UNKNOWN, UNKNOWN_ARRAY } from "./harness";

const KEY = "arn:aws:kms:eu-central-1:123456789012:key/abc";
const badRepo = res("aws:ecr/repository:Repository", "repo", { imageTagMutability: "MUTABLE" }, { provider: awsEu });

describe("unknown values at preview", () => {
  it("an unknown resource property is an advisory 'cannot verify', not a pass and not a violation", () => {
    const vs = run("meridian-aws-eks-cluster-encrypt", [
      res("aws:eks/cluster:Cluster", "eks", { encryptionConfig: { resources: ["secrets"], provider: { keyArn: UNKNOWN } } }, { provider: awsEu }),
    ]);
    expect(vs).toEqual([
      expect.objectContaining({ policy: "meridian-aws-eks-cluster-encrypt", level: "advisory", message: expect.stringContaining("encryptionConfig.provider.keyArn unknown until apply") }),
    ]);
  });

  it("known violations are still reported next to the unknown line", () => {
    const vs = run("meridian-aws-eks-cluster-encrypt", [
      res("aws:eks/cluster:Cluster", "eks", { encryptionConfig: { resources: ["logs"], provider: { keyArn: UNKNOWN } } }, { provider: awsEu }),
    ]);
    expect(mandatory(vs).map((v) => v.message)).toEqual(["encryptionConfig.resources must include \"secrets\""]);
    expect(advisory(vs)).toHaveLength(1);
  });

  it("an unknown provider region makes residency unverifiable (advisory)", () => {
    const vs = run("meridian-residency-resource-region-allowlist", [res("aws:ec2/vpc:Vpc", "vpc", {}, { provider: provider("aws", "p", { region: UNKNOWN }) })]);
    expect(vs).toEqual([expect.objectContaining({ level: "advisory", message: expect.stringContaining("provider.region") })]);
  });

  it("an unknown array (whole property) is advisory too", () => {
    const vs = run("meridian-aws-eks-cluster-audit-logging-enable", [res("aws:eks/cluster:Cluster", "eks", { enabledClusterLogTypes: UNKNOWN_ARRAY }, { provider: awsEu })]);
    expect(vs.map((v) => v.level)).toEqual(["advisory"]);
  });

  it("stack policies report unknown key references as advisory", () => {
    const vs = run("meridian-residency-key-colocate", [res("aws:cloudwatch/logGroup:LogGroup", "lg", { kmsKeyId: UNKNOWN }, { provider: awsEu })]);
    expect(vs).toEqual([expect.objectContaining({ level: "advisory", message: expect.stringContaining("lg.kmsKeyId") })]);
  });

  it("an unknown key reference resolved through its property dependency is decided", () => {
    const key = res("aws:kms/key:Key", "k", {}, { provider: provider("aws", "us", { region: "us-west-2" }) });
    const lg = res("aws:cloudwatch/logGroup:LogGroup", "lg", { kmsKeyId: UNKNOWN }, { provider: awsEu, propertyDependencies: { kmsKeyId: [key.urn] } });
    const vs = run("meridian-residency-key-colocate", [key, lg]);
    expect(mandatory(vs).map((v) => v.urn)).toEqual([lg.urn]);
  });
});

describe("secrets", () => {
  it("unwraps secret values for evaluation and never prints them", () => {
    const usKey = "arn:aws:kms:us-east-1:123456789012:key/very-secret-key-id";
    const vs = runAll([res("aws:cloudwatch/logGroup:LogGroup", "lg", { kmsKeyId: secret(usKey), retentionInDays: 400 }, { provider: awsEu })]);
    const colocate = vs.filter((v) => v.policy === "meridian-residency-key-colocate");
    expect(colocate).toHaveLength(1); // the secret was read: the key is in us-east-1
    expect(JSON.stringify(vs)).not.toContain("very-secret-key-id");
    expect(vs.filter((v) => v.policy === "meridian-aws-cloudwatch-loggroup-encrypt")).toEqual([]);
  });

  it("redacts secret values a message would quote", () => {
    const image = "docker.io/library/secret-image-name:1";
    const pod = res("kubernetes:core/v1:Pod", "p", { spec: { containers: [{ name: "c", image: secret(image) }] } }, { provider: k8sEu });
    const vs = run("meridian-kubernetes-workload-image-pin", [pod]);
    expect(vs.length).toBeGreaterThan(0);
    expect(JSON.stringify(vs)).not.toContain("secret-image-name");
    expect(vs[0]!.message).toContain("[secret]");
  });

  it("does not mask a resource's or the stack's own name because a secret holds it as a leaf", () => {
    const lg = res("aws:cloudwatch/logGroup:LogGroup", "orders-logs", { kmsKeyId: UNKNOWN }, { provider: awsEu });
    const clusterSecret = res("kubernetes:core/v1:Secret", "gitops-cluster", { stringData: secret({ name: "orders-logs", stack: STACK, token: "a-real-secret-token-value" }) }, { provider: k8sEu });
    const vs = run("meridian-residency-key-colocate", [clusterSecret, lg]);
    expect(vs).toEqual([expect.objectContaining({ level: "advisory", message: expect.stringContaining("orders-logs.kmsKeyId") })]);
    expect(JSON.stringify(vs)).not.toContain("a-real-secret-token-value");
  });
});

describe("enforcement levels", () => {
  it("uses the policy's default (mandatory) without config", () => {
    expect(runAll([badRepo]).filter((v) => v.policy === "meridian-aws-ecr-repository-harden").every((v) => v.level === "mandatory")).toBe(true);
  });

  it("disabled skips, advisory downgrades, `all` applies to every policy and a policy's own entry wins", () => {
    const name = "meridian-aws-ecr-repository-harden";
    expect(runAll([badRepo], { ...EU, enforcement: { [name]: "disabled" } }).filter((v) => v.policy === name)).toEqual([]);
    const adv = runAll([badRepo], { ...EU, enforcement: { all: "advisory" } });
    expect(hasMandatory(adv)).toBe(false);
    expect(adv.some((v) => v.policy === name)).toBe(true);
    const mixed = runAll([badRepo], { ...EU, enforcement: { all: "advisory", [name]: "mandatory" } });
    expect(mandatory(mixed).map((v) => v.policy)).toEqual(expect.arrayContaining([name]));
    expect(mandatory(mixed).every((v) => v.policy === name)).toBe(true);
  });
});

describe("engine-built args", () => {
  it("policies read provider props from args.provider (explicit and default providers)", () => {
    const vpcUs = res("aws:ec2/vpc:Vpc", "vpc", {}, { provider: provider("aws", "default_7_48_0", { region: "us-west-2" }) });
    expect(callResource("meridian-residency-resource-region-allowlist", vpcUs)).toEqual([expect.stringContaining("'us-west-2' (domain us)")]);
    const vpcEu = res("aws:ec2/vpc:Vpc", "vpc", {}, { provider: awsEu });
    expect(callResource("meridian-residency-resource-region-allowlist", vpcEu)).toEqual([]);
  });

  it("a multi-type policy calls notApplicable for other types", () => {
    expect(() => callResource("meridian-azure-aks-disk-encrypt", res("aws:kms/key:Key", "k", {}))).toThrow(/applies to/);
  });

  it("single-type policies carry __pulumiType for the engine's fast path", () => {
    const { allPolicies } = jest.requireActual("../../policy-pack/policies") as typeof import("../../policy-pack/policies");
    const p = allPolicies.find((x) => x.name === "meridian-aws-kms-key-rotate") as { validateResource: { __pulumiType?: string } };
    expect(p.validateResource.__pulumiType).toBe("aws:kms/key:Key");
  });

  it("touching an unknown through the engine's proxy throws UnknownValueError (engine → advisory)", () => {
    const r = res("aws:kms/key:Key", "k", { enableKeyRotation: UNKNOWN }, { provider: awsEu });
    let thrown: unknown;
    try {
      callResource("meridian-aws-kms-key-rotate", r);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(UnknownValueError); // the class the analyzer server tests for
    expect((thrown as Error).message).toMatch(/cannot verify during preview: enableKeyRotation/);
  });

  it("stack policies see parents, dependencies and property dependencies as resource objects", () => {
    const seen: string[] = [];
    const probe: StackValidationPolicy = {
      name: "probe",
      description: "probe",
      validateStack: (args) => {
        const lg = args.resources.find((r) => r.name === "lg")!;
        seen.push(lg.parent?.name ?? "-", lg.dependencies.map((d) => d.name).join(","), lg.propertyDependencies.kmsKeyId!.map((d) => d.type).join(","));
        seen.push(String(args.stackTags.size));
      },
    };
    const key = res("aws:kms/key:Key", "k", {}, { provider: awsEu });
    const lg = res("aws:cloudwatch/logGroup:LogGroup", "lg", { kmsKeyId: KEY }, { provider: awsEu, parent: stackResource.urn, propertyDependencies: { kmsKeyId: [key.urn, "urn:missing"] } });
    evaluateStack(STACK, [stackResource, key, lg], EU, { policies: [probe] });
    expect(seen).toEqual([stackResource.name, "k", "aws:kms/key:Key", "0"]);
  });

  it("a policy that throws is reported as mandatory, never silently skipped", () => {
    const broken: StackValidationPolicy = { name: "broken", description: "x", enforcementLevel: "mandatory", validateStack: () => { throw new Error("boom"); } };
    expect(evaluateStack(STACK, [stackResource], EU, { policies: [broken] })).toEqual([
      { stack: STACK, policy: "broken", level: "mandatory", message: "policy failed to evaluate: boom" },
    ]);
  });
});
