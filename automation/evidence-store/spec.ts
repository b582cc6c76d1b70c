/**
 * Shared types of the evidence stores: a store URL in gocloud's style (`s3://bucket/prefix?
 * region=…`, `gs://bucket/prefix`, `azblob://container/prefix?storage_account=…`,
 * `file:///dir`), the objects of one upload, and the receipt it leaves.
 *
 * Query parameters read here (all optional; unknown ones are refused so a typo is not silently
 * ignored):
 * - `retainDays=<n>`: every object is kept at least n days (S3 Object Lock retention, GCS object
 *   retention, Azure blob immutability policy). Declared retention the store cannot honour
 *   fails the upload; without it, the bucket's own default retention (if any) applies and is recorded.
 * - `lockMode=compliance|governance` (S3; default compliance) / `locked|unlocked` (GCS, Azure;
 *   default unlocked).
 * - S3: `region`, `endpoint` (e.g. an emulator on loopback), `s3ForcePathStyle=true` (or
 *   `use_path_style=true`). GCS: `endpoint`, `project`. Azure: `storage_account`, `endpoint`.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export const STORE_KINDS = ["s3", "gs", "azblob", "file"] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

const COMMON_PARAMS = ["retainDays", "lockMode"];
const PARAMS: Record<StoreKind, readonly string[]> = {
  s3: [...COMMON_PARAMS, "region", "endpoint", "s3ForcePathStyle", "use_path_style"],
  gs: [...COMMON_PARAMS, "endpoint", "project"],
  azblob: [...COMMON_PARAMS, "storage_account", "endpoint"],
  file: [],
};

export interface StoreUrl {
  readonly kind: StoreKind;
  /** Bucket (s3, gs), container (azblob), or the root directory (file). */
  readonly root: string;
  /** Key prefix inside the bucket/container, without leading or trailing `/` (may be empty). */
  readonly prefix: string;
  readonly params: Readonly<Record<string, string>>;
  /** The URL with credentials removed, for messages and receipts. */
  readonly display: string;
}

export class EvidenceStoreError extends Error {
  constructor(
    readonly store: string,
    message: string,
  ) {
    super(`evidence store ${store}: ${message}`);
    this.name = "EvidenceStoreError";
  }
}

/** The URL without user-info or credential-looking query values (a SAS `sig`, a token). */
export function displayUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, "$1")
    .replace(/([?&](?:sig|sas|token|key|secret|password|credential|access_key|signature)[^=&]*=)[^&]*/gi, "$1[secret]");
}

export function parseStoreUrl(url: string): StoreUrl {
  const display = displayUrl(url);
  const m = /^([a-z0-9]+):\/\/([^?#]*)(?:\?([^#]*))?$/.exec(url);
  const kind = m?.[1] as StoreKind | undefined;
  if (m === null || kind === undefined || !(STORE_KINDS as readonly string[]).includes(kind)) {
    throw new EvidenceStoreError(display, `not an evidence store URL; use ${STORE_KINDS.map((k) => `${k}://`).join(", ")}`);
  }
  if (/^[^/]*@/.test(m[2])) throw new EvidenceStoreError(display, "credentials do not belong in the URL; use the cloud's own credential chain");
  const params = Object.fromEntries(new URLSearchParams(m[3] ?? ""));
  for (const key of Object.keys(params)) {
    if (!PARAMS[kind].includes(key)) throw new EvidenceStoreError(display, `unknown parameter "${key}"; known for ${kind}://: ${PARAMS[kind].join(", ") || "none"}`);
  }
  if (kind === "file") {
    const dir = decodeURIComponent(m[2]);
    if (!path.isAbsolute(dir)) throw new EvidenceStoreError(display, "a file:// store needs an absolute path (file:///dir)");
    return { kind, root: dir, prefix: "", params, display };
  }
  const [root, ...rest] = m[2].split("/");
  if (root.length === 0) throw new EvidenceStoreError(display, `no ${kind === "azblob" ? "container" : "bucket"} named`);
  return { kind, root, prefix: rest.filter((p) => p.length > 0).join("/"), params, display };
}

/** `retainDays` as a number of days, or undefined. */
export function retainDays(store: StoreUrl): number | undefined {
  const v = store.params.retainDays;
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new EvidenceStoreError(store.display, `retainDays must be a positive whole number of days, not "${v}"`);
  return n;
}

export function retainUntil(days: number, now: Date): Date {
  return new Date(now.getTime() + days * 86_400_000);
}

/** One file of the evidence folder, as uploaded. */
export interface EvidenceObject {
  /** Path relative to the evidence folder, `/`-separated. */
  readonly file: string;
  /** The object key (or path, for file://) it is stored under. */
  readonly key: string;
  readonly bytes: number;
  /** Hex SHA-256 of the content (the S3 upload also sends it for the store to verify). */
  readonly sha256: string;
}

export interface Retention {
  /** Did the store put the objects under retention? */
  readonly applied: boolean;
  readonly mode?: string;
  readonly retainUntil?: string;
  /** Where the retention came from (`declared retainDays=…`, `bucket default …`) or why there is none. */
  readonly detail: string;
}

/** What an upload left: where, which objects, what retention. Written beside the local copy. */
export interface UploadReceipt {
  readonly store: string;
  readonly kind: StoreKind;
  /** The key prefix of this run's objects: `<prefix>/<run-id>/<domain>/`. */
  readonly location: string;
  readonly objects: readonly EvidenceObject[];
  readonly retention: Retention;
  readonly uploadedAt: string;
}

/** Where a run's evidence of a domain goes in a store: `<prefix>/<run-id>/<domain>/`. */
export function runPrefix(store: StoreUrl, runId: string, domain: string): string {
  return [store.prefix, runId, domain].filter((p) => p.length > 0).join("/") + "/";
}

export interface LocalFile {
  readonly file: string;
  readonly absolute: string;
  readonly content: Buffer;
  readonly sha256: string;
}

/** Every file under `dir`, sorted, with its content and SHA-256. */
export function evidenceFiles(dir: string): LocalFile[] {
  const out: LocalFile[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const r = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(r);
      else if (entry.isFile()) {
        const absolute = path.join(dir, r);
        const content = fs.readFileSync(absolute);
        out.push({ file: r, absolute, content, sha256: crypto.createHash("sha256").update(content).digest("hex") });
      }
    }
  };
  walk("");
  return out;
}

export function contentType(file: string): string {
  if (file.endsWith(".json")) return "application/json";
  if (file.endsWith(".jsonl")) return "application/x-ndjson";
  if (file.endsWith(".md")) return "text/markdown; charset=utf-8";
  return "text/plain; charset=utf-8";
}

/** One store's uploader: puts every file under `<prefix>/<run-id>/<domain>/`, never overwriting. */
export interface EvidenceStore {
  readonly url: StoreUrl;
  upload(files: readonly LocalFile[], location: string, now: Date): Promise<{ objects: EvidenceObject[]; retention: Retention }>;
}
