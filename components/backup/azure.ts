import * as azure from "../sdk/azure";
import * as pulumi from "@pulumi/pulumi";
import { cmkStorageAccountArgs, createKeyUserIdentity } from "../kms/azure";
import type { KeyRef } from "../residency";
import type { BackupTarget, BackupTargetSpec } from "./index";
import { VELERO_NAMESPACE, VELERO_SERVICE_ACCOUNT } from "./spec";

/** Built-in role "Storage Blob Data Contributor". */
const STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";

/** A storage account name (3–24 lower-case letters and digits) derived from the cluster's. */
export function backupStorageAccountName(domain: string, clusterName: string): string {
  return `bk${domain}${clusterName.replace(/[^a-z0-9]/g, "")}`.slice(0, 24);
}

/**
 * A storage account in the cluster's region with the fleet's CMK settings
 * ({@link cmkStorageAccountArgs}: ZRS, the domain's Key Vault key through a user-assigned
 * identity, shared keys and public access off), a blob container, and a lifecycle
 * rule deleting blobs after the retention. Velero authenticates with Azure Workload
 * Identity: a user-assigned identity federated with the cluster's OIDC issuer for the
 * `velero` ServiceAccount, holding "Storage Blob Data Contributor" on this account only.
 */
export function createBlobTarget(
  name: string,
  spec: BackupTargetSpec,
  key: Extract<KeyRef, { cloud: "azure" }>,
  resourceGroupName: pulumi.Input<string>,
  oidcIssuer: pulumi.Input<string>,
  parent: pulumi.Resource,
): BackupTarget {
  const o = { parent };
  const tags = { ...spec.tags };
  const { identity: keyUser, grant } = createKeyUserIdentity(
    { identity: `${name}-key-identity`, grant: `${name}-key-access` },
    { resourceGroupName, location: spec.region, vaultId: key.vaultId, tags },
    parent,
  );
  const account = new azure.storage.StorageAccount(
    `${name}-account`,
    {
      accountName: backupStorageAccountName(spec.domain, spec.clusterName),
      resourceGroupName,
      location: spec.region,
      ...cmkStorageAccountArgs(key, keyUser, ["blob"]),
      tags,
    },
    { parent, dependsOn: [grant] },
  );
  const container = new azure.storage.BlobContainer(
    `${name}-container`,
    { accountName: account.name, resourceGroupName, containerName: spec.bucketName.slice(0, 63), publicAccess: "None" },
    o,
  );
  new azure.storage.ManagementPolicy(
    `${name}-lifecycle`,
    {
      accountName: account.name,
      resourceGroupName,
      managementPolicyName: "default",
      policy: {
        rules: [
          {
            name: "retention",
            enabled: true,
            type: "Lifecycle",
            definition: {
              filters: { blobTypes: ["blockBlob"] },
              // Velero deletes expired backups itself (TTL); this catches what it leaves behind.
              actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: spec.retentionDays + 1 } } },
            },
          },
        ],
      },
    },
    o,
  );
  const velero = new azure.managedidentity.UserAssignedIdentity(`${name}-identity`, { resourceGroupName, location: spec.region, tags }, o);
  new azure.managedidentity.FederatedIdentityCredential(
    `${name}-federation`,
    {
      resourceGroupName,
      resourceName: velero.name,
      issuer: oidcIssuer,
      subject: `system:serviceaccount:${VELERO_NAMESPACE}:${VELERO_SERVICE_ACCOUNT}`,
      audiences: ["api://AzureADTokenExchange"],
    },
    o,
  );
  const subscription = azure.authorization.getClientConfigOutput({ parent }).subscriptionId;
  new azure.authorization.RoleAssignment(
    `${name}-blob-access`,
    {
      scope: account.id,
      principalId: velero.principalId,
      principalType: "ServicePrincipal",
      roleDefinitionId: pulumi.interpolate`/subscriptions/${subscription}/providers/Microsoft.Authorization/roleDefinitions/${STORAGE_BLOB_DATA_CONTRIBUTOR}`,
    },
    o,
  );
  return {
    bucket: container.name,
    storageAccount: account.name,
    locationConfig: { resourceGroup: resourceGroupName, storageAccount: account.name, subscriptionId: subscription, useAAD: "true" },
    serviceAccountAnnotations: { "azure.workload.identity/client-id": velero.clientId },
    podLabels: { "azure.workload.identity/use": "true" },
  };
}
