/**
 * Pass/fail cases of the backup and failover policies (policy-pack/policies/backup.ts) for
 * the case-coverage test; shapes as ClusterBackup and DnsFailover create them (see
 * test/unit/backup and test/unit/failover).
 */
import type { Case } from "./cases";
import { awsEu, awsUs, azureEu, gcpEu, k8sEu, provider, res } from "./harness";

const azureUs = provider("azure-native", "azure-us", { location: "eastus" });
const gcpUs = provider("gcp", "gcp-us", { project: "p-us", region: "us-central1" });

const BSL = "kubernetes:velero.io/v1:BackupStorageLocation";
const s3 = (region: "eu" | "us") => res("aws:s3/bucket:Bucket", `backup-bucket-${region}`, { bucket: `meridian-${region}-backup` }, { provider: region === "eu" ? awsEu : awsUs });
const gcs = (location: string) => res("gcp:storage/bucket:Bucket", `backup-gcs-${location}`, { name: "meridian-eu-gcs-backup", location }, { provider: gcpEu });
const account = (p: typeof azureEu) => res("azure-native:storage:StorageAccount", `backup-account-${p.props.location}`, { accountName: "bkeuworkload", location: p.props.location }, { provider: p });
const bsl = (name: string, spec: Record<string, unknown>) => res(BSL, name, { metadata: { name: "domain", namespace: "meridian-system" }, spec }, { provider: k8sEu });
const awsBsl = (bucket: string, region: string) => bsl(`bsl-${bucket}-${region}`, { provider: "aws", objectStorage: { bucket, prefix: "c" }, config: { region } });
const schedule = (location: string) =>
  res("kubernetes:velero.io/v1:Schedule", `schedule-${location}`, { metadata: { name: "tenant-payments", namespace: "meridian-system" }, spec: { schedule: "0 */4 * * *", template: { includedNamespaces: ["payments"], storageLocation: location } } }, { provider: k8sEu });

const check = (name: string, tags: Record<string, string>, target: { fqdn?: string; ipAddress?: string }) =>
  res("aws:route53/healthCheck:HealthCheck", name, { type: "HTTPS", port: 443, resourcePath: "/healthz", ...target, tags }, { provider: awsEu });
const record = (name: string, setIdentifier: string, records: string[], healthCheck?: { urn: string }) =>
  res(
    "aws:route53/record:Record",
    name,
    { zoneId: "Z1", name: "pay.eu.example.com", type: "CNAME", ttl: 60, records, setIdentifier, failoverRoutingPolicies: [{ type: "PRIMARY" }], ...(healthCheck ? { healthCheckId: "hc-1" } : {}) },
    { provider: awsEu, ...(healthCheck ? { propertyDependencies: { healthCheckId: [healthCheck.urn] } } : {}) },
  );
const EU_ELB = "k8s-gw-1.elb.eu-central-1.amazonaws.com";
const US_ELB = "k8s-gw-1.elb.us-east-1.amazonaws.com";
const euCheck = check("hc-eu", { "meridian-target-stack": "eu-foundation-aws" }, { fqdn: EU_ELB });

export const BACKUP_CASES: Record<string, Case[]> = {
  "meridian-residency-backup-location-in-domain": [
    { type: BSL, pass: [s3("eu"), awsBsl("meridian-eu-backup", "eu-central-1")], fail: [s3("us"), awsBsl("meridian-us-backup", "us-east-1")], expect: "outside the eu domain" },
    { type: "aws:s3/bucket:Bucket", pass: [s3("eu"), awsBsl("meridian-eu-backup", "eu-central-1")], fail: [awsBsl("someone-elses-bucket", "eu-central-1")], expect: "is not created by this stack" },
    {
      type: "gcp:storage/bucket:Bucket",
      pass: [gcs("EUROPE-WEST1"), bsl("bsl-gcs", { provider: "gcp", objectStorage: { bucket: "meridian-eu-gcs-backup" }, config: {} })],
      fail: [gcs("US-CENTRAL1"), bsl("bsl-gcs", { provider: "gcp", objectStorage: { bucket: "meridian-eu-gcs-backup" }, config: {} })],
      expect: "outside the eu domain",
    },
    {
      type: "azure-native:storage:StorageAccount",
      pass: [account(azureEu), bsl("bsl-az", { provider: "azure", objectStorage: { bucket: "c" }, config: { storageAccount: "bkeuworkload", resourceGroup: "rg" } })],
      fail: [account(azureUs), bsl("bsl-az", { provider: "azure", objectStorage: { bucket: "c" }, config: { storageAccount: "bkeuworkload", resourceGroup: "rg" } })],
      expect: "outside the eu domain",
    },
    {
      type: "kubernetes:velero.io/v1:VolumeSnapshotLocation",
      pass: [res("kubernetes:velero.io/v1:VolumeSnapshotLocation", "vsl", { spec: { provider: "aws", config: { region: "eu-central-1" } } }, { provider: k8sEu })],
      fail: [res("kubernetes:velero.io/v1:VolumeSnapshotLocation", "vsl", { spec: { provider: "aws", config: { region: "us-east-1" } } }, { provider: k8sEu })],
      expect: "snapshots go to",
    },
    { type: "kubernetes:velero.io/v1:Schedule", pass: [s3("eu"), awsBsl("meridian-eu-backup", "eu-central-1"), schedule("domain")], fail: [schedule("us-bucket")], expect: "is not a BackupStorageLocation this stack creates" },
    {
      type: "kubernetes:velero.io/v1:Backup",
      pass: [s3("eu"), awsBsl("meridian-eu-backup", "eu-central-1"), res("kubernetes:velero.io/v1:Backup", "b", { spec: { storageLocation: "domain" } }, { provider: k8sEu })],
      fail: [res("kubernetes:velero.io/v1:Backup", "b", { spec: { includedNamespaces: ["payments"] } }, { provider: k8sEu })],
      expect: "must name a BackupStorageLocation",
    },
  ],
  "meridian-residency-backup-copy-in-domain": [
    {
      type: "aws:backup/plan:Plan",
      pass: [res("aws:backup/plan:Plan", "plan", { rules: [{ ruleName: "daily", copyActions: [{ destinationVaultArn: "arn:aws:backup:eu-west-1:123456789012:backup-vault:eu" }] }] }, { provider: awsEu })],
      fail: [res("aws:backup/plan:Plan", "plan", { rules: [{ ruleName: "daily", copyActions: [{ destinationVaultArn: "arn:aws:backup:us-east-1:123456789012:backup-vault:us" }] }] }, { provider: awsEu })],
      expect: "outside the eu domain",
    },
    {
      type: "azure-native:dataprotection:BackupVault",
      pass: [res("azure-native:dataprotection:BackupVault", "vault", { location: "westeurope", properties: { storageSettings: [{ datastoreType: "VaultStore", type: "ZoneRedundant" }] } }, { provider: azureEu })],
      fail: [res("azure-native:dataprotection:BackupVault", "vault", { location: "westeurope", properties: { storageSettings: [{ datastoreType: "VaultStore", type: "GeoRedundant" }] } }, { provider: azureEu })],
      expect: "GeoRedundant",
    },
    {
      type: "gcp:gkebackup/backupPlan:BackupPlan",
      pass: [res("gcp:gkebackup/backupPlan:BackupPlan", "bp", { location: "europe-west1", cluster: "projects/p-eu/locations/europe-west1/clusters/c" }, { provider: gcpEu })],
      fail: [res("gcp:gkebackup/backupPlan:BackupPlan", "bp", { location: "europe-west1", cluster: "projects/p-us/locations/us-central1/clusters/c" }, { provider: gcpUs })],
      expect: "outside the eu domain",
    },
  ],
  "meridian-residency-failover-target-in-domain": [
    { type: "aws:route53/healthCheck:HealthCheck", pass: [euCheck], fail: [check("hc-us", { "meridian-target-stack": "us-foundation-aws" }, { fqdn: US_ELB })], expect: "is in domain us" },
    { type: "aws:route53/record:Record", pass: [euCheck, record("rec", "eu-foundation-aws", [EU_ELB], euCheck)], fail: [euCheck, record("rec", "eu-foundation-aws", [US_ELB], euCheck)], expect: "outside the eu domain" },
  ],
};
