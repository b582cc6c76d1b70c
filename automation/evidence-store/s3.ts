/**
 * `s3://bucket/prefix?region=…`: @aws-sdk/client-s3 with the SDK's default credential chain
 * (environment, shared config, web identity/OIDC in CI). Each object is sent with its SHA-256
 * (`x-amz-checksum-sha256`, verified by S3) and `If-None-Match: *` (never overwrites). With
 * `retainDays`, the bucket must have Object Lock enabled and each object gets
 * `x-amz-object-lock-mode` + `x-amz-object-lock-retain-until-date`; without it the bucket's
 * default retention (if any) applies and is recorded.
 */
import {
  GetObjectLockConfigurationCommand,
  PutObjectCommand,
  S3Client,
  type ObjectLockConfiguration,
  type ObjectLockRetentionMode,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { contentType, EvidenceStoreError, retainDays, retainUntil, type EvidenceObject, type EvidenceStore, type LocalFile, type Retention, type StoreUrl } from "./spec";

/** Client settings from the URL: region, a custom endpoint (emulators), path-style addressing. */
export function s3ClientConfig(store: StoreUrl): S3ClientConfig {
  const p = store.params;
  return {
    ...(p.region !== undefined ? { region: p.region } : {}),
    ...(p.endpoint !== undefined ? { endpoint: p.endpoint } : {}),
    forcePathStyle: p.s3ForcePathStyle === "true" || p.use_path_style === "true",
  };
}

function lockMode(store: StoreUrl): ObjectLockRetentionMode {
  const m = (store.params.lockMode ?? "compliance").toUpperCase();
  if (m !== "COMPLIANCE" && m !== "GOVERNANCE") throw new EvidenceStoreError(store.display, `lockMode for s3:// is compliance or governance, not "${store.params.lockMode}"`);
  return m;
}

function errorName(e: unknown): string {
  return e instanceof Error ? e.name : String(e);
}

/** The bucket's Object Lock configuration, or why it has none (not enabled, or the store does not implement it). */
async function lockConfiguration(client: S3Client, bucket: string): Promise<ObjectLockConfiguration | string> {
  try {
    const r = await client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }));
    return r.ObjectLockConfiguration ?? "no Object Lock configuration";
  } catch (e) {
    return `no Object Lock (${errorName(e)})`;
  }
}

export class S3EvidenceStore implements EvidenceStore {
  private readonly client: S3Client;

  /** `config` is merged over the URL's settings (tests pass a request handler and credentials). */
  constructor(
    readonly url: StoreUrl,
    config: S3ClientConfig = {},
  ) {
    this.client = new S3Client({ ...s3ClientConfig(url), ...config });
  }

  async upload(files: readonly LocalFile[], location: string, now: Date): Promise<{ objects: EvidenceObject[]; retention: Retention }> {
    const days = retainDays(this.url);
    const mode = days !== undefined ? lockMode(this.url) : undefined;
    const lock = await lockConfiguration(this.client, this.url.root);
    const enabled = typeof lock !== "string" && lock.ObjectLockEnabled === "Enabled";
    let retention: Retention;
    let headers: { ObjectLockMode?: ObjectLockRetentionMode; ObjectLockRetainUntilDate?: Date } = {};
    if (days !== undefined) {
      if (!enabled) throw new EvidenceStoreError(this.url.display, `retainDays=${days} is declared but bucket ${this.url.root} has ${typeof lock === "string" ? lock : "Object Lock disabled"}`);
      const until = retainUntil(days, now);
      headers = { ObjectLockMode: mode, ObjectLockRetainUntilDate: until };
      retention = { applied: true, mode, retainUntil: until.toISOString(), detail: `declared retainDays=${days}` };
    } else if (enabled && typeof lock !== "string" && lock.Rule?.DefaultRetention !== undefined) {
      const d = lock.Rule.DefaultRetention;
      retention = { applied: true, mode: d.Mode, detail: `bucket default retention ${d.Days !== undefined ? `${d.Days} days` : `${d.Years} years`}` };
    } else {
      retention = { applied: false, detail: typeof lock === "string" ? `bucket has ${lock}` : "bucket has Object Lock but no default retention, and no retainDays is declared" };
    }
    const objects: EvidenceObject[] = [];
    for (const f of files) {
      const key = `${location}${f.file}`;
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.url.root,
          Key: key,
          Body: f.content,
          ContentType: contentType(f.file),
          ChecksumAlgorithm: "SHA256",
          ChecksumSHA256: Buffer.from(f.sha256, "hex").toString("base64"),
          IfNoneMatch: "*",
          ...headers,
        }),
      );
      objects.push({ file: f.file, key, bytes: f.content.length, sha256: f.sha256 });
    }
    return { objects, retention };
  }
}
