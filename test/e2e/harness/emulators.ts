/**
 * The fleet's own control plane, emulated per domain on loopback: one S3 server
 * (.tools/bin/meridian-s3, gofakes3) holding the domain's state and evidence buckets, and one
 * AWS KMS (.tools/bin/meridian-kms, local-kms) holding the domain's state key. Built by
 * `npm run setup:engine -- emulators` (tools/s3, tools/kms).
 *
 * Each server binds 127.0.0.1 port 0 and reports the port it got through a ready file (no
 * port guessing, no race). It dies with the test: `stop()` in afterAll, a `process.on("exit")`
 * kill, and `setpriv --pdeathsig KILL` so the kernel kills it when the test process dies
 * without running either (SIGKILL, OOM) — as tools/control-plane.sh's --owner does.
 *
 * AWS credentials are dummy static keys, different per domain, for the emulators only (the
 * emulators accept any key); they are never printed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { CreateAliasCommand, CreateKeyCommand, DecryptCommand, KMSClient } from "@aws-sdk/client-kms";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { ROOT, tmpDir, type Domain } from "./index";

export const EMULATOR_BIN = path.join(ROOT, ".tools", "bin");

/** The region each domain's emulated control plane claims (as its fleet.yaml would declare). */
export const EMULATED_REGION: Readonly<Record<Domain, string>> = { eu: "eu-central-1", us: "us-east-1" };

/** Missing binaries of this lane (empty: ready). */
export function emulatorPreflight(): string[] {
  const bins = ["meridian-s3", "meridian-kms", "pulumi", "pulumi-language-nodejs"];
  return bins.filter((b) => !fs.existsSync(path.join(EMULATOR_BIN, b))).map((b) => `${path.join(EMULATOR_BIN, b)} (run: npm run setup:engine -- ${b.startsWith("meridian-") ? "emulators" : "pulumi language-nodejs"})`);
}

/** Dummy, per-domain static keys: only the emulators see them. */
export function awsEnv(domain: Domain): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: `meridian-e2e-${domain}`,
    AWS_SECRET_ACCESS_KEY: `meridian-e2e-${domain}-not-a-secret`,
    AWS_REGION: EMULATED_REGION[domain],
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

const credentialsOf = (domain: Domain) => {
  const e = awsEnv(domain);
  return { accessKeyId: e.AWS_ACCESS_KEY_ID, secretAccessKey: e.AWS_SECRET_ACCESS_KEY };
};

const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of running) c.kill("SIGKILL");
});

/** Start BIN ARGS under setpriv --pdeathsig KILL; resolve with the address it writes to its ready file. */
async function startServer(name: string, bin: string, args: string[], dir: string): Promise<{ endpoint: string; child: ChildProcess; log: string }> {
  const ready = path.join(dir, `${name}.addr`);
  const log = path.join(dir, `${name}.log`);
  const out = fs.openSync(log, "a");
  const child = spawn("setpriv", ["--pdeathsig", "KILL", "--", path.join(EMULATOR_BIN, bin), ...args, "-ready-file", ready], { stdio: ["ignore", out, out] });
  fs.closeSync(out);
  running.add(child);
  child.on("exit", () => running.delete(child));
  const deadline = Date.now() + 30000;
  while (!fs.existsSync(ready)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${name} did not start (exit ${child.exitCode}); log ${log}:\n${fs.readFileSync(log, "utf8").slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { endpoint: `http://${fs.readFileSync(ready, "utf8").trim()}`, child, log };
}

function stopper(child: ChildProcess): () => void {
  return () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    running.delete(child);
  };
}

// ---------------------------------------------------------------------------------------
// S3

export interface ObjectStore {
  readonly domain: Domain;
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  readonly client: S3Client;
  /** The Pulumi / gocloud.dev URL of a bucket on this server (gocloud.dev v0.46 query parameters). */
  url(bucket: string): string;
  /** The server's process id (setpriv execs it, so this is the emulator itself). */
  readonly pid: number;
  /** Every object of a bucket with its body (gzip-compressed state is inflated). */
  objects(bucket: string): Promise<Array<{ key: string; body: string }>>;
  stop(): void;
}

export async function startObjectStore(domain: Domain, buckets: readonly string[], dir = tmpDir(`s3-${domain}`)): Promise<ObjectStore> {
  // memory, not bolt: gofakes3 v1.2.0's CopyObject (Pulumi's state backups) reads the source's
  // hash, a slice into bbolt's memory map, after writing the copy, which can remap the file:
  // SIGSEGV, seen here mid-`up` (docs/engine-lane.md).
  const args = ["-addr", "127.0.0.1:0", "-backend", "memory", ...buckets.flatMap((b) => ["-bucket", b])];
  const { endpoint, child } = await startServer("s3", "meridian-s3", args, dir);
  const region = EMULATED_REGION[domain];
  const client = new S3Client({ endpoint, region, forcePathStyle: true, credentials: credentialsOf(domain) });
  return {
    domain,
    endpoint,
    client,
    pid: child.pid!,
    // `endpoint` carries the scheme (http: the emulator has no TLS); `s3ForcePathStyle` is
    // gocloud.dev's v1-compatible spelling of `use_path_style`. `disableSSL` is NOT accepted
    // by gocloud.dev v0.46 (the 3.248 CLI's): it fails with "unknown query parameter".
    url: (bucket) => `s3://${bucket}?endpoint=${encodeURIComponent(endpoint)}&s3ForcePathStyle=true&region=${region}`,
    objects: async (bucket) => {
      const out: Array<{ key: string; body: string }> = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
        for (const o of page.Contents ?? []) {
          const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
          const bytes = Buffer.from(await got.Body!.transformToByteArray());
          if (o.Key!.endsWith(".zst")) throw new Error(`${bucket}/${o.Key}: zstd-compressed state cannot be inspected here; unset PULUMI_DIY_BACKEND_ZSTD`);
          out.push({ key: o.Key!, body: (o.Key!.endsWith(".gz") ? zlib.gunzipSync(bytes) : bytes).toString("utf8") });
        }
        token = page.NextContinuationToken;
      } while (token !== undefined);
      return out;
    },
    stop: stopper(child),
  };
}

// ---------------------------------------------------------------------------------------
// KMS

export interface Kms {
  readonly domain: Domain;
  readonly endpoint: string;
  readonly client: KMSClient;
  /** `alias/meridian-state-<domain>` */
  readonly alias: string;
  readonly keyArn: string;
  /** The Pulumi secrets provider URL for this domain's state key. */
  readonly secretsProvider: string;
  /** KMS Decrypt on THIS domain's KMS (optionally naming the key, as a caller restricted to one key would). */
  decrypt(ciphertext: Buffer, keyId?: string): Promise<Buffer>;
  stop(): void;
}

/** Start the domain's KMS and create its state key + alias through the KMS API itself. */
export async function startKms(domain: Domain, dir = tmpDir(`kms-${domain}`)): Promise<Kms> {
  const region = EMULATED_REGION[domain];
  const account = domain === "eu" ? "111111111111" : "222222222222";
  const { endpoint, child } = await startServer("kms", "meridian-kms", ["-addr", "127.0.0.1:0", "-data", path.join(dir, "data"), "-region", region, "-account", account], dir);
  const client = new KMSClient({ endpoint, region, credentials: credentialsOf(domain) });
  const alias = `alias/meridian-state-${domain}`;
  const key = await client.send(new CreateKeyCommand({ Description: `meridian ${domain} state key (e2e)` }));
  await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyMetadata!.KeyId! }));
  return {
    domain,
    endpoint,
    client,
    alias,
    keyArn: key.KeyMetadata!.Arn!,
    secretsProvider: `awskms://${alias}?endpoint=${encodeURIComponent(endpoint)}&region=${region}`,
    decrypt: async (ciphertext, keyId) => Buffer.from((await client.send(new DecryptCommand({ CiphertextBlob: ciphertext, ...(keyId ? { KeyId: keyId } : {}) }))).Plaintext!),
    stop: stopper(child),
  };
}
