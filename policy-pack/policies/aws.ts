/**
 * AWS encryption rules (AWS-01..06): EKS secrets, node disks, KMS keys, ECR, S3, logs.
 * AWS-07 (VPN) is in interconnect.ts, AWS-08 (endpoint, logs) in baseline.ts.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { resourcePolicy, stackPolicy } from "../lib/define";
import { arrayAt, at, equalsCI, expect, isSet, isTrue, UNKNOWN } from "../lib/values";

const SOC2_ENCRYPTION = ["SOC2 CC6.1", "SOC2 CC6.7"];

export const eksClusterEncrypt: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-aws-eks-cluster-encrypt",
    area: "aws",
    rules: ["AWS-01"],
    description: "EKS clusters envelope-encrypt Kubernetes secrets with a customer-managed KMS key.",
    why: "Without envelope encryption, Secrets sit in etcd under an AWS-owned key only; the residency key is what keeps them in the domain.",
    remediation: "Set `encryptionConfig: { resources: [\"secrets\"], provider: { keyArn: <domain residency key ARN> } }` on the cluster.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_ENCRYPTION,
    types: ["aws:eks/cluster:Cluster"],
  },
  (r, ctx) => {
    expect(
      ctx,
      r.props,
      "encryptionConfig.resources",
      (v) => Array.isArray(v) && v.includes("secrets"),
      "encryptionConfig.resources must include \"secrets\"",
    );
    expect(ctx, r.props, "encryptionConfig.provider.keyArn", isSet, "encryptionConfig.provider.keyArn must name a customer-managed KMS key");
  },
);

export const launchTemplateEbsEncrypt: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-aws-launchtemplate-ebs-encrypt",
    area: "aws",
    rules: ["AWS-02"],
    description: "Launch templates (EKS node groups) encrypt every EBS block device with a customer-managed KMS key.",
    why: "Node root volumes hold container layers, logs and emptyDir data; an AWS-managed key is not the domain's key.",
    remediation:
      "Declare `blockDeviceMappings: [{ deviceName: \"/dev/xvda\", ebs: { encrypted: \"true\", kmsKeyId: <residency key ARN>, ... } }]`.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_ENCRYPTION,
    types: ["aws:ec2/launchTemplate:LaunchTemplate"],
  },
  (r, ctx) => {
    const mappings = arrayAt(r.props, "blockDeviceMappings");
    if (mappings === UNKNOWN) {
      ctx.unknown("blockDeviceMappings");
      return;
    }
    if (mappings.length === 0) {
      ctx.report("no blockDeviceMappings: the root volume would use the AMI's default (no customer-managed key)");
    }
    mappings.forEach((m, i) => {
      const p = `blockDeviceMappings[${i}].ebs.`;
      if (at(m, "ebs") === undefined) {
        return; // instance-store / no-device entries carry no EBS volume
      }
      expect(ctx, m, "ebs.encrypted", isTrue, `${p}encrypted must be "true"`, `blockDeviceMappings[${i}].`);
      expect(ctx, m, "ebs.kmsKeyId", isSet, `${p}kmsKeyId must name a customer-managed KMS key`, `blockDeviceMappings[${i}].`);
    });
  },
);

export const nodeGroupLaunchTemplate: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-aws-eks-nodegroup-launchtemplate-require",
    area: "aws",
    rules: ["AWS-02"],
    description: "EKS managed node groups use a launch template (where disk encryption is declared).",
    why: "A node group without a launch template gets EKS's default disk, which is not encrypted with the domain key.",
    remediation: "Pass `launchTemplate: { id: <template id>, version: <version> }` pointing at an encrypted launch template.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_ENCRYPTION,
    types: ["aws:eks/nodeGroup:NodeGroup"],
  },
  (r, ctx) => {
    const lt = at(r.props, "launchTemplate");
    if (lt === UNKNOWN) {
      ctx.unknown("launchTemplate");
      return;
    }
    const id = at(lt, "id");
    const name = at(lt, "name");
    if (id === UNKNOWN || name === UNKNOWN) {
      ctx.unknown("launchTemplate.id");
      return;
    }
    if (!isSet(id) && !isSet(name)) {
      ctx.report("no launchTemplate: node disks would not be encrypted with the domain's KMS key");
    }
  },
);

export const kmsKeyRotate: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-aws-kms-key-rotate",
    area: "aws",
    rules: ["AWS-03"],
    description: "KMS keys rotate automatically and are single-region.",
    why: "Rotation bounds the data under one key version; a multi-Region key can be replicated into the other domain.",
    remediation: "Set `enableKeyRotation: true` (optionally `rotationPeriodInDays` ≤ 365) and leave `multiRegion` false.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_ENCRYPTION,
    types: ["aws:kms/key:Key"],
  },
  (r, ctx) => {
    // AWS KMS rotates symmetric keys only; a SIGN_VERIFY key (image signing) cannot rotate,
    // and a new key would void every signature: its rotation is the re-sign runbook.
    if (at(r.props, "keyUsage") !== "SIGN_VERIFY") expect(ctx, r.props, "enableKeyRotation", isTrue, "enableKeyRotation must be true");
    expect(ctx, r.props, "multiRegion", (v) => !isTrue(v), "multiRegion must be false: a multi-Region key can be replicated out of the domain");
  },
);

export const ecrRepositoryHarden: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-aws-ecr-repository-harden",
    area: "aws",
    rules: ["AWS-04"],
    description: "ECR repositories use KMS encryption with a key, immutable tags and scan on push.",
    why: "Mutable tags let an image change under a pinned name; AES256 is not the domain key; unscanned images reach clusters.",
    remediation:
      "Set `encryptionConfigurations: [{ encryptionType: \"KMS\", kmsKey: <key ARN> }]`, `imageTagMutability: \"IMMUTABLE\"`, `imageScanningConfiguration: { scanOnPush: true }`.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: [...SOC2_ENCRYPTION, "SOC2 CC7.1"],
    types: ["aws:ecr/repository:Repository"],
  },
  (r, ctx) => {
    expect(ctx, r.props, "encryptionConfigurations.0.encryptionType", equalsCI("KMS"), "encryptionConfigurations[0].encryptionType must be \"KMS\"");
    expect(ctx, r.props, "encryptionConfigurations.0.kmsKey", isSet, "encryptionConfigurations[0].kmsKey must name a customer-managed KMS key");
    expect(ctx, r.props, "imageTagMutability", (v) => v === "IMMUTABLE", "imageTagMutability must be \"IMMUTABLE\"");
    expect(ctx, r.props, "imageScanningConfiguration.scanOnPush", isTrue, "imageScanningConfiguration.scanOnPush must be true");
  },
);

const SSE_TYPES = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];

export const s3EncryptionKms: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-aws-s3-encryption-kms-require",
    area: "aws",
    rules: ["AWS-05"],
    description: "S3 server-side encryption configurations use aws:kms with a customer-managed key.",
    why: "SSE-S3 (AES256) uses an AWS-owned key outside the domain's control.",
    remediation: "Set `rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: \"aws:kms\", kmsMasterKeyId: <key ARN> }, bucketKeyEnabled: true }]`.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_ENCRYPTION,
    types: SSE_TYPES,
  },
  (r, ctx) => {
    const rules = arrayAt(r.props, "rules");
    if (rules === UNKNOWN) {
      ctx.unknown("rules");
      return;
    }
    if (rules.length === 0) {
      ctx.report("no rules: declare applyServerSideEncryptionByDefault with aws:kms");
    }
    rules.forEach((rule, i) => {
      const p = `rules[${i}].applyServerSideEncryptionByDefault.`;
      expect(ctx, rule, "applyServerSideEncryptionByDefault.sseAlgorithm", equalsCI("aws:kms", "aws:kms:dsse"), `${p}sseAlgorithm must be "aws:kms"`, `rules[${i}].`);
      expect(ctx, rule, "applyServerSideEncryptionByDefault.kmsMasterKeyId", isSet, `${p}kmsMasterKeyId must name a customer-managed KMS key`, `rules[${i}].`);
    });
  },
);

export const s3BucketEncryptionAttach: StackValidationPolicy = stackPolicy(
  {
    name: "meridian-aws-s3-bucket-encryption-attach",
    area: "aws",
    rules: ["AWS-05"],
    description: "Every S3 bucket in the stack has a server-side encryption configuration resource (v7 split resource).",
    why: "In aws v7 encryption is a separate resource; a bucket without one silently gets SSE-S3 only.",
    remediation: "Add an `aws.s3.BucketServerSideEncryptionConfiguration` with `bucket: bucket.id` for each bucket.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_ENCRYPTION,
    types: [...BUCKET_TYPES, ...SSE_TYPES],
  },
  (resources, ctx) => {
    const covered = new Set<string>();
    const coveredNames = new Set<string>();
    for (const r of resources) {
      if (!SSE_TYPES.includes(r.type)) {
        continue;
      }
      for (const d of r.propertyDependencies.bucket ?? []) {
        covered.add(d.urn);
      }
      const b = at(r.props, "bucket");
      if (typeof b === "string") {
        coveredNames.add(b);
      }
    }
    for (const r of resources) {
      if (!BUCKET_TYPES.includes(r.type)) {
        continue;
      }
      const inline = at(r.props, "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm");
      const bucketName = at(r.props, "bucket");
      if (covered.has(r.urn) || (typeof bucketName === "string" && coveredNames.has(bucketName)) || (typeof inline === "string" && inline.startsWith("aws:kms"))) {
        continue;
      }
      ctx.report(`bucket '${r.name}' has no BucketServerSideEncryptionConfiguration depending on it`, r.urn);
    }
  },
);

export const logGroupEncrypt: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-aws-cloudwatch-loggroup-encrypt",
    area: "aws",
    rules: ["AWS-06"],
    description: "CloudWatch log groups are encrypted with a customer-managed KMS key and have a retention period.",
    why: "Logs carry request data; retention bounds how long, the key keeps them decryptable only in the domain.",
    remediation: "Set `kmsKeyId: <key ARN>` and `retentionInDays` (at least `minLogRetentionDays`, default 365).",
    severity: "medium",
    enforcementLevel: "mandatory",
    frameworks: [...SOC2_ENCRYPTION, "SOC2 CC7.2"],
    types: ["aws:cloudwatch/logGroup:LogGroup"],
  },
  (r, ctx) => {
    expect(ctx, r.props, "kmsKeyId", isSet, "kmsKeyId must name a customer-managed KMS key");
    expect(
      ctx,
      r.props,
      "retentionInDays",
      (v) => typeof v === "number" && (v === 0 || v >= ctx.cfg.minLogRetentionDays),
      `retentionInDays must be set (0 = never expire, or at least ${ctx.cfg.minLogRetentionDays})`,
    );
  },
);

export const awsPolicies = [
  eksClusterEncrypt,
  launchTemplateEbsEncrypt,
  nodeGroupLaunchTemplate,
  kmsKeyRotate,
  ecrRepositoryHarden,
  s3EncryptionKms,
  s3BucketEncryptionAttach,
  logGroupEncrypt,
];
