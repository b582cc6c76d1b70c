/**
 * Evidence stores: upload one domain's evidence folder of a run to that domain's
 * `evidenceStore` (fleet.yaml `domains.<domain>.evidenceStore`), with the clouds' own SDKs —
 * `s3://` (@aws-sdk/client-s3), `gs://` (@google-cloud/storage), `azblob://`
 * (@azure/storage-blob) — or `file://` (a plain read-only copy). Objects go under
 * `<prefix>/<run-id>/<domain>/`; the receipt (`upload.json`) is written beside the local copy.
 *
 * An upload failure is an `EvidenceStoreError` naming the store (URL without credentials);
 * the local copy is never touched by an upload, so it is kept whatever happens.
 */
import type { S3ClientConfig } from "@aws-sdk/client-s3";
import type { StorageOptions } from "@google-cloud/storage";
import type { ContainerClient } from "@azure/storage-blob";
import { AzureBlobEvidenceStore, azureContainer } from "./azblob";
import { FileEvidenceStore } from "./file";
import { GcsEvidenceStore } from "./gcs";
import { S3EvidenceStore } from "./s3";
import { displayUrl, EvidenceStoreError, evidenceFiles, parseStoreUrl, runPrefix, type EvidenceStore, type UploadReceipt } from "./spec";

export * from "./spec";

/** SDK settings per kind, merged over the URL's (tests, emulators). */
export interface StoreClients {
  readonly s3?: S3ClientConfig;
  readonly gs?: StorageOptions;
  readonly azblob?: ContainerClient;
  readonly env?: NodeJS.ProcessEnv;
}

export function openEvidenceStore(url: string, clients: StoreClients = {}): EvidenceStore {
  const store = parseStoreUrl(url);
  switch (store.kind) {
    case "s3":
      return new S3EvidenceStore(store, clients.s3);
    case "gs":
      return new GcsEvidenceStore(store, clients.gs);
    case "azblob":
      return new AzureBlobEvidenceStore(store, clients.azblob ?? azureContainer(store, clients.env ?? process.env));
    case "file":
      return new FileEvidenceStore(store);
  }
}

/** The SDKs' errors carry request ids and sometimes signed URLs; keep the name and the first line. */
function reason(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const first = e.message.split("\n")[0].trim();
  return e.name !== "Error" && !first.startsWith(e.name) ? `${e.name}: ${first}` : first;
}

/**
 * Upload every file of `dir` to the store at `url` under `<prefix>/<run-id>/<domain>/`.
 * Resolves with the receipt; rejects with an EvidenceStoreError naming the store.
 */
export async function uploadEvidence(url: string, dir: string, where: { runId: string; domain: string }, clients: StoreClients = {}, now = new Date()): Promise<UploadReceipt> {
  const display = displayUrl(url);
  try {
    const store = openEvidenceStore(url, clients);
    const location = runPrefix(store.url, where.runId, where.domain);
    const { objects, retention } = await store.upload(evidenceFiles(dir), location, now);
    return { store: display, kind: store.url.kind, location, objects, retention, uploadedAt: now.toISOString() };
  } catch (e) {
    if (e instanceof EvidenceStoreError) throw e;
    throw new EvidenceStoreError(display, `upload failed: ${reason(e)}`);
  }
}
