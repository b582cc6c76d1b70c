import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { KeyRef } from "../residency";
import type { KeySpec } from "./index";

/**
 * AWS KMS: symmetric, rotated every `rotationDays`, single-region. The key policy keeps
 * the account in control and lets CloudWatch Logs use the key only for log groups of this
 * account *in this region* (residency: the encryption context pins the region).
 */
export function createAwsKey(name: string, spec: KeySpec, parent: pulumi.Resource): Extract<KeyRef, { cloud: "aws" }> {
  const identity = aws.getCallerIdentityOutput({}, { parent });
  const partition = aws.getPartitionOutput({}, { parent });
  const policy = pulumi.all([identity.accountId, partition.partition]).apply(([account, part]) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AccountAdministers",
          Effect: "Allow",
          Principal: { AWS: `arn:${part}:iam::${account}:root` },
          Action: "kms:*",
          Resource: "*",
        },
        {
          Sid: "RegionalCloudWatchLogs",
          Effect: "Allow",
          Principal: { Service: `logs.${spec.region}.amazonaws.com` },
          Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
          Resource: "*",
          Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${part}:logs:${spec.region}:${account}:*` } },
        },
      ],
    }),
  );
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
