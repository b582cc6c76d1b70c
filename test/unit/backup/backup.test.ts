/**
 * ClusterBackup under mocks on all three clouds: the target is in the cluster's region with
 * the domain key and a retention, Velero authenticates by workload identity (no Secret),
 * every image comes from the domain registry by digest, every tenant namespace has a
 * Schedule writing to the in-stack location, and each cloud gets its CSI snapshot class.
 */
import { findAll, findOne, installMocks, settle, valueOf } from "../../support/mocks";
import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { backupBucketName, ClusterBackup, namespaceSchedules, validateBackupArgs, VELERO_IMAGES, type ClusterBackupArgs } from "../../../components/backup";
import { claimResident, type RegistryHandle } from "../../../components/residency";
import { at } from "../../../policy-pack/lib/values";
import { backupStorageAccountName } from "../../../components/backup/azure";
import { EU_AWS_KEY, EU_AWS_NETWORK, EU_AZURE_KEY, EU_AZURE_NETWORK, EU_GCP_KEY, EU_GCP_NETWORK, US_AWS_KEY } from "../cluster/fixtures";

const cloud = installMocks();

/** The chart values and BSL spec fields the tests read. */
interface Values {
  credentials: unknown;
  image: unknown;
  kubectl: { image: { repository: string } };
  initContainers: { image: string }[];
  configuration: { backupStorageLocation: unknown[] };
  podLabels: Record<string, string>;
  serviceAccount: { server: { annotations: Record<string, string> } };
}
interface LocationSpec {
  provider: string;
  objectStorage: { prefix: string };
  config: Record<string, unknown>;
}

const PREFIX = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/meridian/eu/";
const REGISTRY: RegistryHandle<"eu"> = claimResident("eu", { cloud: "aws" as const, region: "eu-central-1", imagePrefixes: [PREFIX] });

function k8sProvider(name: string): k8s.Provider {
  return new k8s.Provider(name, { kubeconfig: "{}", context: name, clusterIdentifier: `meridian:eu:${name}` });
}

function mine(type: string, prefix: string) {
  return findAll(cloud, type).filter((r) => r.name.startsWith(prefix));
}

async function build(prefix: string, args: Omit<ClusterBackupArgs<"eu">, "provider" | "registry" | "domain">, cloudProvider: pulumi.ProviderResource) {
  const provider = k8sProvider(`${prefix}-k8s`);
  const backup = new ClusterBackup(prefix, { domain: "eu", registry: REGISTRY, provider, ...args }, { providers: [cloudProvider] });
  await valueOf(backup.bucket);
  await settle();
  return { backup, provider };
}

function expectKubernetesSide(prefix: string, cloudName: string, driver: string, namespaces: string[]) {
  const release = mine("kubernetes:helm.sh/v3:Release", prefix);
  expect(release).toHaveLength(1);
  const r = release[0];
  expect(r.inputs.version).toBe("10.0.8");
  expect(r.inputs.namespace).toBe("meridian-system");
  expect((r.inputs.repositoryOpts as { repo: string }).repo).toBe(`oci://${PREFIX}charts`);
  expect(r.provider?.inputs.clusterIdentifier).toBe(`meridian:eu:${prefix}-k8s`);
  const values = r.inputs.values as Values;
  expect(values.credentials).toEqual({ useSecret: false });
  expect(values.image).toEqual({ repository: `${PREFIX}velero/velero`, tag: VELERO_IMAGES.velero.tag, digest: VELERO_IMAGES.velero.digest });
  expect(values.kubectl.image.repository.startsWith(PREFIX)).toBe(true);
  expect(values.initContainers).toHaveLength(1);
  expect(values.initContainers[0].image).toBe(`${PREFIX}${VELERO_IMAGES[cloudName as "aws"].repository}@${VELERO_IMAGES[cloudName as "aws"].digest}`);
  expect(values.configuration.backupStorageLocation).toEqual([]);

  const location = mine("kubernetes:velero.io/v1:BackupStorageLocation", prefix);
  expect(location).toHaveLength(1);
  const spec = location[0].inputs.spec as LocationSpec;
  expect(spec.provider).toBe(cloudName);
  expect(spec.objectStorage.prefix).toBe(prefix);

  const snap = findOne(cloud, "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass", prefix);
  expect(snap.inputs.driver).toBe(driver);
  expect(snap.inputs.deletionPolicy).toBe("Retain");
  expect(at(snap.inputs, ["metadata", "labels", "velero.io/csi-volumesnapshot-class"])).toBe("true");

  const schedules = mine("kubernetes:velero.io/v1:Schedule", prefix);
  expect(schedules.map((s) => at(s.inputs, "spec.template.includedNamespaces"))).toEqual(namespaces.map((n) => [n]));
  for (const s of schedules) {
    expect(at(s.inputs, "spec.template.storageLocation")).toBe(at(location[0].inputs, "metadata.name"));
    expect(at(s.inputs, "spec.template.ttl")).toBe("720h0m0s");
    expect(s.provider?.inputs.clusterIdentifier).toBe(`meridian:eu:${prefix}-k8s`);
  }
  const egress = findOne(cloud, "kubernetes:networking.k8s.io/v1:NetworkPolicy", prefix);
  const peers = (at(egress.inputs, ["spec", "egress", "0", "to"]) as unknown[]).map((p) => at(p, "ipBlock.cidr"));
  expect(peers).not.toContain("0.0.0.0/0");
  return { spec, values };
}

describe("ClusterBackup", () => {
  it("AWS: S3 bucket in the region with SSE-KMS (domain key), versioning, PAB, lifecycle; Pod Identity role scoped to bucket and key", async () => {
    const p = new aws.Provider("bk-aws", { region: "eu-central-1" });
    await build("eu-w-aws", { cloud: "aws", region: "eu-central-1", clusterName: "eu-w-aws", key: EU_AWS_KEY, network: EU_AWS_NETWORK, namespaces: ["payments", "ledger"] }, p);
    const bucket = findOne(cloud, "aws:s3/bucket:Bucket", "eu-w-aws");
    expect(bucket.inputs.bucket).toBe(backupBucketName("eu", "eu-w-aws"));
    expect(bucket.provider?.inputs.region).toBe("eu-central-1");
    const sse = findOne(cloud, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "eu-w-aws");
    expect(at(sse.inputs, ["rules", "0", "applyServerSideEncryptionByDefault"])).toEqual({ sseAlgorithm: "aws:kms", kmsMasterKeyId: EU_AWS_KEY.arn });
    expect(findOne(cloud, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "eu-w-aws").inputs.restrictPublicBuckets).toBe(true);
    expect(at(findOne(cloud, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "eu-w-aws").inputs, ["rules", "0", "expiration"])).toEqual({ days: 31 });
    expect(findAll(cloud, "aws:s3/bucketReplicationConfig:BucketReplicationConfig")).toHaveLength(0);
    const access = JSON.parse(String(findOne(cloud, "aws:iam/rolePolicy:RolePolicy", "eu-w-aws").inputs.policy));
    const resources = access.Statement.flatMap((s: { Resource: string | string[] }) => [s.Resource].flat());
    expect(resources).toContain(EU_AWS_KEY.arn);
    expect(resources.every((r: string) => r === EU_AWS_KEY.arn || r.includes(backupBucketName("eu", "eu-w-aws")))).toBe(true);
    const assoc = findOne(cloud, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "eu-w-aws");
    expect([assoc.inputs.namespace, assoc.inputs.serviceAccount]).toEqual(["meridian-system", "velero"]);
    expect(findOne(cloud, "aws:eks/addon:Addon", "eu-w-aws-snapshot").inputs.addonName).toBe("snapshot-controller");
    const { spec } = expectKubernetesSide("eu-w-aws", "aws", "ebs.csi.aws.com", ["payments", "ledger"]);
    expect(spec.config).toEqual({ region: "eu-central-1", kmsKeyId: EU_AWS_KEY.arn });
  });

  it("Azure: ZRS storage account with the domain's Key Vault key, no shared keys; workload identity federated to the velero ServiceAccount", async () => {
    const p = new azure.Provider("bk-az", { location: "westeurope" });
    await build(
      "eu-w-az",
      { cloud: "azure", region: "westeurope", clusterName: "eu-w-az", key: EU_AZURE_KEY, network: EU_AZURE_NETWORK, oidcIssuer: "https://westeurope.oic.prod-aks.azure.com/t/i/", namespaces: ["payments"] },
      p,
    );
    const account = findOne(cloud, "azure-native:storage:StorageAccount", "eu-w-az");
    expect(account.inputs.location).toBe("westeurope");
    expect(account.inputs.sku).toEqual({ name: "Standard_ZRS" });
    expect(account.inputs.allowSharedKeyAccess).toBe(false);
    expect(account.inputs.publicNetworkAccess).toBe("Disabled");
    const enc = account.inputs.encryption as Record<string, unknown>;
    expect(enc.keySource).toBe("Microsoft.Keyvault");
    expect(enc.keyVaultProperties).toEqual({ keyName: EU_AZURE_KEY.keyName, keyVaultUri: EU_AZURE_KEY.vaultUri });
    expect(enc.requireInfrastructureEncryption).toBe(true);
    // Every input, pinned: the backup account and the flow-log account share one builder (cmkStorageAccountArgs).
    const keyUser = findOne(cloud, "azure-native:managedidentity:UserAssignedIdentity", "eu-w-az-key-identity");
    expect(keyUser.state.id).toEqual(expect.stringMatching(/\S/));
    expect(account.inputs).toEqual({
      accountName: backupStorageAccountName("eu", "eu-w-az"),
      resourceGroupName: EU_AZURE_NETWORK.resourceGroupName,
      location: "westeurope",
      kind: "StorageV2",
      sku: { name: "Standard_ZRS" },
      minimumTlsVersion: "TLS1_2",
      enableHttpsTrafficOnly: true,
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: false,
      publicNetworkAccess: "Disabled",
      identity: { type: "UserAssigned", userAssignedIdentities: [keyUser.state.id] },
      encryption: {
        keySource: "Microsoft.Keyvault",
        requireInfrastructureEncryption: true,
        keyVaultProperties: { keyName: EU_AZURE_KEY.keyName, keyVaultUri: EU_AZURE_KEY.vaultUri },
        encryptionIdentity: { encryptionUserAssignedIdentity: keyUser.state.id },
        services: { blob: { enabled: true, keyType: "Account" } },
      },
      tags: account.inputs.tags,
    });
    expect(account.inputs.tags).toMatchObject({ residency: "eu" });
    const lifecycle = findOne(cloud, "azure-native:storage:ManagementPolicy", "eu-w-az");
    expect(at(lifecycle.inputs, ["policy", "rules", "0", "definition", "actions", "baseBlob", "delete", "daysAfterModificationGreaterThan"])).toBe(31);
    const fed = findOne(cloud, "azure-native:managedidentity:FederatedIdentityCredential", "eu-w-az");
    expect(fed.inputs.subject).toBe("system:serviceaccount:meridian-system:velero");
    expect(fed.inputs.issuer).toBe("https://westeurope.oic.prod-aks.azure.com/t/i/");
    const velero = findOne(cloud, "azure-native:managedidentity:UserAssignedIdentity", "eu-w-az-identity");
    const grant = findOne(cloud, "azure-native:authorization:RoleAssignment", "eu-w-az-blob-access");
    expect(grant.inputs.scope).toBe(account.state.id);
    expect(grant.inputs.principalId).toBe(velero.state.principalId);
    const { spec, values } = expectKubernetesSide("eu-w-az", "azure", "disk.csi.azure.com", ["payments"]);
    expect(spec.config.storageAccount).toBe(account.inputs.accountName);
    expect(spec.config.useAAD).toBe("true");
    expect(values.podLabels).toEqual({ "azure.workload.identity/use": "true" });
    expect(values.serviceAccount.server.annotations["azure.workload.identity/client-id"]).toBe(velero.state.clientId);
  });

  it("GCP: regional bucket with default CMEK (storage agent granted the key), PAP enforced; Workload Identity GSA with objectAdmin on this bucket only", async () => {
    const p = new gcp.Provider("bk-gcp", { project: "meridian-eu-prod", region: "europe-west1" });
    await build("eu-w-gcp", { cloud: "gcp", region: "europe-west1", clusterName: "eu-w-gcp", key: EU_GCP_KEY, network: EU_GCP_NETWORK, namespaces: ["payments"] }, p);
    const bucket = findOne(cloud, "gcp:storage/bucket:Bucket", "eu-w-gcp");
    expect(bucket.inputs.location).toBe("EUROPE-WEST1");
    expect(bucket.inputs.encryption).toEqual({ defaultKmsKeyName: EU_GCP_KEY.cryptoKeyId });
    expect(bucket.inputs.publicAccessPrevention).toBe("enforced");
    expect(bucket.inputs.uniformBucketLevelAccess).toBe(true);
    expect(findOne(cloud, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "eu-w-gcp").inputs.cryptoKeyId).toBe(EU_GCP_KEY.cryptoKeyId);
    expect(findOne(cloud, "gcp:serviceaccount/iAMMember:IAMMember", "eu-w-gcp").inputs.member).toBe("serviceAccount:meridian-eu-prod.svc.id.goog[meridian-system/velero]");
    const access = findOne(cloud, "gcp:storage/bucketIAMMember:BucketIAMMember", "eu-w-gcp");
    expect([access.inputs.bucket, access.inputs.role]).toEqual([bucket.inputs.name, "roles/storage.objectAdmin"]);
    const { spec } = expectKubernetesSide("eu-w-gcp", "gcp", "pd.csi.storage.gke.io", ["payments"]);
    expect(spec.config.kmsKeyName).toBe(EU_GCP_KEY.cryptoKeyId);
    const snap = findOne(cloud, "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass", "eu-w-gcp");
    expect(snap.inputs.parameters).toEqual({ "storage-locations": "europe-west1" });
  });

  it("refuses a key of another domain or cloud, a bad namespace, and Azure without an OIDC issuer", () => {
    const base = { domain: "eu", cloud: "aws" as const, registry: REGISTRY, namespaces: ["payments"] };
    expect(validateBackupArgs({ ...base, key: US_AWS_KEY })).toEqual([{ propertyPath: "key", reason: "key of domain us cannot encrypt a eu backup" }]);
    expect(validateBackupArgs({ ...base, key: EU_GCP_KEY })[0].reason).toMatch(/gcp key cannot encrypt a backup bucket on aws/);
    expect(validateBackupArgs({ ...base, key: EU_AWS_KEY, namespaces: ["Bad_NS"] })[0].propertyPath).toBe("namespaces[0]");
    expect(
      () => new ClusterBackup("bad-az", { domain: "eu", cloud: "azure", region: "westeurope", clusterName: "c", provider: k8sProvider("bad-az"), key: EU_AZURE_KEY, network: EU_AZURE_NETWORK, registry: REGISTRY }),
    ).toThrow(/invalid arguments/);
  });

  it("names one schedule per distinct namespace with a TTL of the retention", () => {
    expect(namespaceSchedules(["a", "b", "a"], { schedule: "0 * * * *", retentionDays: 7, snapshotVolumes: true, rtoMinutes: 60 })).toEqual([
      { name: "tenant-a", namespace: "a", cron: "0 * * * *", ttl: "168h0m0s" },
      { name: "tenant-b", namespace: "b", cron: "0 * * * *", ttl: "168h0m0s" },
    ]);
  });

  it("a US key does not compile into an EU backup, and a mismatched handle is refused at run time too", () => {
    let error: unknown;
    try {
      new ClusterBackup("cross", {
        domain: "eu",
        cloud: "aws",
        region: "eu-central-1",
        clusterName: "cross",
        provider: k8sProvider("cross"),
        // @ts-expect-error a US key cannot encrypt an EU backup
        key: US_AWS_KEY,
        network: EU_AWS_NETWORK,
        registry: REGISTRY,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(pulumi.InputPropertiesError);
    expect((error as pulumi.InputPropertiesError).errors).toEqual([{ propertyPath: "key", reason: "key of domain us cannot encrypt a eu backup" }]);
  });
});
