/**
 * Shared types and pure validation of the cluster backup (Velero): the pinned chart and
 * images, the per-cloud Velero settings, the tenant schedules and their retention.
 *
 * The chart and the images come from the domain registry (the chart through its OCI mirror
 * `oci://<domain registry prefix>charts`), pinned: the digests below are PLACEHOLDERS to be
 * filled from the mirror when the images are copied there (docs/backup.md says so too).
 */
import { z } from "zod";
import type { Cloud } from "../residency";

/** The Velero chart (vmware-tanzu/helm-charts `velero`), mirrored into each domain registry. */
export const VELERO_CHART = { name: "velero", version: "10.0.8" } as const;

/** Images the chart runs, as mirrored into the domain registry (`<prefix><repository>@<digest>`). */
export const VELERO_IMAGES = {
  velero: { repository: "velero/velero", tag: "v1.16.1", digest: `sha256:${"1".repeat(64)}` },
  kubectl: { repository: "bitnami/kubectl", tag: "1.33.1", digest: `sha256:${"2".repeat(64)}` },
  aws: { repository: "velero/velero-plugin-for-aws", tag: "v1.12.1", digest: `sha256:${"3".repeat(64)}` },
  azure: { repository: "velero/velero-plugin-for-microsoft-azure", tag: "v1.12.1", digest: `sha256:${"4".repeat(64)}` },
  gcp: { repository: "velero/velero-plugin-for-gcp", tag: "v1.12.1", digest: `sha256:${"5".repeat(64)}` },
} as const;

/** Velero runs in the platform namespace the baseline creates (default deny, restricted Pod Security). */
export const VELERO_NAMESPACE = "meridian-system";
export const VELERO_SERVICE_ACCOUNT = "velero";
/** The BackupStorageLocation every schedule writes to. */
export const BACKUP_LOCATION_NAME = "domain";

/** Velero's object-store provider and CSI driver per cloud. */
export const CLOUD_BACKUP: Record<Cloud, { readonly provider: string; readonly csiDriver: string; snapshotParameters(region: string): Record<string, string> }> = {
  // EBS snapshots stay in the volume's region; there is no parameter to move them.
  aws: { provider: "aws", csiDriver: "ebs.csi.aws.com", snapshotParameters: () => ({}) },
  // Incremental snapshots stay in the disk's region and resource group (Azure's default for CSI snapshots).
  azure: { provider: "azure", csiDriver: "disk.csi.azure.com", snapshotParameters: () => ({ incremental: "true" }) },
  // Regional snapshot storage in the cluster's region, never the multi-region default (`eu`/`us`).
  gcp: { provider: "gcp", csiDriver: "pd.csi.storage.gke.io", snapshotParameters: (region) => ({ "storage-locations": region }) },
};

/** (Optional) Backup settings of a cluster, `meridian:cluster.backup`. */
export const backupSettingsSchema = z.strictObject({
  /** (Optional) Cron (UTC) of the tenant namespace schedules. Defaults to every 4 hours, so the RPO is at most 4h. */
  schedule: z
    .string()
    .regex(/^(\S+\s+){4}\S+$/, "a five-field cron expression such as \"0 */4 * * *\"")
    .default("0 */4 * * *"),
  /** (Optional) Days a backup is kept (Velero TTL and the bucket's lifecycle). Defaults to 30; 7–365. */
  retentionDays: z.int().min(7).max(365).default(30),
  /** (Optional) Snapshot persistent volumes through CSI (VolumeSnapshotClass per cloud). Defaults to true. */
  snapshotVolumes: z.boolean().default(true),
  /** (Optional) Recovery time objective in minutes, judged by `fleet drill restore`. Defaults to 60. */
  rtoMinutes: z.int().min(1).max(1440).default(60),
});
export type BackupSettings = z.infer<typeof backupSettingsSchema>;

/** The chart values meridian sets; validated before they reach the chart. */
export const veleroValuesSchema = z.looseObject({
  image: z.strictObject({ repository: z.string().min(1), tag: z.string().min(1), digest: z.string().regex(/^sha256:[0-9a-f]{64}$/) }),
  kubectl: z.strictObject({ image: z.strictObject({ repository: z.string().min(1), tag: z.string().min(1), digest: z.string().regex(/^sha256:[0-9a-f]{64}$/) }) }),
  initContainers: z.array(z.looseObject({ image: z.string().regex(/@sha256:[0-9a-f]{64}$/, "an image pinned by digest") })).length(1),
  credentials: z.strictObject({ useSecret: z.literal(false) }),
  configuration: z.looseObject({ backupStorageLocation: z.array(z.unknown()).length(0), volumeSnapshotLocation: z.array(z.unknown()).length(0) }),
  deployNodeAgent: z.literal(false),
});

/** A Velero Schedule for one tenant namespace. */
export interface NamespaceSchedule {
  readonly name: string;
  readonly namespace: string;
  readonly cron: string;
  /** Velero TTL, `<hours>h0m0s`. */
  readonly ttl: string;
}

/** DNS-1123 label: the namespaces a schedule may name. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** One schedule per tenant namespace, named after it (stable: a rename is a new schedule, not a replacement of others). */
export function namespaceSchedules(namespaces: readonly string[], settings: BackupSettings): NamespaceSchedule[] {
  return [...new Set(namespaces)].map((namespace) => ({
    name: `tenant-${namespace}`,
    namespace,
    cron: settings.schedule,
    ttl: `${settings.retentionDays * 24}h0m0s`,
  }));
}

/** Pure validation of a cluster backup's arguments; every problem at once. */
export function validateBackupArgs(args: {
  readonly domain: string;
  readonly cloud: Cloud;
  readonly key: { readonly domain: string; readonly cloud: string };
  readonly registry: { readonly domain: string };
  readonly namespaces: readonly string[];
}): { propertyPath: string; reason: string }[] {
  const problems: { propertyPath: string; reason: string }[] = [];
  if (args.key.domain !== args.domain) problems.push({ propertyPath: "key", reason: `key of domain ${args.key.domain} cannot encrypt a ${args.domain} backup` });
  if (args.key.cloud !== args.cloud) problems.push({ propertyPath: "key", reason: `a ${args.key.cloud} key cannot encrypt a backup bucket on ${args.cloud}` });
  if (args.registry.domain !== args.domain) problems.push({ propertyPath: "registry", reason: `registry of domain ${args.registry.domain} on a ${args.domain} cluster` });
  args.namespaces.forEach((ns, i) => {
    if (!DNS_LABEL.test(ns)) problems.push({ propertyPath: `namespaces[${i}]`, reason: `"${ns}" is not a DNS-1123 label` });
  });
  return problems;
}

/** The bucket (or Azure container) name of a cluster's backups: `meridian-<domain>-<cluster>-backup`, within S3/GCS's 63 characters. */
export function backupBucketName(domain: string, clusterName: string): string {
  return `meridian-${domain}-${clusterName}-backup`.slice(0, 63).replace(/-+$/, "");
}
