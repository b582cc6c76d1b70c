/** Azure-shaped mock outputs: resource IDs under the fake subscription, in the provider's location. */
import { azureSubscriptionOf, FAKE_AZURE_TENANT, physicalName, plain, stableHash, str, type MockContext, type ProviderState } from "./shared";

export function azureLocation(ctx: { inputs: Record<string, unknown>; provider: ProviderState | undefined }): string {
  return str(ctx.inputs.location, str(ctx.provider?.inputs.location, "westeurope"));
}

/** `azure-native:keyvault:Vault` → `Microsoft.KeyVault/vaults` (good enough for IDs). */
const RESOURCE_PATHS: Record<string, string> = {
  "azure-native:resources:ResourceGroup": "",
  "azure-native:keyvault:Vault": "Microsoft.KeyVault/vaults",
  "azure-native:keyvault:Key": "Microsoft.KeyVault/vaults/keys",
  "azure-native:containerregistry:Registry": "Microsoft.ContainerRegistry/registries",
  "azure-native:managedidentity:UserAssignedIdentity": "Microsoft.ManagedIdentity/userAssignedIdentities",
  "azure-native:network:VirtualNetwork": "Microsoft.Network/virtualNetworks",
  "azure-native:network:Subnet": "Microsoft.Network/virtualNetworks/subnets",
  "azure-native:network:NatGateway": "Microsoft.Network/natGateways",
  "azure-native:network:PublicIPAddress": "Microsoft.Network/publicIPAddresses",
  "azure-native:network:NetworkSecurityGroup": "Microsoft.Network/networkSecurityGroups",
  "azure-native:storage:StorageAccount": "Microsoft.Storage/storageAccounts",
  "azure-native:containerservice:ManagedCluster": "Microsoft.ContainerService/managedClusters",
  "azure-native:compute:DiskEncryptionSet": "Microsoft.Compute/diskEncryptionSets",
  "azure-native:operationalinsights:Workspace": "Microsoft.OperationalInsights/workspaces",
};

const SCOPED_POLICY_TYPES = new Set(["azure-native:authorization:PolicyAssignment", "azure-native:authorization:PolicyExemption"]);

function typeToPath(type: string): string {
  const known = RESOURCE_PATHS[type];
  if (known !== undefined) return known;
  const [, mod, kind] = type.split(":");
  return `Microsoft.${mod.charAt(0).toUpperCase()}${mod.slice(1)}/${kind.charAt(0).toLowerCase()}${kind.slice(1)}s`;
}

export function azureOutputs(ctx: MockContext): Record<string, unknown> {
  const location = azureLocation(ctx);
  const rg = str(ctx.inputs.resourceGroupName, "");
  // azure-native takes the physical name from a type-specific input (`vaultName`, `keyName`, ...).
  const kind = ctx.type.slice(ctx.type.lastIndexOf(":") + 1);
  // Storage spells its name inputs `accountName` / `containerName` (not `storageAccountName`).
  const storageNameKey: Record<string, string> = { StorageAccount: "accountName", BlobContainer: "containerName" };
  const nameKey = [storageNameKey[kind] ?? "", `${kind.charAt(0).toLowerCase()}${kind.slice(1)}Name`, "resourceName", "name"].find(
    (k) => typeof plain(ctx.inputs[k]) === "string",
  );
  const name =
    ctx.type === "azure-native:resources:ResourceGroup"
      ? str(ctx.inputs.resourceGroupName, physicalName(ctx))
      : str(nameKey ? ctx.inputs[nameKey] : undefined, physicalName(ctx).replace(/-/g, ""));
  const sub = `/subscriptions/${azureSubscriptionOf(ctx.provider)}`;
  const scope = str(ctx.inputs.scope, ""); // policy assignments and exemptions live under their scope (guardrails)
  const id =
    ctx.type === "azure-native:resources:ResourceGroup"
      ? `${sub}/resourceGroups/${name}`
      : scope !== "" && SCOPED_POLICY_TYPES.has(ctx.type)
        ? `${scope}/providers/${typeToPath(ctx.type)}/${name}`
        : `${sub}/resourceGroups/${rg || "unknown-rg"}/providers/${typeToPath(ctx.type)}/${name}`;
  const out: Record<string, unknown> = { id, name, location, type: typeToPath(ctx.type) };
  switch (ctx.type) {
    case "azure-native:keyvault:Vault":
      out.properties = { ...(ctx.inputs.properties as object), vaultUri: `https://${name}.vault.azure.net/` };
      break;
    case "azure-native:keyvault:Key": {
      const vault = str(ctx.inputs.vaultName, "vault");
      const version = stableHash(id, 32);
      out.keyUri = `https://${vault}.vault.azure.net/keys/${name}`;
      out.keyUriWithVersion = `https://${vault}.vault.azure.net/keys/${name}/${version}`;
      break;
    }
    case "azure-native:managedidentity:UserAssignedIdentity":
      out.clientId = `${stableHash(id + "c", 8)}-0000-4000-8000-${stableHash(id + "c2", 12)}`;
      out.principalId = `${stableHash(id + "p", 8)}-0000-4000-8000-${stableHash(id + "p2", 12)}`;
      out.tenantId = FAKE_AZURE_TENANT;
      break;
    case "azure-native:containerregistry:Registry":
      out.loginServer = `${name.toLowerCase()}.azurecr.io`;
      break;
    case "azure-native:storage:StorageAccount": {
      // What programs build URLs and CDN origins from.
      const host = (svc: string) => `https://${name.toLowerCase()}.${svc}.core.windows.net/`;
      out.primaryEndpoints = { blob: host("blob"), dfs: host("dfs"), file: host("file"), queue: host("queue"), table: host("table"), web: `https://${name.toLowerCase()}.z6.web.core.windows.net/` };
      out.primaryLocation = location;
      break;
    }
    // Observability: the ingestion host carries the region (what the collector's residency check reads).
    case "azure-native:monitor:DataCollectionEndpoint":
      out.metricsIngestion = { endpoint: `https://${name.toLowerCase()}-${stableHash(id, 4)}.${location}-1.metrics.ingest.monitor.azure.com` };
      break;
    case "azure-native:monitor:DataCollectionRule":
      out.immutableId = `dcr-${stableHash(id, 32)}`;
      break;
    case "azure-native:web:WebApp":
      out.defaultHostName = `${name.toLowerCase()}.azurewebsites.net`;
      break;
    case "azure-native:cosmosdb:DatabaseAccount":
      out.documentEndpoint = `https://${name.toLowerCase()}.documents.azure.com:443/`;
      break;
  }
  return out;
}

export const azureInvokes: Record<string, (inputs: Record<string, unknown>, provider: ProviderState | undefined) => Record<string, unknown>> = {
  "azure-native:authorization:getClientConfig": (_i, provider) => ({
    clientId: "00000000-0000-4000-8000-0000000000c1",
    objectId: "00000000-0000-4000-8000-0000000000b1",
    subscriptionId: azureSubscriptionOf(provider),
    tenantId: FAKE_AZURE_TENANT,
  }),
  // Placeholder key material (never a usable key): what connection strings are built from.
  "azure-native:storage:listStorageAccountKeys": (inputs) => ({
    keys: ["key1", "key2"].map((keyName) => ({ keyName, permissions: "FULL", value: `MOCK${stableHash(String(inputs.accountName) + keyName, 40)}==` })),
  }),
};
