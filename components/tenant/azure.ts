import * as azure from "../sdk/azure";
import * as pulumi from "@pulumi/pulumi";
import { acrRepositoryCondition, AZURE_ROLES, repositoryPath, tenantVaultName, workloadServiceAccount } from "./spec";
import type { CloudTenant, CloudTenantContext } from "./index";

/**
 * Azure: a Key Vault per tenant per cluster region (RBAC authorization, no public network
 * access, purge protection), and per namespace a user-assigned identity federated with the
 * cluster's OIDC issuer for that namespace's `<tenant>-workload` ServiceAccount only, holding
 * "Key Vault Secrets User" on the tenant's vault and "Container Registry Repository Reader"
 * on the domain ACR with an ABAC condition limiting it to `meridian/<domain>/<tenant>`.
 */
export function createAzureTenant(ctx: CloudTenantContext, az: { resourceGroupName: pulumi.Input<string>; oidcIssuer: pulumi.Input<string>; registryPrefixes: pulumi.Input<string[]> }): CloudTenant {
  const o = { parent: ctx.parent };
  const client = azure.authorization.getClientConfigOutput(o);
  const roleId = (guid: string) => pulumi.interpolate`/subscriptions/${client.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
  const vault = new azure.keyvault.Vault(
    `${ctx.name}-vault`,
    {
      resourceGroupName: az.resourceGroupName,
      vaultName: pulumi.output(ctx.clusterName).apply((c) => tenantVaultName(ctx.domain, ctx.tenant.name, c)),
      location: ctx.region,
      properties: {
        tenantId: client.tenantId,
        sku: { family: "A", name: "standard" },
        enableRbacAuthorization: true,
        enableSoftDelete: true,
        softDeleteRetentionInDays: 90,
        enablePurgeProtection: true,
        publicNetworkAccess: "Disabled",
        networkAcls: { defaultAction: "Deny", bypass: "None" },
      },
      tags: { ...ctx.tags, tenant: ctx.tenant.name },
    },
    o,
  );
  // The domain ACR (created by the foundation in the key's resource group), from its login server.
  const registryId = pulumi
    .all([pulumi.output(az.registryPrefixes), client.subscriptionId, pulumi.output(az.resourceGroupName)])
    .apply(([prefixes, sub, rg]) => {
      const host = (prefixes[0] ?? "").split("/")[0];
      if (!host.endsWith(".azurecr.io")) throw new pulumi.ResourceError(`tenant ${ctx.tenant.name}: the domain registry ${host || "(none)"} is not an ACR`, ctx.parent);
      return `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerRegistry/registries/${host.slice(0, -".azurecr.io".length)}`;
    });
  const sa = workloadServiceAccount(ctx.tenant.name);
  const principals: Record<string, pulumi.Output<string>> = {};
  const clientIds: Record<string, pulumi.Output<string>> = {};
  for (const ns of ctx.tenant.namespaces) {
    const identity = new azure.managedidentity.UserAssignedIdentity(
      `${ctx.name}-${ns}-identity`,
      { resourceGroupName: az.resourceGroupName, location: ctx.region, tags: { ...ctx.tags, tenant: ctx.tenant.name, "kubernetes-namespace": ns } },
      o,
    );
    new azure.managedidentity.FederatedIdentityCredential(
      `${ctx.name}-${ns}-federation`,
      {
        resourceGroupName: az.resourceGroupName,
        resourceName: identity.name,
        issuer: az.oidcIssuer,
        subject: `system:serviceaccount:${ns}:${sa}`,
        audiences: ["api://AzureADTokenExchange"],
      },
      o,
    );
    new azure.authorization.RoleAssignment(
      `${ctx.name}-${ns}-secrets`,
      { scope: vault.id, principalId: identity.principalId, principalType: "ServicePrincipal", roleDefinitionId: roleId(AZURE_ROLES.keyVaultSecretsUser) },
      o,
    );
    new azure.authorization.RoleAssignment(
      `${ctx.name}-${ns}-pull`,
      {
        scope: registryId,
        principalId: identity.principalId,
        principalType: "ServicePrincipal",
        roleDefinitionId: roleId(AZURE_ROLES.containerRegistryRepositoryReader),
        condition: acrRepositoryCondition(repositoryPath(ctx.domain, ctx.tenant.name)),
        conditionVersion: "2.0",
      },
      o,
    );
    principals[ns] = identity.principalId;
    clientIds[ns] = identity.clientId;
  }
  return {
    repository: pulumi.output(az.registryPrefixes).apply((p) => `${p[0] ?? ""}${repositoryPath(ctx.domain, ctx.tenant.name)}`),
    principals,
    serviceAccountAnnotations: (ns) => clientIds[ns].apply((id) => ({ "azure.workload.identity/client-id": id })),
    secretScope: vault.properties.apply((p) => p.vaultUri ?? ""),
  };
}
