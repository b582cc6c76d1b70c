/**
 * AWS ↔ Azure: the Azure active-active gateway (two public IPs, custom APIPA BGP
 * addresses) — created here or borrowed — and on AWS a transit gateway with one customer
 * gateway per Azure instance and two VPN connections = four tunnels. On Azure, one local
 * network gateway per AWS tunnel OUTSIDE address and one IPsec connection each. Tunnel t
 * lands on Azure instance t>>1 (connection t>>1, AWS tunnel (t%2)+1).
 */
import * as pulumi from "@pulumi/pulumi";
import { awsTunnelAddress, createAwsTransit, createAwsVpnConnection } from "./aws";
import { createAzureConnection, createAzureGateway } from "./azure";
import { METRICS, type PairResult, type VpnSpec } from "./types";

export function createAwsAzure(name: string, spec: VpnSpec, parent: pulumi.Resource): PairResult {
  const created = spec.azure.existing === undefined ? createAzureGateway(name, spec, parent) : undefined;
  const gateway = spec.azure.existing ?? created!;
  const transit = createAwsTransit(name, spec, spec.networks.azure!.cidr, parent);
  const connections = ([0, 1] as const).map((i) =>
    createAwsVpnConnection(name, spec, i, transit, { address: gateway.publicIpAddresses[i], asn: gateway.asn, label: `azure gateway instance ${i}` }, parent),
  );
  const azureConnections = spec.tunnels.map((plan) =>
    createAzureConnection(
      name,
      spec,
      gateway,
      {
        plan,
        tunnels: spec.tunnels,
        peerAddress: awsTunnelAddress(connections, plan.index),
        peerBgpAddress: plan.bgpAddress.aws!,
        peerAsn: spec.asns.aws!,
        label: `aws-vpn-${plan.index >> 1}-tunnel-${(plan.index % 2) + 1}`,
      },
      parent,
    ),
  );
  const tunnels = pulumi.all(
    spec.tunnels.map((plan) =>
      pulumi
        .all([connections[plan.index >> 1].id, awsTunnelAddress(connections, plan.index), azureConnections[plan.index].id, gateway.publicIpAddresses[plan.azureInstance!]])
        .apply(([vpnId, awsOutside, connId, azureOutside]) => ({
          index: plan.index,
          insideCidr: plan.insideCidr,
          endpoints: {
            aws: { resourceId: vpnId, outsideAddress: awsOutside, bgpAddress: plan.bgpAddress.aws!, asn: spec.asns.aws!, metrics: METRICS.aws },
            azure: { resourceId: connId, outsideAddress: azureOutside, bgpAddress: plan.bgpAddress.azure!, asn: gateway.asn, metrics: METRICS.azure },
          },
        })),
    ),
  );
  return { tunnels, azureGateway: created };
}
