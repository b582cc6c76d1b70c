/**
 * `azblob://container/prefix?storage_account=<name>`: @azure/storage-blob. Credentials, first
 * that is set: `AZURE_STORAGE_CONNECTION_STRING`; `AZURE_STORAGE_KEY` (shared key of the
 * account); `AZURE_STORAGE_SAS_TOKEN`; else Microsoft Entra ID through @azure/identity's
 * `DefaultAzureCredential` (workload identity federation / OIDC in CI, managed identity,
 * `az login`). The account is `storage_account` or
 * `AZURE_STORAGE_ACCOUNT`; `endpoint` overrides `https://<account>.blob.core.windows.net`.
 * Each blob is written once (`If-None-Match: *`) with its MD5 (verified by the service) and
 * its SHA-256 as metadata. With `retainDays`, the container must have version-level
 * immutability and each blob gets an immutability policy (`Unlocked` unless `lockMode=locked`).
 */
import * as crypto from "node:crypto";
import { DefaultAzureCredential } from "@azure/identity";
import { AnonymousCredential, BlobServiceClient, StorageSharedKeyCredential, type ContainerClient } from "@azure/storage-blob";
import { contentType, EvidenceStoreError, retainDays, retainUntil, type EvidenceObject, type EvidenceStore, type LocalFile, type Retention, type StoreUrl } from "./spec";

export function azureContainer(store: StoreUrl, env: NodeJS.ProcessEnv): ContainerClient {
  const connection = env.AZURE_STORAGE_CONNECTION_STRING;
  if (connection !== undefined && connection.length > 0) return BlobServiceClient.fromConnectionString(connection).getContainerClient(store.root);
  const account = store.params.storage_account ?? env.AZURE_STORAGE_ACCOUNT;
  if (account === undefined) throw new EvidenceStoreError(store.display, "no storage account: add ?storage_account=<name> or set AZURE_STORAGE_ACCOUNT");
  const endpoint = (store.params.endpoint ?? `https://${account}.blob.core.windows.net`).replace(/\/+$/, "");
  const key = env.AZURE_STORAGE_KEY;
  const sas = env.AZURE_STORAGE_SAS_TOKEN;
  if (key !== undefined && key.length > 0) return new BlobServiceClient(endpoint, new StorageSharedKeyCredential(account, key)).getContainerClient(store.root);
  if (sas !== undefined && sas.length > 0) return new BlobServiceClient(`${endpoint}?${sas.replace(/^\?/, "")}`, new AnonymousCredential()).getContainerClient(store.root);
  return new BlobServiceClient(endpoint, new DefaultAzureCredential()).getContainerClient(store.root);
}

function policyMode(store: StoreUrl): "Locked" | "Unlocked" {
  const m = (store.params.lockMode ?? "unlocked").toLowerCase();
  if (m !== "locked" && m !== "unlocked") throw new EvidenceStoreError(store.display, `lockMode for azblob:// is locked or unlocked, not "${store.params.lockMode}"`);
  return m === "locked" ? "Locked" : "Unlocked";
}

export class AzureBlobEvidenceStore implements EvidenceStore {
  constructor(
    readonly url: StoreUrl,
    private readonly container: ContainerClient,
  ) {}

  async upload(files: readonly LocalFile[], location: string, now: Date): Promise<{ objects: EvidenceObject[]; retention: Retention }> {
    const days = retainDays(this.url);
    let retention: Retention;
    let immutabilityPolicy: { expiriesOn: Date; policyMode: "Locked" | "Unlocked" } | undefined;
    if (days !== undefined) {
      const props = await this.container.getProperties();
      if (props.isImmutableStorageWithVersioningEnabled !== true) {
        throw new EvidenceStoreError(this.url.display, `retainDays=${days} is declared but container ${this.url.root} does not have version-level immutability enabled`);
      }
      immutabilityPolicy = { expiriesOn: retainUntil(days, now), policyMode: policyMode(this.url) };
      retention = { applied: true, mode: immutabilityPolicy.policyMode, retainUntil: immutabilityPolicy.expiriesOn.toISOString(), detail: `declared retainDays=${days}` };
    } else {
      retention = { applied: false, detail: "no retainDays declared; a container-level immutability policy, if any, applies and is not read here" };
    }
    const objects: EvidenceObject[] = [];
    for (const f of files) {
      const key = `${location}${f.file}`;
      await this.container.getBlockBlobClient(key).upload(f.content, f.content.length, {
        conditions: { ifNoneMatch: "*" },
        blobHTTPHeaders: { blobContentType: contentType(f.file), blobContentMD5: crypto.createHash("md5").update(f.content).digest() },
        metadata: { sha256: f.sha256 },
        ...(immutabilityPolicy !== undefined ? { immutabilityPolicy } : {}),
      });
      objects.push({ file: f.file, key, bytes: f.content.length, sha256: f.sha256 });
    }
    return { objects, retention };
  }
}
