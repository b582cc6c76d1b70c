import * as gcp from "../sdk/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { KeyRef } from "../residency";
import type { BackupTarget, BackupTargetSpec } from "./index";
import { VELERO_NAMESPACE, VELERO_SERVICE_ACCOUNT } from "./spec";

/** `projects/<p>/locations/...` → `<p>`. */
export function projectOfKey(cryptoKeyId: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(cryptoKeyId).apply((id) => {
    const m = /^projects\/([^/]+)\//.exec(id);
    if (m === null) throw new Error(`backup: GCP key id "${id}" does not start with projects/<project>/`);
    return m[1];
  });
}

/**
 * A regional GCS bucket in the cluster's region (never a multi-region), default CMEK with
 * the domain key (the project's Cloud Storage agent gets encrypt/decrypt on that key only),
 * uniform access, public access prevention enforced, versioning, and a lifecycle rule
 * deleting objects after the retention. Velero authenticates with GKE Workload Identity as
 * a service account that holds `roles/storage.objectAdmin` on this bucket only.
 */
export function createGcsTarget(name: string, spec: BackupTargetSpec, key: Extract<KeyRef, { cloud: "gcp" }>, parent: pulumi.Resource): BackupTarget {
  const o = { parent };
  const project = projectOfKey(key.cryptoKeyId);
  const agent = gcp.storage.getProjectServiceAccountOutput({ project }, { parent });
  const keyGrant = new gcp.kms.CryptoKeyIAMMember(
    `${name}-storage-agent-key`,
    { cryptoKeyId: key.cryptoKeyId, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: pulumi.interpolate`serviceAccount:${agent.emailAddress}` },
    o,
  );
  const bucket = new gcp.storage.Bucket(
    `${name}-bucket`,
    {
      name: spec.bucketName,
      project,
      location: spec.region.toUpperCase(),
      storageClass: "STANDARD",
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      versioning: { enabled: true },
      encryption: { defaultKmsKeyName: key.cryptoKeyId },
      // Velero deletes expired backups itself (TTL); this catches what it leaves behind.
      lifecycleRules: [
        { action: { type: "Delete" }, condition: { age: spec.retentionDays + 1 } },
        { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 7, withState: "ARCHIVED" } },
      ],
      forceDestroy: false,
      labels: { ...spec.tags },
    },
    { parent, dependsOn: [keyGrant] },
  );
  const account = new gcp.serviceaccount.Account(
    `${name}-sa`,
    { project, accountId: `velero-${spec.clusterName}`.slice(0, 30).replace(/-+$/, ""), displayName: `Velero on ${spec.clusterName} (${spec.domain})` },
    o,
  );
  new gcp.serviceaccount.IAMMember(
    `${name}-sa-workload-identity`,
    { serviceAccountId: account.name, role: "roles/iam.workloadIdentityUser", member: pulumi.interpolate`serviceAccount:${project}.svc.id.goog[${VELERO_NAMESPACE}/${VELERO_SERVICE_ACCOUNT}]` },
    o,
  );
  new gcp.storage.BucketIAMMember(`${name}-bucket-access`, { bucket: bucket.name, role: "roles/storage.objectAdmin", member: account.member }, o);
  return {
    bucket: bucket.name,
    locationConfig: { serviceAccount: account.email, kmsKeyName: key.cryptoKeyId },
    serviceAccountAnnotations: { "iam.gke.io/gcp-service-account": account.email },
    podLabels: {},
  };
}
