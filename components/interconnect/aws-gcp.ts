/**
 * AWS ↔ GCP, the 99.99% topology: GCP HA VPN (2 interfaces) + Cloud Router; on AWS a
 * transit gateway with two customer gateways (one per HA VPN interface) and two VPN
 * connections = four tunnels; GCP sees the four AWS outside addresses through one
 * FOUR_IPS_REDUNDANCY external gateway. Tunnel t leaves GCP interface t>>1 and lands on
 * AWS connection t>>1, tunnel (t%2)+1.
 */
import * as gcp from "../sdk/gcp";
import * as pulumi from "@pulumi/pulumi";
import { awsTunnelAddress, createAwsTransit, createAwsVpnConnection } from "./aws";
import { createGcpHa, createGcpTunnel, gcpInterfaceAddress } from "./gcp";
import { METRICS, type PairResult, type VpnSpec } from "./types";

export function createAwsGcp(name: string, spec: VpnSpec, parent: pulumi.Resource): PairResult {
  const gcpNet = spec.networks.gcp!;
  const transit = createAwsTransit(name, spec, gcpNet.cidr, parent);
  const ha = createGcpHa(name, spec, parent);
  const connections = ([0, 1] as const).map((i) =>
    createAwsVpnConnection(name, spec, i, transit, { address: gcpInterfaceAddress(ha, i), asn: spec.asns.gcp!, label: `gcp ha vpn interface ${i}` }, parent),
  );
  const external = new gcp.compute.ExternalVpnGateway(
    `${name}-peer-aws`,
    {
      description: `AWS transit gateway tunnels of ${name}`,
      redundancyType: "FOUR_IPS_REDUNDANCY",
      interfaces: spec.tunnels.map((t) => ({ id: t.index, ipAddress: awsTunnelAddress(connections, t.index) })),
    },
    { parent, provider: spec.providers.gcp },
  );
  const gcpTunnels = spec.tunnels.map((plan) =>
    createGcpTunnel(
      name,
      spec,
      ha,
      external,
      { plan, gcpInterface: (plan.index >> 1) as 0 | 1, peerInterface: plan.index, peerBgpAddress: plan.bgpAddress.aws!, peerAsn: spec.asns.aws! },
      parent,
    ),
  );
  const tunnels = pulumi.all(
    spec.tunnels.map((plan) =>
      pulumi
        .all([connections[plan.index >> 1].id, awsTunnelAddress(connections, plan.index), gcpTunnels[plan.index].tunnel.selfLink, gcpInterfaceAddress(ha, plan.index >> 1)])
        .apply(([vpnId, awsOutside, gcpTunnel, gcpOutside]) => ({
          index: plan.index,
          insideCidr: plan.insideCidr,
          endpoints: {
            aws: { resourceId: vpnId, outsideAddress: awsOutside, bgpAddress: plan.bgpAddress.aws!, asn: spec.asns.aws!, metrics: METRICS.aws },
            gcp: { resourceId: gcpTunnel, outsideAddress: gcpOutside, bgpAddress: plan.bgpAddress.gcp!, asn: spec.asns.gcp!, metrics: METRICS.gcp },
          },
        })),
    ),
  );
  return { tunnels };
}
