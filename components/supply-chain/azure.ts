import * as azure from "../sdk/azure";
import * as pulumi from "@pulumi/pulumi";
import type { Domain, SigningKeyHandle } from "../residency";
import type { AuthorityKey, WebhookIdentity } from "./spec";

/** Key Vault data actions the verifier needs, and nothing else (not sign, not decrypt). */
export const VERIFIER_DATA_ACTIONS = ["Microsoft.KeyVault/vaults/keys/read", "Microsoft.KeyVault/vaults/keys/verify/action"] as const;

const TOKEN_DIR = "/var/run/secrets/azure/tokens";

export function azureAuthorityKey(key: Extract<SigningKeyHandle<Domain>, { cloud: "azure" }>): pulumi.Output<AuthorityKey> {
  return pulumi.output(key.kmsUri).apply((kms) => ({ kms, hashAlgorithm: "sha256" as const }));
}

/** `/subscriptions/s/resourceGroups/<rg>/providers/…` → `<rg>`. */
export function resourceGroupOf(id: string): string {
  const m = /\/resourceGroups\/([^/]+)\//i.exec(id);
  if (!m) throw new Error(`image verification: "${id}" names no resource group`);
  return m[1];
}

/**
 * AKS: ARM does not return an EC key's public half, so policy-controller reads it from
 * the domain's Key Vault (`azurekms://`). It authenticates as a user-assigned identity
 * federated to its own ServiceAccount (AKS workload identity, no secret), allowed only to
 * read and verify with keys of that one vault through a custom role. The chart sets no
 * pod labels, so the projected token and the `AZURE_*` variables the workload-identity
 * webhook would inject are set through the chart's `volumes`/`env` instead.
 */
export function createAzureVerifierIdentity(
  name: string,
  args: { readonly key: Extract<SigningKeyHandle<Domain>, { cloud: "azure" }>; readonly location: string; readonly oidcIssuer: pulumi.Input<string>; readonly namespace: string; readonly serviceAccount: string; readonly tags: Readonly<Record<string, string>> },
  parent: pulumi.Resource,
): pulumi.Output<WebhookIdentity> {
  const resourceGroupName = pulumi.output(args.key.vaultId).apply(resourceGroupOf);
  const identity = new azure.managedidentity.UserAssignedIdentity(`${name}-verifier`, { resourceGroupName, location: args.location, tags: { ...args.tags } }, { parent });
  new azure.managedidentity.FederatedIdentityCredential(
    `${name}-verifier-federation`,
    {
      resourceGroupName,
      resourceName: identity.name,
      issuer: args.oidcIssuer,
      subject: `system:serviceaccount:${args.namespace}:${args.serviceAccount}`,
      audiences: ["api://AzureADTokenExchange"],
    },
    { parent },
  );
  const role = new azure.authorization.RoleDefinition(
    `${name}-verifier-role`,
    {
      scope: args.key.vaultId,
      roleName: pulumi.interpolate`meridian signature verifier (${name})`,
      description: "Read the public half of the domain's image signing key and verify with it",
      permissions: [{ actions: [], dataActions: [...VERIFIER_DATA_ACTIONS], notActions: [], notDataActions: [] }],
      assignableScopes: [args.key.vaultId],
    },
    { parent },
  );
  new azure.authorization.RoleAssignment(
    `${name}-verifier-grant`,
    { scope: args.key.vaultId, principalId: identity.principalId, principalType: "ServicePrincipal", roleDefinitionId: role.id },
    { parent },
  );
  return pulumi.all([identity.clientId, identity.tenantId]).apply(([clientId, tenantId]): WebhookIdentity => ({
    serviceAccountAnnotations: { "azure.workload.identity/client-id": clientId },
    env: {
      AZURE_CLIENT_ID: clientId,
      AZURE_TENANT_ID: tenantId,
      AZURE_FEDERATED_TOKEN_FILE: `${TOKEN_DIR}/azure-identity-token`,
      AZURE_AUTHORITY_HOST: "https://login.microsoftonline.com/",
    },
    volumes: [{ name: "azure-identity-token", projected: { sources: [{ serviceAccountToken: { path: "azure-identity-token", audience: "api://AzureADTokenExchange", expirationSeconds: 3600 } }] } }],
    volumeMounts: [{ name: "azure-identity-token", mountPath: TOKEN_DIR, readOnly: true }],
  }));
}
