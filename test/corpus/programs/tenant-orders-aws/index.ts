// Tenant-style program (written for meridian): the orders team's messaging on AWS. The
// order queue is encrypted with the team's own key; the dead-letter queue uses the AWS
// managed alias, the notification topic has no key, and the log group is unencrypted.
import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("orders-key", { enableKeyRotation: true, description: "orders messaging" });

const dlq = new aws.sqs.Queue("orders-dlq", { kmsMasterKeyId: "alias/aws/sqs", messageRetentionSeconds: 1209600 });
new aws.sqs.Queue("orders", {
  kmsMasterKeyId: key.arn,
  redrivePolicy: dlq.arn.apply((arn) => JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 5 })),
});

new aws.sns.Topic("order-notifications");

new aws.cloudwatch.LogGroup("orders-worker-logs", { retentionInDays: 400 });
