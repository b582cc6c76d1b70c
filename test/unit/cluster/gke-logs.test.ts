/** GKE control-plane and audit logs land in an in-region, CMEK log bucket with the configured retention — not in the global _Default bucket. */
import * as gcp from "@pulumi/gcp";
import { findOne, installMocks, settle } from "../../support/mocks";

const cloud = installMocks({ stack: "eu-workload-gcp" });

import { WorkloadCluster } from "../../../components/cluster";
import { clusterLogFilter } from "../../../components/cluster/gke";
import { EU_GCP_KEY, EU_GCP_NETWORK } from "./fixtures";

new WorkloadCluster(
  "wl",
  {
    domain: "eu",
    cloud: "gcp",
    clusterName: "eu-workload-gcp",
    region: "europe-west1",
    kubernetesVersion: "1.33",
    network: EU_GCP_NETWORK,
    key: EU_GCP_KEY,
    podCidr: "100.64.0.0/18",
    serviceCidr: "172.16.0.0/22",
    logRetentionDays: 400,
  },
  { providers: [new gcp.Provider("p", { project: "meridian-eu-prod", region: "europe-west1" })] },
);

beforeAll(settle);

describe("GKE cluster logs", () => {
  const filter = clusterLogFilter("eu-workload-gcp", "europe-west1");

  it("a log bucket in the cluster's region, with the configured retention and the domain key", () => {
    const bucket = findOne(cloud, "gcp:logging/projectBucketConfig:ProjectBucketConfig");
    expect(bucket.inputs).toMatchObject({ location: "europe-west1", retentionDays: 400, cmekSettings: { kmsKeyName: EU_GCP_KEY.cryptoKeyId } });
    const grant = findOne(cloud, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "kms-logging");
    expect(grant.inputs.cryptoKeyId).toBe(EU_GCP_KEY.cryptoKeyId);
    expect(String(grant.inputs.member)).toMatch(/^serviceAccount:service-\d+@gcp-sa-logging\.iam\.gserviceaccount\.com$/);
  });

  it("a sink routes the control-plane and audit logs of this cluster there", () => {
    const bucket = findOne(cloud, "gcp:logging/projectBucketConfig:ProjectBucketConfig");
    const sink = findOne(cloud, "gcp:logging/projectSink:ProjectSink");
    expect(sink.inputs.filter).toBe(filter);
    expect(sink.inputs.destination).toBe(`logging.googleapis.com/projects/${String(bucket.inputs.project)}/locations/europe-west1/buckets/${String(bucket.inputs.bucketId)}`);
    expect(filter).toContain('"k8s_control_plane_component"');
    expect(filter).toContain('"k8s_cluster"'); // Kubernetes audit logs
    expect(filter).toContain('resource.labels.cluster_name="eu-workload-gcp"');
  });

  it("the same logs are excluded from the _Default sink (its bucket is global)", () => {
    expect(findOne(cloud, "gcp:logging/projectExclusion:ProjectExclusion").inputs.filter).toBe(filter);
  });

  it("the control plane still emits its components' logs", () => {
    const gke = findOne(cloud, "gcp:container/cluster:Cluster");
    expect((gke.inputs.loggingConfig as { enableComponents: string[] }).enableComponents).toEqual(expect.arrayContaining(["APISERVER", "CONTROLLER_MANAGER", "SCHEDULER"]));
  });
});
