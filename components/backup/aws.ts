import * as aws from "../sdk/aws";
import * as pulumi from "@pulumi/pulumi";
import type { KeyRef } from "../residency";
import type { BackupTarget, BackupTargetSpec } from "./index";
import { VELERO_NAMESPACE, VELERO_SERVICE_ACCOUNT } from "./spec";

/**
 * S3 backup bucket in the cluster's region: SSE-KMS with the domain key (bucket key on),
 * versioning, public access blocked, TLS-only bucket policy, a lifecycle that expires
 * backups after the retention, and no replication configuration (policy RES-07 refuses one
 * that leaves the domain). Velero reaches it through EKS Pod Identity: a role trusted by
 * `pods.eks.amazonaws.com` with access to this bucket and this key only.
 */
export function createS3Target(name: string, spec: BackupTargetSpec, key: Extract<KeyRef, { cloud: "aws" }>, parent: pulumi.Resource): BackupTarget {
  const o = { parent };
  const bucket = new aws.s3.Bucket(`${name}-bucket`, { bucket: spec.bucketName, forceDestroy: false, tags: { ...spec.tags } }, o);
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-bucket-sse`,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }] },
    o,
  );
  new aws.s3.BucketPublicAccessBlock(`${name}-bucket-pab`, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, o);
  new aws.s3.BucketVersioning(`${name}-bucket-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, o);
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-bucket-lifecycle`,
    {
      bucket: bucket.id,
      rules: [
        {
          id: "retention",
          status: "Enabled",
          filter: {},
          // Velero deletes expired backups itself (TTL); this catches what it leaves behind.
          expiration: { days: spec.retentionDays + 1 },
          noncurrentVersionExpiration: { noncurrentDays: 7 },
        },
      ],
    },
    o,
  );
  new aws.s3.BucketPolicy(
    `${name}-bucket-policy`,
    {
      bucket: bucket.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
        ],
      }),
    },
    o,
  );

  const role = new aws.iam.Role(
    `${name}-role`,
    {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
      }),
      tags: { ...spec.tags },
    },
    o,
  );
  new aws.iam.RolePolicy(
    `${name}-role-access`,
    {
      role: role.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], Resource: pulumi.interpolate`${bucket.arn}/*` },
          { Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucket.arn },
          { Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], Resource: key.arn },
        ],
      }),
    },
    o,
  );
  new aws.eks.PodIdentityAssociation(
    `${name}-pod-identity`,
    { clusterName: spec.clusterName, namespace: VELERO_NAMESPACE, serviceAccount: VELERO_SERVICE_ACCOUNT, roleArn: role.arn, tags: { ...spec.tags } },
    o,
  );
  // The CSI snapshot CRDs and controller are an EKS add-on (AKS and GKE ship them); the
  // VolumeSnapshotClass of this component needs them.
  new aws.eks.Addon(`${name}-snapshot-controller`, { clusterName: spec.clusterName, addonName: "snapshot-controller", resolveConflictsOnUpdate: "OVERWRITE", tags: { ...spec.tags } }, o);
  return {
    bucket: bucket.bucket,
    locationConfig: { region: spec.region, kmsKeyId: key.arn },
    serviceAccountAnnotations: {},
    podLabels: {},
  };
}
