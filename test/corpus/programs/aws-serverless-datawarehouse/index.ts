// Re-write (our code) after pulumi/examples aws-ts-serverless-datawarehouse: Kinesis input
// streams delivered by Firehose into an S3 data lake catalogued by Glue; no stream, delivery
// or bucket uses a key of the domain.
import * as aws from "@pulumi/aws";

const lake = new aws.s3.Bucket("analytics-dw-bucket", { forceDestroy: true });
const database = new aws.glue.CatalogDatabase("analytics_dw", { name: "analytics_dw" });

const firehoseRole = new aws.iam.Role("firehose-role", {
  assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Action: "sts:AssumeRole", Principal: { Service: "firehose.amazonaws.com" }, Effect: "Allow" }] }),
});

for (const table of ["impressions", "clicks"]) {
  const stream = new aws.kinesis.Stream(`${table}-input-stream`, { shardCount: 1 });
  new aws.kinesis.FirehoseDeliveryStream(`${table}-firehose`, {
    destination: "extended_s3",
    kinesisSourceConfiguration: { kinesisStreamArn: stream.arn, roleArn: firehoseRole.arn },
    extendedS3Configuration: { bucketArn: lake.arn, roleArn: firehoseRole.arn, prefix: `${table}/`, bufferingInterval: 900 },
  });
  new aws.glue.CatalogTable(`${table}-table`, {
    databaseName: database.name,
    name: table,
    tableType: "EXTERNAL_TABLE",
    storageDescriptor: { location: lake.bucket.apply((b) => `s3://${b}/${table}/`), columns: [{ name: "id", type: "string" }, { name: "event_time", type: "string" }] },
  });
}

export const databaseName = database.name;
