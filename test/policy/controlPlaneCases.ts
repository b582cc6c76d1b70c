/**
 * Pass and fail inputs for the control-plane export policy (one per type it reads), run by
 * coverage.test.ts with the harness's EU config, whose `controlPlane` is EU_CONTROL_PLANE
 * (./controlPlaneConfig.ts).
 * The config-only policy (`meridian-residency-controlplane-domain-match`) is exercised with
 * configs in controlPlane.test.ts.
 */
import type { Case } from "./cases";
import { awsEu, awsUs, gcpEu, res, urnOf } from "./harness";

export const CONTROL_PLANE_CONFIG_POLICIES = ["meridian-residency-controlplane-domain-match"];

const EXPORT = "meridian-residency-controlplane-export-deny";

const s3Bucket = (type: string, name: string, provider = awsEu) => res(type, name, { bucket: name }, { provider });

const replication = (dest: ReturnType<typeof s3Bucket>) =>
  res(
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    "state-replication",
    { bucket: "meridian-state-eu", role: "arn:aws:iam::123456789012:role/replication", rules: [{ status: "Enabled", destination: { bucket: `arn:aws:s3:::${dest.name}` } }] },
    { provider: awsEu, propertyDependencies: { rules: [dest.urn] } },
  );

const inline = (type: string, depends: boolean) =>
  res(
    type,
    "meridian-state-eu",
    { bucket: "meridian-state-eu", replicationConfiguration: { role: "arn:aws:iam::123456789012:role/r", rules: [{ status: "Enabled", destination: { bucket: "arn:aws:s3:::meridian-dr-eu" } }] } },
    { provider: awsEu, ...(depends ? { propertyDependencies: { replicationConfiguration: [urnOf(type, "meridian-dr-eu")] } } : {}) },
  );

const stateKey = res("aws:kms/key:Key", "state-key", { enableKeyRotation: true, multiRegion: true }, { provider: awsEu });
const KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/0f0e0d0c-aaaa-bbbb-cccc-00000000000a";
const stateAlias = res("aws:kms/alias:Alias", "state-key-alias", { name: "alias/meridian-state-eu", targetKeyId: "0f0e0d0c-aaaa-bbbb-cccc-00000000000a" }, { provider: awsEu, propertyDependencies: { targetKeyId: [stateKey.urn] } });
const replicaKey = (region: string) =>
  res("aws:kms/replicaKey:ReplicaKey", "state-key-replica", { primaryKeyArn: KEY_ARN, region }, { provider: awsEu, propertyDependencies: { primaryKeyArn: [stateKey.urn] } });

const gcsBucket = (location: string) => res("gcp:storage/bucket:Bucket", "meridian-dr", { name: "meridian-dr", location }, { provider: gcpEu });
const transfer = res(
  "gcp:storage/transferJob:TransferJob",
  "state-export",
  { transferSpec: { awsS3DataSource: { bucketName: "meridian-state-eu" }, gcsDataSink: { bucketName: "meridian-dr" } } },
  { provider: gcpEu, propertyDependencies: { transferSpec: [urnOf("gcp:storage/bucket:Bucket", "meridian-dr")] } },
);

const ACCOUNTS = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts";
const drAccount = (location: string) => res("azure-native:storage:StorageAccount", "meridiandr", { accountName: "meridiandr", location, sku: { name: "Standard_ZRS" } });
const objectReplication = res(
  "azure-native:storage:ObjectReplicationPolicy",
  "evidence-replication",
  { accountName: "meridiandr", resourceGroupName: "rg", sourceAccount: `${ACCOUNTS}/meridianeu`, destinationAccount: `${ACCOUNTS}/meridiandr`, rules: [{ sourceContainer: "evidence", destinationContainer: "evidence-dr" }] },
  { propertyDependencies: { destinationAccount: [urnOf("azure-native:storage:StorageAccount", "meridiandr")] } },
);

export const CONTROL_PLANE_CASES: Record<string, Case[]> = {
  [EXPORT]: [
    {
      type: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
      pass: [s3Bucket("aws:s3/bucket:Bucket", "meridian-state-eu-dr"), replication(s3Bucket("aws:s3/bucket:Bucket", "meridian-state-eu-dr"))],
      fail: [s3Bucket("aws:s3/bucket:Bucket", "meridian-state-eu-dr", awsUs), replication(s3Bucket("aws:s3/bucket:Bucket", "meridian-state-eu-dr", awsUs))],
      expect: "S3 replication copies domain eu's state backend bucket meridian-state-eu to bucket meridian-state-eu-dr in us-east-1, outside domain eu",
    },
    {
      type: "aws:s3/bucket:Bucket",
      pass: [s3Bucket("aws:s3/bucket:Bucket", "meridian-dr-eu"), inline("aws:s3/bucket:Bucket", true)],
      fail: [inline("aws:s3/bucket:Bucket", false)],
      expect: "whose location cannot be shown to be in eu",
    },
    {
      type: "aws:s3/bucketV2:BucketV2",
      pass: [s3Bucket("aws:s3/bucketV2:BucketV2", "meridian-dr-eu"), inline("aws:s3/bucketV2:BucketV2", true)],
      fail: [s3Bucket("aws:s3/bucketV2:BucketV2", "meridian-dr-eu", awsUs), inline("aws:s3/bucketV2:BucketV2", true)],
      expect: "to bucket meridian-dr-eu in us-east-1, outside domain eu",
    },
    {
      type: "aws:kms/replicaKey:ReplicaKey",
      pass: [stateKey, stateAlias, replicaKey("eu-west-1")],
      fail: [stateKey, stateAlias, replicaKey("us-east-1")],
      expect: "KMS replica key copies domain eu's state key alias/meridian-state-eu to us-east-1, outside domain eu",
    },
    {
      type: "gcp:storage/transferJob:TransferJob",
      pass: [gcsBucket("EU"), transfer],
      fail: [gcsBucket("US"), transfer],
      expect: "Storage Transfer job copies domain eu's state backend bucket meridian-state-eu to bucket meridian-dr in US, outside domain eu",
    },
    {
      type: "azure-native:storage:ObjectReplicationPolicy",
      pass: [drAccount("northeurope"), objectReplication],
      fail: [drAccount("eastus"), objectReplication],
      expect: "object replication policy copies domain eu's evidence store container evidence to container evidence-dr in eastus, outside domain eu",
    },
  ],
};
