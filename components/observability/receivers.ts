/**
 * The domain's alert receiver on each cloud: the same e-mail addresses (fleet.yaml
 * `observability.<domain>.receiver`) behind the cloud's own channel. Shared by the SLO alerts
 * (this component) and the VPN tunnel alarms (components/interconnect/alarms.ts).
 */
import * as aws from "../sdk/aws";
import * as azure from "../sdk/azure";
import * as gcp from "../sdk/gcp";
import type * as pulumi from "@pulumi/pulumi";
import type { Domain } from "../residency";

export interface ReceiverSpec {
  readonly name: string;
  readonly domain: Domain;
  readonly emails: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

/** An SNS topic under the domain key, with one e-mail subscription per address. Publishers are granted by the caller. */
export function awsAlertTopic(r: ReceiverSpec, keyArn: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): aws.sns.Topic {
  const topic = new aws.sns.Topic(`${r.name}-alerts`, { kmsMasterKeyId: keyArn, tags: { ...r.tags } }, opts);
  r.emails.forEach((endpoint, i) => new aws.sns.TopicSubscription(`${r.name}-alerts-email-${i}`, { topic: topic.arn, protocol: "email", endpoint }, opts));
  return topic;
}

/** An action group: a global object holding only the receiver's addresses. */
export function azureActionGroup(r: ReceiverSpec, resourceGroupName: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): azure.monitor.ActionGroup {
  return new azure.monitor.ActionGroup(
    `${r.name}-receiver`,
    {
      resourceGroupName,
      location: "global",
      enabled: true,
      groupShortName: `mer-${r.domain}`.slice(0, 12),
      emailReceivers: r.emails.map((emailAddress, i) => ({ name: `oncall-${i}`, emailAddress, useCommonAlertSchema: true })),
      tags: { ...r.tags },
    },
    opts,
  );
}

/** One e-mail notification channel per address. */
export function gcpEmailChannels(r: ReceiverSpec, project: pulumi.Input<string> | undefined, opts: pulumi.CustomResourceOptions): gcp.monitoring.NotificationChannel[] {
  return r.emails.map(
    (email, i) =>
      new gcp.monitoring.NotificationChannel(`${r.name}-receiver-${i}`, { project, type: "email", displayName: `meridian ${r.domain} on-call ${i}`, labels: { email_address: email } }, opts),
  );
}
