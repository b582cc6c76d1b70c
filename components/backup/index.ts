/**
 * ClusterBackup: Velero on one cluster of a residency domain, writing to a backup target of
 * that same domain on the cluster's own cloud and region (S3 / Azure Blob / GCS, one adapter
 * per cloud), encrypted with the domain's customer-managed key, kept for a retention, with
 * one Schedule per tenant namespace and the cloud's VolumeSnapshotClass for CSI snapshots.
 *
 * Generic in the domain `D`: the key, network and registry must be handles of the same `D`,
 * so an EU cluster cannot back up with a US key or into a US bucket (a compile error, backed
 * by a run-time check). The BackupStorageLocation is a resource of its own (not chart
 * values), so the policy pack sees where every backup goes (policy-pack/policies/backup.ts).
 * Why Velero rather than each cloud's managed backup: docs/adr.md ADR-8.
 */
import * as k8s from "../sdk/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { assertSameDomain, claimResident, residentTags, type BackupTargetHandle, type Cloud, type Domain, type KeyHandle, type NetworkHandle, type RegistryHandle } from "../residency";
import { createS3Target } from "./aws";
import { createBlobTarget } from "./azure";
import { createGcsTarget } from "./gcp";
import {
  BACKUP_LOCATION_NAME,
  backupBucketName,
  backupSettingsSchema,
  CLOUD_BACKUP,
  namespaceSchedules,
  validateBackupArgs,
  VELERO_CHART,
  VELERO_IMAGES,
  VELERO_NAMESPACE,
  VELERO_SERVICE_ACCOUNT,
  veleroValuesSchema,
  type BackupSettings,
  type NamespaceSchedule,
} from "./spec";

export * from "./spec";

export interface ClusterBackupArgs<D extends Domain> {
  /** (Required) The residency domain of the cluster. */
  readonly domain: D;
  /** (Required) The cluster's cloud; the target is created on it. */
  readonly cloud: Cloud;
  /** (Required) The cluster's region; the bucket/account is created in it. */
  readonly region: string;
  /** (Required) Cluster name (the EKS cluster name on AWS; names the bucket and the Velero identity). */
  readonly clusterName: string;
  /** (Required) The cluster's Kubernetes provider; every Kubernetes child goes through it. */
  readonly provider: k8s.Provider;
  /** (Required) The domain's key on the cluster's cloud; backups are encrypted with it. */
  readonly key: KeyHandle<NoInfer<D>>;
  /** (Required) The cluster's network: Velero's egress is allowed to its CIDR only (endpoints of the storage service live there). */
  readonly network: NetworkHandle<NoInfer<D>>;
  /** (Required) The domain registry: the chart comes from its OCI mirror, the images from it by digest. */
  readonly registry: RegistryHandle<NoInfer<D>>;
  /** (Required on Azure) The cluster's OIDC issuer, for the Velero identity's federated credential. */
  readonly oidcIssuer?: pulumi.Input<string>;
  /** (Optional) Tenant namespaces to back up, one Schedule each. Defaults to none. */
  readonly namespaces?: readonly string[];
  /** (Optional) Schedule, retention, volume snapshots. Defaults to {@link backupSettingsSchema}'s defaults (every 4h, 30 days, snapshots on). */
  readonly settings?: Partial<BackupSettings>;
  /** (Optional) Azure only: the resource group of the storage account. Defaults to the network's. */
  readonly resourceGroupName?: pulumi.Input<string>;
  /** (Optional) Tags/labels for every cloud child. Defaults to none. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** What the target adapters are given. */
export interface BackupTargetSpec {
  readonly domain: Domain;
  readonly region: string;
  readonly clusterName: string;
  readonly bucketName: string;
  readonly retentionDays: number;
  readonly tags: Readonly<Record<string, string>>;
}

/** What a target adapter returns: the bucket/container, Velero's BSL `config`, and how its ServiceAccount is federated. */
export interface BackupTarget {
  readonly bucket: pulumi.Output<string>;
  readonly storageAccount?: pulumi.Output<string>;
  readonly locationConfig: Record<string, pulumi.Input<string>>;
  readonly serviceAccountAnnotations: Record<string, pulumi.Input<string>>;
  readonly podLabels: Record<string, string>;
}

/** Private Google Access (`private.googleapis.com`): where GCS is reached from a private GKE node. */
const GCP_PRIVATE_GOOGLE_ACCESS = "199.36.153.8/30";

function pinned(prefix: string, image: { repository: string; digest: string }): string {
  return `${prefix}${image.repository}@${image.digest}`;
}

/** The chart values: every image from the domain registry by digest, no credentials secret, no chart-made locations. */
export function veleroValues(cloud: Cloud, prefix: string, target: { serviceAccountAnnotations: Record<string, string>; podLabels: Record<string, string> }, snapshotVolumes: boolean): Record<string, unknown> {
  const plugin = VELERO_IMAGES[cloud];
  const values = {
    image: { repository: `${prefix}${VELERO_IMAGES.velero.repository}`, tag: VELERO_IMAGES.velero.tag, digest: VELERO_IMAGES.velero.digest },
    kubectl: { image: { repository: `${prefix}${VELERO_IMAGES.kubectl.repository}`, tag: VELERO_IMAGES.kubectl.tag, digest: VELERO_IMAGES.kubectl.digest } },
    initContainers: [
      {
        name: `velero-plugin-for-${cloud}`,
        image: pinned(prefix, plugin),
        imagePullPolicy: "IfNotPresent",
        volumeMounts: [{ mountPath: "/target", name: "plugins" }],
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
      },
    ],
    serviceAccount: { server: { create: true, name: VELERO_SERVICE_ACCOUNT, annotations: target.serviceAccountAnnotations } },
    podLabels: target.podLabels,
    podSecurityContext: { runAsNonRoot: true, runAsUser: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
    containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
    // Workload identity only: no cloud credentials Secret exists.
    credentials: { useSecret: false },
    // Locations are BackupStorageLocation resources of this component, visible to the pack.
    configuration: { backupStorageLocation: [], volumeSnapshotLocation: [], defaultVolumesToFsBackup: false },
    snapshotsEnabled: snapshotVolumes,
    deployNodeAgent: false,
    upgradeCRDs: true,
    metrics: { enabled: true },
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
  };
  const parsed = veleroValuesSchema.safeParse(values);
  if (!parsed.success) throw new Error(`ClusterBackup: invalid Velero values: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return values;
}

export class ClusterBackup<D extends Domain> extends pulumi.ComponentResource {
  readonly handle: BackupTargetHandle<D>;
  /** The bucket (S3, GCS) or blob container (Azure). */
  readonly bucket: pulumi.Output<string>;
  /** The BackupStorageLocation's name, in {@link VELERO_NAMESPACE}. */
  readonly location: string;
  readonly schedules: readonly NamespaceSchedule[];
  readonly settings: BackupSettings;

  constructor(name: string, args: ClusterBackupArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:backup:ClusterBackup", name, {}, opts);
    const problems = validateBackupArgs({ domain: args.domain, cloud: args.cloud, key: args.key, registry: args.registry, namespaces: args.namespaces ?? [] });
    if (args.network.domain !== args.domain) problems.push({ propertyPath: "network", reason: `network of domain ${args.network.domain} on a ${args.domain} cluster` });
    if (args.cloud === "azure" && args.oidcIssuer === undefined) problems.push({ propertyPath: "oidcIssuer", reason: "required on Azure (workload identity federation)" });
    const settings = backupSettingsSchema.safeParse(args.settings ?? {});
    if (!settings.success) settings.error.issues.forEach((i) => problems.push({ propertyPath: `settings.${i.path.join(".")}`, reason: i.message }));
    if (problems.length > 0 || !settings.success) {
      throw new pulumi.InputPropertiesError({ message: `ClusterBackup ${name}: invalid arguments`, errors: problems });
    }
    assertSameDomain(args.domain, args.key, `key for backup ${name}`);
    assertSameDomain(args.domain, args.registry, `registry for backup ${name}`);
    this.settings = settings.data;
    const spec: BackupTargetSpec = {
      domain: args.domain,
      region: args.region,
      clusterName: args.clusterName,
      bucketName: backupBucketName(args.domain, args.clusterName),
      retentionDays: this.settings.retentionDays,
      tags: residentTags(args.domain, args.tags),
    };
    const key = args.key;
    const target =
      key.cloud === "aws"
        ? createS3Target(name, spec, key, this)
        : key.cloud === "azure"
          ? createBlobTarget(name, spec, key, args.resourceGroupName ?? args.network.resourceGroupName ?? key.resourceGroupName, args.oidcIssuer!, this)
          : createGcsTarget(name, spec, key, this);
    this.bucket = target.bucket;
    this.location = BACKUP_LOCATION_NAME;
    this.schedules = namespaceSchedules(args.namespaces ?? [], this.settings);

    const k8sOpts = { parent: this, provider: args.provider };
    const prefix = pulumi.output(args.registry.imagePrefixes).apply((p) => {
      if (p.length === 0) throw new Error(`ClusterBackup ${name}: the domain registry has no image prefix`);
      return p[0];
    });
    const release = new k8s.helm.v3.Release(
      `${name}-velero`,
      {
        name: "velero",
        chart: VELERO_CHART.name,
        version: VELERO_CHART.version,
        repositoryOpts: { repo: pulumi.interpolate`oci://${prefix}charts` },
        namespace: VELERO_NAMESPACE,
        createNamespace: false,
        atomic: true,
        values: pulumi
          .all([prefix, pulumi.output(target.serviceAccountAnnotations)])
          .apply(([p, annotations]) => veleroValues(args.cloud, p, { serviceAccountAnnotations: annotations, podLabels: target.podLabels }, this.settings.snapshotVolumes)),
      },
      k8sOpts,
    );

    // Velero's egress: the storage service's private endpoints and the API server live in the
    // cluster's network (on GCP, GCS is reached through Private Google Access).
    new k8s.networking.v1.NetworkPolicy(
      `${name}-velero-egress`,
      {
        metadata: { name: "velero-egress", namespace: VELERO_NAMESPACE },
        spec: {
          podSelector: { matchLabels: { "app.kubernetes.io/name": "velero" } },
          policyTypes: ["Egress"],
          egress: [
            {
              to: [{ ipBlock: { cidr: args.network.cidr } }, ...(args.cloud === "gcp" ? [{ ipBlock: { cidr: GCP_PRIVATE_GOOGLE_ACCESS } }] : [])],
              ports: [{ protocol: "TCP", port: 443 }],
            },
          ],
        },
      },
      k8sOpts,
    );

    const crdOpts = { ...k8sOpts, dependsOn: [release] };
    const location = new k8s.apiextensions.CustomResource(
      `${name}-location`,
      {
        apiVersion: "velero.io/v1",
        kind: "BackupStorageLocation",
        metadata: { name: BACKUP_LOCATION_NAME, namespace: VELERO_NAMESPACE, labels: { residency: args.domain } },
        spec: {
          provider: CLOUD_BACKUP[args.cloud].provider,
          default: true,
          accessMode: "ReadWrite",
          validationFrequency: "1h",
          // One prefix per cluster: a restore drill reads only its own cluster's backups.
          objectStorage: { bucket: target.bucket, prefix: args.clusterName },
          config: target.locationConfig,
        },
      },
      crdOpts,
    );
    if (this.settings.snapshotVolumes) {
      new k8s.apiextensions.CustomResource(
        `${name}-snapshot-class`,
        {
          apiVersion: "snapshot.storage.k8s.io/v1",
          kind: "VolumeSnapshotClass",
          metadata: { name: "meridian-backup", labels: { "velero.io/csi-volumesnapshot-class": "true", residency: args.domain } },
          driver: CLOUD_BACKUP[args.cloud].csiDriver,
          // Retain: a snapshot outlives the VolumeSnapshot object until Velero's TTL deletes it.
          deletionPolicy: "Retain",
          parameters: CLOUD_BACKUP[args.cloud].snapshotParameters(args.region),
        },
        k8sOpts,
      );
    }
    for (const s of this.schedules) {
      new k8s.apiextensions.CustomResource(
        `${name}-schedule-${s.namespace}`,
        {
          apiVersion: "velero.io/v1",
          kind: "Schedule",
          metadata: { name: s.name, namespace: VELERO_NAMESPACE, labels: { "meridian.io/tenant-namespace": s.namespace, residency: args.domain } },
          spec: {
            schedule: s.cron,
            useOwnerReferencesInBackup: false,
            template: {
              includedNamespaces: [s.namespace],
              storageLocation: BACKUP_LOCATION_NAME,
              ttl: s.ttl,
              snapshotVolumes: this.settings.snapshotVolumes,
              defaultVolumesToFsBackup: false,
              csiSnapshotTimeout: "10m",
              metadata: { labels: { "meridian.io/tenant-namespace": s.namespace } },
            },
          },
        },
        { ...crdOpts, dependsOn: [release, location] },
      );
    }

    this.handle = claimResident(args.domain, { cloud: args.cloud, region: args.region, bucket: target.bucket, ...(target.storageAccount ? { storageAccount: target.storageAccount } : {}) });
    this.registerOutputs({ bucket: this.bucket, location: this.location, schedules: this.schedules.map((s) => s.name) });
  }
}
