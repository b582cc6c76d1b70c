/**
 * Encryption at rest with a customer-managed key, for the data services tenant teams use
 * (MER-DATA-01..03). One table row per resource type — its key property path(s), how the
 * provider spells "encrypted", and, for resources that inherit their encryption (a
 * BigQuery table from its dataset, an Aurora instance or snapshot from its cluster), the
 * property through which they inherit it. Three stack policies (one per cloud) read the
 * table; stack policies because inheritance is a relation in the dependency graph.
 *
 * This policy decides that a customer-managed key is *used*; whose key it is — that the
 * key lives in the stack's domain — is `meridian-residency-key-colocate` (RES-05), which
 * reads the same key paths (`CMK_KEY_FIELDS`) from key ARNs, `locations/<L>` names or the
 * key resource found through property dependencies.
 *
 * Covered elsewhere (not repeated here): S3 (AWS-05), CloudWatch log groups (AWS-06), EKS,
 * ECR, launch templates; Azure storage accounts (AZ-06), AKS, ACR; GCS buckets (GCP-05),
 * GKE, Artifact Registry, log buckets.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import type { Cloud } from "../lib/catalogue";
import { stackPolicy, type StackCheckContext, type StackResourceView } from "../lib/define";
import { at, truthy, UNKNOWN } from "../lib/values";

const SOC2_ENCRYPTION = ["SOC2 CC6.1", "SOC2 CC6.7", "SOC2 C1.1"];

/** A property path: dotted, or an array of segments when a key itself has dots (annotations). */
export type PropPath = string | readonly string[];

export interface CmkRow {
  readonly type: string;
  /** What it is, for messages ("RDS instance"). */
  readonly what: string;
  /** Only rows whose resource holds data in this configuration (SSM: SecureString only). Unknown → checked. */
  readonly appliesWhen?: { readonly path: PropPath; readonly test: (v: unknown) => boolean; readonly otherwise: string };
  /** How the provider says "encrypted at rest" (when it is a separate switch). */
  readonly encrypted?: { readonly path: PropPath; readonly ok: (v: unknown) => boolean; readonly expect: string };
  /** Key paths: one of them must name a customer-managed key. Empty: the row only inherits. */
  readonly keys: readonly PropPath[];
  /** Encryption inherited from the resource behind this property (when no own key is set). */
  readonly inherits?: {
    readonly via: string;
    readonly from: readonly string[];
    /** Inherits only (and always) when `via` is set; otherwise the resource's own settings decide. */
    readonly onlyWhenSet?: boolean;
  };
  /** Extra per-row checks (array elements such as DynamoDB replicas). */
  readonly more?: (props: unknown, report: (m: string) => void, unknown: (p: string) => void) => void;
}

const equals =
  (...wanted: string[]) =>
  (v: unknown): boolean =>
    typeof v === "string" && wanted.some((w) => w.toLowerCase() === v.toLowerCase());
const isTrue = (v: unknown): boolean => truthy(v);
const notFalse = (v: unknown): boolean => v !== false && v !== "false";

const get = (props: unknown, path: PropPath): unknown => at(props, path);

const show = (path: PropPath): string => (typeof path === "string" ? path : path.map((s) => (s.includes(".") ? `["${s}"]` : s)).join("."));

/** A `more` check over an array of parts (block devices, data disks): each must pass `ok`. */
const eachPart =
  (path: string, ok: (part: unknown) => boolean, message: (i: number) => string) =>
  (props: unknown, report: (m: string) => void, unknown: (p: string) => void): void => {
    const parts = at(props, path);
    if (parts === UNKNOWN) {
      unknown(path);
      return;
    }
    (Array.isArray(parts) ? parts : []).forEach((part, i) => {
      if (!ok(part)) {
        report(message(i));
      }
    });
  };

/** A disk the VM creates (not an attached one) names its disk encryption set. */
const vmDiskHasSet = (disk: unknown): boolean => equals("Attach")(at(disk, "createOption")) || typeof at(disk, "managedDisk.diskEncryptionSet.id") === "string";

/** A key value that is set and is not a provider-managed key (`alias/aws/<service>`). */
function customerKeyProblem(cloud: Cloud, value: string): string | undefined {
  if (cloud === "aws" && /(^|:)alias\/aws\//.test(value)) {
    return `'${value}' is an AWS-managed key, not a customer-managed key of the domain`;
  }
  if (cloud === "gcp" && !/\/cryptoKeys\//.test(value)) {
    return `'${value}' is not a Cloud KMS crypto key name (projects/…/locations/…/keyRings/…/cryptoKeys/…)`;
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------
// The table.

export const AWS_CMK_ROWS: readonly CmkRow[] = [
  { type: "aws:rds/instance:Instance", what: "RDS instance", encrypted: { path: "storageEncrypted", ok: isTrue, expect: "storageEncrypted must be true" }, keys: ["kmsKeyId"] },
  { type: "aws:rds/cluster:Cluster", what: "RDS/Aurora cluster", encrypted: { path: "storageEncrypted", ok: isTrue, expect: "storageEncrypted must be true" }, keys: ["kmsKeyId"] },
  { type: "aws:rds/clusterInstance:ClusterInstance", what: "Aurora cluster instance", keys: [], inherits: { via: "clusterIdentifier", from: ["aws:rds/cluster:Cluster"] } },
  { type: "aws:rds/clusterSnapshot:ClusterSnapshot", what: "Aurora cluster snapshot", keys: [], inherits: { via: "dbClusterIdentifier", from: ["aws:rds/cluster:Cluster"] } },
  { type: "aws:rds/snapshot:Snapshot", what: "RDS snapshot", keys: [], inherits: { via: "dbInstanceIdentifier", from: ["aws:rds/instance:Instance"] } },
  { type: "aws:rds/snapshotCopy:SnapshotCopy", what: "RDS snapshot copy", keys: ["kmsKeyId"] },
  {
    type: "aws:dynamodb/table:Table",
    what: "DynamoDB table",
    encrypted: { path: "serverSideEncryption.enabled", ok: isTrue, expect: "serverSideEncryption.enabled must be true (the default is an AWS-owned key)" },
    keys: ["serverSideEncryption.kmsKeyArn"],
    more: (props, report, unknown) => {
      const replicas = at(props, "replicas");
      if (replicas === UNKNOWN) {
        unknown("replicas");
      } else if (Array.isArray(replicas)) {
        replicas.forEach((r, i) => {
          const k = at(r, "kmsKeyArn");
          if (k === UNKNOWN) {
            unknown(`replicas[${i}].kmsKeyArn`);
          } else if (typeof k !== "string" || k === "") {
            report(`replicas[${i}].kmsKeyArn must name the domain's KMS key in the replica's region`);
          }
        });
      }
    },
  },
  { type: "aws:sqs/queue:Queue", what: "SQS queue", keys: ["kmsMasterKeyId"] },
  { type: "aws:sns/topic:Topic", what: "SNS topic", keys: ["kmsMasterKeyId"] },
  { type: "aws:kinesis/stream:Stream", what: "Kinesis stream", encrypted: { path: "encryptionType", ok: equals("KMS"), expect: "encryptionType must be \"KMS\"" }, keys: ["kmsKeyId"] },
  {
    type: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    what: "Firehose delivery stream",
    // Reading from a Kinesis stream, Firehose cannot set its own SSE: the data at rest is the
    // stream's, so the stream's encryption is the delivery stream's.
    inherits: { via: "kinesisSourceConfiguration", from: ["aws:kinesis/stream:Stream"], onlyWhenSet: true },
    encrypted: {
      path: "serverSideEncryption",
      ok: (v) => isTrue(at(v, "enabled")) && equals("CUSTOMER_MANAGED_CMK")(at(v, "keyType")),
      expect: "serverSideEncryption must be { enabled: true, keyType: \"CUSTOMER_MANAGED_CMK\" }",
    },
    keys: ["serverSideEncryption.keyArn"],
  },
  { type: "aws:secretsmanager/secret:Secret", what: "Secrets Manager secret", keys: ["kmsKeyId"] },
  {
    type: "aws:ssm/parameter:Parameter",
    what: "SSM SecureString parameter",
    appliesWhen: { path: "type", test: equals("SecureString"), otherwise: "is not a SecureString" },
    keys: ["keyId"],
  },
  { type: "aws:efs/fileSystem:FileSystem", what: "EFS file system", encrypted: { path: "encrypted", ok: isTrue, expect: "encrypted must be true" }, keys: ["kmsKeyId"] },
  { type: "aws:ebs/volume:Volume", what: "EBS volume", encrypted: { path: "encrypted", ok: isTrue, expect: "encrypted must be true" }, keys: ["kmsKeyId"] },
  { type: "aws:ebs/encryptionByDefault:EncryptionByDefault", what: "EBS encryption by default", encrypted: { path: "enabled", ok: notFalse, expect: "enabled must be true" }, keys: [] },
  { type: "aws:ebs/defaultKmsKey:DefaultKmsKey", what: "EBS default KMS key", keys: ["keyArn"] },
  { type: "aws:opensearch/domain:Domain", what: "OpenSearch domain", encrypted: { path: "encryptAtRest.enabled", ok: isTrue, expect: "encryptAtRest.enabled must be true" }, keys: ["encryptAtRest.kmsKeyId"] },
  { type: "aws:elasticsearch/domain:Domain", what: "Elasticsearch domain", encrypted: { path: "encryptAtRest.enabled", ok: isTrue, expect: "encryptAtRest.enabled must be true" }, keys: ["encryptAtRest.kmsKeyId"] },
  {
    type: "aws:elasticache/replicationGroup:ReplicationGroup",
    what: "ElastiCache replication group",
    encrypted: { path: "atRestEncryptionEnabled", ok: isTrue, expect: "atRestEncryptionEnabled must be true" },
    keys: ["kmsKeyId"],
  },
  { type: "aws:elasticache/serverlessCache:ServerlessCache", what: "ElastiCache serverless cache", keys: ["kmsKeyId"] },
  { type: "aws:msk/cluster:Cluster", what: "MSK cluster", keys: ["encryptionInfo.encryptionAtRestKmsKeyArn"] },
  { type: "aws:backup/vault:Vault", what: "Backup vault", keys: ["kmsKeyArn"] },
  {
    type: "aws:ec2/instance:Instance",
    what: "EC2 instance root volume",
    appliesWhen: { path: "launchTemplate", test: (v) => v === undefined || v === null, otherwise: "takes its volumes from a launch template (meridian-aws-launchtemplate-ebs-encrypt)" },
    encrypted: { path: "rootBlockDevice.encrypted", ok: isTrue, expect: "rootBlockDevice.encrypted must be true (unset, the root EBS volume is unencrypted unless the account encrypts by default)" },
    keys: ["rootBlockDevice.kmsKeyId"],
    more: eachPart(
      "ebsBlockDevices",
      (d) => isTrue(at(d, "encrypted")) && typeof at(d, "kmsKeyId") === "string",
      (i) => `ebsBlockDevices[${i}] must be encrypted with a customer-managed key (encrypted: true, kmsKeyId)`,
    ),
  },
  {
    type: "aws:lambda/function:Function",
    what: "Lambda function environment",
    appliesWhen: {
      path: "environment.variables",
      test: (v) => v !== null && typeof v === "object" && Object.keys(v).length > 0,
      otherwise: "has no environment variables",
    },
    keys: ["kmsKeyArn"],
  },
];

const AZURE_CMK_DISK = ["EncryptionAtRestWithCustomerKey", "EncryptionAtRestWithPlatformAndCustomerKeys"];

export const AZURE_CMK_ROWS: readonly CmkRow[] = [
  { type: "azure-native:sql:Server", what: "Azure SQL server (TDE protector)", keys: ["keyId"] },
  {
    type: "azure-native:dbforpostgresql:Server",
    what: "PostgreSQL flexible server",
    encrypted: { path: "dataEncryption.type", ok: equals("AzureKeyVault"), expect: "dataEncryption.type must be \"AzureKeyVault\"" },
    keys: ["dataEncryption.primaryKeyURI"],
  },
  {
    type: "azure-native:dbformysql:Server",
    what: "MySQL flexible server",
    encrypted: { path: "dataEncryption.type", ok: equals("AzureKeyVault"), expect: "dataEncryption.type must be \"AzureKeyVault\"" },
    keys: ["dataEncryption.primaryKeyURI"],
  },
  { type: "azure-native:cosmosdb:DatabaseAccount", what: "Cosmos DB account", keys: ["keyVaultKeyUri"] },
  {
    type: "azure-native:servicebus:Namespace",
    what: "Service Bus namespace",
    encrypted: { path: "encryption.keySource", ok: equals("Microsoft.KeyVault"), expect: "encryption.keySource must be \"Microsoft.KeyVault\" (Premium SKU)" },
    keys: ["encryption.keyVaultProperties.0.keyVaultUri"],
  },
  {
    type: "azure-native:eventhub:Namespace",
    what: "Event Hubs namespace",
    encrypted: { path: "encryption.keySource", ok: equals("Microsoft.KeyVault"), expect: "encryption.keySource must be \"Microsoft.KeyVault\" (Premium or Dedicated)" },
    keys: ["encryption.keyVaultProperties.0.keyVaultUri"],
  },
  {
    type: "azure-native:compute:Disk",
    what: "managed disk",
    encrypted: { path: "encryption.type", ok: equals(...AZURE_CMK_DISK), expect: `encryption.type must be ${AZURE_CMK_DISK.map((t) => `"${t}"`).join(" or ")}` },
    keys: ["encryption.diskEncryptionSetId"],
  },
  {
    type: "azure-native:compute:VirtualMachine",
    what: "virtual machine",
    // Disks the VM creates (FromImage, Empty) take their encryption set here; an attached
    // disk (createOption Attach) is its own compute:Disk, checked as that disk.
    keys: [],
    more: (props, report, unknown) => {
      const os = at(props, "storageProfile.osDisk");
      if (os === UNKNOWN) {
        unknown("storageProfile.osDisk");
      } else if (!vmDiskHasSet(os)) {
        report("storageProfile.osDisk.managedDisk.diskEncryptionSet.id must name a disk encryption set with a key of the domain (without it the OS disk uses platform-managed keys)");
      }
      eachPart("storageProfile.dataDisks", vmDiskHasSet, (i) => `storageProfile.dataDisks[${i}].managedDisk.diskEncryptionSet.id must name a disk encryption set with a key of the domain`)(props, report, unknown);
    },
  },
];

export const GCP_CMK_ROWS: readonly CmkRow[] = [
  { type: "gcp:sql/databaseInstance:DatabaseInstance", what: "Cloud SQL instance", keys: ["encryptionKeyName"] },
  { type: "gcp:bigquery/dataset:Dataset", what: "BigQuery dataset", keys: ["defaultEncryptionConfiguration.kmsKeyName"] },
  { type: "gcp:bigquery/table:Table", what: "BigQuery table", keys: ["encryptionConfiguration.kmsKeyName"], inherits: { via: "datasetId", from: ["gcp:bigquery/dataset:Dataset"] } },
  { type: "gcp:pubsub/topic:Topic", what: "Pub/Sub topic", keys: ["kmsKeyName"] },
  { type: "gcp:cloudfunctions/function:Function", what: "Cloud Function (1st gen)", keys: ["kmsKeyName"] },
  { type: "gcp:cloudfunctionsv2/function:Function", what: "Cloud Function", keys: ["kmsKeyName"] },
  { type: "gcp:cloudrunv2/service:Service", what: "Cloud Run service", keys: ["template.encryptionKey"] },
  { type: "gcp:cloudrunv2/job:Job", what: "Cloud Run job", keys: ["template.template.encryptionKey"] },
  { type: "gcp:cloudrun/service:Service", what: "Cloud Run service (v1)", keys: [["template", "metadata", "annotations", "run.googleapis.com/encryption-key"]] },
  { type: "gcp:spanner/database:Database", what: "Spanner database", keys: ["encryptionConfig.kmsKeyName", "encryptionConfig.kmsKeyNames.0"] },
  { type: "gcp:filestore/instance:Instance", what: "Filestore instance", keys: ["kmsKeyName"] },
  { type: "gcp:firestore/database:Database", what: "Firestore database", keys: ["cmekConfig.kmsKeyName"] },
  { type: "gcp:dataproc/cluster:Cluster", what: "Dataproc cluster", keys: ["clusterConfig.encryptionConfig.kmsKeyName"] },
  { type: "gcp:composer/environment:Environment", what: "Composer environment", keys: ["config.encryptionConfig.kmsKeyName"] },
  { type: "gcp:redis/instance:Instance", what: "Memorystore Redis instance", keys: ["customerManagedKey"] },
  { type: "gcp:compute/disk:Disk", what: "Compute Engine disk", keys: ["diskEncryptionKey.kmsKeySelfLink"] },
];

/** Per type, the property names that carry a key (for RES-05's key co-location). */
export const CMK_KEY_FIELDS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  [...AWS_CMK_ROWS, ...AZURE_CMK_ROWS, ...GCP_CMK_ROWS].map((row) => [
    row.type,
    new Set(row.keys.map((k) => (typeof k === "string" ? k.split(".").filter((s) => !/^\d+$/.test(s)).pop()! : k[k.length - 1]!))),
  ]),
);

// ------------------------------------------------------------------------------------------
// The check.

type Verdict = "ok" | "unknown" | { problems: string[] };

function ownVerdict(cloud: Cloud, row: CmkRow, r: StackResourceView): Verdict | "n/a" {
  if (row.appliesWhen) {
    const v = get(r.props, row.appliesWhen.path);
    if (v === UNKNOWN) {
      return "unknown";
    }
    if (!row.appliesWhen.test(v)) {
      return "n/a";
    }
  }
  const problems: string[] = [];
  let unknown = false;
  if (row.encrypted) {
    const v = get(r.props, row.encrypted.path);
    if (v === UNKNOWN) {
      unknown = true;
    } else if (!row.encrypted.ok(v)) {
      problems.push(row.encrypted.expect);
    }
  }
  if (row.keys.length > 0) {
    let found = false;
    for (const path of row.keys) {
      const v = get(r.props, path);
      if (v === UNKNOWN) {
        unknown = true;
        found = true;
        break;
      }
      if (typeof v === "string" && v !== "") {
        found = true;
        const bad = customerKeyProblem(cloud, v);
        if (bad) {
          problems.push(`${show(path)} ${bad}`);
        }
        break;
      }
    }
    if (!found) {
      problems.push(`${row.keys.map(show).join(" or ")} must name a customer-managed key of the domain`);
    }
  }
  row.more?.(r.props, (m) => problems.push(m), () => (unknown = true));
  if (problems.length > 0) {
    return { problems };
  }
  return unknown ? "unknown" : "ok";
}

function cmkPolicy(cloud: Cloud, name: string, rule: string, rows: readonly CmkRow[], remediation: string): StackValidationPolicy {
  const byType = new Map(rows.map((r) => [r.type, r]));
  const label = { aws: "AWS", azure: "Azure", gcp: "GCP" }[cloud];
  return stackPolicy(
    {
      name,
      area: cloud,
      rules: [rule, "RES-06"],
      description: `${label} data services (${rows.map((r) => r.what).join(", ")}) encrypt at rest with a customer-managed key (inherited encryption is followed through the dependency graph).`,
      why: "Provider-managed keys are the cloud's, usable wherever the cloud operates; only a customer-managed key of the domain keeps the data decryptable only in the domain (whose key it is: meridian-residency-key-colocate).",
      remediation,
      severity: "high",
      enforcementLevel: "mandatory",
      frameworks: SOC2_ENCRYPTION,
      types: rows.map((r) => r.type),
    },
    (resources, ctx) => {
      const memo = new Map<string, Verdict | "n/a">();
      const verdictOf = (r: StackResourceView, depth: number): Verdict | "n/a" => {
        const cached = memo.get(r.urn);
        if (cached) {
          return cached;
        }
        const row = byType.get(r.type)!;
        let v = ownVerdict(cloud, row, r);
        const ownKeyMissing = typeof v === "object" && row.keys.every((k) => get(r.props, k) === undefined || get(r.props, k) === "");
        if (row.inherits?.onlyWhenSet) {
          const via = get(r.props, row.inherits.via);
          if (via === UNKNOWN) {
            v = "unknown";
          } else if (via !== undefined && via !== null) {
            v = depth < 4 ? inheritedVerdict(row, r, depth, ctx) : "unknown";
          }
        } else if (row.inherits && depth < 4 && (row.keys.length === 0 || ownKeyMissing)) {
          v = inheritedVerdict(row, r, depth, ctx);
        }
        memo.set(r.urn, v);
        return v;
      };
      const inheritedVerdict = (row: CmkRow, r: StackResourceView, depth: number, c: StackCheckContext): Verdict => {
        const sources = (r.propertyDependencies[row.inherits!.via] ?? []).filter((d) => row.inherits!.from.includes(d.type));
        if (sources.length === 0) {
          c.unknown(`${r.name}.${row.inherits!.via} (the ${row.what} inherits its encryption from a resource this stack does not declare)`);
          return "unknown";
        }
        for (const s of sources) {
          const sv = verdictOf(s, depth + 1);
          if (typeof sv === "object") {
            return { problems: [`inherits the encryption of '${s.name}', which has none with a customer-managed key`] };
          }
          if (sv === "unknown") {
            return "unknown";
          }
        }
        return "ok";
      };
      for (const r of resources) {
        const row = byType.get(r.type);
        if (!row) {
          continue;
        }
        const v = verdictOf(r, 0);
        if (v === "unknown") {
          ctx.unknown(`${r.name} (${row.what}) encryption settings`);
        } else if (typeof v === "object") {
          for (const p of v.problems) {
            ctx.report(`${row.what} '${r.name}': ${p}`, r.urn);
          }
        }
      }
    },
  );
}

export const awsDataCmk = cmkPolicy(
  "aws",
  "meridian-aws-datastore-cmk-require",
  "MER-DATA-01",
  AWS_CMK_ROWS,
  "Pass the domain's residency KMS key ARN (components/kms ResidencyKey) to the key property the violation names (`kmsKeyId`, `kmsMasterKeyId`, `serverSideEncryption.kmsKeyArn`, `encryptAtRest.kmsKeyId`, …) and turn the service's encryption switch on; never an `alias/aws/<service>` key.",
);

export const azureDataCmk = cmkPolicy(
  "azure",
  "meridian-azure-datastore-cmk-require",
  "MER-DATA-02",
  AZURE_CMK_ROWS,
  "Use the domain's Key Vault key: SQL `keyId`, PostgreSQL/MySQL `dataEncryption: { type: \"AzureKeyVault\", primaryKeyURI }`, Cosmos DB `keyVaultKeyUri`, Service Bus / Event Hubs `encryption: { keySource: \"Microsoft.KeyVault\", keyVaultProperties: [...] }`, disks `encryption: { type: \"EncryptionAtRestWithCustomerKey\", diskEncryptionSetId }`.",
);

export const gcpDataCmk = cmkPolicy(
  "gcp",
  "meridian-gcp-datastore-cmk-require",
  "MER-DATA-03",
  GCP_CMK_ROWS,
  "Pass the domain's Cloud KMS crypto key (projects/…/locations/<region>/keyRings/…/cryptoKeys/…) in the property the violation names (`encryptionKeyName`, `kmsKeyName`, `defaultEncryptionConfiguration.kmsKeyName`, `template.encryptionKey`, …), and grant the service agent `roles/cloudkms.cryptoKeyEncrypterDecrypter` on it.",
);

export const dataEncryptionPolicies = [awsDataCmk, azureDataCmk, gcpDataCmk];
