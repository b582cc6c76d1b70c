/**
 * Resources that copy a domain's control plane (state bucket, state key, evidence bucket)
 * somewhere else: S3 replication (the split resource and the deprecated inline block), KMS
 * replica keys of the state key, GCS Storage Transfer jobs and Azure object replication.
 *
 * Which buckets and keys are "the control plane" is derived from the declared URLs
 * (`domains.<d>` in fleet.yaml, handed to the pack as `controlPlane`). One walk serves the
 * pack (this domain's stores only) and the fleet checks (every domain's stores), so the two
 * can never disagree on what an export is.
 */
import { MULTI_REGION_LOCATIONS, type Cloud, type Domain, type RegionAllowlist } from "./catalogue";
import { CONTROL_PLANE_KEYS, ControlPlaneUrlError, parseControlPlaneUrl, type ControlPlaneKey } from "./controlPlaneUrl";
import { placementOf } from "./location";
import { arrayAt, at, str, UNKNOWN, type Unknown } from "./values";

/** A resource as both the pack (StackResourceView) and the plan (PolicyResource) have it. */
export interface ResourceLike {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: unknown;
  readonly provider?: { readonly props: unknown };
  readonly propertyDependencies: Readonly<Record<string, readonly ResourceLike[]>>;
}

export interface StoreRef {
  readonly domain: Domain;
  readonly key: ControlPlaneKey;
  readonly scheme: "s3" | "gs" | "azblob";
  readonly name: string;
  /** Azure storage account, when the URL names it (`storage_account=`). */
  readonly account?: string;
}

export interface KeyRef {
  readonly domain: Domain;
  /** Alias (`alias/x`), key id or ARN, as written in the URL. */
  readonly key: string;
}

/** One domain's control-plane buckets and AWS KMS keys. */
export interface ControlPlaneStores {
  readonly domain: Domain;
  readonly buckets: readonly StoreRef[];
  readonly kmsKeys: readonly KeyRef[];
}

export type ControlPlaneUrls = Readonly<Record<ControlPlaneKey, string>>;

/** The buckets and keys behind a domain's URLs (a URL that does not parse contributes nothing). */
export function controlPlaneStores(domain: Domain, urls: ControlPlaneUrls): ControlPlaneStores {
  const buckets: StoreRef[] = [];
  const kmsKeys: KeyRef[] = [];
  for (const key of CONTROL_PLANE_KEYS) {
    try {
      const u = parseControlPlaneUrl(key, urls[key], "/");
      if (u.bucket !== undefined && (u.scheme === "s3" || u.scheme === "gs" || u.scheme === "azblob")) {
        buckets.push({ domain, key, scheme: u.scheme, name: u.bucket, ...(u.account ? { account: u.account } : {}) });
      }
      if (u.kmsKey !== undefined) kmsKeys.push({ domain, key: u.kmsKey });
    } catch (e) {
      if (!(e instanceof ControlPlaneUrlError)) throw e;
    }
  }
  return { domain, buckets, kmsKeys };
}

export interface ExportCheckContext {
  /** The domain of the stack being checked. */
  readonly domain: Domain;
  readonly regions: RegionAllowlist;
  /** Every domain's stores known to the caller (the pack: its own domain's only). */
  readonly stores: readonly ControlPlaneStores[];
  report(message: string, urn: string): void;
  unknown(path: string): void;
}

const KEY_LABEL: Record<ControlPlaneKey, string> = { backend: "state backend", secretsProvider: "secrets provider", evidenceStore: "evidence store" };

function label(s: StoreRef): string {
  return `domain ${s.domain}'s ${KEY_LABEL[s.key]} ${noun(s.scheme)} ${s.name}`;
}

function noun(scheme: StoreRef["scheme"]): string {
  return scheme === "azblob" ? "container" : "bucket";
}

function inDomain(ctx: ExportCheckContext, cloud: Cloud, location: string): boolean {
  const l = location.toLowerCase().replace(/\s+/g, "");
  const mine = ctx.regions[ctx.domain];
  return mine[cloud].some((r) => r.toLowerCase() === l) || MULTI_REGION_LOCATIONS[ctx.domain].some((m) => m.toLowerCase() === l);
}

/** A bucket's name from an ARN (`arn:aws:s3:::name`), a bare name, or a storage-account id's last segment. */
function bucketName(v: string): string {
  const arn = /^arn:aws[a-z-]*:s3:::([^/]+)/.exec(v);
  return (arn ? arn[1] : v).toLowerCase();
}

const BUCKET_NAME_PROP: Record<string, string> = {
  "aws:s3/bucket:Bucket": "bucket",
  "aws:s3/bucketV2:BucketV2": "bucket",
  "gcp:storage/bucket:Bucket": "name",
  "azure-native:storage:StorageAccount": "accountName",
};

/** The value at `path`, or (when unknown at preview) the name of the bucket resource it depends on. */
function nameVia(r: ResourceLike, path: string, depKey: string): string | Unknown | undefined {
  const v = at(r.props, path);
  if (typeof v === "string") return v;
  if (v !== UNKNOWN) return undefined;
  const dep = (r.propertyDependencies[depKey] ?? []).find((d) => BUCKET_NAME_PROP[d.type] !== undefined);
  const name = dep ? str(at(dep.props, BUCKET_NAME_PROP[dep.type]!)) : undefined;
  return name ?? UNKNOWN;
}

/** An account name, or a resource id ending in `/storageAccounts/<name>`, is the named account. */
function sameAccount(ref: string, name: string): boolean {
  const r = ref.toLowerCase();
  return r === name || r.endsWith(`/${name}`);
}

/** The control-plane bucket a name refers to, if any. */
function storeNamed(ctx: ExportCheckContext, scheme: StoreRef["scheme"], name: string, account?: string): StoreRef | undefined {
  const n = bucketName(name);
  return ctx.stores
    .flatMap((s) => s.buckets)
    .find((b) => b.scheme === scheme && b.name === n && (account === undefined || b.account === undefined || sameAccount(account, b.account)));
}

/** The destination bucket resource among the dependencies: by name, else the only candidate. */
function destinationResource(r: ResourceLike, depKeys: readonly string[], name: string | undefined): ResourceLike | undefined {
  const deps = depKeys.flatMap((k) => r.propertyDependencies[k] ?? []).filter((d) => BUCKET_NAME_PROP[d.type] !== undefined);
  const byName = name === undefined ? undefined : deps.find((d) => str(at(d.props, BUCKET_NAME_PROP[d.type]!))?.toLowerCase() === bucketName(name));
  return byName ?? (deps.length === 1 ? deps[0] : undefined);
}

interface Copy {
  readonly cloud: Cloud;
  readonly scheme: StoreRef["scheme"];
  readonly what: string;
  readonly source: string | Unknown | undefined;
  readonly sourceAccount?: string;
  readonly destination: string | Unknown | undefined;
  readonly destinationScheme: StoreRef["scheme"];
  readonly destinationAccount?: string;
  /** Property keys whose dependencies may hold the destination bucket resource. */
  readonly depKeys: readonly string[];
  readonly path: string;
}

/** Judge one copy from a source bucket to a destination bucket. */
function judgeCopy(r: ResourceLike, c: Copy, ctx: ExportCheckContext): void {
  if (c.source === UNKNOWN) {
    ctx.unknown(`${r.name}.${c.path} source`);
    return;
  }
  const src = c.source === undefined ? undefined : storeNamed(ctx, c.scheme, c.source, c.sourceAccount);
  const dst = c.destination === undefined || c.destination === UNKNOWN ? undefined : storeNamed(ctx, c.destinationScheme, c.destination, c.destinationAccount);
  if (src && src.domain !== ctx.domain) {
    ctx.report(`${c.what} copies ${label(src)} from a stack of domain ${ctx.domain}; a domain's state and evidence are never read by the other`, r.urn);
    return;
  }
  if (dst && dst.domain !== ctx.domain) {
    ctx.report(`${c.what} copies into ${label(dst)}; nothing crosses into another domain's control plane`, r.urn);
    return;
  }
  if (!src || dst) return; // not a control-plane source, or copied within this domain's own control plane
  if (c.destination === UNKNOWN) {
    ctx.unknown(`${r.name}.${c.path} destination`);
    return;
  }
  const target = destinationResource(r, c.depKeys, c.destination);
  const location = target ? placementOf(c.cloud, target.props, target.provider?.props).location : undefined;
  // Name the bucket as written, or as its resource declares it (an ARN output is not a name).
  // (For Azure the resource is the storage account; the container is what was written.)
  const fromResource = target && c.destinationScheme !== "azblob" ? str(at(target.props, BUCKET_NAME_PROP[target.type]!)) : undefined;
  const shown = fromResource ?? (c.destination === undefined ? undefined : bucketName(c.destination));
  const dest = shown === undefined ? "its destination" : `${noun(c.destinationScheme)} ${shown}`;
  if (location === UNKNOWN) {
    ctx.unknown(`${r.name}.${c.path} destination location`);
  } else if (location === undefined) {
    ctx.report(`${c.what} copies ${label(src)} to ${dest}, whose location cannot be shown to be in ${ctx.domain}: copy control-plane data only to a bucket created in this stack with a region of the domain`, r.urn);
  } else if (!inDomain(ctx, c.cloud, location)) {
    ctx.report(`${c.what} copies ${label(src)} to ${dest} in ${location}, outside domain ${ctx.domain}`, r.urn);
  }
}

function s3Copies(r: ResourceLike, rulesPath: string, what: string): Copy[] | Unknown {
  const rules = arrayAt(r.props, rulesPath);
  if (rules === UNKNOWN) return UNKNOWN;
  const source = nameVia(r, "bucket", "bucket");
  return rules.map((rule, i) => {
    const d = at(rule, "destination.bucket");
    return {
      cloud: "aws",
      scheme: "s3",
      what,
      source,
      destination: typeof d === "string" ? d : d === UNKNOWN ? UNKNOWN : undefined,
      destinationScheme: "s3",
      depKeys: [rulesPath.split(".")[0]!],
      path: `${rulesPath}[${i}].destination.bucket`,
    } satisfies Copy;
  });
}

function transferCopies(r: ResourceLike): Copy[] {
  const copies: Copy[] = [];
  for (const spec of ["transferSpec", "replicationSpec"]) {
    if (at(r.props, spec) === undefined) continue;
    const sink = at(r.props, `${spec}.gcsDataSink.bucketName`);
    const destination = typeof sink === "string" ? sink : sink === UNKNOWN ? UNKNOWN : undefined;
    const sources: Array<[StoreRef["scheme"], string]> = [
      ["gs", `${spec}.gcsDataSource.bucketName`],
      ["s3", `${spec}.awsS3DataSource.bucketName`],
      ["azblob", `${spec}.azureBlobStorageDataSource.container`],
    ];
    for (const [scheme, path] of sources) {
      const v = at(r.props, path);
      if (v === undefined) continue;
      copies.push({
        cloud: "gcp",
        scheme,
        what: "Storage Transfer job",
        source: typeof v === "string" ? v : UNKNOWN,
        ...(scheme === "azblob" ? { sourceAccount: str(at(r.props, `${spec}.azureBlobStorageDataSource.storageAccount`)) } : {}),
        destination,
        destinationScheme: "gs",
        depKeys: [spec],
        path,
      });
    }
  }
  return copies;
}

function objectReplicationCopies(r: ResourceLike): Copy[] | Unknown {
  const rules = arrayAt(r.props, "rules");
  if (rules === UNKNOWN) return UNKNOWN;
  const sourceAccount = str(at(r.props, "sourceAccount"));
  const destinationAccount = str(at(r.props, "destinationAccount"));
  return rules.map((rule, i) => {
    const s = at(rule, "sourceContainer");
    const d = at(rule, "destinationContainer");
    return {
      cloud: "azure",
      scheme: "azblob",
      what: "object replication policy",
      source: typeof s === "string" ? s : s === UNKNOWN ? UNKNOWN : undefined,
      ...(sourceAccount ? { sourceAccount } : {}),
      destination: typeof d === "string" ? d : d === UNKNOWN ? UNKNOWN : undefined,
      destinationScheme: "azblob",
      ...(destinationAccount ? { destinationAccount } : {}),
      depKeys: ["destinationAccount"],
      path: `rules[${i}]`,
    } satisfies Copy;
  });
}

/** The state key a KMS replica key copies, if it is one of the known control-plane keys. */
function replicatedStateKey(r: ResourceLike, resources: readonly ResourceLike[], ctx: ExportCheckContext): KeyRef | Unknown | undefined {
  const primary = at(r.props, "primaryKeyArn");
  const primaryKeys = (r.propertyDependencies.primaryKeyArn ?? []).filter((d) => d.type === "aws:kms/key:Key");
  const aliases = resources.filter((a) => a.type === "aws:kms/alias:Alias");
  const keys = ctx.stores.flatMap((s) => s.kmsKeys);
  for (const k of keys) {
    if (typeof primary === "string" && (primary === k.key || primary.endsWith(`:key/${k.key}`) || primary.endsWith(`:${k.key}`))) return k;
    if (!k.key.startsWith("alias/") && !/:alias\//.test(k.key)) continue;
    const aliasName = k.key.slice(k.key.indexOf("alias/"));
    for (const a of aliases.filter((x) => str(at(x.props, "name")) === aliasName)) {
      const target = str(at(a.props, "targetKeyId"));
      const sameResource = (a.propertyDependencies.targetKeyId ?? []).some((t) => primaryKeys.includes(t));
      const sameValue = typeof primary === "string" && target !== undefined && (primary === target || primary.endsWith(`:key/${target}`));
      if (sameResource || sameValue) return k;
    }
  }
  return primary === UNKNOWN && primaryKeys.length === 0 ? UNKNOWN : undefined;
}

/** Every export of control-plane state or evidence out of `ctx.domain`, over one stack's resources. */
export function checkControlPlaneExports(resources: readonly ResourceLike[], ctx: ExportCheckContext): void {
  for (const r of resources) {
    let copies: Copy[] | Unknown = [];
    switch (r.type) {
      case "aws:s3/bucketReplicationConfig:BucketReplicationConfig":
        copies = s3Copies(r, "rules", "S3 replication");
        break;
      case "aws:s3/bucket:Bucket":
      case "aws:s3/bucketV2:BucketV2":
        copies = at(r.props, "replicationConfiguration") === undefined ? [] : s3Copies(r, "replicationConfiguration.rules", "S3 replication (inline)");
        break;
      case "gcp:storage/transferJob:TransferJob":
        copies = transferCopies(r);
        break;
      case "azure-native:storage:ObjectReplicationPolicy":
        copies = objectReplicationCopies(r);
        break;
      case "aws:kms/replicaKey:ReplicaKey": {
        const key = replicatedStateKey(r, resources, ctx);
        if (key === UNKNOWN) {
          ctx.unknown(`${r.name}.primaryKeyArn`);
        } else if (key && key.domain !== ctx.domain) {
          ctx.report(`KMS replica key copies domain ${key.domain}'s state key ${key.key}; a domain's secrets are never decryptable from the other`, r.urn);
        } else if (key) {
          const p = placementOf("aws", r.props, r.provider?.props);
          if (p.location === UNKNOWN) ctx.unknown(`${r.name}.${p.source}`);
          else if (p.location === undefined || !inDomain(ctx, "aws", p.location)) {
            ctx.report(`KMS replica key copies domain ${key.domain}'s state key ${key.key} to ${p.location ?? "no pinned region"}, outside domain ${ctx.domain}`, r.urn);
          }
        }
        break;
      }
    }
    if (copies === UNKNOWN) {
      ctx.unknown(`${r.name} replication rules`);
      continue;
    }
    for (const c of copies) judgeCopy(r, c, ctx);
  }
}

/** The resource types the export check reads (for the policy's metadata). */
export const CONTROL_PLANE_EXPORT_TYPES: readonly string[] = [
  "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketV2:BucketV2",
  "aws:kms/replicaKey:ReplicaKey",
  "aws:kms/alias:Alias",
  "gcp:storage/transferJob:TransferJob",
  "azure-native:storage:ObjectReplicationPolicy",
];
