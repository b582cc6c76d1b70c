/**
 * VPN tunnel alarms under mocks, AWS↔Azure and GCP↔Azure: one alarm per named metric and
 * tunnel, on the tunnel's own address or resource, in the interconnect's own clouds, paging
 * the domain's receiver (the AWS topic under the domain key).
 */
import { installMocks, settle, valueOf } from "../../support/mocks";

const cloud = installMocks({ stack: "eu-interconnect-aws-azure" });

import { CrossCloudVpn, planTunnels, type TunnelMonitor } from "../../../components/interconnect";
import { createTunnelAlarms, type TunnelAlarm } from "../../../components/interconnect/alarms";
import { network, providers } from "../interconnect/fixtures";
import { EU_AWS_KEY } from "../cluster/fixtures";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const EMAILS = ["oncall-eu@example.com", "netops-eu@example.com"];
const own = [planTunnels("eu", 1, ["aws", "azure"]), planTunnels("eu", 2, ["gcp", "azure"])].flat();
const perInstance = [0, 1].map((k) => own.filter((t) => t.azureInstance === k).map((t) => t.bgpAddress.azure!)) as [string[], string[]];
let aa: TunnelAlarm[];
let ga: TunnelAlarm[];
let aaTunnels: TunnelMonitor[];
let gaTunnels: TunnelMonitor[];

beforeAll(async () => {
  const p = providers("p");
  const awsAzure = new CrossCloudVpn("eu-aa", { domain: "eu", slot: 1, networks: [network("eu", "aws"), network("eu", "azure")], providers: p, azureGatewayBgpAddresses: perInstance });
  const gcpAzure = new CrossCloudVpn("eu-ga", { domain: "eu", slot: 2, networks: [network("eu", "gcp"), network("eu", "azure")], providers: p, azureGateway: awsAzure.azureGateway! });
  const base = { domain: "eu" as const, providers: p, receiverEmails: EMAILS, tags: { residency: "eu" } };
  aa = createTunnelAlarms("eu-aa", { ...base, pair: ["aws", "azure"], tunnels: awsAzure.tunnels, awsKey: EU_AWS_KEY, azureGateway: awsAzure.azureGateway }, awsAzure);
  ga = createTunnelAlarms("eu-ga", { ...base, pair: ["gcp", "azure"], tunnels: gcpAzure.tunnels, azureGateway: awsAzure.azureGateway }, gcpAzure);
  aaTunnels = await valueOf(awsAzure.tunnels);
  gaTunnels = await valueOf(gcpAzure.tunnels);
  await settle();
});

const records = (type: string, prefix: string) => cloud.records.filter((r) => r.type === type && r.name.startsWith(prefix));

describe("AWS side", () => {
  it("TunnelState, TunnelDataIn and TunnelDataOut per tunnel, on that tunnel's outside address, missing data = alarm", () => {
    const alarms = records("aws:cloudwatch/metricAlarm:MetricAlarm", "eu-aa");
    expect(alarms).toHaveLength(aaTunnels.length * 3);
    for (const [i, t] of aaTunnels.entries()) {
      const mine = alarms.filter((a) => a.name.startsWith(`eu-aa-tunnel-${i}-`));
      expect(mine.map((a) => a.inputs.metricName).sort()).toEqual(["TunnelDataIn", "TunnelDataOut", "TunnelState"]);
      for (const a of mine) expect(a.inputs).toMatchObject({ namespace: "AWS/VPN", dimensions: { TunnelIpAddress: t.endpoints.aws!.outsideAddress }, treatMissingData: "breaching" });
    }
    expect(new Set(aaTunnels.map((t) => t.endpoints.aws!.outsideAddress)).size).toBe(aaTunnels.length);
  });

  it("pages the domain's SNS topic, under the domain key, which CloudWatch may publish to", () => {
    const topic = records("aws:sns/topic:Topic", "eu-aa")[0];
    expect(topic.inputs.kmsMasterKeyId).toBe(EU_AWS_KEY.arn);
    expect(topic.provider?.inputs.region).toBe("eu-central-1");
    for (const a of records("aws:cloudwatch/metricAlarm:MetricAlarm", "eu-aa")) expect(a.inputs.alarmActions).toEqual([topic.state.arn]);
    expect(records("aws:sns/topicSubscription:TopicSubscription", "eu-aa").map((s) => s.inputs.endpoint)).toEqual(EMAILS);
    const policy = JSON.parse(records("aws:sns/topicPolicy:TopicPolicy", "eu-aa")[0].inputs.policy as string);
    expect(policy.Statement[0].Principal).toEqual({ Service: "cloudwatch.amazonaws.com" });
  });
});

describe("Azure side", () => {
  it("BgpPeerStatus for each tunnel's peer BGP address on the gateway, TunnelIngressBytes on its connection, drops on the gateway", () => {
    const alerts = records("azure-native:monitor:MetricAlert", "eu-aa");
    expect(alerts).toHaveLength(1 + aaTunnels.length * 2);
    for (const [i, t] of aaTunnels.entries()) {
      const bgp = alerts.find((a) => a.name === `eu-aa-tunnel-${i}-bgp`)!.inputs as Loose;
      expect(bgp.criteria.allOf[0]).toMatchObject({ metricName: "BgpPeerStatus", dimensions: [{ name: "BgpPeerAddress", operator: "Include", values: [t.endpoints.aws!.bgpAddress] }], operator: "LessThan", threshold: 1 });
      const ingress = alerts.find((a) => a.name === `eu-aa-tunnel-${i}-ingress`)!.inputs as Loose;
      expect(ingress.scopes).toEqual([t.endpoints.azure!.resourceId]);
      expect(ingress.criteria.allOf[0].metricName).toBe("TunnelIngressBytes");
    }
    const group = records("azure-native:monitor:ActionGroup", "eu-aa")[0];
    expect((group.inputs.emailReceivers as Loose[]).map((r) => r.emailAddress)).toEqual(EMAILS);
    for (const a of alerts) expect(a.inputs.actions).toEqual([{ actionGroupId: group.state.id }]);
  });
});

describe("GCP side", () => {
  it("tunnel_established per tunnel, filtered to that tunnel's name, paging the domain's channels", () => {
    const policies = records("gcp:monitoring/alertPolicy:AlertPolicy", "eu-ga");
    expect(policies).toHaveLength(gaTunnels.length);
    const channels = records("gcp:monitoring/notificationChannel:NotificationChannel", "eu-ga");
    expect(channels.map((c) => (c.inputs.labels as Loose).email_address)).toEqual(EMAILS);
    for (const [i, t] of gaTunnels.entries()) {
      const p = policies.find((x) => x.name === `eu-ga-tunnel-${i}-established`)!;
      const filter = (p.inputs.conditions as Loose[])[0].conditionThreshold.filter as string;
      expect(filter).toContain('metric.type="vpn.googleapis.com/tunnel_established"');
      expect(filter).toContain(`metric.labels.tunnel_name="${t.endpoints.gcp!.resourceId.split("/").pop()}"`);
      expect(p.inputs.notificationChannels).toEqual(channels.map((c) => c.state.name));
      expect(p.provider?.inputs.project).toBe("meridian-eu-prod");
    }
  });

  it("what each interconnect alarms on is returned for the stack's outputs", () => {
    expect(new Set(aa.map((a) => a.metric))).toEqual(
      new Set(["AWS/VPN TunnelState", "AWS/VPN TunnelDataIn", "AWS/VPN TunnelDataOut", "Microsoft.Network/virtualNetworkGateways BgpPeerStatus", "Microsoft.Network/connections TunnelIngressBytes", "Microsoft.Network/virtualNetworkGateways TunnelEgressPacketDropCount"]),
    );
    expect(ga.filter((a) => a.cloud === "gcp")).toHaveLength(gaTunnels.length);
  });

  it("refuses an AWS side without the domain key", () => {
    const p = providers("q");
    expect(() => createTunnelAlarms("x", { domain: "eu", pair: ["aws", "gcp"], tunnels: null as never, providers: p, receiverEmails: [], tags: {} }, undefined as never)).toThrow(/domain's AWS key/);
  });
});
