import * as aws from "../sdk/aws";
import * as pulumi from "@pulumi/pulumi";
import type { KeyRef } from "../residency";
import type { KeySpec } from "./index";

/** The KMS actions a service needs to encrypt and decrypt with the key (and describe it). */
const USE_KEY = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"];

/**
 * The key policy. The account administers the key; the services that encrypt the domain's
 * telemetry with it may use it only in this key's region and account:
 * - CloudWatch Logs (log groups of the collector and AMP's logging): the regional service
 *   principal, pinned by the encryption context to this account's log groups in this region.
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 * - Amazon Managed Prometheus: AMP uses a customer key through grants it creates while the
 *   deployer creates the workspace, so the deployer (the caller's IAM role) may create grants
 *   and use the key only via `aps.<region>.amazonaws.com`.
 *   https://docs.aws.amazon.com/prometheus/latest/userguide/encryption-at-rest-Amazon-Service-Prometheus.html
 * - AMP's Alertmanager (SLO pages) and CloudWatch alarms (VPN tunnel alarms) publishing to the
 *   domain's SNS topics, which this key encrypts: the `aps.amazonaws.com` and
 *   `cloudwatch.amazonaws.com` principals may generate data keys only through SNS in this region.
 *   https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-alertmanager-receiver-AMPpermission.html
 *   https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */
export function awsKeyPolicy(p: { readonly partition: string; readonly account: string; readonly region: string; readonly deployerArn: string }): object {
  const { partition: part, account, region } = p;
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:${part}:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
      {
        Sid: "RegionalCloudWatchLogs",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: USE_KEY,
        Resource: "*",
        Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${part}:logs:${region}:${account}:*` } },
      },
      {
        Sid: "RegionalManagedPrometheus",
        Effect: "Allow",
        Principal: { AWS: p.deployerArn },
        Action: ["kms:DescribeKey", "kms:CreateGrant", "kms:GenerateDataKey", "kms:Decrypt"],
        Resource: "*",
        Condition: { StringEquals: { "kms:ViaService": `aps.${region}.amazonaws.com`, "kms:CallerAccount": account } },
      },
      {
        Sid: "AlertsToEncryptedSns",
        Effect: "Allow",
        Principal: { Service: ["aps.amazonaws.com", "cloudwatch.amazonaws.com"] },
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
        Resource: "*",
        Condition: { StringEquals: { "kms:ViaService": `sns.${region}.amazonaws.com`, "kms:CallerAccount": account } },
      },
    ],
  };
}

/**
 * AWS KMS: symmetric, rotated every `rotationDays`, single-region, with {@link awsKeyPolicy}
 * (residency: every service grant is pinned to the key's region).
 */
export function createAwsKey(name: string, spec: KeySpec, parent: pulumi.Resource): Extract<KeyRef, { cloud: "aws" }> {
  const identity = aws.getCallerIdentityOutput({}, { parent });
  const partition = aws.getPartitionOutput({}, { parent });
  // A key policy names IAM roles, not STS sessions: the caller's role ARN.
  const deployer = aws.iam.getSessionContextOutput({ arn: identity.arn }, { parent });
  const policy = pulumi
    .all([identity.accountId, partition.partition, deployer.issuerArn])
    .apply(([account, part, deployerArn]) => JSON.stringify(awsKeyPolicy({ partition: part, account, region: spec.region, deployerArn })));
  const key = new aws.kms.Key(
    `${name}-key`,
    {
      description: `meridian ${spec.domain} residency key (${name})`,
      keyUsage: "ENCRYPT_DECRYPT",
      customerMasterKeySpec: "SYMMETRIC_DEFAULT",
      enableKeyRotation: true,
      rotationPeriodInDays: spec.rotationDays,
      multiRegion: false,
      deletionWindowInDays: spec.deletionWindowDays,
      policy,
      tags: { ...spec.tags },
    },
    { parent, protect: spec.protect },
  );
  new aws.kms.Alias(`${name}-alias`, { name: `alias/meridian-${spec.domain}-${name}`, targetKeyId: key.keyId }, { parent });
  return { cloud: "aws", arn: key.arn };
}
