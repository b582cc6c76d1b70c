/**
 * AKS adapter (@pulumi/azure-native). Secure by default: private cluster, Entra ID with
 * Azure RBAC and local accounts disabled, Key Vault KMS for etcd over private vault access,
 * a disk encryption set with the domain key (rotating to the latest version) and
 * encryption at host, OIDC issuer + workload identity, Cilium network policy, Standard
 * tier, zones, a kubelet identity with AcrPull on the domain ACR only, and audit logs (kube-audit, kube-audit-admin, guard) to a Log Analytics
 * workspace in the cluster's own region.
 */
import * as azure from "../sdk/azure";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { execKubeconfig, minorOf, type AdapterResult, type ClusterSpec, type PoolSpec, type UpgradeSpec } from "./spec";

/** Built-in role definition IDs. https://learn.microsoft.com/azure/role-based-access-control/built-in-roles */
export const AZURE_ROLES = {
  keyVaultCryptoUser: "12338af0-0e69-4776-bea7-57ae8d297424",
  keyVaultCryptoServiceEncryptionUser: "e147488a-f6f5-4113-8e2d-b22465e65bf6",
  keyVaultContributor: "f25e0fa2-a7c8-4377-a976-54943a77a395",
  networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
  managedIdentityOperator: "f1a07417-d97a-45cb-824c-7a7467783830",
  acrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
} as const;

/** The AKS AAD server application (same in every tenant), the audience kubelogin asks tokens for. */
export const AKS_AAD_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

export const AKS_AUDIT_CATEGORIES = ["kube-audit", "kube-audit-admin", "guard"] as const;

type AzureKey = Extract<ClusterSpec["key"], { cloud: "azure" }>;

function azureKey(spec: ClusterSpec): AzureKey {
  if (spec.key.cloud !== "azure") throw new Error("AKS needs an Azure key");
  return spec.key as AzureKey;
}

/** The 10th address of the service CIDR, as AKS expects for CoreDNS. */
export function dnsServiceIp(serviceCidr: string): string {
  const [addr] = serviceCidr.split("/");
  const parts = addr.split(".").map(Number);
  const n = (((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3] + 10) >>> 0;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

export function createAks(name: string, spec: ClusterSpec, parent: pulumi.Resource): AdapterResult {
  const o = { parent };
  const key = azureKey(spec);
  const client = azure.authorization.getClientConfigOutput({ parent });
  const rg = spec.network.resourceGroupName ?? new azure.resources.ResourceGroup(`${name}-rg`, { location: spec.region, tags: { ...spec.tags } }, o).name;
  const roleDef = (id: string) => pulumi.interpolate`/subscriptions/${client.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${id}`;
  const subnetId = pulumi.output(spec.network.privateSubnetIds).apply((s) => s[0]);

  // Control-plane identity: uses the key (KMS), reaches the private vault, joins the subnet.
  const identity = new azure.managedidentity.UserAssignedIdentity(`${name}-identity`, { resourceGroupName: rg, location: spec.region, tags: { ...spec.tags } }, o);
  const grants = [
    [AZURE_ROLES.keyVaultCryptoUser, key.vaultId, "kms"],
    // Private KMS: AKS creates the private link to the vault on the identity's behalf.
    [AZURE_ROLES.keyVaultContributor, key.vaultId, "kms-private"],
    [AZURE_ROLES.networkContributor, subnetId, "subnet"],
  ].map(
    ([role, scope, id]) =>
      new azure.authorization.RoleAssignment(
        `${name}-identity-${id as string}`,
        { principalId: identity.principalId, principalType: "ServicePrincipal", roleDefinitionId: roleDef(role as string), scope: scope as pulumi.Input<string> },
        o,
      ),
  );

  // Kubelet identity, ours rather than AKS's: the AcrPull grant on the domain registry
  // exists before the first node pulls, and the control plane may only assign it.
  // https://learn.microsoft.com/azure/aks/use-managed-identity#bring-your-own-kubelet-managed-identity
  const kubelet = new azure.managedidentity.UserAssignedIdentity(`${name}-kubelet`, { resourceGroupName: rg, location: spec.region, tags: { ...spec.tags } }, o);
  const kubeletOperator = new azure.authorization.RoleAssignment(
    `${name}-identity-kubelet`,
    { principalId: identity.principalId, principalType: "ServicePrincipal", roleDefinitionId: roleDef(AZURE_ROLES.managedIdentityOperator), scope: kubelet.id },
    o,
  );
  const registryId = spec.registry?.registryId;
  const acrPull =
    registryId === undefined
      ? []
      : [
          new azure.authorization.RoleAssignment(
            `${name}-kubelet-acr-pull`,
            { principalId: kubelet.principalId, principalType: "ServicePrincipal", roleDefinitionId: roleDef(AZURE_ROLES.acrPull), scope: registryId },
            o,
          ),
        ];

  // Disk encryption set with the domain key; follows key rotation automatically.
  const des = new azure.compute.DiskEncryptionSet(
    `${name}-des`,
    {
      resourceGroupName: rg,
      location: spec.region,
      encryptionType: "EncryptionAtRestWithCustomerKey",
      activeKey: { keyUrl: key.keyUri, sourceVault: { id: key.vaultId } },
      rotationToLatestKeyVersionEnabled: true,
      identity: { type: "SystemAssigned" },
      tags: { ...spec.tags },
    },
    o,
  );
  const desGrant = new azure.authorization.RoleAssignment(
    `${name}-des-kms`,
    {
      principalId: des.identity.apply((i) => i?.principalId ?? ""),
      principalType: "ServicePrincipal",
      roleDefinitionId: roleDef(AZURE_ROLES.keyVaultCryptoServiceEncryptionUser),
      scope: key.vaultId,
    },
    o,
  );

  const workspace = new azure.operationalinsights.Workspace(
    `${name}-logs`,
    {
      resourceGroupName: rg,
      location: spec.region,
      sku: { name: "PerGB2018" },
      retentionInDays: Math.min(spec.logRetentionDays, 730),
      features: { disableLocalAuth: true },
      tags: { ...spec.tags },
    },
    o,
  );

  const pools = [spec.systemPool, ...spec.workloadPools];
  const cluster = new azure.containerservice.ManagedCluster(
    `${name}-aksCluster`,
    {
      resourceName: spec.clusterName,
      resourceGroupName: rg,
      location: spec.region,
      dnsPrefix: spec.clusterName,
      kubernetesVersion: spec.kubernetesVersion,
      sku: { name: "Base", tier: "Standard" },
      identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
      identityProfile: { kubeletidentity: { resourceId: kubelet.id, clientId: kubelet.clientId, objectId: kubelet.principalId } },
      apiServerAccessProfile: { enablePrivateCluster: !spec.publicEndpoint, enablePrivateClusterPublicFQDN: false, disableRunCommand: true, ...(spec.publicEndpoint ? { authorizedIPRanges: [...spec.authorizedCidrs] } : {}) },
      publicNetworkAccess: spec.publicEndpoint ? "Enabled" : "Disabled",
      aadProfile: { managed: true, enableAzureRBAC: true, tenantID: client.tenantId, adminGroupObjectIDs: [...(spec.azure.adminGroupObjectIds ?? [])] },
      disableLocalAccounts: true,
      enableRBAC: true,
      securityProfile: {
        azureKeyVaultKms: { enabled: true, keyId: key.keyUriWithVersion, keyVaultNetworkAccess: "Private", keyVaultResourceId: key.vaultId },
        workloadIdentity: { enabled: true },
        imageCleaner: { enabled: true, intervalHours: 48 },
      },
      oidcIssuerProfile: { enabled: true },
      diskEncryptionSetID: des.id,
      networkProfile: {
        networkPlugin: "azure",
        networkPluginMode: "overlay",
        networkDataplane: "cilium",
        networkPolicy: "cilium",
        podCidr: spec.podCidr,
        serviceCidr: spec.serviceCidr,
        dnsServiceIP: dnsServiceIp(spec.serviceCidr),
        loadBalancerSku: "standard",
        // The foundation's NAT gateway on the node subnet carries egress.
        outboundType: "userAssignedNATGateway",
      },
      // Versions are pinned by config; only node images follow upstream.
      autoUpgradeProfile: { upgradeChannel: "none", nodeOSUpgradeChannel: "NodeImage" },
      agentPoolProfiles: pools.map((p) => agentPool(spec, p, subnetId)),
      tags: { ...spec.tags },
    },
    { parent, dependsOn: [...grants, desGrant, kubeletOperator, ...acrPull] },
  );

  new azure.monitor.DiagnosticSetting(
    `${name}-audit`,
    {
      name: "meridian-audit",
      resourceUri: cluster.id,
      workspaceId: workspace.id,
      logAnalyticsDestinationType: "Dedicated",
      logs: AKS_AUDIT_CATEGORIES.map((category) => ({ category, enabled: true })),
    },
    o,
  );

  // The CA comes from the user credentials; the kubeconfig we hand out uses kubelogin (Entra ID), never a token.
  const creds = azure.containerservice.listManagedClusterUserCredentialsOutput({ resourceGroupName: rg, resourceName: cluster.name, format: "exec" }, { parent });
  const kubeconfig = pulumi.all([cluster.name, cluster.privateFQDN, cluster.fqdn, creds]).apply(([clusterName, privateFqdn, fqdn, c]) => {
    const raw = Buffer.from(c.kubeconfigs?.[0]?.value ?? "", "base64").toString("utf8");
    const doc = (parseYaml(raw) ?? {}) as { clusters?: Array<{ cluster?: Record<string, string> }> };
    const ca = doc.clusters?.[0]?.cluster?.["certificate-authority-data"] ?? "";
    return execKubeconfig({
      domain: spec.domain,
      clusterName,
      server: `https://${spec.publicEndpoint ? fqdn : privateFqdn}:443`,
      caData: ca,
      command: "kubelogin",
      args: ["get-token", "--login", "azurecli", "--server-id", AKS_AAD_SERVER_APP_ID],
      installHint: "install kubelogin (az aks install-cli)",
    });
  });
  return {
    clusterName: cluster.name,
    endpoint: spec.publicEndpoint ? cluster.fqdn : cluster.privateFQDN,
    oidcIssuer: cluster.oidcIssuerProfile.apply((p) => p?.issuerURL ?? ""),
    kubeconfig: pulumi.secret(kubeconfig),
    diskEncryptionSetId: des.id,
    logAnalyticsWorkspaceId: workspace.id,
    // Read back from the cloud: what the control plane runs now, not what config asked for.
    runningVersion: azure.containerservice
      .getManagedClusterOutput({ resourceGroupName: rg, resourceName: cluster.name }, { parent })
      .currentKubernetesVersion.apply((v) => minorOf(v) ?? v),
    readyResources: [cluster],
  };
}

/**
 * Surge with no unavailability by default; evictions honour PDBs for the drain timeout, then
 * the upgrade fails (undrainableNodeBehavior left at its default: no force-drain).
 */
export function aksUpgradeSettings(u: UpgradeSpec): azure.types.input.containerservice.AgentPoolUpgradeSettingsArgs {
  return {
    maxSurge: String(u.maxSurge),
    maxUnavailable: String(u.maxUnavailable),
    drainTimeoutInMinutes: u.drainTimeoutMinutes,
    nodeSoakDurationInMinutes: u.soakMinutes,
  };
}

function agentPool(spec: ClusterSpec, p: PoolSpec, subnetId: pulumi.Input<string>): azure.types.input.containerservice.ManagedClusterAgentPoolProfileArgs {
  return {
    name: p.name,
    mode: p.system ? "System" : "User",
    type: "VirtualMachineScaleSets",
    vmSize: p.machineType,
    osType: "Linux",
    osSKU: "AzureLinux",
    osDiskSizeGB: p.diskSizeGb,
    osDiskType: "Managed",
    orchestratorVersion: spec.kubernetesVersion,
    availabilityZones: [...spec.zones],
    enableAutoScaling: true,
    minCount: p.minSize,
    maxCount: p.maxSize,
    count: Math.max(p.minSize, 1),
    enableEncryptionAtHost: true,
    enableNodePublicIP: false,
    vnetSubnetID: subnetId,
    nodeLabels: { ...p.labels },
    nodeTaints: p.taints.map((t) => `${t.key}=${t.value}:${t.effect}`),
    upgradeSettings: aksUpgradeSettings(p.upgrade),
  };
}
