import * as azure from "@pulumi/azure-native";
import * as pulumi from "@pulumi/pulumi";
import type { KeyRef } from "../residency";
import type { RegistrySpec } from "./index";

/** Role that lets a principal wrap/unwrap with Key Vault keys (built-in role id). */
const KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6";

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
  const identity = new azure.managedidentity.UserAssignedIdentity(
    `${name}-identity`,
    { resourceGroupName, location: spec.region, tags: { ...spec.tags } },
    { parent },
  );
  const subscription = azure.authorization.getClientConfigOutput({ parent }).subscriptionId;
  const grant = new azure.authorization.RoleAssignment(
    `${name}-key-access`,
    {
      scope: key.vaultId,
      principalId: identity.principalId,
      principalType: "ServicePrincipal",
      roleDefinitionId: pulumi.interpolate`/subscriptions/${subscription}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER}`,
    },
    { parent },
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
