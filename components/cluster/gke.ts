/**
 * GKE adapter. Secure by default: regional, private nodes and private endpoint, master
 * authorized networks, application-layer secrets encryption with the domain key (in the
 * cluster's region) plus the GKE service agent's grant on it, Workload Identity with the
 * GKE metadata server, Dataplane V2 (network policy built in), Binary Authorization
 * enforced, shielded nodes with CMEK boot disks, a minimal node service account, and
 * control-plane and audit logs in an in-region, CMEK log bucket with the configured retention.
 */
import * as gcp from "../sdk/gcp";
import * as pulumi from "@pulumi/pulumi";
import { execKubeconfig, minorOf, type AdapterResult, type ClusterSpec, type PoolSpec, type UpgradeSpec } from "./spec";

function cryptoKeyId(spec: ClusterSpec): pulumi.Input<string> {
  if (spec.key.cloud !== "gcp") throw new Error("GKE needs a GCP key");
  return spec.key.cryptoKeyId;
}

const lower = (tags: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(tags).map(([k, v]) => [k.toLowerCase().replace(/[^a-z0-9_-]/g, "_"), v.toLowerCase().replace(/[^a-z0-9_-]/g, "_")]));

/** The control plane's /28, derived from the cluster name when not given (stable, inside 172.31.0.0/16). */
export function defaultMasterCidr(clusterName: string): string {
  let h = 0;
  for (const c of clusterName) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const block = h % 4096; // 4096 /28s in a /16
  return `172.31.${block >> 4}.${(block & 15) * 16}/28`;
}

const NODE_ROLES = ["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/monitoring.viewer", "roles/artifactregistry.reader"];

export function createGke(name: string, spec: ClusterSpec, parent: pulumi.Resource): AdapterResult {
  const o = { parent };
  const project = gcp.organizations.getProjectOutput({}, o);
  const labels = lower(spec.tags);

  // The GKE and Compute service agents must be able to use the key (secrets; boot disks).
  const keyGrants = ["container-engine-robot", "compute-system"].map(
    (agent) =>
      new gcp.kms.CryptoKeyIAMMember(
        `${name}-kms-${agent}`,
        {
          cryptoKeyId: cryptoKeyId(spec),
          role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
          member: pulumi.interpolate`serviceAccount:service-${project.number}@${agent}.iam.gserviceaccount.com`,
        },
        o,
      ),
  );

  // Nodes never run as the default compute SA (Editor); this one can only log, report metrics and pull.
  const nodeSa = new gcp.serviceaccount.Account(
    `${name}-nodeSa`,
    { accountId: `${spec.clusterName}-nodes`.slice(0, 30).replace(/-$/, ""), displayName: `meridian ${spec.clusterName} nodes` },
    o,
  );
  const saGrants = NODE_ROLES.map(
    (r) => new gcp.projects.IAMMember(`${name}-nodeSa-${r.split("/")[1]}`, { project: project.apply((p) => p.projectId ?? ""), role: r, member: nodeSa.member }, o),
  );

  const cluster = new gcp.container.Cluster(
    `${name}-gkeCluster`,
    {
      name: spec.clusterName,
      location: spec.region, // regional control plane
      nodeLocations: [...spec.zones],
      network: spec.network.networkId,
      subnetwork: pulumi.output(spec.network.privateSubnetIds).apply((s) => s[0]),
      minMasterVersion: spec.kubernetesVersion,
      // Versions are pinned by config; the channel only supplies patches.
      releaseChannel: { channel: "UNSPECIFIED" },
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      deletionProtection: spec.deletionProtection,
      networkingMode: "VPC_NATIVE",
      ipAllocationPolicy: { clusterIpv4CidrBlock: spec.podCidr, servicesIpv4CidrBlock: spec.serviceCidr, stackType: "IPV4" },
      privateClusterConfig: {
        enablePrivateNodes: true,
        enablePrivateEndpoint: !spec.publicEndpoint,
        masterIpv4CidrBlock: spec.gcp.masterCidr ?? defaultMasterCidr(spec.clusterName),
        masterGlobalAccessConfig: { enabled: false },
      },
      masterAuthorizedNetworksConfig: {
        cidrBlocks: spec.authorizedCidrs.map((c, i) => ({ cidrBlock: c, displayName: `authorized-${i}` })),
        gcpPublicCidrsAccessEnabled: false,
        privateEndpointEnforcementEnabled: !spec.publicEndpoint,
      },
      // No basic auth, no client certificate.
      masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
      databaseEncryption: { state: "ENCRYPTED", keyName: cryptoKeyId(spec) },
      workloadIdentityConfig: { workloadPool: pulumi.interpolate`${project.projectId}.svc.id.goog` },
      datapathProvider: "ADVANCED_DATAPATH", // Dataplane V2: NetworkPolicy enforced by Cilium
      binaryAuthorization: { evaluationMode: "PROJECT_SINGLETON_POLICY_ENFORCE" },
      enableShieldedNodes: true,
      enableLegacyAbac: false,
      loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"] },
      securityPostureConfig: { mode: "BASIC", vulnerabilityMode: "VULNERABILITY_BASIC" },
      ...(spec.gcp.rbacSecurityGroup ? { authenticatorGroupsConfig: { securityGroup: spec.gcp.rbacSecurityGroup } } : {}),
      resourceLabels: labels,
      // The throwaway default pool still boots once: make it meet the same bar.
      nodeConfig: {
        serviceAccount: nodeSa.email,
        bootDiskKmsKey: cryptoKeyId(spec),
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        workloadMetadataConfig: { mode: "GKE_METADATA" },
        oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
      },
    },
    {
      parent,
      dependsOn: [...keyGrants, ...saGrants],
      // nodeConfig only shapes the default pool, which is removed right after creation.
      // https://www.pulumi.com/registry/packages/gcp/api-docs/container/cluster/#example-usage---with-a-separately-managed-node-pool-recommended
      ignoreChanges: ["nodeConfig"],
    },
  );

  const pools = [spec.systemPool, ...spec.workloadPools].map((p) => nodePool(name, spec, p, cluster, nodeSa, labels, o));
  createClusterLogBucket(name, spec, project, o);

  const kubeconfig = pulumi.all([cluster.name, cluster.endpoint, cluster.masterAuth]).apply(([clusterName, endpoint, auth]) =>
    execKubeconfig({
      domain: spec.domain,
      clusterName,
      server: `https://${endpoint}`,
      caData: auth.clusterCaCertificate ?? "",
      command: "gke-gcloud-auth-plugin",
      args: [],
      installHint: "gcloud components install gke-gcloud-auth-plugin",
    }),
  );
  return {
    clusterName: cluster.name,
    endpoint: cluster.endpoint,
    oidcIssuer: pulumi.interpolate`https://container.googleapis.com/v1/projects/${project.projectId}/locations/${spec.region}/clusters/${spec.clusterName}`,
    kubeconfig: pulumi.secret(kubeconfig),
    // Read back from the cloud: what the control plane runs now, not what config asked for.
    runningVersion: gcp.container.getClusterOutput({ name: cluster.name, location: spec.region, project: cluster.project }, o).masterVersion.apply((v) => minorOf(v) ?? v),
    readyResources: [cluster, ...pools],
  };
}

/** Surge (count per zone, no unavailability by default) or blue-green with a batch soak. */
export function gkeUpgradeSettings(u: UpgradeSpec): gcp.types.input.container.NodePoolUpgradeSettings {
  if (u.strategy === "blue-green") {
    return {
      strategy: "BLUE_GREEN",
      blueGreenSettings: { standardRolloutPolicy: { batchPercentage: 0.25, batchSoakDuration: `${(u.soakMinutes ?? 0) * 60}s` }, nodePoolSoakDuration: `${(u.soakMinutes ?? 0) * 60}s` },
    };
  }
  return { strategy: "SURGE", maxSurge: u.maxSurge as number, maxUnavailable: u.maxUnavailable as number };
}

/** Cloud Logging keeps a bucket's logs for 1–3650 days. */
const LOG_BUCKET_MAX_DAYS = 3650;

/** The logs of one GKE cluster's control plane and audit trail (Kubernetes and GKE API). */
export function clusterLogFilter(clusterName: string, region: string): string {
  return [
    `resource.type=("k8s_control_plane_component" OR "k8s_cluster" OR "gke_cluster")`,
    `resource.labels.cluster_name="${clusterName}"`,
    `resource.labels.location="${region}"`,
  ].join(" AND ");
}

/**
 * Control-plane and audit logs into a log bucket in the cluster's own region, with the
 * configured retention and the domain key (CMEK; the Logging service agent is granted the
 * key), routed by a sink and excluded from the `_Default` sink, whose bucket is global.
 * Admin Activity audit logs are also copied to the `_Required` bucket by Google, always; its
 * location is the organisation's default storage location (docs/clusters.md).
 * https://cloud.google.com/logging/docs/regionalized-logs
 */
function createClusterLogBucket(name: string, spec: ClusterSpec, project: pulumi.Output<gcp.organizations.GetProjectResult>, o: { parent: pulumi.Resource }): void {
  const projectId = project.apply((p) => p.projectId ?? "");
  const bucketId = `${spec.clusterName}-cluster-logs`;
  const grant = new gcp.kms.CryptoKeyIAMMember(
    `${name}-kms-logging`,
    { cryptoKeyId: cryptoKeyId(spec), role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: pulumi.interpolate`serviceAccount:service-${project.number}@gcp-sa-logging.iam.gserviceaccount.com` },
    o,
  );
  const bucket = new gcp.logging.ProjectBucketConfig(
    `${name}-logs`,
    {
      project: projectId,
      location: spec.region,
      bucketId,
      retentionDays: Math.min(spec.logRetentionDays, LOG_BUCKET_MAX_DAYS),
      cmekSettings: { kmsKeyName: cryptoKeyId(spec) },
      description: `meridian ${spec.domain} ${spec.clusterName}: control-plane and audit logs`,
    },
    { ...o, dependsOn: [grant] },
  );
  const filter = clusterLogFilter(spec.clusterName, spec.region);
  new gcp.logging.ProjectSink(
    `${name}-logs-sink`,
    {
      name: `${spec.clusterName}-cluster-logs`,
      project: projectId,
      destination: pulumi.interpolate`logging.googleapis.com/projects/${projectId}/locations/${spec.region}/buckets/${bucket.bucketId}`,
      filter,
      uniqueWriterIdentity: true,
    },
    o,
  );
  // Exclusions made through this API apply to the `_Default` sink: the logs stay in-region only.
  new gcp.logging.ProjectExclusion(
    `${name}-logs-exclusion`,
    { name: `${spec.clusterName}-cluster-logs`, project: projectId, filter, description: `kept in ${bucketId} (${spec.region}) instead` },
    o,
  );
}

function nodePool(
  name: string,
  spec: ClusterSpec,
  p: PoolSpec,
  cluster: gcp.container.Cluster,
  sa: gcp.serviceaccount.Account,
  labels: Record<string, string>,
  o: { parent: pulumi.Resource },
): gcp.container.NodePool {
  return new gcp.container.NodePool(
    `${name}-${p.name}-pool`,
    {
      name: p.name,
      cluster: cluster.id,
      location: spec.region,
      nodeLocations: [...spec.zones],
      version: spec.kubernetesVersion,
      // Per zone, like GKE itself counts.
      autoscaling: { minNodeCount: p.minSize, maxNodeCount: p.maxSize, locationPolicy: "BALANCED" },
      management: { autoRepair: true, autoUpgrade: false },
      upgradeSettings: gkeUpgradeSettings(p.upgrade),
      nodeConfig: {
        machineType: p.machineType,
        diskSizeGb: p.diskSizeGb,
        diskType: "pd-balanced",
        bootDiskKmsKey: cryptoKeyId(spec),
        imageType: "COS_CONTAINERD",
        serviceAccount: sa.email,
        oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        workloadMetadataConfig: { mode: "GKE_METADATA" },
        labels: { ...p.labels },
        resourceLabels: labels,
        taints: p.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect === "NoSchedule" ? "NO_SCHEDULE" : t.effect === "NoExecute" ? "NO_EXECUTE" : "PREFER_NO_SCHEDULE" })),
        metadata: { "disable-legacy-endpoints": "true" },
      },
    },
    o,
  );
}
