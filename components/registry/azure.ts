import * as azure from "../sdk/azure";
import * as pulumi from "@pulumi/pulumi";
import { createKeyUserIdentity } from "../kms/azure";
import type { KeyRef } from "../residency";
import type { NetworkHandle } from "../residency";
import type { RegistryRefs, RegistrySpec } from "./index";

/**
 * ACR Premium with customer-managed key through a user-assigned identity (the identity is
 * granted crypto use on the vault first), versionless key URI so rotation is followed,
 * admin user off, no public network access, zone redundant, no geo-replications. With the
 * domain network, a private endpoint makes it reachable at all (see {@link createAcrPrivateEndpoint}).
 */
export function createAcr(
  name: string,
  spec: RegistrySpec,
  key: Extract<KeyRef, { cloud: "azure" }>,
  resourceGroupName: pulumi.Input<string>,
  parent: pulumi.Resource,
): RegistryRefs {
  const { identity, grant } = createKeyUserIdentity(
    { identity: `${name}-identity`, grant: `${name}-key-access` },
    { resourceGroupName, location: spec.region, vaultId: key.vaultId, tags: spec.tags },
    parent,
  );
  const registry = new azure.containerregistry.Registry(
    `${name}-acr`,
    {
      resourceGroupName,
      location: spec.region,
      sku: { name: "Premium" },
      adminUserEnabled: false,
      publicNetworkAccess: "Disabled",
      anonymousPullEnabled: false,
      networkRuleBypassOptions: "AzureServices",
      zoneRedundancy: "Enabled",
      identity: {
        type: "UserAssigned",
        userAssignedIdentities: identity.id.apply((id) => ({ [id]: {} })),
      },
      encryption: {
        status: "enabled",
        keyVaultProperties: { keyIdentifier: key.keyUri, identity: identity.clientId },
      },
      policies: {
        retentionPolicy: { days: 30, status: "enabled" },
        trustPolicy: { type: "Notary", status: "enabled" },
        exportPolicy: { status: "disabled" },
      },
      tags: { ...spec.tags },
    },
    { parent, dependsOn: [grant] },
  );
  if (spec.network !== undefined) createAcrPrivateEndpoint(name, spec, spec.network, registry.id, parent);
  return { imagePrefixes: registry.loginServer.apply((server) => [`${server}/`]), registryId: registry.id };
}

/** The private DNS zone Azure Private Link uses for ACR (login server and regional data endpoints). */
export const ACR_PRIVATE_DNS_ZONE = "privatelink.azurecr.io";

/**
 * The registry's private endpoint in the node subnet (group `registry`: the login server and
 * its data endpoint), the `privatelink.azurecr.io` zone linked to the VNet (no
 * auto-registration), and the zone group that writes the endpoint's A records into it — so
 * `<registry>.azurecr.io` resolves to a private address inside the VNet. Private DNS zones
 * are global resources by Azure's design; they hold records only.
 * https://learn.microsoft.com/azure/container-registry/container-registry-private-link
 */
export function createAcrPrivateEndpoint(
  name: string,
  spec: RegistrySpec,
  network: NetworkHandle<RegistrySpec["domain"]>,
  registryId: pulumi.Input<string>,
  parent: pulumi.Resource,
): void {
  const resourceGroupName = network.resourceGroupName!;
  const tags = { ...spec.tags };
  const subnetId = pulumi.output(network.privateSubnetIds).apply((ids) => ids[0]);
  const zone = new azure.privatedns.PrivateZone(`${name}-acr-dns`, { resourceGroupName, privateZoneName: ACR_PRIVATE_DNS_ZONE, location: "global", tags }, { parent });
  new azure.privatedns.VirtualNetworkLink(
    `${name}-acr-dns-link`,
    { resourceGroupName, privateZoneName: zone.name, location: "global", virtualNetwork: { id: network.networkId }, registrationEnabled: false, tags },
    { parent },
  );
  const endpoint = new azure.network.PrivateEndpoint(
    `${name}-acr-pe`,
    {
      resourceGroupName,
      location: spec.region,
      subnet: { id: subnetId },
      privateLinkServiceConnections: [{ name: `${name}-acr`, privateLinkServiceId: registryId, groupIds: ["registry"] }],
      tags,
    },
    { parent },
  );
  new azure.network.PrivateDnsZoneGroup(
    `${name}-acr-dns-group`,
    {
      resourceGroupName,
      privateEndpointName: endpoint.name,
      privateDnsZoneConfigs: [{ name: "acr", privateDnsZoneId: zone.id }],
    },
    { parent },
  );
}
