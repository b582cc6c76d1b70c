/**
 * GCP ↔ Azure: GCP HA VPN + Cloud Router against the Azure active-active gateway (created
 * here or borrowed) through a TWO_IPS_REDUNDANCY external gateway. Tunnel t joins GCP
 * interface t and Azure instance t; both sides speak BGP over APIPA /30s in Azure's window.
 */
import * as gcp from "../sdk/gcp";
import * as pulumi from "@pulumi/pulumi";
import { createAzureConnection, createAzureGateway } from "./azure";
import { createGcpHa, createGcpTunnel, gcpInterfaceAddress } from "./gcp";
import { METRICS, type PairResult, type VpnSpec } from "./types";

export function createGcpAzure(name: string, spec: VpnSpec, parent: pulumi.Resource): PairResult {
  const created = spec.azure.existing === undefined ? createAzureGateway(name, spec, parent) : undefined;
  const gateway = spec.azure.existing ?? created!;
  const ha = createGcpHa(name, spec, parent);
  const external = new gcp.compute.ExternalVpnGateway(
    `${name}-peer-azure`,
    {
      description: `Azure VPN gateway instances used by ${name}`,
      redundancyType: "TWO_IPS_REDUNDANCY",
      interfaces: [0, 1].map((i) => ({ id: i, ipAddress: gateway.publicIpAddresses[i] })),
    },
    { parent, provider: spec.providers.gcp },
  );
  const gcpTunnels = spec.tunnels.map((plan) =>
    createGcpTunnel(
      name,
      spec,
      ha,
      external,
      { plan, gcpInterface: plan.azureInstance!, peerInterface: plan.azureInstance!, peerBgpAddress: plan.bgpAddress.azure!, peerAsn: gateway.asn },
      parent,
    ),
  );
  const azureConnections = spec.tunnels.map((plan) =>
    createAzureConnection(
      name,
      spec,
      gateway,
      {
        plan,
        tunnels: spec.tunnels,
        peerAddress: gcpInterfaceAddress(ha, plan.azureInstance!),
        peerBgpAddress: plan.bgpAddress.gcp!,
        peerAsn: spec.asns.gcp!,
        label: `gcp-ha-vpn-interface-${plan.azureInstance!}`,
      },
      parent,
    ),
  );
  const tunnels = pulumi.all(
    spec.tunnels.map((plan) =>
      pulumi
        .all([gcpTunnels[plan.index].tunnel.selfLink, gcpInterfaceAddress(ha, plan.azureInstance!), azureConnections[plan.index].id, gateway.publicIpAddresses[plan.azureInstance!]])
        .apply(([gcpTunnel, gcpOutside, connId, azureOutside]) => ({
          index: plan.index,
          insideCidr: plan.insideCidr,
          endpoints: {
            gcp: { resourceId: gcpTunnel, outsideAddress: gcpOutside, bgpAddress: plan.bgpAddress.gcp!, asn: spec.asns.gcp!, metrics: METRICS.gcp },
            azure: { resourceId: connId, outsideAddress: azureOutside, bgpAddress: plan.bgpAddress.azure!, asn: gateway.asn, metrics: METRICS.azure },
          },
        })),
    ),
  );
  return { tunnels, azureGateway: created };
}
