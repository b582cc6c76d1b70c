import * as aws from "../sdk/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SigningKeyRef } from "../residency";
import { SIGNING_ALGORITHM, type SigningKeySpec } from "./index";

/**
 * AWS KMS `SIGN_VERIFY` ECC P-256, single-region. The account administers it (IAM policies
 * then grant `kms:Sign` to the domain's CI role only); AWS does not rotate asymmetric keys.
 */
export function createAwsSigningKey(name: string, spec: SigningKeySpec, parent: pulumi.Resource): { ref: Extract<SigningKeyRef, { cloud: "aws" }>; kmsUri: pulumi.Output<string> } {
  const identity = aws.getCallerIdentityOutput({}, { parent });
  const partition = aws.getPartitionOutput({}, { parent });
  const policy = pulumi.all([identity.accountId, partition.partition]).apply(([account, part]) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:${part}:iam::${account}:root` }, Action: "kms:*", Resource: "*" }],
    }),
  );
  const key = new aws.kms.Key(
    `${name}-key`,
    {
      description: `meridian ${spec.domain} image signing key (${name})`,
      keyUsage: "SIGN_VERIFY",
      customerMasterKeySpec: SIGNING_ALGORITHM.aws,
      enableKeyRotation: false, // AWS KMS cannot rotate asymmetric keys; see the re-sign runbook
      multiRegion: false,
      deletionWindowInDays: 30,
      policy,
      tags: { ...spec.tags },
    },
    { parent, protect: spec.protect },
  );
  new aws.kms.Alias(`${name}-alias`, { name: `alias/meridian-${spec.domain}-${name}`, targetKeyId: key.keyId }, { parent });
  const publicKey = aws.kms.getPublicKeyOutput({ keyId: key.arn }, { parent });
  return {
    ref: { cloud: "aws", arn: key.arn, publicKeyPem: publicKey.publicKeyPem },
    kmsUri: pulumi.interpolate`awskms:///${key.arn}`,
  };
}
