import { createHash } from "node:crypto";

export const FAKE_AWS_ACCOUNT = "123456789012";
export const FAKE_AZURE_SUBSCRIPTION = "00000000-0000-4000-8000-000000000001";
export const FAKE_AZURE_TENANT = "00000000-0000-4000-8000-0000000000aa";
export const FAKE_GCP_PROJECT_NUMBER = "987654321098";

/** A provider resource the mock has seen: its type and inputs (region, project, location). */
export interface ProviderState {
  readonly type: string;
  readonly inputs: Record<string, unknown>;
}

export interface MockContext {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly provider: ProviderState | undefined;
}

/** A provider input as the engine passes it: lists arrive JSON-encoded. */
function listInput(v: unknown): string[] {
  const p = plain(v);
  if (Array.isArray(p)) return p.map(String);
  if (typeof p === "string" && p.startsWith("[")) return (JSON.parse(p) as unknown[]).map(String);
  return [];
}

/** The account an AWS provider is pinned to (`allowedAccountIds`), as the cloud would answer; else the fake one. */
export function awsAccountOf(provider: ProviderState | undefined): string {
  return listInput(provider?.inputs.allowedAccountIds)[0] ?? FAKE_AWS_ACCOUNT;
}

/** The subscription an Azure provider is pinned to (`subscriptionId`); else the fake one. */
export function azureSubscriptionOf(provider: ProviderState | undefined): string {
  return str(provider?.inputs.subscriptionId, FAKE_AZURE_SUBSCRIPTION);
}

/** sha256 hex digests the mock has computed, by input: every ID and name hashes its type and name, often more than once. */
const digests = new Map<string, string>();
/** Past this many the memo starts again, so a long-lived process (1,000 clusters) holds a bounded amount. */
const MAX_DIGESTS = 50_000;

/** Deterministic short hex, so mock IDs are stable between runs (snapshots, diffs). */
export function stableHash(s: string, length = 8): string {
  let hex = digests.get(s);
  if (hex === undefined) {
    if (digests.size >= MAX_DIGESTS) digests.clear();
    hex = createHash("sha256").update(s).digest("hex");
    digests.set(s, hex);
  }
  return hex.slice(0, length);
}

/** Unwrap a secret-wrapped mock input (`{4dabf…: 1b47…, value}`) to its value. */
export function plain(v: unknown): unknown {
  if (v !== null && typeof v === "object" && "4dabf18193072939515e22adb298388d" in (v as object)) {
    return (v as { value: unknown }).value;
  }
  return v;
}

export function str(v: unknown, fallback: string): string {
  const p = plain(v);
  return typeof p === "string" && p.length > 0 ? p : fallback;
}

/** The resource's kind, last segment of its type token: `aws:kms/key:Key` → `Key`. */
export function kindOf(type: string): string {
  return type.slice(type.lastIndexOf(":") + 1);
}

/** What a provider would autoname: `<name>-<7 hex>`. */
export function physicalName(ctx: MockContext): string {
  return `${ctx.name}-${stableHash(ctx.type + ctx.name, 7)}`;
}

/** A stand-in public key PEM that names its key, so tests can see which key a verifier trusts. */
export function fakePublicKeyPem(keyId: string): string {
  return `-----BEGIN PUBLIC KEY-----\n${Buffer.from(`mock-public-key:${keyId}`).toString("base64")}\n-----END PUBLIC KEY-----\n`;
}
