import * as azure from "../sdk/azure";
import * as pulumi from "@pulumi/pulumi";
import { cmkStorageAccountArgs, createKeyUserIdentity } from "../kms/azure";
import type { KeyRef } from "../residency";
import type { NetworkRefs, NetworkSpec } from "./index";

/**
 * Azure VNet with VNet encryption, a node subnet behind a NAT gateway and an NSG (no
 * default outbound access), the `GatewaySubnet` VPN gateways need, and VNet flow logs
 * into a storage account encrypted with the domain key ({@link cmkStorageAccountArgs}:
 * infrastructure encryption, TLS 1.2, HTTPS only, zone-redundant — never geo-redundant:
 * GRS would copy data to the paired region).
 */
export function createAzureNetwork(name: string, spec: NetworkSpec, key: Extract<KeyRef, { cloud: "azure" }>, parent: pulumi.Resource): NetworkRefs {
  const tags = { ...spec.tags };
  const rg = new azure.resources.ResourceGroup(`${name}-rg`, { location: spec.region, tags }, { parent });
  const vnet = new azure.network.VirtualNetwork(
    `${name}-vnet`,
    {
      resourceGroupName: rg.name,
      location: spec.region,
      addressSpace: { addressPrefixes: [spec.cidr] },
      encryption: { enabled: true, enforcement: "AllowUnencrypted" },
      tags,
    },
    { parent },
  );
  const nsg = new azure.network.NetworkSecurityGroup(
    `${name}-nodes-nsg`,
    {
      resourceGroupName: rg.name,
      location: spec.region,
      securityRules: [
        // The domain's networks on the other clouds, over the VPN gateway.
        ...(spec.peerCidrs.length > 0
          ? [
              {
                name: "allow-domain-peers-inbound",
                priority: 1000,
                direction: "Inbound",
                access: "Allow",
                protocol: "*",
                sourceAddressPrefixes: [...spec.peerCidrs],
                sourcePortRange: "*",
                destinationAddressPrefix: spec.cidr,
                destinationPortRange: "*",
              },
            ]
          : []),
        {
          name: "deny-internet-inbound",
          priority: 4000,
          direction: "Inbound",
          access: "Deny",
          protocol: "*",
          sourceAddressPrefix: "Internet",
          sourcePortRange: "*",
          destinationAddressPrefix: "*",
          destinationPortRange: "*",
        },
      ],
      tags,
    },
    { parent },
  );
  const natIp = new azure.network.PublicIPAddress(
    `${name}-nat-ip`,
    { resourceGroupName: rg.name, location: spec.region, sku: { name: "Standard" }, publicIPAllocationMethod: "Static", zones: [...spec.zones], tags },
    { parent },
  );
  const nat = new azure.network.NatGateway(
    `${name}-nat`,
    { resourceGroupName: rg.name, location: spec.region, sku: { name: "Standard" }, publicIpAddresses: [{ id: natIp.id }], idleTimeoutInMinutes: 4, tags },
    { parent },
  );
  const nodes = new azure.network.Subnet(
    `${name}-nodes`,
    {
      resourceGroupName: rg.name,
      virtualNetworkName: vnet.name,
      addressPrefix: spec.subnets.privateSubnets[0],
      natGateway: { id: nat.id },
      networkSecurityGroup: { id: nsg.id },
      defaultOutboundAccess: false,
      privateEndpointNetworkPolicies: "Enabled",
    },
    { parent },
  );
  // Azure requires exactly this name for VPN gateways; no NSG is allowed on it.
  const gateway = new azure.network.Subnet(
    `${name}-gateway`,
    { subnetName: "GatewaySubnet", resourceGroupName: rg.name, virtualNetworkName: vnet.name, addressPrefix: spec.subnets.gatewaySubnet },
    { parent, dependsOn: [nodes] },
  );

  const { identity, grant } = createKeyUserIdentity(
    { identity: `${name}-logs-identity`, grant: `${name}-logs-key-access` },
    { resourceGroupName: rg.name, location: spec.region, vaultId: key.vaultId, tags },
    parent,
  );
  const storage = new azure.storage.StorageAccount(
    `${name}-flowlogs`,
    { resourceGroupName: rg.name, location: spec.region, ...cmkStorageAccountArgs(key, identity, ["blob", "file"]), tags },
    { parent, dependsOn: [grant] },
  );
  new azure.network.FlowLog(
    `${name}-flow-log`,
    {
      // Azure keeps one Network Watcher per region, created with the subscription.
      networkWatcherName: `NetworkWatcher_${spec.region}`,
      resourceGroupName: "NetworkWatcherRG",
      location: spec.region,
      targetResourceId: vnet.id,
      storageId: storage.id,
      enabled: true,
      retentionPolicy: { days: spec.flowLogRetentionDays, enabled: true },
      format: { type: "JSON", version: 2 },
      tags,
    },
    { parent },
  );
  return {
    networkId: vnet.id,
    privateSubnetIds: nodes.id.apply((id) => [id]),
    resourceGroupName: rg.name,
    gatewaySubnetId: gateway.id,
  };
}
