/** WorkloadCluster on GKE under mocks. */
import * as gcp from "@pulumi/gcp";
import { findAll, findOne, installMocks, settle, valueOf } from "../../support/mocks";

const cloud = installMocks({ stack: "eu-workload-gcp" });

import { WorkloadCluster } from "../../../components/cluster";
import { EU_GCP_KEY, EU_GCP_NETWORK } from "./fixtures";

const gcpProvider = new gcp.Provider("eu-workload-gcp-gcp", { project: "meridian-eu-prod", region: "europe-west1" });
const cluster = new WorkloadCluster(
  "wl",
  {
    domain: "eu",
    cloud: "gcp",
    clusterName: "eu-workload-gcp",
    region: "europe-west1",
    kubernetesVersion: "1.33",
    network: EU_GCP_NETWORK,
    key: EU_GCP_KEY,
    podCidr: "100.64.128.0/18",
    serviceCidr: "172.16.8.0/22",
    workloadPools: [{ name: "general" }, { name: "batch", taints: [{ key: "meridian.io/batch", value: "true", effect: "NoSchedule" }] }],
  },
  { providers: [gcpProvider] },
);

beforeAll(settle);

const gke = () => findOne(cloud, "gcp:container/cluster:Cluster").inputs as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

it("is regional across the zones, VPC-native with the IPAM ranges, version pinned", () => {
  expect(gke().location).toBe("europe-west1");
  expect(gke().nodeLocations).toEqual(["europe-west1-b", "europe-west1-c", "europe-west1-d"]);
  expect(gke().ipAllocationPolicy).toMatchObject({ clusterIpv4CidrBlock: "100.64.128.0/18", servicesIpv4CidrBlock: "172.16.8.0/22" });
  expect(gke().minMasterVersion).toBe("1.33");
  expect(gke().removeDefaultNodePool).toBe(true);
});

it("has private nodes and a private endpoint, with master authorized networks (no Google public CIDRs)", () => {
  expect(gke().privateClusterConfig).toMatchObject({ enablePrivateNodes: true, enablePrivateEndpoint: true });
  expect(gke().privateClusterConfig.masterIpv4CidrBlock).toMatch(/^172\.31\.\d+\.\d+\/28$/);
  expect(gke().masterAuthorizedNetworksConfig).toMatchObject({
    cidrBlocks: [{ cidrBlock: "10.2.0.0/16", displayName: "authorized-0" }],
    gcpPublicCidrsAccessEnabled: false,
    privateEndpointEnforcementEnabled: true,
  });
  expect(gke().masterAuth).toEqual({ clientCertificateConfig: { issueClientCertificate: false } });
});

it("encrypts secrets at the application layer with the domain key in the cluster's region, and grants the service agent", () => {
  expect(gke().databaseEncryption).toEqual({ state: "ENCRYPTED", keyName: EU_GCP_KEY.cryptoKeyId });
  expect(String(EU_GCP_KEY.cryptoKeyId)).toContain("/locations/europe-west1/");
  const grants = findAll(cloud, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
  expect(grants.map((g) => g.inputs.member).sort()).toEqual([
    "serviceAccount:service-987654321098@compute-system.iam.gserviceaccount.com",
    "serviceAccount:service-987654321098@container-engine-robot.iam.gserviceaccount.com",
    // The Logging service agent: the cluster's log bucket is CMEK-encrypted (gke-logs.test.ts).
    "serviceAccount:service-987654321098@gcp-sa-logging.iam.gserviceaccount.com",
  ]);
  for (const g of grants) expect(g.inputs).toMatchObject({ cryptoKeyId: EU_GCP_KEY.cryptoKeyId, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter" });
});

it("enables Workload Identity, Dataplane V2, enforced Binary Authorization, shielded nodes", () => {
  expect(gke().workloadIdentityConfig).toEqual({ workloadPool: "meridian-eu-prod.svc.id.goog" });
  expect(gke().datapathProvider).toBe("ADVANCED_DATAPATH");
  expect(gke().binaryAuthorization).toEqual({ evaluationMode: "PROJECT_SINGLETON_POLICY_ENFORCE" });
  expect(gke().enableShieldedNodes).toBe(true);
});

it("node pools: CMEK boot disks, GKE metadata server, shielded, dedicated SA, system pool tainted, autoscaling bounds", () => {
  const pools = findAll(cloud, "gcp:container/nodePool:NodePool");
  expect(pools.map((p) => p.inputs.name).sort()).toEqual(["batch", "general", "system"]);
  for (const p of pools) {
    const nc = p.inputs.nodeConfig as Record<string, unknown>;
    expect(nc.bootDiskKmsKey).toBe(EU_GCP_KEY.cryptoKeyId);
    expect(nc.workloadMetadataConfig).toEqual({ mode: "GKE_METADATA" });
    expect(nc.shieldedInstanceConfig).toEqual({ enableSecureBoot: true, enableIntegrityMonitoring: true });
    expect(nc.serviceAccount).toMatch(/^eu-workload-gcp-nodes@meridian-eu-prod\.iam\.gserviceaccount\.com$/);
    expect(p.inputs.management).toEqual({ autoRepair: true, autoUpgrade: false });
  }
  const system = pools.find((p) => p.inputs.name === "system")!;
  expect((system.inputs.nodeConfig as { taints: unknown }).taints).toEqual([{ key: "CriticalAddonsOnly", value: "true", effect: "NO_SCHEDULE" }]);
  expect(system.inputs.autoscaling).toMatchObject({ minNodeCount: 2, maxNodeCount: 3 });
  // The default pool that boots once also has a CMEK disk and the metadata server.
  expect(gke().nodeConfig).toMatchObject({ bootDiskKmsKey: EU_GCP_KEY.cryptoKeyId, workloadMetadataConfig: { mode: "GKE_METADATA" } });
});

it("keeps every GCP resource in the EU project and region provider", () => {
  const records = cloud.records.filter((r) => r.type.startsWith("gcp:"));
  for (const r of records) expect(r.provider?.inputs).toMatchObject({ project: "meridian-eu-prod", region: "europe-west1" });
});

it("outputs an exec kubeconfig (gke-gcloud-auth-plugin) and a provider named for the EU cluster", async () => {
  const kc = JSON.parse(await valueOf(cluster.kubeconfig));
  expect(kc.users[0].user.exec.command).toBe("gke-gcloud-auth-plugin");
  expect(kc.clusters[0].cluster.server).toMatch(/^https:\/\/172\.31\./);
  expect(findOne(cloud, "pulumi:providers:kubernetes").inputs.clusterIdentifier).toBe("meridian:eu:eu-workload-gcp");
  expect(await valueOf(cluster.oidcIssuer)).toBe("https://container.googleapis.com/v1/projects/meridian-eu-prod/locations/europe-west1/clusters/eu-workload-gcp");
});
