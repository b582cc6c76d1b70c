/** AKS pulls from the domain ACR: its own kubelet identity, granted AcrPull on that registry only. */
import * as azure from "@pulumi/azure-native";
import type * as pulumi from "@pulumi/pulumi";
import { aksUserCredentials } from "../../../automation/plan/mock-cloud/clusters";
import { findAll, findOne, installMocks, settle } from "../../support/mocks";

const cloud = installMocks({ stack: "eu-workload-azure" });
const call = cloud.call.bind(cloud);
cloud.call = (a: pulumi.runtime.MockCallArgs) =>
  a.token === "azure-native:containerservice:listManagedClusterUserCredentials" ? aksUserCredentials(a.inputs) : call(a);

import { AZURE_ROLES, WorkloadCluster, validateClusterArgs, type ClusterArgs } from "../../../components/cluster";
import { claimResident, type RegistryHandle } from "../../../components/residency";
import { EU_AZURE_KEY, EU_AZURE_NETWORK } from "./fixtures";

const ACR_ID = "/subscriptions/s/resourceGroups/eu-kms/providers/Microsoft.ContainerRegistry/registries/meridianeu";
const registry: RegistryHandle<"eu"> = claimResident("eu", { cloud: "azure" as const, region: "westeurope", imagePrefixes: ["meridianeu.azurecr.io/"], registryId: ACR_ID });
const args: ClusterArgs<"eu"> = {
  domain: "eu",
  cloud: "azure",
  clusterName: "eu-workload-azure",
  region: "westeurope",
  kubernetesVersion: "1.33",
  network: EU_AZURE_NETWORK,
  key: EU_AZURE_KEY,
  registry,
  podCidr: "100.64.0.0/18",
  serviceCidr: "172.16.0.0/22",
};
new WorkloadCluster("wl", args, { providers: [new azure.Provider("p-az", { location: "westeurope" })] });

beforeAll(settle);

describe("AKS kubelet identity and AcrPull", () => {
  const roleId = (id: string) => expect.stringMatching(new RegExp(`/providers/Microsoft.Authorization/roleDefinitions/${id}$`));

  it("brings its own kubelet identity into the cluster", () => {
    const kubelet = findOne(cloud, "azure-native:managedidentity:UserAssignedIdentity", "wl-kubelet");
    const aks = findOne(cloud, "azure-native:containerservice:ManagedCluster").inputs as { identityProfile: { kubeletidentity: Record<string, string> } };
    expect(aks.identityProfile.kubeletidentity).toEqual({ resourceId: kubelet.state.id, clientId: kubelet.state.clientId, objectId: kubelet.state.principalId });
  });

  it("grants the kubelet AcrPull on the domain ACR, and nothing else", () => {
    const kubelet = findOne(cloud, "azure-native:managedidentity:UserAssignedIdentity", "wl-kubelet");
    const grants = findAll(cloud, "azure-native:authorization:RoleAssignment").filter((g) => g.inputs.principalId === kubelet.state.principalId);
    expect(grants).toHaveLength(1);
    expect(grants[0].inputs).toMatchObject({ scope: ACR_ID, principalType: "ServicePrincipal", roleDefinitionId: roleId(AZURE_ROLES.acrPull) });
  });

  it("lets the control-plane identity operate the kubelet identity (Managed Identity Operator on it only)", () => {
    const kubelet = findOne(cloud, "azure-native:managedidentity:UserAssignedIdentity", "wl-kubelet");
    const operator = findOne(cloud, "azure-native:authorization:RoleAssignment", "wl-identity-kubelet");
    expect(operator.inputs).toMatchObject({ scope: kubelet.state.id, roleDefinitionId: roleId(AZURE_ROLES.managedIdentityOperator) });
    const control = findOne(cloud, "azure-native:managedidentity:UserAssignedIdentity", "wl-identity");
    expect(operator.inputs.principalId).toBe(control.state.principalId);
  });

  it("refuses another domain's registry and an ACR handle without its id", () => {
    const us: RegistryHandle<"us"> = claimResident("us", { cloud: "azure" as const, region: "eastus", imagePrefixes: ["meridianus.azurecr.io/"], registryId: "x" });
    const paths = (registry: RegistryHandle<"eu">) => validateClusterArgs({ ...args, registry }, "workload").map((p) => p.propertyPath);
    expect(paths(us as unknown as RegistryHandle<"eu">)).toContain("registry");
    expect(paths(claimResident("eu", { cloud: "azure" as const, region: "westeurope", imagePrefixes: ["meridianeu.azurecr.io/"] }))).toContain("registry.registryId");
  });
});
