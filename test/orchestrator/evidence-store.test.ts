/**
 * Evidence stores. S3 is driven through the real @aws-sdk/client-s3 with a recording HTTP
 * handler in place of the network (the SDK's `requestHandler` seam): the assertions are on the
 * requests the SDK really serialises — bucket, key per domain and run, checksum and Object
 * Lock headers. The file:// store is a real copy. The ci-deployments e2e lane repeats the S3
 * path against an S3 emulator on loopback. The gs:// cases run the upload in a real Node process
 * (test/support/uploadEvidenceChild.ts): @google-cloud/storage 8 imports ES modules at run time.
 */
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import { DefaultAzureCredential } from "@azure/identity";
import { displayUrl, EvidenceStoreError, parseStoreUrl, uploadEvidence } from "../../automation/evidence-store";
import type { UploadReceipt } from "../../automation/evidence-store/spec";
import { azureContainer } from "../../automation/evidence-store/azblob";

interface Recorded {
  method: string;
  hostname: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  body: string;
}

/** An HttpHandler for the SDK: records each request, answers with `respond`. */
function recordingHandler(respond: (r: Recorded) => { status: number; body?: string }) {
  const requests: Recorded[] = [];
  const handler = {
    metadata: { handlerProtocol: "http/1.1" },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => undefined,
    async handle(request: { method: string; hostname: string; path: string; query?: Record<string, unknown>; headers: Record<string, string>; body?: unknown }) {
      const body = request.body === undefined ? "" : Buffer.isBuffer(request.body) || request.body instanceof Uint8Array ? Buffer.from(request.body as Uint8Array).toString() : String(request.body);
      const r: Recorded = { method: request.method, hostname: request.hostname, path: request.path, query: { ...request.query }, headers: { ...request.headers }, body };
      requests.push(r);
      const { status, body: out } = respond(r);
      return { response: { statusCode: status, headers: { "content-type": "application/xml" }, body: Readable.from([Buffer.from(out ?? "")]) } };
    },
  };
  return { handler, requests };
}

const LOCK_ENABLED = `<?xml version="1.0" encoding="UTF-8"?><ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>30</Days></DefaultRetention></Rule></ObjectLockConfiguration>`;
const NO_LOCK = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>ObjectLockConfigurationNotFoundError</Code><Message>Object Lock configuration does not exist for this bucket</Message></Error>`;
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "test-secret-key" };

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-evs-"));
  fs.mkdirSync(path.join(dir, "evidence", "logs"), { recursive: true });
  fs.writeFileSync(path.join(dir, "evidence", "evidence.json"), '{"domain":"eu"}\n');
  fs.writeFileSync(path.join(dir, "evidence", "logs", "eu-pki.log"), "up eu-pki\n");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const now = new Date("2026-12-01T10:00:00Z");
const where = { runId: "20261201-100000-up-abcd", domain: "eu" };

describe("s3:// evidence store (real SDK, recording handler)", () => {
  it("puts every file under <prefix>/<run-id>/<domain>/ with its SHA-256 and Object Lock retention when retainDays is declared", async () => {
    const { handler, requests } = recordingHandler((r) => (r.query["object-lock"] !== undefined ? { status: 200, body: LOCK_ENABLED } : { status: 200 }));
    const receipt = await uploadEvidence(
      "s3://meridian-evidence-eu/soc2?region=eu-central-1&retainDays=400&lockMode=compliance",
      path.join(dir, "evidence"),
      where,
      { s3: { requestHandler: handler, credentials } },
      now,
    );
    const puts = requests.filter((r) => r.method === "PUT");
    expect(puts.map((r) => `${r.hostname}${r.path}`)).toEqual([
      `meridian-evidence-eu.s3.eu-central-1.amazonaws.com/soc2/${where.runId}/eu/evidence.json`,
      `meridian-evidence-eu.s3.eu-central-1.amazonaws.com/soc2/${where.runId}/eu/logs/eu-pki.log`,
    ]);
    const first = puts[0].headers;
    expect(first["x-amz-object-lock-mode"]).toBe("COMPLIANCE");
    expect(first["x-amz-object-lock-retain-until-date"]).toBe("2028-01-05T10:00:00Z"); // 400 days after `now`
    expect(first["x-amz-checksum-sha256"]).toBe(Buffer.from(receipt.objects[0].sha256, "hex").toString("base64"));
    expect(first["if-none-match"]).toBe("*");
    expect(puts[0].body).toBe('{"domain":"eu"}\n');
    expect(receipt).toMatchObject({ kind: "s3", location: `soc2/${where.runId}/eu/`, retention: { applied: true, mode: "COMPLIANCE", retainUntil: "2028-01-05T10:00:00.000Z" } });
    // The credentials are the SDK's business: never in a request path, a receipt or a message.
    expect(JSON.stringify(receipt)).not.toContain("test-secret-key");
  });

  it("records the bucket's default retention when none is declared, and sends no lock headers of its own", async () => {
    const { handler, requests } = recordingHandler((r) => (r.query["object-lock"] !== undefined ? { status: 200, body: LOCK_ENABLED } : { status: 200 }));
    const receipt = await uploadEvidence("s3://meridian-evidence-eu?region=eu-central-1", path.join(dir, "evidence"), where, { s3: { requestHandler: handler, credentials } }, now);
    const put = requests.find((r) => r.method === "PUT")!;
    expect(put.path).toBe(`/${where.runId}/eu/evidence.json`);
    expect(put.headers["x-amz-object-lock-mode"]).toBeUndefined();
    expect(receipt.retention).toEqual({ applied: true, mode: "GOVERNANCE", detail: "bucket default retention 30 days" });
  });

  it("uses a custom endpoint with path-style addressing (an emulator on loopback)", async () => {
    const { handler, requests } = recordingHandler((r) => (r.query["object-lock"] !== undefined ? { status: 404, body: NO_LOCK } : { status: 200 }));
    const receipt = await uploadEvidence(
      "s3://meridian-evidence-us/runs?region=us-east-1&endpoint=http://127.0.0.1:9123&s3ForcePathStyle=true",
      path.join(dir, "evidence"),
      { runId: where.runId, domain: "us" },
      { s3: { requestHandler: handler, credentials } },
      now,
    );
    expect(requests.filter((r) => r.method === "PUT").map((r) => `${r.hostname}${r.path}`)).toEqual([
      `127.0.0.1/meridian-evidence-us/runs/${where.runId}/us/evidence.json`,
      `127.0.0.1/meridian-evidence-us/runs/${where.runId}/us/logs/eu-pki.log`,
    ]);
    expect(receipt.retention.applied).toBe(false);
    expect(receipt.retention.detail).toMatch(/no Object Lock \(ObjectLockConfigurationNotFoundError\)/);
  });

  it("refuses declared retention on a bucket without Object Lock, naming the store, before any object is written", async () => {
    const { handler, requests } = recordingHandler((r) => (r.query["object-lock"] !== undefined ? { status: 404, body: NO_LOCK } : { status: 200 }));
    const up = uploadEvidence("s3://meridian-evidence-eu?region=eu-central-1&retainDays=30", path.join(dir, "evidence"), where, { s3: { requestHandler: handler, credentials } }, now);
    await expect(up).rejects.toThrow(/^evidence store s3:\/\/meridian-evidence-eu\?region=eu-central-1&retainDays=30: retainDays=30 is declared but bucket meridian-evidence-eu has no Object Lock/);
    expect(requests.some((r) => r.method === "PUT")).toBe(false);
  });

  it("reports a rejected upload as an EvidenceStoreError naming the store", async () => {
    const denied = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`;
    const { handler } = recordingHandler((r) => (r.method === "PUT" ? { status: 403, body: denied } : { status: 404, body: NO_LOCK }));
    const up = uploadEvidence("s3://meridian-evidence-eu?region=eu-central-1", path.join(dir, "evidence"), where, { s3: { requestHandler: handler, credentials, maxAttempts: 1 } }, now);
    await expect(up).rejects.toBeInstanceOf(EvidenceStoreError);
    await expect(up).rejects.toThrow("evidence store s3://meridian-evidence-eu?region=eu-central-1: upload failed: AccessDenied: Access Denied");
  });
});

describe("file:// evidence store", () => {
  it("copies the folder read-only under <dir>/<run-id>/<domain>/ and never overwrites", async () => {
    const store = path.join(dir, "store");
    const receipt = await uploadEvidence(`file://${store}`, path.join(dir, "evidence"), where, {}, now);
    const copy = path.join(store, where.runId, "eu", "logs", "eu-pki.log");
    expect(fs.readFileSync(copy, "utf8")).toBe("up eu-pki\n");
    expect(fs.statSync(copy).mode & 0o777).toBe(0o444);
    expect(receipt.objects.map((o) => o.key)).toEqual([`${where.runId}/eu/evidence.json`, `${where.runId}/eu/logs/eu-pki.log`]);
    await expect(uploadEvidence(`file://${store}`, path.join(dir, "evidence"), where, {}, now)).rejects.toThrow(/exists already; evidence is never overwritten/);
  });
});

describe("store URLs", () => {
  it("parses bucket, prefix and parameters; refuses unknown parameters and credentials in the URL", () => {
    expect(parseStoreUrl("gs://meridian-evidence-eu/a/b/?retainDays=7")).toMatchObject({ kind: "gs", root: "meridian-evidence-eu", prefix: "a/b", params: { retainDays: "7" } });
    expect(() => parseStoreUrl("s3://b?regoin=eu-central-1")).toThrow('unknown parameter "regoin"');
    expect(() => parseStoreUrl("s3://AKIAX:secret@bucket")).toThrow("credentials do not belong in the URL");
    expect(() => parseStoreUrl("ftp://x")).toThrow("not an evidence store URL");
    expect(displayUrl("azblob://c?storage_account=a&sig=abcdef")).toBe("azblob://c?storage_account=a&sig=[secret]");
  });
});

/** CRC32C (Castagnoli), base64 of the big-endian value: what GCS returns and the library validates. */
function crc32c(buf: Buffer): string {
  let crc = 0xffffffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString("base64");
}

describe("gs:// evidence store (real SDK against a recording JSON API on loopback)", () => {
  interface Upload {
    query: URLSearchParams;
    metadata: Record<string, unknown>;
    content: string;
  }
  async function fakeGcs(bucket: Record<string, unknown>) {
    const uploads: Upload[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const url = new URL(req.url!, "http://x");
        const json = (status: number, body: unknown) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        };
        if (req.method === "GET" && /^\/storage\/v1\/b\/[^/]+$/.test(url.pathname)) return json(200, bucket);
        if (req.method === "POST" && url.pathname.startsWith("/upload/storage/v1/b/")) {
          const boundary = /boundary=([^;]+)/.exec(req.headers["content-type"] ?? "")![1].replace(/"/g, "");
          const parts = Buffer.concat(chunks).toString("latin1").split(`--${boundary}`).slice(1, -1).map((p) => p.slice(p.indexOf("\r\n\r\n") + 4).replace(/\r\n$/, ""));
          const metadata = JSON.parse(parts[0]) as Record<string, unknown>;
          const content = Buffer.from(parts[1], "latin1");
          uploads.push({ query: url.searchParams, metadata, content: content.toString() });
          return json(200, { ...metadata, bucket: bucket.name, generation: "1", size: String(content.length), crc32c: crc32c(content), md5Hash: crypto.createHash("md5").update(content).digest("base64") });
        }
        json(404, { error: { code: 404, message: `no route ${req.method} ${url.pathname}` } });
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    return { uploads, server, endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
  }

  /** uploadEvidence in a real Node process (test/support/uploadEvidenceChild.ts says why); async, as the fake server runs here. */
  function uploadInNode(url: string, evidenceDir: string, at: { runId: string; domain: string }, when: Date): Promise<UploadReceipt> {
    const child = path.join(__dirname, "..", "support", "uploadEvidenceChild.ts");
    return new Promise((resolve, reject) => {
      const p = spawn(process.execPath, ["--import", "tsx", child, JSON.stringify({ url, dir: evidenceDir, where: at, now: when.toISOString() })], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      p.stdout.on("data", (d: Buffer) => (out += d.toString()));
      p.stderr.on("data", (d: Buffer) => (err += d.toString()));
      p.on("close", (code) => {
        if (code !== 0) return reject(new Error(`upload child exited ${code}: ${err}`));
        const r = JSON.parse(out) as { receipt?: UploadReceipt; error?: string };
        if (r.error !== undefined) reject(new Error(r.error));
        else resolve(r.receipt!);
      });
    });
  }

  it("writes each object once under <prefix>/<run-id>/<domain>/ with object retention when retainDays is declared", async () => {
    const gcs = await fakeGcs({ name: "meridian-evidence-eu", location: "EUROPE-WEST3", objectRetention: { mode: "Enabled" } });
    try {
      const receipt = await uploadInNode(`gs://meridian-evidence-eu/soc2?endpoint=${gcs.endpoint}&project=meridian-eu&retainDays=30&lockMode=locked`, path.join(dir, "evidence"), where, now);
      expect(gcs.uploads.map((u) => u.query.get("name"))).toEqual([`soc2/${where.runId}/eu/evidence.json`, `soc2/${where.runId}/eu/logs/eu-pki.log`]);
      expect(gcs.uploads.every((u) => u.query.get("ifGenerationMatch") === "0")).toBe(true);
      expect(gcs.uploads[0].content).toBe('{"domain":"eu"}\n');
      expect(gcs.uploads[0].metadata).toMatchObject({ contentType: "application/json", metadata: { sha256: receipt.objects[0].sha256 }, retention: { mode: "Locked", retainUntilTime: "2026-12-31T10:00:00.000Z" } });
      expect(receipt.retention).toEqual({ applied: true, mode: "Locked", retainUntil: "2026-12-31T10:00:00.000Z", detail: "declared retainDays=30" });
    } finally {
      gcs.server.close();
    }
  });

  it("records the bucket's retention policy when none is declared; refuses declared retention without object retention", async () => {
    const gcs = await fakeGcs({ name: "meridian-evidence-eu", retentionPolicy: { retentionPeriod: "31536000", isLocked: true } });
    try {
      const receipt = await uploadInNode(`gs://meridian-evidence-eu?endpoint=${gcs.endpoint}&project=p`, path.join(dir, "evidence"), where, now);
      expect(receipt.retention).toEqual({ applied: true, mode: "Locked", detail: "bucket retention policy 31536000 s" });
      expect(gcs.uploads[0].metadata.retention).toBeUndefined();
      const before = gcs.uploads.length;
      await expect(uploadInNode(`gs://meridian-evidence-eu?endpoint=${gcs.endpoint}&project=p&retainDays=7`, path.join(dir, "evidence"), { ...where, runId: "r2" }, now)).rejects.toThrow(
        /^evidence store gs:\/\/meridian-evidence-eu\?.*: retainDays=7 is declared but bucket meridian-evidence-eu does not have object retention enabled/,
      );
      expect(gcs.uploads.length).toBe(before);
    } finally {
      gcs.server.close();
    }
  });
});

describe("azblob:// evidence store (real SDK against a recording Blob API on loopback)", () => {
  interface Put {
    path: string;
    headers: http.IncomingHttpHeaders;
    content: string;
  }
  async function fakeBlob(immutable: boolean) {
    const puts: Put[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const url = new URL(req.url!, "http://x");
        const common = { "x-ms-request-id": "r1", "x-ms-version": "2025-01-05", date: new Date().toUTCString() };
        if (url.searchParams.get("restype") === "container") {
          res.writeHead(200, { ...common, etag: '"c1"', "last-modified": new Date().toUTCString(), "x-ms-immutable-storage-with-versioning-enabled": String(immutable) });
        } else if (req.method === "PUT") {
          puts.push({ path: url.pathname, headers: req.headers, content: Buffer.concat(chunks).toString() });
          res.writeHead(201, { ...common, etag: '"b1"', "last-modified": new Date().toUTCString(), "x-ms-request-server-encrypted": "true" });
        } else {
          res.writeHead(404, common);
        }
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as { port: number }).port;
    // An Azurite-style connection string: path-style account on loopback, a throwaway key.
    const env = { AZURE_STORAGE_CONNECTION_STRING: `DefaultEndpointsProtocol=http;AccountName=meridianeu;AccountKey=${Buffer.from("throwaway-key").toString("base64")};BlobEndpoint=http://127.0.0.1:${port}/meridianeu;` };
    return { puts, server, env };
  }

  it("writes each blob once with its MD5, SHA-256 metadata and an immutability policy when retainDays is declared", async () => {
    const blob = await fakeBlob(true);
    try {
      const receipt = await uploadEvidence("azblob://evidence/soc2?storage_account=meridianeu&retainDays=30", path.join(dir, "evidence"), where, { env: blob.env }, now);
      expect(blob.puts.map((p) => p.path)).toEqual([`/meridianeu/evidence/soc2/${where.runId}/eu/evidence.json`, `/meridianeu/evidence/soc2/${where.runId}/eu/logs/eu-pki.log`]);
      const h = blob.puts[0].headers;
      expect(h["if-none-match"]).toBe("*");
      expect(h["x-ms-blob-type"]).toBe("BlockBlob");
      expect(h["x-ms-blob-content-md5"]).toBe(crypto.createHash("md5").update('{"domain":"eu"}\n').digest("base64"));
      expect(h["x-ms-meta-sha256"]).toBe(receipt.objects[0].sha256);
      expect(h["x-ms-immutability-policy-mode"]).toBe("Unlocked");
      expect(new Date(h["x-ms-immutability-policy-until-date"] as string).toISOString()).toBe("2026-12-31T10:00:00.000Z");
      expect(h.authorization).toMatch(/^SharedKey meridianeu:/);
      expect(blob.puts[0].content).toBe('{"domain":"eu"}\n');
    } finally {
      blob.server.close();
    }
  });

  it("refuses declared retention on a container without version-level immutability; without retainDays sends no policy", async () => {
    const blob = await fakeBlob(false);
    try {
      await expect(uploadEvidence("azblob://evidence?retainDays=30", path.join(dir, "evidence"), where, { env: blob.env }, now)).rejects.toThrow(
        "evidence store azblob://evidence?retainDays=30: retainDays=30 is declared but container evidence does not have version-level immutability enabled",
      );
      expect(blob.puts).toHaveLength(0);
      const receipt = await uploadEvidence("azblob://evidence", path.join(dir, "evidence"), where, { env: blob.env }, now);
      expect(blob.puts[0].headers["x-ms-immutability-policy-mode"]).toBeUndefined();
      expect(receipt.retention.applied).toBe(false);
    } finally {
      blob.server.close();
    }
  });

  it("without a key, SAS or connection string signs in with Entra ID (DefaultAzureCredential); without an account it fails naming the store", () => {
    const container = azureContainer(parseStoreUrl("azblob://evidence?storage_account=meridianeu"), {});
    expect(container.url).toBe("https://meridianeu.blob.core.windows.net/evidence");
    expect(container.credential).toBeInstanceOf(DefaultAzureCredential);
    expect(() => azureContainer(parseStoreUrl("azblob://evidence"), {})).toThrow("evidence store azblob://evidence: no storage account: add ?storage_account=<name> or set AZURE_STORAGE_ACCOUNT");
  });
});
