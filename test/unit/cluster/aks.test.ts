/** ManagementCluster on AKS under mocks (the same adapter serves WorkloadCluster). */
import * as azure from "@pulumi/azure-native";
import type * as pulumi from "@pulumi/pulumi";
import { aksUserCredentials } from "../../../automation/plan/mock-cloud/clusters";
import { findAll, findOne, installMocks, settle, valueOf } from "../../support/mocks";

const cloud = installMocks({ stack: "eu-mgmt" });
// The AKS CA comes from an invoke the shared MockCloud does not route yet; answer it here.
const call = cloud.call.bind(cloud);
cloud.call = (a: pulumi.runtime.MockCallArgs) =>
  a.token === "azure-native:containerservice:listManagedClusterUserCredentials" ? aksUserCredentials(a.inputs) : call(a);

import { ClusterBaseline } from "../../../components/baseline";
import { AKS_AUDIT_CATEGORIES, AZURE_ROLES, ManagementCluster } from "../../../components/cluster";
import { claimResident, type RegistryHandle } from "../../../components/residency";
import { EU_AZURE_KEY, EU_AZURE_NETWORK } from "./fixtures";

const azureProvider = new azure.Provider("eu-mgmt-azure", { location: "westeurope" });
const cluster = new ManagementCluster(
  "mgmt",
  {
    domain: "eu",
    cloud: "azure",
    clusterName: "eu-mgmt",
    region: "westeurope",
    kubernetesVersion: "1.33",
    network: EU_AZURE_NETWORK,
    key: EU_AZURE_KEY,
    podCidr: "100.64.0.0/18",
    serviceCidr: "172.16.0.0/22",
    azure: { adminGroupObjectIds: ["00000000-0000-4000-8000-00000000ad01"] },
  },
  { providers: [azureProvider] },
);
const registry: RegistryHandle<"eu"> = claimResident("eu", { cloud: "azure" as const, region: "westeurope", imagePrefixes: ["meridianeu.azurecr.io/"] });
new ClusterBaseline("mgmt-baseline", { domain: "eu", provider: cluster.provider, clusterName: "eu-mgmt", clusterRole: "management", cloud: "azure", registries: [registry], storage: cluster.storage, groups: { platformOperators: ["eu-ops"] } });

beforeAll(settle);

const aks = () => findOne(cloud, "azure-native:containerservice:ManagedCluster").inputs as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

it("is a private cluster with Entra ID, Azure RBAC, no local accounts, Standard tier", () => {
  expect(aks().apiServerAccessProfile).toMatchObject({ enablePrivateCluster: true, enablePrivateClusterPublicFQDN: false, disableRunCommand: true });
  expect(aks().publicNetworkAccess).toBe("Disabled");
  expect(aks().aadProfile).toMatchObject({ managed: true, enableAzureRBAC: true, adminGroupObjectIDs: ["00000000-0000-4000-8000-00000000ad01"] });
  expect(aks().disableLocalAccounts).toBe(true);
  expect(aks().sku).toEqual({ name: "Base", tier: "Standard" });
  expect(aks().kubernetesVersion).toBe("1.33");
  expect(aks().autoUpgradeProfile.upgradeChannel).toBe("none");
});

it("encrypts etcd with Key Vault KMS over private access, with the versioned domain key", () => {
  expect(aks().securityProfile.azureKeyVaultKms).toEqual({
    enabled: true,
    keyId: EU_AZURE_KEY.keyUriWithVersion,
    keyVaultNetworkAccess: "Private",
    keyVaultResourceId: EU_AZURE_KEY.vaultId,
  });
  const assignments = findAll(cloud, "azure-native:authorization:RoleAssignment");
  const roles = assignments.map((a) => String(a.inputs.roleDefinitionId).split("/").pop());
  expect(roles).toEqual(expect.arrayContaining([AZURE_ROLES.keyVaultCryptoUser, AZURE_ROLES.keyVaultContributor, AZURE_ROLES.keyVaultCryptoServiceEncryptionUser, AZURE_ROLES.networkContributor]));
});

it("uses a disk encryption set with the domain key (rotating to latest) and encryption at host on every pool", () => {
  const des = findOne(cloud, "azure-native:compute:DiskEncryptionSet");
  expect(des.inputs).toMatchObject({ rotationToLatestKeyVersionEnabled: true, encryptionType: "EncryptionAtRestWithCustomerKey", activeKey: { keyUrl: EU_AZURE_KEY.keyUri, sourceVault: { id: EU_AZURE_KEY.vaultId } } });
  expect(aks().diskEncryptionSetID).toMatch(/diskEncryptionSets/);
  const pools = aks().agentPoolProfiles as Array<Record<string, unknown>>;
  expect(pools.map((p) => [p.name, p.mode])).toEqual([["system", "System"], ["platform", "User"]]);
  for (const p of pools) {
    expect(p).toMatchObject({ enableEncryptionAtHost: true, enableNodePublicIP: false, availabilityZones: ["1", "2", "3"], enableAutoScaling: true });
  }
  expect(pools[0].nodeTaints).toEqual(["CriticalAddonsOnly=true:NoSchedule"]);
  expect(pools[1].nodeLabels).toMatchObject({ "meridian.io/plane": "management" });
});

it("enables OIDC issuer, workload identity and Cilium network policy with the IPAM ranges", () => {
  expect(aks().oidcIssuerProfile).toEqual({ enabled: true });
  expect(aks().securityProfile.workloadIdentity).toEqual({ enabled: true });
  expect(aks().networkProfile).toMatchObject({ networkPolicy: "cilium", networkDataplane: "cilium", podCidr: "100.64.0.0/18", serviceCidr: "172.16.0.0/22", dnsServiceIP: "172.16.0.10" });
});

it("ships kube-audit, kube-audit-admin and guard logs to a workspace in the same region", () => {
  const ws = findOne(cloud, "azure-native:operationalinsights:Workspace");
  expect(ws.provider?.inputs.location).toBe("westeurope");
  const diag = findOne(cloud, "azure-native:monitor:DiagnosticSetting");
  expect(diag.inputs.logs).toEqual(AKS_AUDIT_CATEGORIES.map((category) => ({ category, enabled: true })));
  expect(String(diag.inputs.workspaceId)).toMatch(/Microsoft.OperationalInsights\/workspaces/);
});

it("exports a kubelogin kubeconfig (no local account), the issuer, and the management baseline through its own provider", async () => {
  const kc = JSON.parse(await valueOf(cluster.kubeconfig));
  expect(kc.users[0].user.exec).toMatchObject({ command: "kubelogin", args: expect.arrayContaining(["--login", "azurecli"]) });
  expect(kc.clusters[0].cluster.server).toMatch(/privatelink\.westeurope\.azmk8s\.io:443$/);
  expect(kc.clusters[0].cluster["certificate-authority-data"]).not.toBe("");
  expect(await valueOf(cluster.oidcIssuer)).toMatch(/^https:\/\/westeurope\.oic\.prod-aks\.azure\.com\//);
  for (const r of cloud.records.filter((x) => x.type.startsWith("kubernetes:"))) expect(r.providerRef).toContain("mgmt-k8s");
  const ns = findAll(cloud, "kubernetes:core/v1:Namespace").map((n) => (n.inputs.metadata as { name: string }).name);
  expect(ns).toEqual(expect.arrayContaining(["meridian-gitops", "meridian-policy", "meridian-lifecycle"]));
  // Management: operators bound per platform namespace, never cluster-wide; no team-developer persona.
  expect(findAll(cloud, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")).toHaveLength(0);
  expect(findAll(cloud, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").length).toBe(ns.length);
  const sc = findOne(cloud, "kubernetes:storage.k8s.io/v1:StorageClass");
  expect(sc.inputs.provisioner).toBe("disk.csi.azure.com");
  expect((sc.inputs.parameters as Record<string, string>).diskEncryptionSetID).toMatch(/diskEncryptionSets/);
  expect(JSON.stringify(sc.inputs.allowedTopologies)).toContain("westeurope-1");
});
