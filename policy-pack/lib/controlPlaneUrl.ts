/**
 * The fleet's own control-plane URLs (Pulumi state backend, secrets provider, evidence store):
 * what each one is, where it lives, and whether it carries a credential.
 *
 * The rules follow what the Pulumi CLI itself opens (gocloud.dev URL openers behind
 * `pulumi login` and `--secrets-provider`), so what the fleet accepts the CLI accepts:
 * - `s3://bucket[/prefix]?region=R` (gocloud s3blob + `gocloud.dev/aws` config params: region,
 *   endpoint, profile, awssdk, s3ForcePathStyle, use_path_style, disableSSL, ...): location `R`.
 * - `gs://bucket[/prefix]` and `azblob://container[/prefix]`: no location in the URL → declared.
 * - `file://<path>`: local. `https://api.pulumi.com` / `https://app.pulumi.com` (Pulumi Cloud
 *   SaaS): the US (see docs/configuration.md); any other `https://` host (self-hosted) → declared.
 * - `awskms://alias/x?region=R`, `awskms://<key-id>?region=R`, `awskms:///arn:aws:kms:R:…`
 *   (gocloud: the ARN needs the empty host, since `:` cannot sit in a URL host): location `R`.
 * - `gcpkms://projects/P/locations/L/keyRings/K/cryptoKeys/C` (no query parameters): `L`.
 * - `azurekeyvault://<vault>.vault.azure.net/keys/<key>[/<version>]` (`algorithm` param) and
 *   `hashivault://<key>` (no params): declared. `passphrase`: local.
 *
 * Lives in the pack (like the residency catalogue) so the pack stands alone and reads the
 * very same rules the fleet config does. Messages never quote the URL: a credential inside
 * one must not reach a log.
 */
import * as os from "node:os";
import { z } from "zod";
import * as path from "node:path";
import { CLOUDS, DOMAINS, MULTI_REGION_LOCATIONS, type Cloud, type Domain, type RegionAllowlist } from "./catalogue";

export const CONTROL_PLANE_KEYS = ["backend", "secretsProvider", "evidenceStore"] as const;
export type ControlPlaneKey = (typeof CONTROL_PLANE_KEYS)[number];

/** The location value used for `file://` and `passphrase`: on the operator's machine. */
export const LOCAL_LOCATION = "local";

/** Pulumi Cloud SaaS hosts; the service keeps its data in AWS us-west-2. */
export const PULUMI_CLOUD_SAAS_HOSTS: readonly string[] = ["api.pulumi.com", "app.pulumi.com"];
export const PULUMI_CLOUD_SAAS_LOCATION = "us-west-2";

/** Schemes allowed per key. */
export const ALLOWED_SCHEMES: Record<ControlPlaneKey, readonly string[]> = {
  backend: ["s3", "gs", "azblob", "https", "file"],
  secretsProvider: ["awskms", "gcpkms", "azurekeyvault", "hashivault", "passphrase"],
  evidenceStore: ["s3", "gs", "azblob", "file"],
};

/** The cloud whose region list a scheme's location is checked against (none: any cloud's). */
export const SCHEME_CLOUD: Readonly<Record<string, Cloud>> = {
  s3: "aws",
  awskms: "aws",
  gs: "gcp",
  gcpkms: "gcp",
  azblob: "azure",
  azurekeyvault: "azure",
};

/** Query parameters gocloud.dev accepts per scheme (aws config params, s3blob, azureblob, azurekeyvault). */
const AWS_CONFIG_PARAMS = [
  "region",
  "endpoint",
  "profile",
  "awssdk",
  "disableSSL",
  "disable_https",
  "s3ForcePathStyle",
  "use_path_style",
  "dualstack",
  "fips",
  "rate_limiter_capacity",
  "anonymous",
  "hostname_immutable",
  "request_checksum_calculation",
  "response_checksum_validation",
];
const ALLOWED_PARAMS: Readonly<Record<string, readonly string[]>> = {
  s3: [...AWS_CONFIG_PARAMS, "accelerate", "sse_type", "kmskeyid"],
  awskms: AWS_CONFIG_PARAMS,
  azblob: ["storage_account", "domain", "protocol", "cdn", "localemu"],
  azurekeyvault: ["algorithm"],
  gs: ["access_id", "private_key_path", "anonymous"],
  gcpkms: [],
  hashivault: [],
  file: ["create_dir", "no_tmp_dir", "dir_file_mode", "metadata"],
  https: [],
};

/** Query parameters (lower-case) that carry a credential: AWS keys, SAS signatures, tokens, passwords. */
const CREDENTIAL_PARAMS = new Set([
  "secret_access_key",
  "aws_secret_access_key",
  "secretaccesskey",
  "access_key_id",
  "aws_access_key_id",
  "session_token",
  "aws_session_token",
  "token",
  "access_token",
  "sig",
  "sas",
  "sas_token",
  "sastoken",
  "password",
  "secret",
  "client_secret",
  "account_key",
  "accountkey",
  "x-amz-signature",
  "x-amz-credential",
  "x-amz-security-token",
  "private_key",
]);

export type UrlLocation =
  /** Read from the URL itself; `source` says from where (for messages). */
  | { readonly kind: "derived"; readonly location: string; readonly source: string }
  /** On the operator's machine (`file://`, `passphrase`). */
  | { readonly kind: "local" }
  /** Not in the URL: the config must declare it under `locations.<key>`. */
  | { readonly kind: "declare"; readonly why: string };

export interface ControlPlaneUrl {
  readonly scheme: string;
  /** What the URL points at, normalised, to find one store or key used by two domains. */
  readonly identity: string;
  readonly location: UrlLocation;
  /** Bucket (s3, gs) or container (azblob) name, for replication checks. */
  readonly bucket?: string;
  /** Azure storage account (azblob `storage_account=`), lower-case, when the URL names it. */
  readonly account?: string;
  /** AWS KMS key id, alias (`alias/x`) or ARN, for replica-key checks. */
  readonly kmsKey?: string;
  /** Absolute path of a `file://` store. */
  readonly localPath?: string;
  /** The URL with its parts normalised (lower-case scheme and host, sorted query): for equality. */
  readonly normalized: string;
}

/** A URL the fleet cannot accept. The message never contains the URL. */
export class ControlPlaneUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ControlPlaneUrlError";
  }
}

interface RawUrl {
  readonly scheme: string;
  readonly userinfo: boolean;
  readonly host: string;
  readonly path: string;
  readonly params: ReadonlyArray<readonly [string, string]>;
}

/**
 * Split a URL the way Go's net/url does for these schemes. WHATWG `URL` is not used: it
 * rejects `awskms:///arn:…`-style paths with colons in odd places and rewrites file paths.
 */
function split(url: string): RawUrl {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/.exec(url);
  if (!m) {
    throw new ControlPlaneUrlError("not a URL of the form <scheme>://<location>");
  }
  const [, scheme, authority, pathPart, query] = m;
  const at = authority.lastIndexOf("@");
  const params: Array<[string, string]> = [];
  for (const pair of (query ?? "").split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = decodeURIComponentSafe(eq < 0 ? pair : pair.slice(0, eq));
    params.push([name, decodeURIComponentSafe(eq < 0 ? "" : pair.slice(eq + 1))]);
  }
  return { scheme: scheme.toLowerCase(), userinfo: at >= 0, host: at >= 0 ? authority.slice(at + 1) : authority, path: pathPart, params };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

function param(raw: RawUrl, name: string): string | undefined {
  return raw.params.find(([k]) => k === name)?.[1];
}

/** Refuse credentials and parameters the CLI would not accept. */
function checkParams(raw: RawUrl): void {
  if (raw.userinfo) {
    throw new ControlPlaneUrlError("contains credentials (user info before `@`); credentials come from the environment (OIDC, the cloud's own variables), never from the URL");
  }
  // Names only: a value is never inspected for display, so it can never be echoed.
  for (const [name] of raw.params) {
    const lower = name.toLowerCase();
    if (CREDENTIAL_PARAMS.has(lower) || /secret|token|signature|password/.test(lower)) {
      throw new ControlPlaneUrlError(`contains a credential (query parameter \`${name}\`); credentials come from the environment (OIDC, the cloud's own variables), never from the URL`);
    }
  }
  const allowed = ALLOWED_PARAMS[raw.scheme] ?? [];
  for (const [name] of raw.params) {
    if (!allowed.includes(name)) {
      throw new ControlPlaneUrlError(
        `${raw.scheme}:// does not take the query parameter \`${name}\`; ${allowed.length > 0 ? `allowed: ${allowed.join(", ")}` : "it takes none"}`,
      );
    }
  }
}

function normalizedOf(raw: RawUrl): string {
  const query = [...raw.params].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`);
  const p = raw.path.replace(/\/+$/, "");
  return `${raw.scheme}://${raw.host.toLowerCase()}${p}${query.length > 0 ? `?${query.join("&")}` : ""}`;
}

const DECLARE_HINT = (what: string) => `${what}; declare it under \`locations\``;

function objectStore(raw: RawUrl): ControlPlaneUrl {
  const bucket = raw.host.toLowerCase();
  if (bucket === "") {
    throw new ControlPlaneUrlError(`${raw.scheme}:// needs a bucket name (${raw.scheme}://<bucket>[/<prefix>])`);
  }
  const base = { scheme: raw.scheme, bucket, normalized: normalizedOf(raw) };
  switch (raw.scheme) {
    case "s3": {
      const region = param(raw, "region");
      return {
        ...base,
        identity: `s3:${bucket}`,
        location: region ? { kind: "derived", location: region, source: "its `region=` parameter" } : { kind: "declare", why: DECLARE_HINT("an s3:// URL without `region=` has no location (the CLI would take the region from the environment)") },
      };
    }
    case "gs":
      return { ...base, identity: `gs:${bucket}`, location: { kind: "declare", why: DECLARE_HINT("a gs:// URL does not carry the bucket's location") } };
    default: {
      const account = param(raw, "storage_account") ?? "";
      return {
        ...base,
        ...(account ? { account: account.toLowerCase() } : {}),
        identity: `azblob:${account.toLowerCase()}:${bucket}`,
        location: { kind: "declare", why: DECLARE_HINT("an azblob:// URL does not carry the storage account's location") },
      };
    }
  }
}

/** `file://~`, `file:///abs`, `file://relative` (Pulumi's forms), resolved against `baseDir`. */
function fileStore(raw: RawUrl, baseDir: string): ControlPlaneUrl {
  let p = `${raw.host}${raw.path}`;
  if (p === "") {
    throw new ControlPlaneUrlError("file:// needs a path (file:///<absolute path>, file://~/<path> or file://<relative path>)");
  }
  if (p === "~" || p.startsWith("~/")) p = path.join(os.homedir(), p.slice(1));
  const localPath = path.resolve(baseDir, decodeURIComponentSafe(p));
  return { scheme: "file", identity: `file:${localPath}`, localPath, location: { kind: "local" }, normalized: `file://${localPath}` };
}

function pulumiCloud(raw: RawUrl): ControlPlaneUrl {
  const host = raw.host.toLowerCase();
  if (host === "") throw new ControlPlaneUrlError("https:// needs the Pulumi Cloud host (https://api.pulumi.com or your self-hosted API)");
  const saas = PULUMI_CLOUD_SAAS_HOSTS.includes(host);
  return {
    scheme: "https",
    // app.pulumi.com and api.pulumi.com are one service.
    identity: saas ? "https:pulumi-cloud-saas" : `https:${host}${raw.path.replace(/\/+$/, "")}`,
    location: saas
      ? { kind: "derived", location: PULUMI_CLOUD_SAAS_LOCATION, source: "Pulumi Cloud SaaS, which keeps its data in AWS us-west-2" }
      : { kind: "declare", why: DECLARE_HINT("a self-hosted Pulumi Cloud URL does not carry where its database and object store run") },
    normalized: normalizedOf(raw),
  };
}

const ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:(key|alias)\/.+$/;

function awsKms(raw: RawUrl): ControlPlaneUrl {
  if (raw.host.startsWith("arn:")) {
    throw new ControlPlaneUrlError("a key ARN goes after an empty host: write awskms:///arn:aws:kms:<region>:<account>:key/<id> (three slashes; `:` cannot be part of a URL host)");
  }
  const keyId = `${raw.host}${raw.path}`.replace(/^\/+/, "");
  if (keyId === "") throw new ControlPlaneUrlError("awskms:// needs a key: alias/<name>, a key id, or ///<key ARN>");
  const region = param(raw, "region");
  const arn = ARN.exec(keyId);
  let location: UrlLocation;
  if (arn) {
    if (region && region !== arn[1]) {
      throw new ControlPlaneUrlError(`its \`region=\` parameter (${region}) contradicts the region in the key ARN (${arn[1]})`);
    }
    location = { kind: "derived", location: arn[1], source: "the region in its key ARN" };
  } else if (keyId.startsWith("arn:")) {
    throw new ControlPlaneUrlError("the key ARN is not of the form arn:aws:kms:<region>:<account>:key/<id> or …:alias/<name>");
  } else {
    location = region
      ? { kind: "derived", location: region, source: "its `region=` parameter" }
      : { kind: "declare", why: DECLARE_HINT("an awskms:// alias or key id without `region=` has no location (the CLI would take the region from the environment)") };
  }
  const regionPart = location.kind === "derived" ? location.location : "";
  return { scheme: "awskms", identity: `awskms:${regionPart}:${keyId}`, kmsKey: keyId, location, normalized: normalizedOf(raw) };
}

const GCP_KEY = /^projects\/([^/]+)\/locations\/([^/]+)\/keyRings\/([^/]+)\/cryptoKeys\/([^/]+)$/;

function gcpKms(raw: RawUrl): ControlPlaneUrl {
  const name = `${raw.host}${raw.path}`.replace(/\/+$/, "");
  const m = GCP_KEY.exec(name);
  if (!m) throw new ControlPlaneUrlError("a gcpkms:// URL names a key as gcpkms://projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>");
  return { scheme: "gcpkms", identity: `gcpkms:${name}`, location: { kind: "derived", location: m[2], source: "its `locations/<L>` segment" }, normalized: normalizedOf(raw) };
}

function azureKeyVault(raw: RawUrl): ControlPlaneUrl {
  const host = raw.host.toLowerCase();
  const m = /^\/keys\/([^/]+)(\/[^/]+)?\/?$/.exec(raw.path);
  if (host === "" || !m) throw new ControlPlaneUrlError("an azurekeyvault:// URL names a key as azurekeyvault://<vault>.vault.azure.net/keys/<key>[/<version>]");
  return {
    scheme: "azurekeyvault",
    identity: `azurekeyvault:${host}/keys/${m[1].toLowerCase()}`,
    location: { kind: "declare", why: DECLARE_HINT("an azurekeyvault:// URL does not carry the vault's location") },
    normalized: normalizedOf(raw),
  };
}

function hashiVault(raw: RawUrl): ControlPlaneUrl {
  const key = `${raw.host}${raw.path}`.replace(/\/+$/, "");
  if (key === "") throw new ControlPlaneUrlError("hashivault:// needs a transit key name (hashivault://<key>)");
  return {
    scheme: "hashivault",
    identity: `hashivault:${key}`,
    location: { kind: "declare", why: DECLARE_HINT("a hashivault:// URL does not say where the Vault server runs") },
    normalized: normalizedOf(raw),
  };
}

/**
 * Parse one control-plane URL for `key`. `baseDir` resolves relative `file://` paths (the
 * stacks directory). Throws ControlPlaneUrlError (never quoting the URL).
 */
export function parseControlPlaneUrl(key: ControlPlaneKey, url: string, baseDir: string): ControlPlaneUrl {
  if (key === "secretsProvider" && url === "passphrase") {
    return { scheme: "passphrase", identity: "passphrase", location: { kind: "local" }, normalized: "passphrase" };
  }
  const raw = split(url.trim());
  if (!ALLOWED_SCHEMES[key].includes(raw.scheme)) {
    throw new ControlPlaneUrlError(`unknown or unsupported scheme \`${raw.scheme}://\` for ${key}; allowed: ${ALLOWED_SCHEMES[key].map((s) => (s === "passphrase" ? s : `${s}://`)).join(", ")}`);
  }
  checkParams(raw);
  switch (raw.scheme) {
    case "s3":
    case "gs":
    case "azblob":
      return objectStore(raw);
    case "file":
      return fileStore(raw, baseDir);
    case "https":
      return pulumiCloud(raw);
    case "awskms":
      return awsKms(raw);
    case "gcpkms":
      return gcpKms(raw);
    case "azurekeyvault":
      return azureKeyVault(raw);
    default:
      return hashiVault(raw);
  }
}

/** True when two parsed URLs point at the same store or key (one `file://` folder inside the other counts). */
export function sameStore(a: ControlPlaneUrl, b: ControlPlaneUrl): boolean {
  if (a.localPath !== undefined && b.localPath !== undefined) {
    const inside = (x: string, y: string) => x === y || x.startsWith(y.endsWith(path.sep) ? y : `${y}${path.sep}`);
    return inside(a.localPath, b.localPath) || inside(b.localPath, a.localPath);
  }
  return a.scheme !== "passphrase" && a.identity === b.identity;
}

/** A short description of what a URL points at, for messages (no query, so no credential). */
export function describeStore(u: ControlPlaneUrl): string {
  if (u.bucket !== undefined) return `${u.scheme} ${u.scheme === "azblob" ? "container" : "bucket"} ${u.bucket}`;
  if (u.localPath !== undefined) return `folder ${u.localPath}`;
  if (u.kmsKey !== undefined) return `AWS KMS key ${u.kmsKey}`;
  return u.identity.replace(/^([a-z]+):/, "$1 ");
}

/**
 * Whether a control-plane location lies in `domain`: `local` always; otherwise one of the
 * domain's regions for the scheme's cloud (any cloud for hashivault and self-hosted
 * Pulumi Cloud), or one of the domain's multi-region locations. Case-insensitive.
 */
export function locationAllowed(allowlist: RegionAllowlist, domain: Domain, scheme: string, location: string): boolean {
  if (location === LOCAL_LOCATION) return true;
  const wanted = location.toLowerCase();
  const cloud = SCHEME_CLOUD[scheme];
  const regions = cloud ? allowlist[domain][cloud] : CLOUDS.flatMap((c) => allowlist[domain][c]);
  return [...regions, ...MULTI_REGION_LOCATIONS[domain]].some((r) => r.toLowerCase() === wanted);
}

/** The locations a domain allows for a scheme, for messages. */
export function allowedLocations(allowlist: RegionAllowlist, domain: Domain, scheme: string): string[] {
  const cloud = SCHEME_CLOUD[scheme];
  const regions = cloud ? allowlist[domain][cloud] : CLOUDS.flatMap((c) => allowlist[domain][c]);
  return [...regions, ...MULTI_REGION_LOCATIONS[domain].filter((m) => m === m.toUpperCase())];
}

/** The other domain a location belongs to, if any (for "it is a us region" in messages). */
export function domainOwningLocation(allowlist: RegionAllowlist, scheme: string, location: string): Domain | undefined {
  return DOMAINS.find((d) => locationAllowed(allowlist, d, scheme, location));
}

/**
 * The pack config's `controlPlane`: the stack's own domain's URLs (and declared locations),
 * as fleet.yaml `domains.<domain>` has them. The orchestrator and the plan always set it.
 */
export const controlPlaneConfigSchema = z.strictObject({
  backend: z.string().min(1),
  secretsProvider: z.string().min(1),
  evidenceStore: z.string().min(1),
  locations: z.partialRecord(z.enum(CONTROL_PLANE_KEYS), z.string().min(1)).optional(),
});
export type ControlPlaneConfig = z.infer<typeof controlPlaneConfigSchema>;
