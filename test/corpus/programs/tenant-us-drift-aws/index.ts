// Tenant-style program (written for meridian), planned as a US stack whose config places it
// in eu-west-1: everything it creates lands outside the US domain. Otherwise well built
// (rotated key, table on that key), so the only problems are residency.
import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("claims-key", { enableKeyRotation: true, description: "claims data" });
new aws.dynamodb.Table("claims", {
  hashKey: "id",
  attributes: [{ name: "id", type: "S" }],
  billingMode: "PAY_PER_REQUEST",
  serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
});
