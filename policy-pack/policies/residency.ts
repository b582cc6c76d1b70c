/**
 * Residency: everything a stack creates, every provider it uses, every stack it reads
 * and every key it encrypts with stays inside the stack's domain (RES-01..07).
 */
import type { StackValidationPolicy, ResourceValidationPolicy } from "@pulumi/policy";
import type { Cloud } from "../lib/catalogue";
import { resourcePolicy, stackPolicy, type CheckContext, type StackResourceView } from "../lib/define";
import {
  AZURE_REGION_PAIRS,
  GEO_REDUNDANT_SKUS,
  cloudOfType,
  describeLocation,
  isAllowed,
  isGlobalAwsType,
  locationOfGcpName,
  locationOfKeyRef,
  normalizeLocation,
  placementOf,
  regionOfArn,
} from "../lib/location";
import { arrayAt, at, str, UNKNOWN, isUnknownValue, providerPackage } from "../lib/values";
import { CMK_KEY_FIELDS } from "./dataEncryption";

const SOC2_RESIDENCY = ["SOC2 CC6.1", "SOC2 CC6.7", "SOC2 C1.1"];

export const HOW_TO_SET_DOMAIN =
  "Set `domain` (\"eu\" or \"us\") in the policy pack config: write the file with " +
  "`npm run -s policy:config -- --domain <eu|us> > policy-config.json` and run " +
  "`pulumi preview --policy-pack policy-pack --policy-pack-config policy-config.json` " +
  "(stack tags are not available on DIY backends, so the pack cannot read the domain from the stack)";

export const stackDomainRequired: StackValidationPolicy = stackPolicy(
  {
    name: "meridian-residency-stack-domain-required",
    area: "residency",
    rules: ["RES-01"],
    description: "The stack's residency domain (eu or us) is configured for the policy pack.",
    why: "Every residency rule compares a location with the stack's domain; without it none of them can decide.",
    remediation: HOW_TO_SET_DOMAIN + ".",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: SOC2_RESIDENCY,
    types: ["pulumi:pulumi:Stack"],
  },
  (_resources, ctx) => {
    if (!ctx.cfg.domain) {
      ctx.report(`No residency domain configured. ${HOW_TO_SET_DOMAIN}.`, ctx.stackUrn);
    }
  },
);

/** The location of a located resource, or undefined when it is not located. */
function checkPlacement(
  cloud: Cloud,
  type: string,
  props: unknown,
  providerProps: unknown,
  ctx: CheckContext & { report(message: string): void },
  prefix = "",
): void {
  const placement = placementOf(cloud, props, providerProps);
  if (placement.location === UNKNOWN) {
    ctx.unknown(`${prefix}${placement.source}`);
    return;
  }
  if (placement.location === undefined) {
    if (cloud === "aws" && !isGlobalAwsType(type)) {
      ctx.report(`${prefix}no region: set the provider's \`region\` (or the resource's \`region\`) to one of ${[...ctx.cfg.allowed.aws].join(", ")}`);
    }
    return;
  }
  if ((cloud === "gcp" || cloud === "azure") && placement.location.toLowerCase() === "global") {
    // Global objects (GCP networks and global addresses, Azure DNS zones and action groups)
    // hold no data; KMS and log buckets are GCP-03/07, edge caches and global routers RES-09
    // (meridian-residency-global-edge-target-domain).
    return;
  }
  if (!isAllowed(ctx.cfg, cloud, placement.location)) {
    ctx.report(
      `${prefix}${placement.source} ${describeLocation(ctx.cfg, cloud, placement.location)} is outside the ${ctx.cfg.domain} allowlist for ${cloud}: ${[...ctx.cfg.allowed[cloud]].join(", ")}`,
    );
  }
}

export const resourceRegionAllowlist: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-residency-resource-region-allowlist",
    area: "residency",
    rules: ["RES-02", "RES-06"],
    description: "Every located AWS, Azure and GCP resource is in a region of the stack's domain allowlist.",
    why: "Data placed in a region of the other domain (or of no domain, e.g. London or Zurich for eu) breaks the residency promise.",
    remediation:
      "Create the resource through a provider pinned to an allowlisted region (AWS v7 `region`, azure-native `location`, GCP `location`/`region`/`zone`), or extend `regions.<domain>.<cloud>` in the pack config after review.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: SOC2_RESIDENCY,
    types: ["*"],
  },
  (r, ctx) => {
    const cloud = cloudOfType(r.type);
    if (!cloud || providerPackage(r.type) !== undefined || !ctx.cfg.domain) {
      return; // not a cloud resource, a provider (RES-03), or no domain (RES-01 reports it)
    }
    checkPlacement(cloud, r.type, r.props, r.provider?.props, ctx);
  },
);

export const providerRegionPin: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-residency-provider-region-pin",
    area: "residency",
    rules: ["RES-03"],
    description: "AWS, Azure and GCP providers, default providers included, are pinned to an allowlisted region.",
    why: "A provider without a pinned region falls back to the environment (AWS_REGION, gcloud config), so the same code can land anywhere.",
    remediation:
      "Set `aws:region`, `gcp:region` (and `gcp:zone` if used) or `azure-native:location` in the stack config, or `region`/`location` on the explicit provider, to a region of the domain.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: SOC2_RESIDENCY,
    types: ["pulumi:providers:aws", "pulumi:providers:gcp", "pulumi:providers:azure-native"],
  },
  (r, ctx) => {
    if (!ctx.cfg.domain) {
      return;
    }
    const cloud = cloudOfType(r.type)!;
    const keys: Record<Cloud, readonly string[]> = { aws: ["region"], azure: ["location"], gcp: ["region", "zone"] };
    let pinned = false;
    for (const key of keys[cloud]) {
      const v = at(r.props, key);
      if (v === UNKNOWN) {
        ctx.unknown(key);
        pinned = true;
        continue;
      }
      const s = str(v);
      if (s === undefined || s === "") {
        continue;
      }
      pinned = true;
      if (!isAllowed(ctx.cfg, cloud, s)) {
        ctx.report(`provider ${key} ${describeLocation(ctx.cfg, cloud, s)} is outside the ${ctx.cfg.domain} allowlist: ${[...ctx.cfg.allowed[cloud]].join(", ")}`);
      }
    }
    if (!pinned) {
      ctx.report(`provider has no ${keys[cloud].join(" or ")}: pin it to one of ${[...ctx.cfg.allowed[cloud]].join(", ")}`);
    }
  },
);

/** The domain of a referenced stack, from `stackDomains` (full name first, then the stack part). */
export function referencedStackDomain(cfg: CheckContext["cfg"], stackName: string) {
  return cfg.stackDomains[stackName] ?? cfg.stackDomains[stackName.split("/").pop() ?? stackName];
}

export const stackReferenceDomain: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-residency-stackreference-domain-match",
    area: "residency",
    rules: ["RES-04"],
    description: "A StackReference reads only stacks of the same domain, as listed in `stackDomains` (the fleet lists only the stack's own domain there).",
    why: "Outputs of the other domain's stacks (key ids, endpoints, CA material) would tie the two closed worlds together.",
    remediation:
      "Reference the stack of your own domain, or add the target to `stackDomains` in the pack config if it is a stack of this domain the pack does not know yet.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: SOC2_RESIDENCY,
    types: ["pulumi:pulumi:StackReference"],
  },
  (r, ctx) => {
    if (!ctx.cfg.domain) {
      return;
    }
    const v = at(r.props, "name");
    if (v === UNKNOWN) {
      ctx.unknown("name");
      return;
    }
    const target = str(v) ?? r.name;
    const domain = referencedStackDomain(ctx.cfg, target);
    if (!domain) {
      ctx.report(`stack '${target}' is not in \`stackDomains\` (which lists only this stack's domain, ${ctx.cfg.domain}): it is another domain's stack or unknown, so the reference cannot be allowed`);
    } else if (domain !== ctx.cfg.domain) {
      ctx.report(`stack '${target}' belongs to domain ${domain}; this stack is ${ctx.cfg.domain}`);
    }
  },
);

// ------------------------------------------------------------------------------------------
// RES-05: key co-location.

const KEY_FIELD =
  /^(kmsKey|kmsKeyId|kmsKeyArn|kmsKeyName|keyArn|kmsMasterKeyId|defaultKmsKeyName|bootDiskKmsKey|diskEncryptionSetID|diskEncryptionSetId|keyIdentifier|cryptoKey|cryptoKeyName|disk-encryption-kms-key|encryptionKeyName|encryptionAtRestKmsKeyArn|keyVaultKeyUri|primaryKeyURI|kmsKeySelfLink|run\.googleapis\.com\/encryption-key)$/;

interface KeyRef {
  /** Dotted path inside props. */
  readonly path: string;
  readonly value: unknown;
}

/**
 * Every key reference in props: the generic key field names, `keyName` under
 * databaseEncryption, `keyId` under azureKeyVaultKms, a Key Vault `keyVaultUri`, and the
 * per-type key fields of the data-service table (`extra`, e.g. SSM `keyId`, Key Vault
 * secrets' `vaultName`).
 */
export function keyRefs(props: unknown, path = "", out: KeyRef[] = [], extra?: ReadonlySet<string>): KeyRef[] {
  if (Array.isArray(props)) {
    props.forEach((v, i) => keyRefs(v, `${path}[${i}]`, out, extra));
  } else if (props !== null && typeof props === "object") {
    for (const [k, v] of Object.entries(props)) {
      const p = path ? `${path}.${k}` : k;
      const isKey =
        KEY_FIELD.test(k) ||
        extra?.has(k) === true ||
        (k === "keyVaultUri" && /keyVaultProperties(\[\d+\])?$/.test(path)) ||
        (k === "keyName" && path.endsWith("databaseEncryption")) ||
        (k === "keyId" && path.endsWith("azureKeyVaultKms"));
      if (isKey && (typeof v === "string" || isUnknownValue(v))) {
        if (v !== "") {
          out.push({ path: p, value: v });
        }
      } else if (v !== null && typeof v === "object") {
        keyRefs(v, p, out, extra);
      }
    }
  }
  return out;
}

/** Where a key resource lives, following its own dependencies for Azure keys and GCP crypto keys. */
function keyResourceLocation(key: StackResourceView): { cloud: Cloud; location: string | typeof UNKNOWN } | undefined {
  switch (key.type) {
    case "aws:kms/key:Key":
    case "aws:kms/replicaKey:ReplicaKey":
    case "aws:kms/externalKey:ExternalKey": {
      const p = placementOf("aws", key.props, key.provider?.props);
      return p.location === undefined ? undefined : { cloud: "aws", location: p.location };
    }
    case "gcp:kms/cryptoKey:CryptoKey": {
      const ring = at(key.props, "keyRing");
      if (ring === UNKNOWN) {
        const dep = (key.propertyDependencies.keyRing ?? []).find((d) => d.type === "gcp:kms/keyRing:KeyRing");
        const loc = dep ? at(dep.props, "location") : UNKNOWN;
        return { cloud: "gcp", location: typeof loc === "string" ? loc : UNKNOWN };
      }
      const loc = typeof ring === "string" ? locationOfGcpName(ring) : undefined;
      return loc ? { cloud: "gcp", location: loc } : undefined;
    }
    case "gcp:kms/keyRing:KeyRing": {
      const loc = at(key.props, "location");
      return { cloud: "gcp", location: typeof loc === "string" ? loc : UNKNOWN };
    }
    case "azure-native:keyvault:Vault":
    case "azure-native:compute:DiskEncryptionSet": {
      const p = placementOf("azure", key.props, key.provider?.props);
      return p.location === undefined ? undefined : { cloud: "azure", location: p.location };
    }
    case "azure-native:keyvault:Key": {
      const vault = [...(key.propertyDependencies.vaultName ?? []), ...key.dependencies].find((d) => d.type === "azure-native:keyvault:Vault");
      return vault ? keyResourceLocation(vault) : undefined;
    }
    default:
      return undefined;
  }
}

/** Key fields beyond the generic names, per type: the data-service table's, and Key Vault secrets' vault. */
function keyFieldsOf(type: string): ReadonlySet<string> | undefined {
  return type === "azure-native:keyvault:Secret" ? VAULT_NAME : CMK_KEY_FIELDS.get(type);
}
const VAULT_NAME: ReadonlySet<string> = new Set(["vaultName"]);

function topLevelKey(path: string): string {
  return path.split(/[.[]/)[0]!;
}

export const keyColocation: StackValidationPolicy = stackPolicy(
  {
    name: "meridian-residency-key-colocate",
    area: "residency",
    rules: ["RES-05", "RES-06"],
    description:
      "Every KMS / Key Vault / Cloud KMS key a resource uses is in the stack's domain (read from key ARNs, `locations/<L>` names, or the key resource found through property dependencies).",
    why: "Data encrypted with a key of the other domain can be decrypted from there; the key's home is where the data really lives.",
    remediation:
      "Use the residency key of your own domain (components/kms ResidencyKey for this domain), passed by reference so the dependency is visible, or via a StackReference to this domain's foundation stack.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: [...SOC2_RESIDENCY, "SOC2 CC6.1"].filter((v, i, a) => a.indexOf(v) === i),
    types: ["*"],
  },
  (resources, ctx) => {
    if (!ctx.cfg.domain) {
      return;
    }
    for (const r of resources) {
      if (r.type.startsWith("pulumi:")) {
        continue;
      }
      for (const ref of keyRefs(r.props, "", [], keyFieldsOf(r.type))) {
        if (ref.value === UNKNOWN || isUnknownValue(ref.value)) {
          // Resolve through the dependency before giving up: the key resource may be known.
          const located = resolveThroughDeps(r, ref.path, ctx);
          if (!located) {
            ctx.unknown(`${r.name}.${ref.path}`);
          }
          continue;
        }
        const direct = locationOfKeyRef(ref.value as string);
        if (direct) {
          if (!isAllowed(ctx.cfg, direct.cloud, direct.location)) {
            ctx.report(
              `${ref.path} uses a key in ${describeLocation(ctx.cfg, direct.cloud, direct.location)}, outside the ${ctx.cfg.domain} domain`,
              r.urn,
            );
          }
          continue;
        }
        if (!resolveThroughDeps(r, ref.path, ctx)) {
          ctx.unknown(`${r.name}.${ref.path} (key location not derivable: no region in the reference and no key resource among its dependencies)`);
        }
      }
    }
  },
);

/** Check the key behind `path` through property dependencies; true when it was decided. */
function resolveThroughDeps(r: StackResourceView, path: string, ctx: CheckContext & { report(m: string, urn?: string): void }): boolean {
  const deps = r.propertyDependencies[topLevelKey(path)] ?? [];
  let decided = false;
  for (const d of deps) {
    if (d.type === "pulumi:pulumi:StackReference") {
      const target = str(at(d.props, "name")) ?? d.name;
      if (referencedStackDomain(ctx.cfg, target) === ctx.cfg.domain) {
        decided = true; // the key comes from a stack of this domain (RES-04 checks the reference itself)
      }
      continue;
    }
    const loc = keyResourceLocation(d);
    if (!loc) {
      continue;
    }
    if (loc.location === UNKNOWN) {
      ctx.unknown(`${d.name} location`);
      decided = true;
      continue;
    }
    decided = true;
    if (!isAllowed(ctx.cfg, loc.cloud, loc.location)) {
      ctx.report(`${path} uses key '${d.name}' in ${describeLocation(ctx.cfg, loc.cloud, loc.location)}, outside the ${ctx.cfg.domain} domain`, r.urn);
    }
  }
  return decided;
}

// ------------------------------------------------------------------------------------------
// RES-07: replication, log sinks, diagnostic settings, backups.

function locationOfResource(d: StackResourceView): { cloud: Cloud; location: string | typeof UNKNOWN } | undefined {
  const cloud = cloudOfType(d.type);
  if (!cloud) {
    return undefined;
  }
  const p = placementOf(cloud, d.props, d.provider?.props);
  return p.location === undefined ? undefined : { cloud, location: p.location };
}

const S3_ACCESS_LOGGING = ["aws:s3/bucketLoggingV2:BucketLoggingV2", "aws:s3/bucketLogging:BucketLogging"];
const OTHER_GCP_SINKS = [
  "gcp:logging/organizationSink:OrganizationSink",
  "gcp:logging/folderSink:FolderSink",
  "gcp:logging/billingAccountSink:BillingAccountSink",
];

export const replicationTargets: StackValidationPolicy = stackPolicy(
  {
    name: "meridian-residency-replication-target-allowlist",
    area: "residency",
    rules: ["RES-07", "RES-06"],
    description:
      "Replication (ECR, KMS replica keys, S3, ACR), geo-redundant storage pairs, log sinks (project, folder, organization, billing), CloudWatch log subscriptions, CloudTrail and S3 access-log buckets, diagnostic settings and backup vaults land only in the stack's domain.",
    why: "Public packs push geo-replication for resilience; for a two-domain platform a copy in the other domain (or in a non-member paired region) is a residency breach.",
    remediation:
      "Point replication and sinks at allowlisted regions of the same domain; use LRS/ZRS storage (or a region whose pair is allowlisted); send logs to this domain's workspace/bucket.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: SOC2_RESIDENCY,
    types: [
      "aws:ecr/replicationConfiguration:ReplicationConfiguration",
      "aws:kms/replicaKey:ReplicaKey",
      "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
      "azure-native:containerregistry:Replication",
      "azure-native:storage:StorageAccount",
      "azure-native:monitor:DiagnosticSetting",
      "azure-native:dataprotection:BackupVault",
      "gcp:logging/projectSink:ProjectSink",
      ...OTHER_GCP_SINKS,
      "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
      "aws:cloudtrail/trail:Trail",
      ...S3_ACCESS_LOGGING,
    ],
  },
  (resources, ctx) => {
    if (!ctx.cfg.domain) {
      return;
    }
    const outside = (cloud: Cloud, location: string, what: string, urn: string) => {
      if (!isAllowed(ctx.cfg, cloud, location)) {
        ctx.report(`${what} ${describeLocation(ctx.cfg, cloud, location)} is outside the ${ctx.cfg.domain} domain`, urn);
      }
    };
    const viaDeps = (r: StackResourceView, keys: readonly string[], what: string): void => {
      const deps = keys.flatMap((k) => r.propertyDependencies[k] ?? []);
      const located = deps.map(locationOfResource).filter((l) => l !== undefined);
      if (located.length === 0) {
        ctx.unknown(`${r.name}: ${what} location (no located resource among the dependencies of ${keys.join("/")})`);
      }
      for (const l of located) {
        if (l.location === UNKNOWN) {
          ctx.unknown(`${r.name}: ${what} location`);
        } else {
          outside(l.cloud, l.location, what, r.urn);
        }
      }
    };
    for (const r of resources) {
      switch (r.type) {
        case "aws:ecr/replicationConfiguration:ReplicationConfiguration": {
          const rules = arrayAt(r.props, "replicationConfiguration.rules");
          if (rules === UNKNOWN) {
            ctx.unknown(`${r.name}.replicationConfiguration.rules`);
            break;
          }
          rules.forEach((rule, i) => {
            const dests = arrayAt(rule, "destinations");
            if (dests === UNKNOWN) {
              ctx.unknown(`${r.name}.replicationConfiguration.rules[${i}].destinations`);
              return;
            }
            dests.forEach((d, j) => {
              const region = at(d, "region");
              if (region === UNKNOWN) {
                ctx.unknown(`${r.name}.replicationConfiguration.rules[${i}].destinations[${j}].region`);
              } else if (typeof region === "string") {
                outside("aws", region, `ECR replication destination`, r.urn);
              }
            });
          });
          break;
        }
        case "aws:kms/replicaKey:ReplicaKey": {
          const p = placementOf("aws", r.props, r.provider?.props);
          if (p.location === UNKNOWN) {
            ctx.unknown(`${r.name}.${p.source}`);
          } else if (p.location === undefined) {
            ctx.report("KMS replica key has no region", r.urn);
          } else {
            outside("aws", p.location, "KMS replica key region", r.urn);
          }
          break;
        }
        case "aws:s3/bucketReplicationConfig:BucketReplicationConfig":
          viaDeps(r, ["rules"], "S3 replication destination bucket");
          break;
        case "azure-native:containerregistry:Replication": {
          const p = placementOf("azure", r.props, undefined);
          if (p.location === UNKNOWN) {
            ctx.unknown(`${r.name}.location`);
          } else if (p.location === undefined) {
            ctx.report("ACR replication has no location", r.urn);
          } else {
            outside("azure", p.location, "ACR replication location", r.urn);
          }
          break;
        }
        case "azure-native:storage:StorageAccount": {
          const sku = at(r.props, "sku.name");
          if (sku === UNKNOWN) {
            ctx.unknown(`${r.name}.sku.name`);
            break;
          }
          if (typeof sku !== "string" || !GEO_REDUNDANT_SKUS.has(sku.toLowerCase())) {
            break;
          }
          const p = placementOf("azure", r.props, r.provider?.props);
          if (p.location === UNKNOWN || p.location === undefined) {
            ctx.unknown(`${r.name}.location (needed to find the ${sku} paired region)`);
            break;
          }
          const pair = AZURE_REGION_PAIRS[normalizeLocation(p.location)];
          if (!pair) {
            ctx.report(`sku ${sku} replicates to a paired region, and ${p.location} has none on record: use Standard_LRS or Standard_ZRS`, r.urn);
          } else {
            outside("azure", pair, `sku ${sku} replicates to the paired region`, r.urn);
          }
          break;
        }
        case "azure-native:dataprotection:BackupVault": {
          const settings = arrayAt(r.props, "properties.storageSettings");
          if (settings === UNKNOWN) {
            ctx.unknown(`${r.name}.properties.storageSettings`);
            break;
          }
          const geo = settings.some((s) => String(at(s, "type")).toLowerCase() === "georedundant");
          const p = placementOf("azure", r.props, r.provider?.props);
          if (geo && typeof p.location === "string") {
            const pair = AZURE_REGION_PAIRS[normalizeLocation(p.location)];
            if (!pair) {
              ctx.report(`GeoRedundant backup storage in ${p.location}, which has no paired region on record: use ZoneRedundant or LocallyRedundant`, r.urn);
            } else {
              outside("azure", pair, "GeoRedundant backup copies go to the paired region", r.urn);
            }
          }
          break;
        }
        case "azure-native:monitor:DiagnosticSetting":
          viaDeps(r, ["workspaceId", "storageAccountId", "eventHubAuthorizationRuleId"], "diagnostic setting destination");
          break;
        case "gcp:logging/projectSink:ProjectSink": {
          const dest = at(r.props, "destination");
          if (dest === UNKNOWN) {
            ctx.unknown(`${r.name}.destination`);
            break;
          }
          if (typeof dest !== "string") {
            ctx.report("log sink has no destination", r.urn);
            break;
          }
          if (dest.startsWith("logging.googleapis.com/")) {
            break; // a log bucket path carries its location: GCP-07 checks it
          }
          viaDeps(r, ["destination"], "log sink destination");
          break;
        }
        case "gcp:logging/organizationSink:OrganizationSink":
        case "gcp:logging/folderSink:FolderSink":
        case "gcp:logging/billingAccountSink:BillingAccountSink": {
          const dest = at(r.props, "destination");
          if (dest === UNKNOWN) {
            ctx.unknown(`${r.name}.destination`);
          } else if (typeof dest !== "string" || dest === "") {
            ctx.report("log sink has no destination", r.urn);
          } else if (dest.startsWith("logging.googleapis.com/")) {
            // GCP-07 reads project sinks' log bucket paths; other sinks are checked here.
            const loc = locationOfGcpName(dest);
            if (!loc || loc.toLowerCase() === "global") {
              ctx.report(`log sink destination bucket is in ${loc ?? "no location"}, outside the ${ctx.cfg.domain} domain`, r.urn);
            } else {
              outside("gcp", loc, "log sink destination bucket", r.urn);
            }
          } else {
            viaDeps(r, ["destination"], "log sink destination");
          }
          break;
        }
        case "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": {
          const arn = at(r.props, "destinationArn");
          if (arn === UNKNOWN) {
            const deps = r.propertyDependencies.destinationArn ?? [];
            if (deps.length > 0) {
              viaDeps(r, ["destinationArn"], "log subscription destination");
            } else {
              ctx.unknown(`${r.name}.destinationArn`);
            }
          } else if (typeof arn === "string") {
            const region = regionOfArn(arn);
            if (region) {
              outside("aws", region, "log subscription destination", r.urn);
            } else {
              viaDeps(r, ["destinationArn"], "log subscription destination");
            }
          }
          break;
        }
        case "aws:cloudtrail/trail:Trail":
          viaDeps(r, ["s3BucketName"], "CloudTrail log bucket");
          break;
        case "aws:s3/bucketLoggingV2:BucketLoggingV2":
        case "aws:s3/bucketLogging:BucketLogging":
          viaDeps(r, ["targetBucket"], "S3 access log target bucket");
          break;
      }
    }
  },
);

export const residencyPolicies = [
  stackDomainRequired,
  resourceRegionAllowlist,
  providerRegionPin,
  stackReferenceDomain,
  keyColocation,
  replicationTargets,
];
