/**
 * `gs://bucket/prefix`: @google-cloud/storage with Application Default Credentials (workload
 * identity federation in CI). Each object is written once (`ifGenerationMatch: 0`), validated
 * by the library (CRC32C/MD5 of the upload), and carries its SHA-256 as metadata. With
 * `retainDays`, the bucket must have object retention enabled and each object gets an
 * object retention (`Unlocked` unless `lockMode=locked`); otherwise the bucket's retention
 * policy (if any) applies and is recorded.
 */
import { Storage, type StorageOptions } from "@google-cloud/storage";
import { contentType, EvidenceStoreError, retainDays, retainUntil, type EvidenceObject, type EvidenceStore, type LocalFile, type Retention, type StoreUrl } from "./spec";

function objectRetentionMode(store: StoreUrl): "Locked" | "Unlocked" {
  const m = (store.params.lockMode ?? "unlocked").toLowerCase();
  if (m !== "locked" && m !== "unlocked") throw new EvidenceStoreError(store.display, `lockMode for gs:// is locked or unlocked, not "${store.params.lockMode}"`);
  return m === "locked" ? "Locked" : "Unlocked";
}

function isLoopback(endpoint: string): boolean {
  return /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/.test(endpoint);
}

export class GcsEvidenceStore implements EvidenceStore {
  private readonly storage: Storage;

  constructor(
    readonly url: StoreUrl,
    options: StorageOptions = {},
  ) {
    const endpoint = url.params.endpoint;
    this.storage = new Storage({
      // The library skips authentication for any custom endpoint unless told otherwise: keep it
      // for real (private, regional) endpoints, drop it only for an emulator on loopback.
      ...(endpoint !== undefined ? { apiEndpoint: endpoint, useAuthWithCustomEndpoint: !isLoopback(endpoint) } : {}),
      ...(url.params.project !== undefined ? { projectId: url.params.project } : {}),
      ...options,
    });
  }

  async upload(files: readonly LocalFile[], location: string, now: Date): Promise<{ objects: EvidenceObject[]; retention: Retention }> {
    const bucket = this.storage.bucket(this.url.root);
    const days = retainDays(this.url);
    const [meta] = await bucket.getMetadata();
    let retention: Retention;
    let objectRetention: { mode: string; retainUntilTime: string } | undefined;
    if (days !== undefined) {
      const mode = objectRetentionMode(this.url);
      if (meta.objectRetention?.mode !== "Enabled") throw new EvidenceStoreError(this.url.display, `retainDays=${days} is declared but bucket ${this.url.root} does not have object retention enabled`);
      objectRetention = { mode, retainUntilTime: retainUntil(days, now).toISOString() };
      retention = { applied: true, mode, retainUntil: objectRetention.retainUntilTime, detail: `declared retainDays=${days}` };
    } else if (meta.retentionPolicy?.retentionPeriod !== undefined) {
      const p = meta.retentionPolicy;
      retention = { applied: true, mode: p.isLocked === true ? "Locked" : "Unlocked", detail: `bucket retention policy ${p.retentionPeriod} s` };
    } else {
      retention = { applied: false, detail: "bucket has no retention policy, and no retainDays is declared" };
    }
    const objects: EvidenceObject[] = [];
    for (const f of files) {
      const key = `${location}${f.file}`;
      await bucket.file(key).save(f.content, {
        resumable: false,
        validation: true,
        contentType: contentType(f.file),
        preconditionOpts: { ifGenerationMatch: 0 },
        metadata: { metadata: { sha256: f.sha256 }, ...(objectRetention !== undefined ? { retention: objectRetention } : {}) },
      });
      objects.push({ file: f.file, key, bytes: f.content.length, sha256: f.sha256 });
    }
    return { objects, retention };
  }
}
