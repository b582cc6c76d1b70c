/**
 * Log Analytics under the domain key (Azure): a dedicated cluster in the cluster's region with
 * the domain's Key Vault key (versionless), the key reached through an identity granted on the
 * vault before the cluster exists, and the AKS audit workspace linked to it; without the
 * setting, no cluster and an output that says Microsoft-managed keys. Refusals: another cloud,
 * a capacity that is not a commitment tier, and the same through fleet.yaml.
 */
import * as azure from "@pulumi/azure-native";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { findAll, findOne, installMocks, settle, valueOf } from "../../support/mocks";

const cloud = installMocks({ stack: "eu-workload-azure" });

import { observabilitySettingsSchema } from "../../../automation/fleet/observability";
import { ClusterTelemetry, type ClusterTelemetryArgs } from "../../../components/observability";
import { workspaceParts } from "../../../components/observability/azure";
import { claimResident, DEFAULT_REGIONS } from "../../../components/residency";
import { EU_AWS_KEY, EU_AWS_NETWORK, EU_AWS_REGISTRY, EU_AZURE_KEY, EU_AZURE_NETWORK } from "../cluster/fixtures";

const WORKSPACE = "/subscriptions/s/resourceGroups/eu-aks-rg/providers/Microsoft.OperationalInsights/workspaces/eu-wl-logs1234";
const REGISTRY = claimResident("eu", { cloud: "azure" as const, region: "westeurope", imagePrefixes: ["eumeridian.azurecr.io/meridian/eu/"] });
const provider = new azure.Provider("eu-azure", { location: "westeurope" });

function telemetry(name: string, over: Partial<ClusterTelemetryArgs<"eu">> = {}): ClusterTelemetry<"eu"> {
  const cluster = { domain: "eu" as const, clusterName: pulumi.output(name), oidcIssuer: pulumi.output(`https://oidc.example/${name}`), provider: new k8s.Provider(`${name}-k8s`, { kubeconfig: "{}", clusterIdentifier: `meridian:eu:${name}` }) };
  return new ClusterTelemetry(
    name,
    { domain: "eu", cloud: "azure", region: "westeurope", clusterName: name, cluster, key: EU_AZURE_KEY, registry: REGISTRY, network: EU_AZURE_NETWORK, allowlist: DEFAULT_REGIONS, ...over },
    { providers: [provider] },
  );
}

const mine = (type: string, prefix: string) => findAll(cloud, type).filter((r) => r.name.startsWith(prefix));

describe("Log Analytics CMK (Azure)", () => {
  it("a dedicated cluster in the region under the domain key, the key granted first, the audit workspace linked", async () => {
    const t = telemetry("eu-cmk", { logAnalyticsCmk: { capacityGbPerDay: 100, workspaceIds: [WORKSPACE] } });
    const summary = (await valueOf(pulumi.output(t.backend))) as unknown as { logAnalyticsEncryption: { cluster: string; key: string; capacityGbPerDay: number } };
    await settle();
    const [c] = mine("azure-native:operationalinsights:Cluster", "eu-cmk");
    expect(c!.inputs.location).toBe("westeurope");
    expect(c!.inputs.resourceGroupName).toBe(EU_AZURE_NETWORK.resourceGroupName);
    expect(c!.inputs.sku).toEqual({ name: "CapacityReservation", capacity: 100 });
    expect(c!.inputs.keyVaultProperties).toEqual({ keyVaultUri: EU_AZURE_KEY.vaultUri, keyName: EU_AZURE_KEY.keyName, keyVersion: "" });
    expect(c!.inputs.isDoubleEncryptionEnabled).toBe(true);
    const identity = findOne(cloud, "azure-native:managedidentity:UserAssignedIdentity", "eu-cmk-la-key-identity");
    expect(c!.inputs.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: [identity.state.id] });
    const grant = findOne(cloud, "azure-native:authorization:RoleAssignment", "eu-cmk-la-key-access");
    expect(grant.inputs.scope).toBe(EU_AZURE_KEY.vaultId);
    expect(grant.inputs.principalId).toBe(identity.state.principalId);
    expect(String(grant.inputs.roleDefinitionId)).toMatch(/\/roleDefinitions\/e147488a-f6f5-4113-8e2d-b22465e65bf6$/); // Key Vault Crypto Service Encryption User
    const [link] = mine("azure-native:operationalinsights:LinkedService", "eu-cmk");
    expect(link!.inputs).toEqual({ resourceGroupName: "eu-aks-rg", workspaceName: "eu-wl-logs1234", linkedServiceName: "cluster", writeAccessResourceId: c!.state.id });
    expect(summary.logAnalyticsEncryption).toMatchObject({ cluster: c!.state.id, key: EU_AZURE_KEY.keyUri, capacityGbPerDay: 100 });
  });

  it("without the setting: no dedicated cluster, and the output says Microsoft-managed keys", async () => {
    const t = telemetry("eu-plain");
    const summary = (await valueOf(pulumi.output(t.backend))) as unknown as { logAnalyticsEncryption: string };
    await settle();
    expect(mine("azure-native:operationalinsights:Cluster", "eu-plain")).toEqual([]);
    expect(mine("azure-native:operationalinsights:LinkedService", "eu-plain")).toEqual([]);
    expect(summary.logAnalyticsEncryption).toMatch(/^Microsoft-managed keys/);
  });

  it("refuses a capacity that is not a commitment tier, and Log Analytics CMK on another cloud", () => {
    const reasons = (over: Partial<ClusterTelemetryArgs<"eu">>, name: string): string[] => {
      try {
        telemetry(name, over);
      } catch (e) {
        return ((e as { errors?: Array<{ propertyPath: string; reason: string }> }).errors ?? []).map((p) => `${p.propertyPath}: ${p.reason}`);
      }
      return [];
    };
    expect(reasons({ logAnalyticsCmk: { capacityGbPerDay: 150, workspaceIds: [] } }, "eu-bad")).toEqual([
      "logAnalyticsCmk.capacityGbPerDay: must be a commitment tier (100, 200, 300, 400, 500, 1000, 2000, 5000, 10000, 25000, 50000 GB a day), got 150",
    ]);
    expect(
      reasons({ cloud: "aws", region: "eu-central-1", key: EU_AWS_KEY, registry: EU_AWS_REGISTRY, network: EU_AWS_NETWORK, logAnalyticsCmk: { capacityGbPerDay: 100, workspaceIds: [] } }, "eu-aws"),
    ).toEqual(["logAnalyticsCmk: Log Analytics is Azure's; a aws cluster has none"]);
  });

  it("fleet.yaml observability.<domain>.logAnalyticsCmk takes a commitment tier only", () => {
    expect(observabilitySettingsSchema.parse({ eu: { logAnalyticsCmk: { capacityGbPerDay: 500 } } }).eu?.logAnalyticsCmk).toEqual({ capacityGbPerDay: 500 });
    const bad = observabilitySettingsSchema.safeParse({ eu: { logAnalyticsCmk: { capacityGbPerDay: 50 } } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(["eu", "logAnalyticsCmk", "capacityGbPerDay"]);
    expect(observabilitySettingsSchema.parse({ eu: {} }).eu?.logAnalyticsCmk).toBeUndefined();
  });

  it("reads a workspace id's group and name, and refuses anything else", () => {
    expect(workspaceParts(WORKSPACE)).toEqual({ resourceGroupName: "eu-aks-rg", workspaceName: "eu-wl-logs1234" });
    expect(() => workspaceParts("/subscriptions/s/resourceGroups/x/providers/Microsoft.Storage/storageAccounts/y")).toThrow(/not a Log Analytics workspace id/);
  });
});
