import * as azure from "@pulumi/azure-native";
import * as pulumi from "@pulumi/pulumi";
import { createKeyUserIdentity } from "../kms/azure";
import type { KeyRef } from "../residency";
import type { RegistrySpec } from "./index";


/**
 * ACR Premium with customer-managed key through a user-assigned identity (the identity is
 * granted crypto use on the vault first), versionless key URI so rotation is followed,
 * admin user off, no public network access, zone redundant, no geo-replications.
 */
export function createAcr(
  name: string,
  spec: RegistrySpec,
  key: Extract<KeyRef, { cloud: "azure" }>,
  resourceGroupName: pulumi.Input<string>,
  parent: pulumi.Resource,
): pulumi.Output<string[]> {
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
  return registry.loginServer.apply((server) => [`${server}/`]);
}
