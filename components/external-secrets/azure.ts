import * as azure from "../sdk/azure";
import type * as pulumi from "@pulumi/pulumi";
import type { StoreTarget } from "./spec";
import type { CloudSecretsSpec, CloudSecretsSide } from "./index";

/**
 * Azure Key Vault: each tenant has its own vault per cluster region (created by the tenant
 * component: Premium, HSM-backed, RBAC, purge protection, no public access), so the store
 * points at the tenant's vault URI. Key Vault encrypts secrets with its own HSM-protected
 * keys; there is no separate CMK setting for secrets, which is why the pack holds vaults that
 * carry secrets to Premium and purge protection instead.
 */
export function createAzureSecrets(name: string, spec: CloudSecretsSpec, parent: pulumi.Resource): CloudSecretsSide {
  const tenantId = spec.azure?.tenantId ?? azure.authorization.getClientConfigOutput({ parent }).tenantId;
  return {
    targetFor: (tenant) => {
      if (tenant.azureVaultUri === undefined) {
        throw new Error(`ExternalSecrets ${name}: tenants[${tenant.name}].azureVaultUri: required on Azure (the tenant's Key Vault in ${spec.region})`);
      }
      const target: StoreTarget<pulumi.Input<string>> = { cloud: "azure", vaultUri: tenant.azureVaultUri, tenantId };
      return target;
    },
    key: spec.key,
    secretDefaults: {},
  };
}
