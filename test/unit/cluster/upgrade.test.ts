/**
 * Node-pool upgrade settings on all three clouds (surge, unavailability, drain, soak — never a
 * force-drain) and `runningVersion` read back through each cloud's cluster data source.
 */
import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native";
import * as gcp from "@pulumi/gcp";
import type * as pulumi from "@pulumi/pulumi";
import { findAll, installMocks, settle, valueOf } from "../../support/mocks";

const cloud = installMocks({ stack: "eu-upgrade" });
const invokes: pulumi.runtime.MockCallArgs[] = [];
const call = cloud.call.bind(cloud);
cloud.call = (a: pulumi.runtime.MockCallArgs) => {
  invokes.push(a);
  return call(a);
};

import { clusterSettings } from "../../../automation/fleet/schema";
import { settleUpgrade, validateUpgrade, WorkloadCluster, type NodePoolArgs } from "../../../components/cluster";
import { EU_AWS_KEY, EU_AWS_NETWORK, EU_AZURE_KEY, EU_AZURE_NETWORK, EU_GCP_KEY, EU_GCP_NETWORK } from "./fixtures";

const base = { domain: "eu" as const, kubernetesVersion: "1.33", podCidr: "100.64.0.0/18", serviceCidr: "172.16.0.0/22" };
const eks = new WorkloadCluster(
  "eks",
  {
    ...base,
    cloud: "aws",
    clusterName: "eu-up-aws",
    region: "eu-central-1",
    network: EU_AWS_NETWORK,
    key: EU_AWS_KEY,
    workloadPools: [{ name: "general" }, { name: "batch", upgrade: { maxUnavailable: "25%" } }],
  },
  { providers: [new aws.Provider("eu-up-aws", { region: "eu-central-1" })] },
);
const aks = new WorkloadCluster(
  "aks",
  {
    ...base,
    cloud: "azure",
    clusterName: "eu-up-azure",
    region: "westeurope",
    network: EU_AZURE_NETWORK,
    key: EU_AZURE_KEY,
    workloadPools: [{ name: "general" }, { name: "batch", upgrade: { maxSurge: 2, drainTimeoutMinutes: 60, soakMinutes: 5 } }],
  },
  { providers: [new azure.Provider("eu-up-azure", { location: "westeurope" })] },
);
const gke = new WorkloadCluster(
  "gke",
  {
    ...base,
    cloud: "gcp",
    clusterName: "eu-up-gcp",
    region: "europe-west1",
    network: EU_GCP_NETWORK,
    key: EU_GCP_KEY,
    workloadPools: [{ name: "general" }, { name: "batch", upgrade: { strategy: "blue-green", soakMinutes: 20 } }],
  },
  { providers: [new gcp.Provider("eu-up-gcp", { project: "meridian-eu-prod", region: "europe-west1" })] },
);

beforeAll(settle);

function byName<T extends { inputs: Record<string, unknown> }>(rs: T[], key: string, value: string): T {
  const found = rs.find((r) => r.inputs[key] === value);
  if (found === undefined) throw new Error(`no resource with ${key}=${value}`);
  return found;
}

describe("EKS node groups", () => {
  const groups = () => findAll(cloud, "aws:eks/nodeGroup:NodeGroup");
  it("default to one node unavailable, never force past a PDB", () => {
    for (const name of ["system", "general"]) {
      const g = byName(groups(), "nodeGroupName", name);
      expect(g.inputs.updateConfig).toEqual({ maxUnavailable: 1 });
      expect(g.inputs.forceUpdateVersion).toBe(false);
    }
  });
  it("take a percentage as maxUnavailablePercentage", () => {
    expect(byName(groups(), "nodeGroupName", "batch").inputs.updateConfig).toEqual({ maxUnavailablePercentage: 25 });
  });
});

describe("AKS agent pools", () => {
  const pools = () => findAll(cloud, "azure-native:containerservice:ManagedCluster")[0].inputs.agentPoolProfiles as Array<Record<string, unknown>>;
  it("default to surge 33% with none unavailable, a 30-minute PDB-honouring drain and no soak", () => {
    for (const name of ["system", "general"]) {
      expect(pools().find((p) => p.name === name)!.upgradeSettings).toEqual({ maxSurge: "33%", maxUnavailable: "0", drainTimeoutInMinutes: 30, nodeSoakDurationInMinutes: 0 });
    }
  });
  it("carry the pool's own surge, drain timeout and soak, and never set a force-drain behaviour", () => {
    const batch = pools().find((p) => p.name === "batch")!.upgradeSettings as Record<string, unknown>;
    expect(batch).toEqual({ maxSurge: "2", maxUnavailable: "0", drainTimeoutInMinutes: 60, nodeSoakDurationInMinutes: 5 });
    expect(batch).not.toHaveProperty("undrainableNodeBehavior");
  });
});

describe("GKE node pools", () => {
  const pools = () => findAll(cloud, "gcp:container/nodePool:NodePool");
  it("default to surge 1 / unavailable 0", () => {
    expect(byName(pools(), "name", "general").inputs.upgradeSettings).toEqual({ strategy: "SURGE", maxSurge: 1, maxUnavailable: 0 });
    expect(byName(pools(), "name", "system").inputs.upgradeSettings).toEqual({ strategy: "SURGE", maxSurge: 1, maxUnavailable: 0 });
  });
  it("run blue-green with the batch and pool soak from soakMinutes", () => {
    expect(byName(pools(), "name", "batch").inputs.upgradeSettings).toEqual({
      strategy: "BLUE_GREEN",
      blueGreenSettings: { standardRolloutPolicy: { batchPercentage: 0.25, batchSoakDuration: "1200s" }, nodePoolSoakDuration: "1200s" },
    });
  });
});

describe("runningVersion", () => {
  it("is read from each cloud's cluster data source, by the cluster's own name, as a minor", async () => {
    expect(await valueOf(eks.runningVersion)).toBe("1.33");
    expect(await valueOf(aks.runningVersion)).toBe("1.33"); // the data source says 1.33.4
    expect(await valueOf(gke.runningVersion)).toBe("1.33"); // the data source says 1.33.1-gke.100
    const asked = (token: string) => invokes.filter((i) => i.token === token).map((i) => i.inputs);
    expect(asked("aws:eks/getCluster:getCluster")).toEqual([expect.objectContaining({ name: "eu-up-aws" })]);
    expect(asked("azure-native:containerservice:getManagedCluster")).toEqual([expect.objectContaining({ resourceName: "eu-up-azure" })]);
    expect(asked("gcp:container/getCluster:getCluster")).toEqual([expect.objectContaining({ name: "eu-up-gcp", location: "europe-west1", project: "meridian-eu-prod" })]);
  });
});

describe("settings a cloud cannot honour are refused, not ignored", () => {
  const problems = (c: "aws" | "azure" | "gcp", u: NodePoolArgs["upgrade"]) => validateUpgrade(c, "workloadPools[0]", u).map((p) => `${p.propertyPath}: ${p.reason}`);
  it("EKS: no surge, drain timeout, soak or blue-green; at least one unavailable", () => {
    expect(problems("aws", { maxSurge: 1 })).toEqual([expect.stringMatching(/^workloadPools\[0\]\.upgrade\.maxSurge: EKS managed node groups surge by themselves/)]);
    expect(problems("aws", { drainTimeoutMinutes: 10 })[0]).toMatch(/drainTimeoutMinutes: EKS has a fixed 15-minute eviction wait/);
    expect(problems("aws", { soakMinutes: 5 })[0]).toMatch(/soakMinutes/);
    expect(problems("aws", { strategy: "blue-green" })[0]).toMatch(/strategy/);
    expect(problems("aws", { maxUnavailable: 0 })[0]).toMatch(/maxUnavailable: EKS needs at least 1/);
    expect(problems("aws", { maxUnavailable: "100%" })).toEqual([]);
  });
  it("AKS: soak at most 30 minutes, no blue-green, surge and unavailable not both 0", () => {
    expect(problems("azure", { soakMinutes: 31 })[0]).toMatch(/soakMinutes: AKS allows a node soak of 0–30 minutes/);
    expect(problems("azure", { strategy: "blue-green" })[0]).toMatch(/strategy/);
    expect(problems("azure", { maxSurge: 0 })[0]).toMatch(/cannot both be 0/);
    expect(problems("azure", { maxSurge: 0, maxUnavailable: 1 })).toEqual([]);
    expect(problems("azure", { maxSurge: "150%" })[0]).toMatch(/at most 100%/);
  });
  it("GKE: counts only, no drain timeout, soak only with blue-green", () => {
    expect(problems("gcp", { maxSurge: "50%" })[0]).toMatch(/maxSurge: GKE takes a node count/);
    expect(problems("gcp", { drainTimeoutMinutes: 10 })[0]).toMatch(/drainTimeoutMinutes: GKE has no drain timeout/);
    expect(problems("gcp", { soakMinutes: 10 })[0]).toMatch(/soakMinutes: on GKE a soak applies to the blue-green strategy only/);
    expect(problems("gcp", { strategy: "blue-green", soakMinutes: 10 })).toEqual([]);
  });
  it("a refused setting stops the component with its property path", () => {
    expect(
      () =>
        new WorkloadCluster("bad", {
          ...base,
          cloud: "aws",
          clusterName: "eu-bad",
          region: "eu-central-1",
          network: EU_AWS_NETWORK,
          key: EU_AWS_KEY,
          workloadPools: [{ name: "general", upgrade: { drainTimeoutMinutes: 5 } }],
        }),
    ).toThrow(/invalid arguments/);
  });
  it("defaults keep capacity where the cloud allows (EKS's minimum is one node)", () => {
    expect(settleUpgrade("aws", undefined)).toEqual({ maxUnavailable: 1, strategy: "surge" });
    expect(settleUpgrade("azure", undefined)).toMatchObject({ maxSurge: "33%", maxUnavailable: 0 });
    expect(settleUpgrade("gcp", undefined)).toMatchObject({ maxSurge: 1, maxUnavailable: 0 });
  });
});

describe("meridian:cluster pool upgrade config", () => {
  const parse = (upgrade: unknown) => clusterSettings.safeParse({ slot: 1, workloadPools: [{ name: "general", upgrade }] });
  it("accepts counts and percentages and names the bad key", () => {
    expect(parse({ maxSurge: "33%", maxUnavailable: 0, drainTimeoutMinutes: 45 }).success).toBe(true);
    const bad = parse({ maxSurge: "a lot" });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0].path).toEqual(["workloadPools", 0, "upgrade", "maxSurge"]);
    expect(parse({ force: true }).success).toBe(false); // no force-drain switch exists
    expect(clusterSettings.safeParse({ slot: 1, systemPool: { upgrade: { drainTimeoutMinutes: 0 } } }).success).toBe(false);
  });
});
