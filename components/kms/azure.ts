import * as azure from "../sdk/azure";
import * as pulumi from "@pulumi/pulumi";
import type { KeyRef } from "../residency";
import type { KeySpec } from "./index";

const TWO_YEARS_SECONDS = 2 * 365 * 24 * 3600;

/**
 * Azure Key Vault (Premium, RBAC, purge protection, no public network) and an RSA-HSM key
 * with a rotation policy. Consumers use the versionless key URI so they follow rotation.
 */
export function createAzureKey(name: string, spec: KeySpec, parent: pulumi.Resource): Extract<KeyRef, { cloud: "azure" }> {
  const client = azure.authorization.getClientConfigOutput({ parent });
  const resourceGroupName =
    spec.resourceGroupName ?? new azure.resources.ResourceGroup(`${name}-rg`, { location: spec.region, tags: { ...spec.tags } }, { parent }).name;
  const vault = new azure.keyvault.Vault(
    `${name}-vault`,
    {
      resourceGroupName,
      location: spec.region,
      properties: {
        tenantId: client.tenantId,
        sku: { family: "A", name: "premium" },
        enableRbacAuthorization: true,
        enableSoftDelete: true,
        softDeleteRetentionInDays: 90,
        enablePurgeProtection: true,
        publicNetworkAccess: "Disabled",
        networkAcls: { defaultAction: "Deny", bypass: "AzureServices" },
      },
      tags: { ...spec.tags },
    },
    { parent, protect: spec.protect },
  );
  const key = new azure.keyvault.Key(
    `${name}-key`,
    {
      resourceGroupName,
      vaultName: vault.name,
      keyName: `meridian-${spec.domain}-${name}`,
      properties: {
        kty: "RSA-HSM",
        keySize: 3072,
        keyOps: ["wrapKey", "unwrapKey", "encrypt", "decrypt"],
        attributes: { enabled: true, expires: Math.floor(Date.now() / 1000) + TWO_YEARS_SECONDS },
        rotationPolicy: {
          attributes: { expiryTime: "P2Y" },
          lifetimeActions: [
            { action: { type: "rotate" }, trigger: { timeAfterCreate: `P${spec.rotationDays}D` } },
            { action: { type: "notify" }, trigger: { timeBeforeExpiry: "P30D" } },
          ],
        },
      },
      tags: { ...spec.tags },
    },
    {
      parent,
      protect: spec.protect,
      // The first expiry is set at creation; afterwards the rotation policy owns expiry
      // (each rotated version gets expiryTime). Without this every run would diff.
      // https://learn.microsoft.com/azure/key-vault/keys/how-to-configure-key-rotation
      ignoreChanges: ["properties.attributes.expires"],
    },
  );
  return {
    cloud: "azure",
    vaultId: vault.id,
    vaultUri: vault.properties.apply((p) => p.vaultUri ?? ""),
    keyName: key.name,
    keyUri: key.keyUri,
    keyUriWithVersion: key.keyUriWithVersion,
    resourceGroupName,
  };
}

/** Built-in role "Key Vault Crypto Service Encryption User": wrap/unwrap with the vault's keys. */
const KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6";

/**
 * A user-assigned identity granted use of the domain key's vault — how Azure services
 * (ACR, storage accounts) encrypt with a customer-managed key. Consumers `dependsOn` the
 * grant so the service never starts without access to its key.
 */
export function createKeyUserIdentity(
  names: { readonly identity: string; readonly grant: string },
  args: { readonly resourceGroupName: pulumi.Input<string>; readonly location: string; readonly vaultId: pulumi.Input<string>; readonly tags: Readonly<Record<string, string>> },
  parent: pulumi.Resource,
): { identity: azure.managedidentity.UserAssignedIdentity; grant: azure.authorization.RoleAssignment } {
  const identity = new azure.managedidentity.UserAssignedIdentity(
    names.identity,
    { resourceGroupName: args.resourceGroupName, location: args.location, tags: { ...args.tags } },
    { parent },
  );
  const subscription = azure.authorization.getClientConfigOutput({ parent }).subscriptionId;
  const grant = new azure.authorization.RoleAssignment(
    names.grant,
    {
      scope: args.vaultId,
      principalId: identity.principalId,
      principalType: "ServicePrincipal",
      roleDefinitionId: pulumi.interpolate`/subscriptions/${subscription}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER}`,
    },
    { parent },
  );
  return { identity, grant };
}

/** Storage services a customer-managed key covers (blob always; file when the account serves shares). */
export type CmkStorageService = "blob" | "file";

/**
 * The arguments every Key-Vault-CMK storage account of the fleet shares: StorageV2, ZRS
 * (never GRS/RA-GRS, whose paired region may be outside the domain), TLS 1.2, HTTPS only,
 * no public blobs, no shared keys, no public network, infrastructure (double) encryption,
 * and the domain key used through `identity` (a {@link createKeyUserIdentity} identity, whose
 * grant the account must `dependsOn`). Callers add the name, resource group and location.
 * https://learn.microsoft.com/azure/storage/common/customer-managed-keys-configure-existing-account
 */
export function cmkStorageAccountArgs(
  key: Extract<KeyRef, { cloud: "azure" }>,
  identity: azure.managedidentity.UserAssignedIdentity,
  services: readonly CmkStorageService[],
): Omit<azure.storage.StorageAccountArgs, "resourceGroupName"> {
  const encrypted = { enabled: true, keyType: "Account" } as const;
  return {
    kind: "StorageV2",
    sku: { name: "Standard_ZRS" },
    minimumTlsVersion: "TLS1_2",
    enableHttpsTrafficOnly: true,
    allowBlobPublicAccess: false,
    allowSharedKeyAccess: false,
    publicNetworkAccess: "Disabled",
    identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
    encryption: {
      keySource: "Microsoft.Keyvault",
      requireInfrastructureEncryption: true,
      keyVaultProperties: { keyName: key.keyName, keyVaultUri: key.vaultUri },
      encryptionIdentity: { encryptionUserAssignedIdentity: identity.id },
      services: Object.fromEntries(services.map((s) => [s, encrypted])),
    },
  };
}
