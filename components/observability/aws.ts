/**
 * AWS: an Amazon Managed Prometheus workspace and CloudWatch log groups in the cluster's
 * region, both under the domain's KMS key; SLO rules and an Alertmanager definition in the
 * workspace that pages the domain's receiver through a KMS-encrypted SNS topic; an IAM role
 * the collector assumes through EKS Pod Identity, allowed to write to this workspace and this
 * log group only.
 */
import * as aws from "../sdk/aws";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import type { KeyRef } from "../residency";
import { awsAlertTopic } from "./receivers";
import { COLLECTOR_NAMESPACE, COLLECTOR_SERVICE_ACCOUNT, rulesFile, sloRuleGroup, type BackendResult, type BackendSpec, type CollectorWiring } from "./spec";

/** The retention values CloudWatch Logs accepts. */
export const CLOUDWATCH_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** The smallest retention CloudWatch accepts that keeps at least `days` (never less than asked). */
export function cloudWatchRetention(days: number): number {
  const v = CLOUDWATCH_RETENTION_DAYS.find((d) => d >= days);
  if (v === undefined) throw new Error(`CloudWatch keeps logs at most 3653 days; asked for ${days}`);
  return v;
}

/** The longest retention an AMP workspace accepts. */
export const AMP_MAX_RETENTION_DAYS = 1095;

export function ampRemoteWriteUrl(region: string, workspaceId: string): string {
  return `https://aps-workspaces.${region}.amazonaws.com/workspaces/${workspaceId}/api/v1/remote_write`;
}

/** The Alertmanager configuration AMP runs: every alert to the domain's SNS topic. */
export function ampAlertManagerDefinition(topicArn: string, region: string): string {
  const config = {
    route: { receiver: "domain", group_by: ["slo", "cluster", "severity"], group_wait: "30s", repeat_interval: "4h" },
    receivers: [{ name: "domain", sns_configs: [{ topic_arn: topicArn, sigv4: { region }, subject: "meridian SLO {{ .CommonLabels.slo }} {{ .CommonLabels.severity }}" }] }],
  };
  return stringify({ alertmanager_config: stringify(config) });
}

export function createAwsBackend(spec: BackendSpec, key: Extract<KeyRef, { cloud: "aws" }>, clusterName: pulumi.Input<string>, parent: pulumi.Resource): BackendResult {
  const o = { parent };
  const tags = { ...spec.tags };
  const ampLogs = new aws.cloudwatch.LogGroup(
    `${spec.name}-amp-logs`,
    { name: `/aws/prometheus/${spec.clusterName}`, retentionInDays: cloudWatchRetention(spec.logRetentionDays), kmsKeyId: key.arn, tags },
    o,
  );
  const workspace = new aws.amp.Workspace(
    `${spec.name}-amp`,
    { alias: spec.clusterName, kmsKeyArn: key.arn, loggingConfiguration: { logGroupArn: pulumi.interpolate`${ampLogs.arn}:*` }, tags },
    o,
  );
  // Retention from config; AMP keeps at most 1095 days.
  new aws.amp.WorkspaceConfiguration(`${spec.name}-amp-retention`, { workspaceId: workspace.id, retentionPeriodInDays: Math.min(spec.metricsRetentionDays, AMP_MAX_RETENTION_DAYS) }, o);
  const logs = new aws.cloudwatch.LogGroup(
    `${spec.name}-logs`,
    { name: `/meridian/${spec.clusterName}/workloads`, retentionInDays: cloudWatchRetention(spec.logRetentionDays), kmsKeyId: key.arn, tags },
    o,
  );

  // The domain's receiver: an SNS topic under the domain key; AMP alone may publish.
  const topic = awsAlertTopic({ name: spec.name, domain: spec.domain, emails: spec.receiverEmails, tags }, key.arn, o);
  new aws.sns.TopicPolicy(
    `${spec.name}-alerts-policy`,
    {
      arn: topic.arn,
      policy: pulumi.all([topic.arn, workspace.arn]).apply(([topicArn, workspaceArn]) =>
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "AmpAlertmanagerPublishes",
              Effect: "Allow",
              Principal: { Service: "aps.amazonaws.com" },
              Action: ["sns:Publish", "sns:GetTopicAttributes"],
              Resource: topicArn,
              Condition: { ArnEquals: { "aws:SourceArn": workspaceArn } },
            },
          ],
        }),
      ),
    },
    o,
  );
  new aws.amp.RuleGroupNamespace(`${spec.name}-slo-rules`, { workspaceId: workspace.id, name: "meridian-slo", data: rulesFile(spec.slos.map(sloRuleGroup)), tags }, o);
  new aws.amp.AlertManagerDefinition(
    `${spec.name}-alertmanager`,
    { workspaceId: workspace.id, definition: topic.arn.apply((arn) => ampAlertManagerDefinition(arn, spec.region)) },
    o,
  );

  // The collector's identity: EKS Pod Identity (the cluster runs its agent), least privilege.
  const role = new aws.iam.Role(
    `${spec.name}-collector`,
    {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
      }),
      tags,
    },
    o,
  );
  new aws.iam.RolePolicy(
    `${spec.name}-collector-write`,
    {
      role: role.id,
      policy: pulumi.all([workspace.arn, logs.arn]).apply(([ws, lg]) =>
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Sid: "RemoteWriteThisWorkspace", Effect: "Allow", Action: ["aps:RemoteWrite"], Resource: ws },
            { Sid: "WriteThisLogGroup", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [lg, `${lg}:*`] },
          ],
        }),
      ),
    },
    o,
  );
  const association = new aws.eks.PodIdentityAssociation(
    `${spec.name}-collector-identity`,
    { clusterName, namespace: COLLECTOR_NAMESPACE, serviceAccount: COLLECTOR_SERVICE_ACCOUNT, roleArn: role.arn, tags },
    o,
  );

  const remoteWrite = (endpoint: pulumi.Input<string>) => ({ endpoint, auth: { authenticator: "sigv4auth" }, resource_to_telemetry_conversion: { enabled: true } });
  const logsEndpoint = `https://logs.${spec.region}.amazonaws.com`;
  const wiring = pulumi.all([workspace.id, logs.name]).apply(([workspaceId, logGroupName]): CollectorWiring => {
    const primary = ampRemoteWriteUrl(spec.region, workspaceId);
    return {
      extensions: { sigv4auth: { region: spec.region, service: "aps" } },
      metricsExporters: {
        "prometheusremotewrite/amp": remoteWrite(primary),
        ...Object.fromEntries(spec.extraRemoteWrite.map((url, i) => [`prometheusremotewrite/extra-${i}`, remoteWrite(url)])),
      },
      logsExporters: { awscloudwatchlogs: { region: spec.region, endpoint: logsEndpoint, log_group_name: logGroupName, log_stream_name: "otel-collector" } },
      serviceAccountAnnotations: {},
      podLabels: {},
      endpoints: [primary, logsEndpoint, ...spec.extraRemoteWrite],
    };
  });
  return {
    wiring,
    summary: { cloud: "aws", metricsWorkspace: workspace.arn, logGroup: logs.arn, alertTopic: topic.arn, collectorRole: role.arn },
    ready: [association],
  };
}
