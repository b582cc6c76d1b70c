/**
 * Alarms on the metrics each side of a CrossCloudVpn names (`METRICS` in ./types), one set
 * per tunnel, paging the domain's receiver through the cloud's own channel
 * (components/observability/receivers.ts). Every alarm lives in the interconnect's own cloud
 * accounts and regions: nothing leaves the domain.
 *
 * - AWS (CloudWatch, `AWS/VPN`, dimension `TunnelIpAddress`): `TunnelState` below 1 for 3
 *   minutes; `TunnelDataIn` / `TunnelDataOut` at zero for 15 minutes (BGP keepalives alone
 *   move bytes, so zero means the tunnel carries nothing).
 * - GCP (Cloud Monitoring): `vpn.googleapis.com/tunnel_established` below 1 for 3 minutes,
 *   per tunnel. The router's BGP metrics are keyed by peer names the provider generates, so
 *   the BGP session is watched from the peer cloud's side of the same tunnel.
 * - Azure (metric alerts): `BgpPeerStatus` of the gateway for the peer's BGP address below 1
 *   for 5 minutes; `TunnelIngressBytes` of the connection at zero for 15 minutes; the
 *   gateway's `TunnelEgressPacketDropCount` above 100 in 15 minutes.
 */
import * as aws from "../sdk/aws";
import * as azure from "../sdk/azure";
import * as gcp from "../sdk/gcp";
import * as pulumi from "@pulumi/pulumi";
import { awsAlertTopic, azureActionGroup, gcpEmailChannels, type ReceiverSpec } from "../observability/receivers";
import type { Cloud, Domain, KeyHandle } from "../residency";
import type { CloudPair } from "./allocate";
import { tunnelCount } from "./allocate";
import type { AzureVpnGatewayHandle, TunnelEndpoint, TunnelMonitor, VpnProviders } from "./types";

export interface TunnelAlarmsArgs<D extends Domain> {
  readonly domain: D;
  readonly pair: CloudPair;
  /** The VPN's per-tunnel monitoring output. */
  readonly tunnels: pulumi.Output<TunnelMonitor[]>;
  readonly providers: VpnProviders;
  /** AWS side: the domain key encrypting the alarm topic. */
  readonly awsKey?: KeyHandle<NoInfer<D>>;
  /** Azure side: the gateway whose BGP peers and drops are watched (created or borrowed). */
  readonly azureGateway?: AzureVpnGatewayHandle<NoInfer<D>>;
  /** The domain receiver's addresses. */
  readonly receiverEmails: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

/** What each alarm watches, for the stack's outputs and the docs: cloud, metric, tunnel. */
export interface TunnelAlarm {
  readonly cloud: Cloud;
  readonly metric: string;
  readonly tunnel: number;
}

const endpoint = (t: pulumi.Output<TunnelMonitor[]>, i: number, cloud: Cloud): pulumi.Output<TunnelEndpoint> =>
  t.apply((ts) => {
    const e = ts[i]?.endpoints[cloud];
    if (e === undefined) throw new Error(`tunnel ${i} has no ${cloud} endpoint`);
    return e;
  });

/** The other side's endpoint of tunnel `i` (Azure watches the peer's BGP address). */
const peerOf = (t: pulumi.Output<TunnelMonitor[]>, i: number, pair: CloudPair, cloud: Cloud) => endpoint(t, i, pair[0] === cloud ? pair[1] : pair[0]);

/** Create the alarms under `parent`; returns what they watch. */
export function createTunnelAlarms<D extends Domain>(name: string, args: TunnelAlarmsArgs<D>, parent: pulumi.Resource): TunnelAlarm[] {
  const receiver: ReceiverSpec = { name: `${name}-vpn`, domain: args.domain, emails: args.receiverEmails, tags: args.tags };
  const count = tunnelCount(args.pair);
  const alarms: TunnelAlarm[] = [];
  const tunnels = [...Array(count).keys()];
  const clouds: readonly Cloud[] = args.pair;
  if (clouds.includes("aws")) alarms.push(...awsAlarms(name, args, receiver, tunnels, parent));
  if (clouds.includes("gcp")) alarms.push(...gcpAlarms(name, args, receiver, tunnels, parent));
  if (clouds.includes("azure")) alarms.push(...azureAlarms(name, args, receiver, tunnels, parent));
  return alarms;
}

function awsAlarms<D extends Domain>(name: string, args: TunnelAlarmsArgs<D>, receiver: ReceiverSpec, tunnels: number[], parent: pulumi.Resource): TunnelAlarm[] {
  if (args.providers.aws === undefined || args.awsKey === undefined || args.awsKey.cloud !== "aws") throw new Error(`${name}: AWS tunnel alarms need the aws provider and the domain's AWS key`);
  const o = { parent, provider: args.providers.aws };
  const topic = awsAlertTopic(receiver, args.awsKey.arn, o);
  new aws.sns.TopicPolicy(
    `${name}-vpn-alerts-policy`,
    {
      arn: topic.arn,
      policy: topic.arn.apply((arn) =>
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Sid: "CloudWatchAlarmsPublish", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: arn }],
        }),
      ),
    },
    o,
  );
  const watch = [
    { metric: "TunnelState", statistic: "Maximum", period: 60, evaluationPeriods: 3, threshold: 1, comparisonOperator: "LessThanThreshold" },
    { metric: "TunnelDataIn", statistic: "Sum", period: 300, evaluationPeriods: 3, threshold: 0, comparisonOperator: "LessThanOrEqualToThreshold" },
    { metric: "TunnelDataOut", statistic: "Sum", period: 300, evaluationPeriods: 3, threshold: 0, comparisonOperator: "LessThanOrEqualToThreshold" },
  ];
  return tunnels.flatMap((i) =>
    watch.map((w) => {
      new aws.cloudwatch.MetricAlarm(
        `${name}-tunnel-${i}-${w.metric}`,
        {
          namespace: "AWS/VPN",
          metricName: w.metric,
          dimensions: { TunnelIpAddress: endpoint(args.tunnels, i, "aws").apply((e) => e.outsideAddress) },
          statistic: w.statistic,
          period: w.period,
          evaluationPeriods: w.evaluationPeriods,
          threshold: w.threshold,
          comparisonOperator: w.comparisonOperator,
          // No data is a tunnel that is gone, not a healthy one.
          treatMissingData: "breaching",
          alarmDescription: `${name} tunnel ${i}: ${w.metric} (docs/observability.md#vpn-tunnel-alarms)`,
          alarmActions: [topic.arn],
          okActions: [topic.arn],
          tags: { ...args.tags },
        },
        o,
      );
      return { cloud: "aws" as const, metric: `AWS/VPN ${w.metric}`, tunnel: i };
    }),
  );
}

function gcpAlarms<D extends Domain>(name: string, args: TunnelAlarmsArgs<D>, receiver: ReceiverSpec, tunnels: number[], parent: pulumi.Resource): TunnelAlarm[] {
  if (args.providers.gcp === undefined) throw new Error(`${name}: GCP tunnel alarms need the gcp provider`);
  const o = { parent, provider: args.providers.gcp };
  const channels = gcpEmailChannels(receiver, undefined, o);
  return tunnels.map((i) => {
    const tunnelName = endpoint(args.tunnels, i, "gcp").apply((e) => e.resourceId.split("/").pop() ?? e.resourceId);
    new gcp.monitoring.AlertPolicy(
      `${name}-tunnel-${i}-established`,
      {
        displayName: pulumi.interpolate`${name} tunnel ${i} down`,
        combiner: "OR",
        severity: "CRITICAL",
        conditions: [
          {
            displayName: "tunnel_established < 1",
            conditionThreshold: {
              filter: pulumi.interpolate`metric.type="vpn.googleapis.com/tunnel_established" AND resource.type="vpn_gateway" AND metric.labels.tunnel_name="${tunnelName}"`,
              comparison: "COMPARISON_LT",
              thresholdValue: 1,
              duration: "180s",
              aggregations: [{ alignmentPeriod: "60s", perSeriesAligner: "ALIGN_MIN" }],
              trigger: { count: 1 },
            },
          },
        ],
        notificationChannels: channels.map((c) => c.name),
        userLabels: { domain: args.domain },
      },
      o,
    );
    return { cloud: "gcp" as const, metric: "vpn.googleapis.com/tunnel_established", tunnel: i };
  });
}

function azureAlarms<D extends Domain>(name: string, args: TunnelAlarmsArgs<D>, receiver: ReceiverSpec, tunnels: number[], parent: pulumi.Resource): TunnelAlarm[] {
  const gw = args.azureGateway;
  if (args.providers.azure === undefined || gw === undefined) throw new Error(`${name}: Azure tunnel alarms need the azure provider and the VPN gateway`);
  const o = { parent, provider: args.providers.azure };
  const group = azureActionGroup(receiver, gw.resourceGroupName, o);
  const alert = (id: string, scope: pulumi.Input<string>, criterion: azure.types.input.monitor.MetricCriteriaArgs, windowSize: string, severity: number) =>
    new azure.monitor.MetricAlert(
      `${name}-${id}`,
      {
        resourceGroupName: gw.resourceGroupName,
        location: "global",
        enabled: true,
        scopes: [scope],
        severity,
        evaluationFrequency: "PT1M",
        windowSize,
        autoMitigate: true,
        criteria: { odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria", allOf: [criterion] },
        actions: [{ actionGroupId: group.id }],
        description: `${name}: ${criterion.metricName as string} (docs/observability.md#vpn-tunnel-alarms)`,
        tags: { ...args.tags },
      },
      o,
    );
  const gatewayNs = "Microsoft.Network/virtualNetworkGateways";
  alert(
    "gateway-drops",
    gw.id,
    { criterionType: "StaticThresholdCriterion", name: "drops", metricName: "TunnelEgressPacketDropCount", metricNamespace: gatewayNs, operator: "GreaterThan", threshold: 100, timeAggregation: "Total" },
    "PT15M",
    2,
  );
  const out: TunnelAlarm[] = [{ cloud: "azure", metric: `${gatewayNs} TunnelEgressPacketDropCount`, tunnel: -1 }];
  for (const i of tunnels) {
    const peerBgp = peerOf(args.tunnels, i, args.pair, "azure").apply((e) => e.bgpAddress);
    alert(
      `tunnel-${i}-bgp`,
      gw.id,
      {
        criterionType: "StaticThresholdCriterion",
        name: "bgp",
        metricName: "BgpPeerStatus",
        metricNamespace: gatewayNs,
        dimensions: [{ name: "BgpPeerAddress", operator: "Include", values: [peerBgp] }],
        operator: "LessThan",
        threshold: 1,
        timeAggregation: "Average",
      },
      "PT5M",
      1,
    );
    alert(
      `tunnel-${i}-ingress`,
      endpoint(args.tunnels, i, "azure").apply((e) => e.resourceId),
      { criterionType: "StaticThresholdCriterion", name: "ingress", metricName: "TunnelIngressBytes", metricNamespace: "Microsoft.Network/connections", operator: "LessThanOrEqual", threshold: 0, timeAggregation: "Total" },
      "PT15M",
      1,
    );
    out.push({ cloud: "azure", metric: `${gatewayNs} BgpPeerStatus`, tunnel: i }, { cloud: "azure", metric: "Microsoft.Network/connections TunnelIngressBytes", tunnel: i });
  }
  return out;
}
