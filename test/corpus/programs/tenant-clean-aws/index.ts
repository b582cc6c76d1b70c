// Tenant-style program (written for meridian): a team's storage done right in the EU — a
// rotated key of the domain, a private bucket encrypted with it, a DynamoDB table and an SQS
// queue on the same key. An expert sees no problem here; any mandatory violation is a false
// positive.
import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("reports-key", { enableKeyRotation: true, description: "reports data", deletionWindowInDays: 30 });

const bucket = new aws.s3.Bucket("reports");
new aws.s3.BucketServerSideEncryptionConfiguration("reports-encryption", {
  bucket: bucket.id,
  rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
});
new aws.s3.BucketPublicAccessBlock("reports-public-access", {
  bucket: bucket.id,
  blockPublicAcls: true,
  blockPublicPolicy: true,
  ignorePublicAcls: true,
  restrictPublicBuckets: true,
});
new aws.s3.BucketOwnershipControls("reports-ownership", { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
new aws.s3.BucketVersioning("reports-versioning", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });

new aws.dynamodb.Table("report-index", {
  hashKey: "id",
  attributes: [{ name: "id", type: "S" }],
  billingMode: "PAY_PER_REQUEST",
  serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
  pointInTimeRecovery: { enabled: true },
});

new aws.sqs.Queue("report-jobs", { kmsMasterKeyId: key.arn, kmsDataKeyReusePeriodSeconds: 300 });
