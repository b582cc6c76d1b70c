/**
 * One passing and one failing input per policy and per resource type it covers.
 * `coverage.test.ts` runs them all and fails when a policy or a type has no case.
 */
import type { PlannedResource } from "../../policy-pack/evaluate";
import { CONTROL_PLANE_CASES, CONTROL_PLANE_CONFIG_POLICIES } from "./controlPlaneCases";
import { ADVISORY_CASES, BREADTH_CASES, LOG_EXPORT_CASES } from "./casesBreadth";
import { awsEu, awsUs, azureEu, gcpEu, k8sEu, provider, res, urnOf } from "./harness";
import { GUARDRAIL_CASES } from "../unit/guardrails/policyCases";
import { SUPPLY_CHAIN_CASES } from "./supplyChainCases";
import { SECRETS_CASES } from "./secretsCases";
import { EXPOSURE_GATEWAY_CASES } from "./exposureGatewayCases";
import { BACKUP_CASES } from "./backupCases";
import { TELEMETRY_CASES } from "./telemetryCases";
import { GITOPS_CASES } from "./gitopsCases";

export interface Case {
  /** The resource type this case covers (for stack policies: the type the check is about). */
  readonly type: string;
  readonly pass: PlannedResource[];
  readonly fail: PlannedResource[];
  /** A substring of the expected violation message. */
  readonly expect: string;
}

const KEY = "arn:aws:kms:eu-central-1:123456789012:key/0f0e0d0c-aaaa-bbbb-cccc-000000000001";
const US_KEY = "arn:aws:kms:us-east-1:123456789012:key/0f0e0d0c-aaaa-bbbb-cccc-000000000002";
const GKEY = "projects/p-eu/locations/europe-west1/keyRings/eu/cryptoKeys/data";
const AZKEY = "https://eu-kv.vault.azure.net/keys/aks/0123";
const DIGEST = "@sha256:" + "a".repeat(64);
const IMG = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/app" + DIGEST;

const eks = (extra: Record<string, unknown> = {}) =>
  res(
    "aws:eks/cluster:Cluster",
    "eks",
    {
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: KEY } },
      vpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true },
      enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
      ...extra,
    },
    { provider: awsEu },
  );

const aks = (extra: Record<string, unknown> = {}) =>
  res(
    "azure-native:containerservice:ManagedCluster",
    "aks",
    {
      location: "westeurope",
      securityProfile: { azureKeyVaultKms: { enabled: true, keyId: AZKEY, keyVaultNetworkAccess: "Private" } },
      diskEncryptionSetID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/diskEncryptionSets/des",
      agentPoolProfiles: [{ name: "system", enableEncryptionAtHost: true }],
      apiServerAccessProfile: { enablePrivateCluster: true },
      disableLocalAccounts: true,
      aadProfile: { managed: true, enableAzureRBAC: true },
      ...extra,
    },
    { provider: azureEu },
  );

const gke = (extra: Record<string, unknown> = {}) =>
  res(
    "gcp:container/cluster:Cluster",
    "gke",
    {
      location: "europe-west1",
      databaseEncryption: { state: "ENCRYPTED", keyName: GKEY },
      privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: true },
      workloadIdentityConfig: { workloadPool: "p-eu.svc.id.goog" },
      binaryAuthorization: { evaluationMode: "PROJECT_SINGLETON_POLICY_ENFORCE" },
      loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "APISERVER", "WORKLOADS"] },
      ...extra,
    },
    { provider: gcpEu },
  );

const awsTunnel = (extra: Record<string, unknown> = {}) => {
  const props: Record<string, unknown> = {};
  for (const t of ["tunnel1", "tunnel2"]) {
    props[`${t}IkeVersions`] = ["ikev2"];
    for (const ph of ["Phase1", "Phase2"]) {
      props[`${t}${ph}EncryptionAlgorithms`] = ["AES256-GCM-16"];
      props[`${t}${ph}IntegrityAlgorithms`] = ["SHA2-256"];
      props[`${t}${ph}DhGroupNumbers`] = [20];
    }
  }
  return res("aws:ec2/vpnConnection:VpnConnection", "vpn", { ...props, ...extra }, { provider: awsEu });
};

const ipsec = { ikeEncryption: "GCMAES256", ikeIntegrity: "SHA384", dhGroup: "ECP384", ipsecEncryption: "GCMAES256", ipsecIntegrity: "GCMAES256", pfsGroup: "ECP384" };

/** A kubeconfig document whose current context (named freely) points at `server`. */
const kubeconfigFor = (server: string, context: string) =>
  JSON.stringify({ apiVersion: "v1", kind: "Config", "current-context": context, contexts: [{ name: context, context: { cluster: "c", user: "u" } }], clusters: [{ name: "c", cluster: { server } }], users: [{ name: "u", user: {} }] });
const ns = (labels: Record<string, string>, name = "apps") =>
  res("kubernetes:core/v1:Namespace", name, { metadata: { name, labels } }, { provider: k8sEu });
const denyAll = (namespace: string) =>
  res(
    "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    `${namespace}-deny`,
    { metadata: { namespace }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
    { provider: k8sEu },
  );
const deployment = (image: string, namespace = "apps") =>
  res(
    "kubernetes:apps/v1:Deployment",
    "web",
    { metadata: { namespace }, spec: { template: { spec: { containers: [{ name: "web", image }] } } } },
    { provider: k8sEu },
  );

const bucket = res("aws:s3/bucketV2:BucketV2", "data", { bucket: "data-eu" }, { provider: awsEu });
const sse = (keyId: string) =>
  res(
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "data-sse",
    { bucket: "data-eu", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyId } }] },
    { provider: awsEu, propertyDependencies: { bucket: [bucket.urn] } },
  );

const euStorage = res("azure-native:storage:StorageAccount", "logs", { location: "westeurope", sku: { name: "Standard_ZRS" } }, { provider: azureEu });
const usStorage = res("azure-native:storage:StorageAccount", "logsus", { location: "eastus", sku: { name: "Standard_ZRS" } }, { provider: azureEu });
const diag = (target: PlannedResource, cluster?: PlannedResource, logs: unknown[] = [{ categoryGroup: "audit", enabled: true }]) =>
  res(
    "azure-native:monitor:DiagnosticSetting",
    `diag-${target.name}`,
    { resourceUri: cluster ? "/subscriptions/s/aks" : "/x", storageAccountId: "/subscriptions/s/sa", logs },
    { provider: azureEu, propertyDependencies: { storageAccountId: [target.urn], ...(cluster ? { resourceUri: [cluster.urn] } : {}) } },
  );

const gcsEu = res("gcp:storage/bucket:Bucket", "logs-eu", { location: "EU" }, { provider: gcpEu });
const gcsUs = res("gcp:storage/bucket:Bucket", "logs-us", { location: "US" }, { provider: gcpEu });
const sink = (target: PlannedResource) =>
  res("gcp:logging/projectSink:ProjectSink", `sink-${target.name}`, { destination: "storage.googleapis.com/x" }, { provider: gcpEu, propertyDependencies: { destination: [target.urn] } });

const aksCluster = aks();

const WORKLOADS = Object.entries({
  "kubernetes:core/v1:Pod": (c: unknown) => ({ spec: { containers: [c] } }),
  "kubernetes:apps/v1:Deployment": (c: unknown) => ({ spec: { template: { spec: { containers: [c] } } } }),
  "kubernetes:apps/v1:StatefulSet": (c: unknown) => ({ spec: { template: { spec: { initContainers: [c], containers: [{ name: "ok", image: IMG }] } } } }),
  "kubernetes:apps/v1:DaemonSet": (c: unknown) => ({ spec: { template: { spec: { containers: [c] } } } }),
  "kubernetes:apps/v1:ReplicaSet": (c: unknown) => ({ spec: { template: { spec: { containers: [c] } } } }),
  "kubernetes:batch/v1:Job": (c: unknown) => ({ spec: { template: { spec: { containers: [c] } } } }),
  "kubernetes:batch/v1:CronJob": (c: unknown) => ({ spec: { jobTemplate: { spec: { template: { spec: { containers: [c] } } } } } }),
});

export const CASES: Record<string, Case[]> = {
  "meridian-residency-stack-domain-required": [
    { type: "pulumi:pulumi:Stack", pass: [], fail: [], expect: "No residency domain configured" }, // fail uses config without domain (coverage test)
  ],
  "meridian-residency-resource-region-allowlist": [
    { type: "*", pass: [eks()], fail: [res("aws:eks/cluster:Cluster", "eks", {}, { provider: awsUs })], expect: "outside the eu allowlist" },
    {
      type: "*",
      pass: [res("azure-native:resources:ResourceGroup", "rg", { location: "westeurope" }, { provider: azureEu })],
      fail: [res("azure-native:resources:ResourceGroup", "rg", { location: "uksouth" }, { provider: azureEu })],
      expect: "'uksouth' (in no domain's allowlist)",
    },
    { type: "*", pass: [gcsEu], fail: [gcsUs], expect: "'US' (domain us)" },
    {
      type: "*",
      pass: [res("aws:ec2/vpc:Vpc", "vpc", { region: "eu-west-1" }, { provider: awsEu })],
      fail: [res("aws:ec2/vpc:Vpc", "vpc", { region: "eu-west-2" }, { provider: awsEu })],
      expect: "region 'eu-west-2'",
    },
    {
      // Firestore's `locationId`, a multi-region configuration: eur3 is EU, nam5 is US.
      type: "*",
      pass: [res("gcp:firestore/database:Database", "db", { locationId: "eur3", type: "FIRESTORE_NATIVE" }, { provider: gcpEu })],
      fail: [res("gcp:firestore/database:Database", "db", { locationId: "nam5", type: "FIRESTORE_NATIVE" }, { provider: gcpEu })],
      expect: "locationId 'nam5' (domain us)",
    },
  ],
  "meridian-residency-provider-region-pin": [
    { type: "pulumi:providers:aws", pass: [res(awsEu.type, "aws-eu", awsEu.props)], fail: [res(awsEu.type, "default_7_48_0", {})], expect: "provider has no region" },
    {
      type: "pulumi:providers:gcp",
      pass: [res(gcpEu.type, "gcp-eu", gcpEu.props)],
      fail: [res(gcpEu.type, "gcp-ch", { project: "p", region: "europe-west6" })],
      expect: "'europe-west6'",
    },
    {
      type: "pulumi:providers:azure-native",
      pass: [res(azureEu.type, "az", { location: "northeurope" })],
      fail: [res(azureEu.type, "az", { location: "eastus" })],
      expect: "'eastus' (domain us)",
    },
  ],
  "meridian-residency-stackreference-domain-match": [
    {
      type: "pulumi:pulumi:StackReference",
      pass: [res("pulumi:pulumi:StackReference", "found", { name: "organization/meridian/eu-foundation-aws" })],
      fail: [res("pulumi:pulumi:StackReference", "found", { name: "organization/meridian/us-foundation-aws" })],
      expect: "belongs to domain us",
    },
    {
      type: "pulumi:pulumi:StackReference",
      pass: [res("pulumi:pulumi:StackReference", "found", { name: "eu-foundation-aws" })],
      fail: [res("pulumi:pulumi:StackReference", "found", { name: "eu-mystery" })],
      expect: "not in `stackDomains`",
    },
  ],
  "meridian-residency-key-colocate": [
    { type: "*", pass: [eks()], fail: [eks({ encryptionConfig: { resources: ["secrets"], provider: { keyArn: US_KEY } } })], expect: "'us-east-1' (domain us)" },
    {
      type: "aws:kms/key:Key",
      pass: (() => {
        const key = res("aws:kms/key:Key", "k", {}, { provider: awsEu });
        return [key, res("aws:cloudwatch/logGroup:LogGroup", "lg", { kmsKeyId: "alias/x" }, { provider: awsEu, propertyDependencies: { kmsKeyId: [key.urn] } })];
      })(),
      fail: (() => {
        const key = res("aws:kms/key:Key", "k", {}, { provider: awsUs });
        return [key, res("aws:cloudwatch/logGroup:LogGroup", "lg", { kmsKeyId: "alias/x" }, { provider: awsEu, propertyDependencies: { kmsKeyId: [key.urn] } })];
      })(),
      expect: "uses key 'k'",
    },
    {
      type: "gcp:kms/cryptoKey:CryptoKey",
      pass: [gke()],
      fail: [gke({ databaseEncryption: { state: "ENCRYPTED", keyName: "projects/p/locations/us-central1/keyRings/r/cryptoKeys/k" } })],
      expect: "'us-central1' (domain us)",
    },
    {
      type: "azure-native:keyvault:Vault",
      pass: (() => {
        const vault = res("azure-native:keyvault:Vault", "kv", { location: "westeurope" }, { provider: azureEu });
        const key = res("azure-native:keyvault:Key", "kek", { vaultName: "kv" }, { provider: azureEu, propertyDependencies: { vaultName: [vault.urn] } });
        return [vault, key, res("azure-native:containerregistry:Registry", "acr", { location: "westeurope", encryption: { keyVaultProperties: { keyIdentifier: AZKEY } } }, { provider: azureEu, propertyDependencies: { encryption: [key.urn] } })];
      })(),
      fail: (() => {
        const vault = res("azure-native:keyvault:Vault", "kv", { location: "eastus" }, { provider: azureEu });
        const key = res("azure-native:keyvault:Key", "kek", { vaultName: "kv" }, { provider: azureEu, propertyDependencies: { vaultName: [vault.urn] } });
        return [vault, key, res("azure-native:containerregistry:Registry", "acr", { location: "westeurope", encryption: { keyVaultProperties: { keyIdentifier: AZKEY } } }, { provider: azureEu, propertyDependencies: { encryption: [key.urn] } })];
      })(),
      expect: "uses key 'kek'",
    },
    {
      // A data-service key field from the CMK table (SSM SecureString `keyId`).
      type: "aws:ssm/parameter:Parameter",
      pass: [res("aws:ssm/parameter:Parameter", "p", { type: "SecureString", keyId: KEY }, { provider: awsEu })],
      fail: [res("aws:ssm/parameter:Parameter", "p", { type: "SecureString", keyId: US_KEY }, { provider: awsEu })],
      expect: "keyId uses a key in 'us-east-1' (domain us)",
    },
    {
      // Key Vault secrets are encrypted by their vault: the vault must be the domain's.
      type: "azure-native:keyvault:Secret",
      pass: (() => {
        const vault = res("azure-native:keyvault:Vault", "kv", { location: "westeurope" }, { provider: azureEu });
        return [vault, res("azure-native:keyvault:Secret", "s", { vaultName: "kv", properties: { value: "x" } }, { provider: azureEu, propertyDependencies: { vaultName: [vault.urn] } })];
      })(),
      fail: (() => {
        const vault = res("azure-native:keyvault:Vault", "kv", { location: "eastus" }, { provider: azureEu });
        return [vault, res("azure-native:keyvault:Secret", "s", { vaultName: "kv", properties: { value: "x" } }, { provider: azureEu, propertyDependencies: { vaultName: [vault.urn] } })];
      })(),
      expect: "vaultName uses key 'kv' in 'eastus' (domain us)",
    },
  ],
  "meridian-residency-replication-target-allowlist": [
    {
      type: "aws:ecr/replicationConfiguration:ReplicationConfiguration",
      pass: [res("aws:ecr/replicationConfiguration:ReplicationConfiguration", "rep", { replicationConfiguration: { rules: [{ destinations: [{ region: "eu-west-1", registryId: "1" }] }] } }, { provider: awsEu })],
      fail: [res("aws:ecr/replicationConfiguration:ReplicationConfiguration", "rep", { replicationConfiguration: { rules: [{ destinations: [{ region: "us-east-1", registryId: "1" }] }] } }, { provider: awsEu })],
      expect: "ECR replication destination 'us-east-1'",
    },
    {
      type: "aws:kms/replicaKey:ReplicaKey",
      pass: [res("aws:kms/replicaKey:ReplicaKey", "rk", { primaryKeyArn: KEY }, { provider: provider("aws", "aws-eu-west-1", { region: "eu-west-1" }) })],
      fail: [res("aws:kms/replicaKey:ReplicaKey", "rk", { primaryKeyArn: KEY }, { provider: awsUs })],
      expect: "KMS replica key region",
    },
    {
      type: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
      pass: (() => {
        const dest = res("aws:s3/bucketV2:BucketV2", "replica", {}, { provider: provider("aws", "aws-eu-west-1", { region: "eu-west-1" }) });
        return [dest, res("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "r", { rules: [{ destination: { bucket: "arn:aws:s3:::replica" } }] }, { provider: awsEu, propertyDependencies: { rules: [dest.urn] } })];
      })(),
      fail: (() => {
        const dest = res("aws:s3/bucketV2:BucketV2", "replica", {}, { provider: awsUs });
        return [dest, res("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "r", { rules: [{ destination: { bucket: "arn:aws:s3:::replica" } }] }, { provider: awsEu, propertyDependencies: { rules: [dest.urn] } })];
      })(),
      expect: "S3 replication destination bucket",
    },
    {
      type: "azure-native:containerregistry:Replication",
      pass: [res("azure-native:containerregistry:Replication", "rep", { location: "northeurope" }, { provider: azureEu })],
      fail: [res("azure-native:containerregistry:Replication", "rep", { location: "eastus2" }, { provider: azureEu })],
      expect: "ACR replication location 'eastus2'",
    },
    {
      type: "azure-native:storage:StorageAccount",
      pass: [res("azure-native:storage:StorageAccount", "sa", { location: "westeurope", sku: { name: "Standard_GRS" } }, { provider: azureEu })],
      fail: [res("azure-native:storage:StorageAccount", "sa", { location: "germanywestcentral", sku: { name: "Standard_RAGRS" } }, { provider: azureEu })],
      expect: "'germanynorth'",
    },
    {
      type: "azure-native:monitor:DiagnosticSetting",
      pass: [euStorage, diag(euStorage)],
      fail: [usStorage, diag(usStorage)],
      expect: "diagnostic setting destination 'eastus'",
    },
    {
      type: "azure-native:dataprotection:BackupVault",
      pass: [res("azure-native:dataprotection:BackupVault", "bv", { location: "westeurope", properties: { storageSettings: [{ type: "GeoRedundant" }] } }, { provider: azureEu })],
      fail: [res("azure-native:dataprotection:BackupVault", "bv", { location: "polandcentral", properties: { storageSettings: [{ type: "GeoRedundant" }] } }, { provider: azureEu })],
      expect: "no paired region",
    },
    { type: "gcp:logging/projectSink:ProjectSink", pass: [gcsEu, sink(gcsEu)], fail: [gcsUs, sink(gcsUs)], expect: "log sink destination 'US'" },
    ...LOG_EXPORT_CASES,
  ],
  "meridian-aws-eks-cluster-encrypt": [
    { type: "aws:eks/cluster:Cluster", pass: [eks()], fail: [eks({ encryptionConfig: undefined })], expect: "\"secrets\"" },
  ],
  "meridian-aws-launchtemplate-ebs-encrypt": [
    {
      type: "aws:ec2/launchTemplate:LaunchTemplate",
      pass: [res("aws:ec2/launchTemplate:LaunchTemplate", "lt", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", kmsKeyId: KEY } }] }, { provider: awsEu })],
      fail: [res("aws:ec2/launchTemplate:LaunchTemplate", "lt", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] }, { provider: awsEu })],
      expect: "ebs.encrypted must be \"true\"",
    },
  ],
  "meridian-aws-eks-nodegroup-launchtemplate-require": [
    {
      type: "aws:eks/nodeGroup:NodeGroup",
      pass: [res("aws:eks/nodeGroup:NodeGroup", "ng", { launchTemplate: { id: "lt-1", version: "1" } }, { provider: awsEu })],
      fail: [res("aws:eks/nodeGroup:NodeGroup", "ng", { diskSize: 50 }, { provider: awsEu })],
      expect: "no launchTemplate",
    },
  ],
  "meridian-aws-kms-key-rotate": [
    {
      type: "aws:kms/key:Key",
      pass: [res("aws:kms/key:Key", "k", { enableKeyRotation: true }, { provider: awsEu })],
      fail: [res("aws:kms/key:Key", "k", { enableKeyRotation: true, multiRegion: true }, { provider: awsEu })],
      expect: "multiRegion must be false",
    },
  ],
  "meridian-aws-ecr-repository-harden": [
    {
      type: "aws:ecr/repository:Repository",
      pass: [res("aws:ecr/repository:Repository", "repo", { encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: KEY }], imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } }, { provider: awsEu })],
      fail: [res("aws:ecr/repository:Repository", "repo", { encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: KEY }], imageTagMutability: "MUTABLE", imageScanningConfiguration: { scanOnPush: true } }, { provider: awsEu })],
      expect: "imageTagMutability must be \"IMMUTABLE\"",
    },
  ],
  "meridian-aws-s3-encryption-kms-require": [
    { type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", pass: [sse(KEY)], fail: [{ ...sse(KEY), props: { bucket: "data-eu", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] } }], expect: "sseAlgorithm must be \"aws:kms\"" },
    {
      type: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
      pass: [{ ...sse(KEY), type: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2" }],
      fail: [{ ...sse(""), type: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2" }],
      expect: "kmsMasterKeyId must name",
    },
  ],
  "meridian-aws-s3-bucket-encryption-attach": [
    { type: "aws:s3/bucketV2:BucketV2", pass: [bucket, sse(KEY)], fail: [bucket], expect: "bucket 'data' has no BucketServerSideEncryptionConfiguration" },
    {
      type: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
      pass: [bucket, { ...sse(KEY), type: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2" }],
      fail: [bucket, { ...sse(KEY), propertyDependencies: {}, dependencies: [], props: { bucket: "other-bucket" } }],
      expect: "bucket 'data'",
    },
    {
      type: "aws:s3/bucket:Bucket",
      pass: [res("aws:s3/bucket:Bucket", "b", { serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY } } } }, { provider: awsEu })],
      fail: [res("aws:s3/bucket:Bucket", "b", {}, { provider: awsEu })],
      expect: "bucket 'b'",
    },
  ],
  "meridian-aws-cloudwatch-loggroup-encrypt": [
    {
      type: "aws:cloudwatch/logGroup:LogGroup",
      pass: [res("aws:cloudwatch/logGroup:LogGroup", "lg", { kmsKeyId: KEY, retentionInDays: 400 }, { provider: awsEu })],
      fail: [res("aws:cloudwatch/logGroup:LogGroup", "lg", { kmsKeyId: KEY, retentionInDays: 30 }, { provider: awsEu })],
      expect: "retentionInDays must be set",
    },
  ],
  "meridian-azure-aks-kms-encrypt": [
    { type: "azure-native:containerservice:ManagedCluster", pass: [aks()], fail: [aks({ securityProfile: { azureKeyVaultKms: { enabled: true, keyId: AZKEY, keyVaultNetworkAccess: "Public" } } })], expect: "keyVaultNetworkAccess must be \"Private\"" },
  ],
  "meridian-azure-aks-disk-encrypt": [
    { type: "azure-native:containerservice:ManagedCluster", pass: [aks()], fail: [aks({ agentPoolProfiles: [{ name: "system" }] })], expect: "agentPoolProfiles[0].enableEncryptionAtHost" },
    {
      type: "azure-native:containerservice:AgentPool",
      pass: [res("azure-native:containerservice:AgentPool", "user", { enableEncryptionAtHost: true }, { provider: azureEu })],
      fail: [res("azure-native:containerservice:AgentPool", "user", { enableEncryptionAtHost: false }, { provider: azureEu })],
      expect: "enableEncryptionAtHost must be true",
    },
  ],
  "meridian-azure-keyvault-vault-protect": [
    {
      type: "azure-native:keyvault:Vault",
      pass: [res("azure-native:keyvault:Vault", "kv", { location: "westeurope", properties: { enablePurgeProtection: true, publicNetworkAccess: "Disabled" } }, { provider: azureEu })],
      fail: [res("azure-native:keyvault:Vault", "kv", { location: "westeurope", properties: { publicNetworkAccess: "Disabled" } }, { provider: azureEu })],
      expect: "enablePurgeProtection must be true",
    },
  ],
  "meridian-azure-keyvault-key-harden": [
    {
      type: "azure-native:keyvault:Key",
      pass: [res("azure-native:keyvault:Key", "k", { properties: { kty: "RSA-HSM", attributes: { expires: 1900000000 }, rotationPolicy: { lifetimeActions: [] } } }, { provider: azureEu })],
      fail: [res("azure-native:keyvault:Key", "k", { properties: { kty: "RSA", attributes: { expires: 1900000000 }, rotationPolicy: {} } }, { provider: azureEu })],
      expect: "kty must be an HSM key type",
    },
  ],
  "meridian-azure-acr-registry-harden": [
    {
      type: "azure-native:containerregistry:Registry",
      pass: [res("azure-native:containerregistry:Registry", "acr", { location: "westeurope", sku: { name: "Premium" }, encryption: { status: "enabled", keyVaultProperties: { keyIdentifier: AZKEY } }, publicNetworkAccess: "Disabled", adminUserEnabled: false }, { provider: azureEu })],
      fail: [res("azure-native:containerregistry:Registry", "acr", { location: "westeurope", sku: { name: "Standard" }, publicNetworkAccess: "Enabled", adminUserEnabled: true }, { provider: azureEu })],
      expect: "sku.name must be \"Premium\"",
    },
  ],
  "meridian-azure-storage-account-encrypt": [
    {
      type: "azure-native:storage:StorageAccount",
      pass: [res("azure-native:storage:StorageAccount", "sa", { location: "westeurope", encryption: { keySource: "Microsoft.Keyvault", keyVaultProperties: { keyVaultUri: "https://eu-kv.vault.azure.net/", keyName: "data" }, requireInfrastructureEncryption: true }, minimumTlsVersion: "TLS1_2", enableHttpsTrafficOnly: true }, { provider: azureEu })],
      fail: [res("azure-native:storage:StorageAccount", "sa", { location: "westeurope", encryption: { keySource: "Microsoft.Storage" }, minimumTlsVersion: "TLS1_0", enableHttpsTrafficOnly: true }, { provider: azureEu })],
      expect: "minimumTlsVersion must be \"TLS1_2\"",
    },
  ],
  "meridian-gcp-gke-cluster-encrypt": [
    { type: "gcp:container/cluster:Cluster", pass: [gke()], fail: [gke({ databaseEncryption: { state: "DECRYPTED" } })], expect: "databaseEncryption.state must be \"ENCRYPTED\"" },
  ],
  "meridian-gcp-gke-nodepool-encrypt": [
    {
      type: "gcp:container/nodePool:NodePool",
      pass: [res("gcp:container/nodePool:NodePool", "np", { location: "europe-west1", nodeConfig: { bootDiskKmsKey: GKEY } }, { provider: gcpEu })],
      fail: [res("gcp:container/nodePool:NodePool", "np", { location: "europe-west1", nodeConfig: {} }, { provider: gcpEu })],
      expect: "bootDiskKmsKey",
    },
    {
      // The default pool boots on the cluster's nodeConfig (even when removed afterwards); inline pools too.
      type: "gcp:container/cluster:Cluster",
      pass: [gke({ removeDefaultNodePool: true, nodeConfig: { bootDiskKmsKey: GKEY }, nodePools: [{ name: "a", nodeConfig: { bootDiskKmsKey: GKEY } }] })],
      fail: [gke({ nodeConfig: { bootDiskKmsKey: GKEY }, nodePools: [{ name: "a", nodeConfig: { machineType: "e2-standard-4" } }] })],
      expect: "nodePools[0].nodeConfig.bootDiskKmsKey must name",
    },
    {
      type: "gcp:container/cluster:Cluster",
      pass: [gke({ nodeConfig: { bootDiskKmsKey: GKEY } })],
      fail: [gke({ nodeConfig: { machineType: "n1-standard-1" } })],
      expect: "nodeConfig.bootDiskKmsKey must name",
    },
  ],
  "meridian-gcp-kms-key-rotate": [
    {
      type: "gcp:kms/keyRing:KeyRing",
      pass: [res("gcp:kms/keyRing:KeyRing", "ring", { location: "europe-west1" }, { provider: gcpEu })],
      fail: [res("gcp:kms/keyRing:KeyRing", "ring", { location: "global" }, { provider: gcpEu })],
      expect: "not \"global\"",
    },
    {
      type: "gcp:kms/cryptoKey:CryptoKey",
      pass: [res("gcp:kms/cryptoKey:CryptoKey", "key", { keyRing: "projects/p/locations/europe-west1/keyRings/eu", rotationPeriod: "7776000s" }, { provider: gcpEu })],
      fail: [res("gcp:kms/cryptoKey:CryptoKey", "key", { keyRing: "projects/p/locations/europe-west1/keyRings/eu", rotationPeriod: "31536000s" }, { provider: gcpEu })],
      expect: "rotationPeriod must be set and at most",
    },
  ],
  "meridian-gcp-artifactregistry-repository-harden": [
    {
      type: "gcp:artifactregistry/repository:Repository",
      pass: [res("gcp:artifactregistry/repository:Repository", "ar", { location: "europe-west1", format: "DOCKER", kmsKeyName: GKEY, dockerConfig: { immutableTags: true } }, { provider: gcpEu })],
      fail: [res("gcp:artifactregistry/repository:Repository", "ar", { location: "europe-west1", format: "DOCKER", kmsKeyName: GKEY }, { provider: gcpEu })],
      expect: "immutableTags must be true",
    },
  ],
  "meridian-gcp-storage-bucket-harden": [
    {
      type: "gcp:storage/bucket:Bucket",
      pass: [res("gcp:storage/bucket:Bucket", "b", { location: "EU", customPlacementConfig: { dataLocations: ["EUROPE-WEST1", "EUROPE-WEST4"] }, encryption: { defaultKmsKeyName: GKEY }, publicAccessPrevention: "enforced" }, { provider: gcpEu })],
      fail: [res("gcp:storage/bucket:Bucket", "b", { location: "EU", customPlacementConfig: { dataLocations: ["EUROPE-WEST1", "EUROPE-WEST2"] }, encryption: { defaultKmsKeyName: GKEY }, publicAccessPrevention: "enforced" }, { provider: gcpEu })],
      expect: "'EUROPE-WEST2'",
    },
  ],
  "meridian-gcp-logging-bucket-encrypt": [
    {
      type: "gcp:logging/projectBucketConfig:ProjectBucketConfig",
      pass: [res("gcp:logging/projectBucketConfig:ProjectBucketConfig", "lb", { location: "europe-west1", bucketId: "audit", cmekSettings: { kmsKeyName: GKEY }, retentionDays: 400 }, { provider: gcpEu })],
      fail: [res("gcp:logging/projectBucketConfig:ProjectBucketConfig", "lb", { location: "global", bucketId: "audit", retentionDays: 400 }, { provider: gcpEu })],
      expect: "cmekSettings.kmsKeyName",
    },
    {
      type: "gcp:logging/projectSink:ProjectSink",
      pass: [res("gcp:logging/projectSink:ProjectSink", "s", { destination: "logging.googleapis.com/projects/p/locations/europe-west1/buckets/audit" }, { provider: gcpEu })],
      fail: [res("gcp:logging/projectSink:ProjectSink", "s", { destination: "logging.googleapis.com/projects/p/locations/global/buckets/_Default" }, { provider: gcpEu })],
      expect: "destination log bucket",
    },
  ],
  "meridian-kubernetes-resource-provider-domain": [
    { type: "*", pass: [ns({ residency: "eu" })], fail: [res("kubernetes:core/v1:Namespace", "apps", { metadata: { name: "apps" } })], expect: "no provider" },
    { type: "*", pass: [ns({})], fail: [{ ...ns({}), provider: provider("kubernetes", "default_4_32_0", {}) }], expect: "default Kubernetes provider" },
    {
      // A default provider configured by `kubernetes:kubeconfig` is judged by its API server, like an explicit one.
      type: "*",
      pass: [{ ...ns({}), provider: provider("kubernetes", "default_4_32_0", { kubeconfig: kubeconfigFor("https://ABC.gr7.eu-central-1.eks.amazonaws.com", "aws") }) }],
      fail: [{ ...ns({}), provider: provider("kubernetes", "default_4_32_0", { kubeconfig: kubeconfigFor("https://ABC.gr7.us-east-1.eks.amazonaws.com", "meridian-eu-aws") }) }],
      expect: "us-east-1, domain us) is not in the eu domain",
    },
  ],
  "meridian-kubernetes-namespace-label-require": [
    {
      type: "kubernetes:core/v1:Namespace",
      pass: [ns({ residency: "eu", "pod-security.kubernetes.io/enforce": "restricted" })],
      fail: [ns({ residency: "us", "pod-security.kubernetes.io/enforce": "restricted" })],
      expect: "residency must be \"eu\"",
    },
  ],
  "meridian-kubernetes-workload-image-pin": WORKLOADS.map(([type, wrap]) => ({
    type,
    pass: [res(type, "w", wrap({ name: "c", image: IMG }), { provider: k8sEu })],
    fail: [res(type, "w", wrap({ name: "c", image: "docker.io/library/nginx:1.27" }), { provider: k8sEu })],
    expect: "'docker.io/library/nginx:1.27' is not from a eu registry",
  })),
  "meridian-kubernetes-networkpolicy-default-deny": [
    { type: "kubernetes:networking.k8s.io/v1:NetworkPolicy", pass: [ns({}), denyAll("apps"), deployment(IMG)], fail: [ns({}), deployment(IMG)], expect: "namespace 'apps' has no default-deny" },
    {
      type: "kubernetes:core/v1:Namespace",
      pass: [ns({}, "a"), ns({}, "b"), denyAll("a"), denyAll("b")],
      fail: [ns({}, "a"), ns({}, "b"), denyAll("a")],
      expect: "namespace 'b'",
    },
    ...WORKLOADS.map(([type, wrap]) => ({
      type,
      // A workload in a namespace the stack creates needs that namespace's default deny; one in a
      // namespace it does not create (here `default`) is under the platform baseline's deny.
      pass: [ns({}, "jobs"), res(type, "w", { metadata: { namespace: "jobs" }, ...wrap({ name: "c", image: IMG }) }, { provider: k8sEu }), denyAll("jobs"), res(type, "w2", wrap({ name: "c", image: IMG }), { provider: k8sEu })],
      fail: [ns({}, "jobs"), res(type, "w", { metadata: { namespace: "jobs" }, ...wrap({ name: "c", image: IMG }) }, { provider: k8sEu })],
      expect: "namespace 'jobs'",
    })),
    {
      type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      pass: [ns({}), denyAll("apps")],
      fail: [
        ns({}),
        denyAll("apps"),
        res("kubernetes:networking.k8s.io/v1:NetworkPolicy", "open", { metadata: { namespace: "apps" }, spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] } }, { provider: k8sEu }),
      ],
      expect: "egress[0] allows 0.0.0.0/0",
    },
  ],
  "meridian-kubernetes-storageclass-encrypt": [
    {
      type: "kubernetes:storage.k8s.io/v1:StorageClass",
      pass: [res("kubernetes:storage.k8s.io/v1:StorageClass", "sc", { provisioner: "ebs.csi.aws.com", parameters: { encrypted: "true", kmsKeyId: KEY }, allowedTopologies: [{ matchLabelExpressions: [{ key: "topology.kubernetes.io/zone", values: ["eu-central-1a"] }] }] }, { provider: k8sEu })],
      fail: [res("kubernetes:storage.k8s.io/v1:StorageClass", "sc", { provisioner: "ebs.csi.aws.com", parameters: { encrypted: "true", kmsKeyId: KEY }, allowedTopologies: [{ matchLabelExpressions: [{ key: "topology.kubernetes.io/zone", values: ["us-east-1a"] }] }] }, { provider: k8sEu })],
      expect: "'us-east-1a' (domain us)",
    },
  ],
  "meridian-interconnect-aws-vpn-crypto": [
    { type: "aws:ec2/vpnConnection:VpnConnection", pass: [awsTunnel()], fail: [awsTunnel({ tunnel2IkeVersions: ["ikev1", "ikev2"] })], expect: "tunnel2IkeVersions has ikev1" },
  ],
  "meridian-interconnect-azure-vpn-crypto": [
    {
      type: "azure-native:network:VirtualNetworkGatewayConnection",
      pass: [res("azure-native:network:VirtualNetworkGatewayConnection", "c", { location: "westeurope", connectionProtocol: "IKEv2", ipsecPolicies: [ipsec] }, { provider: azureEu })],
      fail: [res("azure-native:network:VirtualNetworkGatewayConnection", "c", { location: "westeurope", connectionProtocol: "IKEv2", ipsecPolicies: [{ ...ipsec, pfsGroup: "None" }] }, { provider: azureEu })],
      expect: "pfsGroup is None",
    },
  ],
  "meridian-interconnect-gcp-vpn-crypto": [
    {
      type: "gcp:compute/vPNTunnel:VPNTunnel",
      pass: [res("gcp:compute/vPNTunnel:VPNTunnel", "t", { region: "europe-west1", ikeVersion: 2, cipherSuite: { phase1: { encryptions: ["AES-GCM-16-256"] }, phase2: { encryptions: ["AES-GCM-16-256"], pfs: ["Group-20"] } } }, { provider: gcpEu })],
      fail: [res("gcp:compute/vPNTunnel:VPNTunnel", "t", { region: "europe-west1", ikeVersion: 1 }, { provider: gcpEu })],
      expect: "ikeVersion must be 2",
    },
  ],
  "meridian-aws-eks-cluster-private-endpoint": [
    { type: "aws:eks/cluster:Cluster", pass: [eks()], fail: [eks({ vpcConfig: { endpointPrivateAccess: true } })], expect: "endpointPublicAccess must be false" },
  ],
  "meridian-aws-eks-cluster-audit-logging-enable": [
    { type: "aws:eks/cluster:Cluster", pass: [eks()], fail: [eks({ enabledClusterLogTypes: ["api"] })], expect: "missing audit, authenticator" },
  ],
  "meridian-azure-aks-cluster-private": [
    { type: "azure-native:containerservice:ManagedCluster", pass: [aks()], fail: [aks({ disableLocalAccounts: false })], expect: "disableLocalAccounts must be true" },
  ],
  "meridian-azure-aks-audit-logging-enable": [
    {
      type: "azure-native:containerservice:ManagedCluster",
      pass: [aksCluster, euStorage, diag(euStorage, aksCluster)],
      fail: [aksCluster, euStorage, diag(euStorage, aksCluster, [{ category: "kube-apiserver", enabled: true }])],
      expect: "no diagnostic setting shipping kube-audit",
    },
    { type: "azure-native:monitor:DiagnosticSetting", pass: [aksCluster, euStorage, diag(euStorage, aksCluster)], fail: [aksCluster, euStorage, diag(euStorage)], expect: "AKS cluster 'aks'" },
  ],
  "meridian-gcp-gke-cluster-private": [
    { type: "gcp:container/cluster:Cluster", pass: [gke()], fail: [gke({ privateClusterConfig: { enablePrivateNodes: true } })], expect: "enablePrivateEndpoint must be true" },
  ],
  "meridian-gcp-gke-cluster-audit-logging-enable": [
    { type: "gcp:container/cluster:Cluster", pass: [gke()], fail: [gke({ loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS"] } })], expect: "missing APISERVER" },
    { type: "gcp:container/cluster:Cluster", pass: [gke()], fail: [gke({ loggingConfig: undefined })], expect: "is missing APISERVER (loggingConfig is unset: GKE's default logs SYSTEM_COMPONENTS, WORKLOADS only)" },
  ],
  ...GUARDRAIL_CASES,
  ...EXPOSURE_GATEWAY_CASES,
  ...CONTROL_PLANE_CASES,
  ...BREADTH_CASES,
  ...ADVISORY_CASES,
  ...SUPPLY_CHAIN_CASES,
  ...SECRETS_CASES,
  ...BACKUP_CASES,
  ...TELEMETRY_CASES,
  ...GITOPS_CASES,
};

// Governance policies are exercised with configs in governance.test.ts.
export const GOVERNANCE_POLICIES = ["meridian-governance-config-validate", "meridian-governance-exemption-expire", "meridian-governance-exemption-report", ...CONTROL_PLANE_CONFIG_POLICIES];

export { urnOf };
