/**
 * Azure building blocks: the active-active, zone-redundant, route-based VPN gateway with
 * BGP and custom APIPA addresses per instance (created once per VNet), and for each peer
 * tunnel a local network gateway (peer outside address + BGP peer) and an IPsec connection
 * with the explicit policy and the APIPA address each instance uses.
 */
import * as azure from "../sdk/azure";
import * as pulumi from "@pulumi/pulumi";
import { claimResident, type Domain } from "../residency";
import type { TunnelPlan } from "./allocate";
import { AZURE_CONNECTION_CRYPTO } from "./crypto";
import type { AzureVpnGatewayHandle, VpnSpec } from "./types";

function opts(spec: VpnSpec, parent: pulumi.Resource, extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
  if (spec.providers.azure === undefined) throw new Error(`${spec.name}: an Azure provider is required`);
  return { parent, provider: spec.providers.azure, ...extra };
}

export function createAzureGateway(name: string, spec: VpnSpec, parent: pulumi.Resource): AzureVpnGatewayHandle<Domain> {
  const network = spec.networks.azure!;
  const resourceGroupName = network.resourceGroupName!;
  const location = network.region;
  const publicIps = [0, 1].map(
    (i) =>
      new azure.network.PublicIPAddress(
        `${name}-vng-pip-${i}`,
        {
          resourceGroupName,
          location,
          sku: { name: "Standard", tier: "Regional" },
          publicIPAllocationMethod: "Static",
          publicIPAddressVersion: "IPv4",
          zones: ["1", "2", "3"],
          tags: { ...spec.tags },
        },
        opts(spec, parent),
      ),
  );
  // The BGP settings name each instance's ip configuration by id, which includes the
  // gateway's own id: build it from the (fixed) gateway name so it is known before apply.
  const gatewayName = `${name}-vng`;
  const client = azure.authorization.getClientConfigOutput({ parent, provider: spec.providers.azure });
  const gatewayId = pulumi.interpolate`/subscriptions/${client.subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Network/virtualNetworkGateways/${gatewayName}`;
  const configNames = ["instance-0", "instance-1"];
  const ipConfigurationIds = configNames.map((c) => pulumi.interpolate`${gatewayId}/ipConfigurations/${c}`);
  const gateway = new azure.network.VirtualNetworkGateway(
    `${name}-vng`,
    {
      resourceGroupName,
      location,
      virtualNetworkGatewayName: gatewayName,
      gatewayType: "Vpn",
      vpnType: "RouteBased",
      vpnGatewayGeneration: "Generation2",
      sku: { name: spec.azure.sku, tier: spec.azure.sku },
      activeActive: true,
      enableBgp: true,
      enablePrivateIpAddress: false,
      ipConfigurations: configNames.map((c, i) => ({
        name: c,
        privateIPAllocationMethod: "Dynamic",
        publicIPAddress: { id: publicIps[i].id },
        subnet: { id: network.gatewaySubnetId! },
      })),
      bgpSettings: {
        asn: spec.asns.azure!,
        bgpPeeringAddresses: configNames.map((_, i) => ({
          ipconfigurationId: ipConfigurationIds[i],
          customBgpIpAddresses: [...spec.azure.bgpAddresses[i]],
        })),
      },
      tags: { ...spec.tags },
    },
    // A gateway takes 30–45 minutes to create; never replace it by accident.
    opts(spec, parent, { customTimeouts: { create: "90m", update: "90m", delete: "90m" } }),
  );
  const address = (pip: azure.network.PublicIPAddress, i: number): pulumi.Output<string> =>
    pip.ipAddress.apply((a) => {
      if (a === undefined) throw new pulumi.ResourceError(`public IP ${i} of the VPN gateway has no address`, pip);
      return a;
    });
  return claimResident(spec.domain, {
    id: gateway.id,
    asn: spec.asns.azure!,
    resourceGroupName,
    location,
    publicIpAddresses: [address(publicIps[0], 0), address(publicIps[1], 1)] as const,
    ipConfigurationIds: [ipConfigurationIds[0], ipConfigurationIds[1]] as const,
  });
}

export interface AzurePeerTunnel {
  readonly plan: TunnelPlan;
  readonly tunnels: readonly TunnelPlan[];
  /** Peer outside (public) address of this tunnel. */
  readonly peerAddress: pulumi.Input<string>;
  readonly peerBgpAddress: string;
  readonly peerAsn: number;
  readonly label: string;
}

/**
 * The APIPA address each gateway instance uses on this connection: the tunnel's own on the
 * instance it lands on, and on the other instance the same-rank tunnel's address.
 */
export function customBgpAddresses(plan: TunnelPlan, tunnels: readonly TunnelPlan[]): [string, string] {
  const on = (k: 0 | 1) => tunnels.filter((t) => t.azureInstance === k);
  const k = plan.azureInstance!;
  const rank = on(k).indexOf(plan);
  const other = on(k === 0 ? 1 : 0)[rank] ?? on(k === 0 ? 1 : 0)[0];
  const mine = plan.bgpAddress.azure!;
  const theirs = other.bgpAddress.azure!;
  return k === 0 ? [mine, theirs] : [theirs, mine];
}

export function createAzureConnection(
  name: string,
  spec: VpnSpec,
  gateway: AzureVpnGatewayHandle<Domain>,
  p: AzurePeerTunnel,
  parent: pulumi.Resource,
): azure.network.VirtualNetworkGatewayConnection {
  const t = p.plan.index;
  const local = new azure.network.LocalNetworkGateway(
    `${name}-lng-${t}`,
    {
      resourceGroupName: gateway.resourceGroupName,
      location: gateway.location,
      gatewayIpAddress: p.peerAddress,
      // BGP carries the prefixes; no static address space.
      localNetworkAddressSpace: { addressPrefixes: [] },
      bgpSettings: { asn: p.peerAsn, bgpPeeringAddress: p.peerBgpAddress },
      tags: { ...spec.tags, peer: p.label },
    },
    opts(spec, parent),
  );
  const [a0, a1] = customBgpAddresses(p.plan, p.tunnels);
  return new azure.network.VirtualNetworkGatewayConnection(
    `${name}-conn-${t}`,
    {
      resourceGroupName: gateway.resourceGroupName,
      location: gateway.location,
      connectionType: "IPsec",
      connectionMode: "Default",
      virtualNetworkGateway1: { id: gateway.id },
      localNetworkGateway2: { id: local.id },
      enableBgp: true,
      sharedKey: spec.psks[t],
      ...AZURE_CONNECTION_CRYPTO,
      gatewayCustomBgpIpAddresses: [
        { ipConfigurationId: gateway.ipConfigurationIds[0], customBgpIpAddress: a0 },
        { ipConfigurationId: gateway.ipConfigurationIds[1], customBgpIpAddress: a1 },
      ],
      tags: { ...spec.tags, peer: p.label },
    },
    opts(spec, parent, { additionalSecretOutputs: ["sharedKey"] }),
  );
}
