import * as aws from "../sdk/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsSecretsKeyPolicy, type StoreTarget } from "./spec";
import type { CloudSecretsSpec, CloudSecretsSide } from "./index";

/**
 * AWS Secrets Manager in the cluster's region. Secrets Manager has no account-wide default
 * key, so the cluster gets its own single-region secrets key whose policy lets only the
 * tenants' workload roles decrypt (through Secrets Manager, their own `<tenant>/` secrets);
 * tenant secrets name it as `kmsKeyId` (the pack refuses a secret without one).
 */
export function createAwsSecrets(name: string, spec: CloudSecretsSpec, parent: pulumi.Resource): CloudSecretsSide {
  const identity = aws.getCallerIdentityOutput({}, { parent });
  const partition = aws.getPartitionOutput({}, { parent });
  const principals = pulumi.all(spec.tenants.map((t) => pulumi.output(t.awsRoleArns ?? []).apply((roleArns) => ({ tenant: t.name, roleArns: roleArns.filter((a) => a !== "") }))));
  const policy = pulumi
    .all([identity.accountId, partition.partition, principals])
    .apply(([account, part, tenants]) =>
      JSON.stringify(awsSecretsKeyPolicy({ account, partition: part, region: spec.region, tenants })),
    );
  const key = new aws.kms.Key(
    `${name}-secrets-key`,
    {
      description: `meridian ${spec.domain} secrets key (${name}): Secrets Manager in ${spec.region}, decrypt by tenant workload roles only`,
      keyUsage: "ENCRYPT_DECRYPT",
      customerMasterKeySpec: "SYMMETRIC_DEFAULT",
      enableKeyRotation: true,
      rotationPeriodInDays: spec.keyRotationDays,
      multiRegion: false,
      deletionWindowInDays: 30,
      policy,
      tags: { ...spec.tags },
    },
    { parent, protect: spec.protect },
  );
  new aws.kms.Alias(`${name}-secrets-alias`, { name: `alias/meridian-${spec.domain}-${name}-secrets`, targetKeyId: key.keyId }, { parent });
  const target: StoreTarget<pulumi.Input<string>> = { cloud: "aws", region: spec.region };
  return {
    targetFor: () => target,
    key: { cloud: "aws", arn: key.arn },
    secretDefaults: { kmsKeyId: key.arn },
  };
}
