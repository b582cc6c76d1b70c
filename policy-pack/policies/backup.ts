/**
 * Backups and failover stay in the domain (RES-07 for backup targets; MER-BAK-01..03):
 * - every Velero BackupStorageLocation / VolumeSnapshotLocation writes to a bucket, blob
 *   container or region of the stack's domain, and to a bucket this stack creates (a bucket
 *   named only by string could be anywhere); every Schedule / Backup writes to a location the
 *   stack creates;
 * - backup copies (AWS Backup copy actions, Azure Backup vault geo-redundancy, Backup for GKE
 *   plans of a cluster elsewhere) stay in the domain;
 * - every DNS failover target (Route 53 failover records and their health checks) is a
 *   workload stack of the stack's domain, probed by a health check of this stack.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { Cloud } from "../lib/catalogue";
import { resourcePolicy, stackPolicy, type StackCheckContext, type StackResourceView } from "../lib/define";
import { describeLocation, isAllowed, placementOf, regionOfArn, locationOfGcpName } from "../lib/location";
import { arrayAt, at, str, UNKNOWN } from "../lib/values";

const SOC2_BACKUP = ["SOC2 A1.2", "SOC2 A1.3", "SOC2 CC6.1"];

export const BSL = "kubernetes:velero.io/v1:BackupStorageLocation";
export const VSL = "kubernetes:velero.io/v1:VolumeSnapshotLocation";
export const SCHEDULE = "kubernetes:velero.io/v1:Schedule";
export const BACKUP = "kubernetes:velero.io/v1:Backup";
const S3_BUCKET = "aws:s3/bucket:Bucket";
const GCS_BUCKET = "gcp:storage/bucket:Bucket";
const STORAGE_ACCOUNT = "azure-native:storage:StorageAccount";
export const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";
export const RECORD = "aws:route53/record:Record";
const TARGET_STACK_TAG = "meridian-target-stack";

/** Velero's object-store provider name → cloud. */
const VELERO_PROVIDER: Readonly<Record<string, Cloud>> = { aws: "aws", "velero.io/aws": "aws", azure: "azure", "velero.io/azure": "azure", gcp: "gcp", "velero.io/gcp": "gcp" };

function located(r: StackResourceView, cloud: Cloud): string | typeof UNKNOWN | undefined {
  const p = placementOf(cloud, r.props, r.provider?.props);
  return p.location;
}

/** Judge a located resource's place; report when outside the domain. */
function judgePlace(ctx: StackCheckContext, owner: StackResourceView, what: string, cloud: Cloud, location: string | typeof UNKNOWN | undefined): void {
  if (location === UNKNOWN) ctx.unknown(`${owner.name}: ${what} location`);
  else if (location === undefined) ctx.report(`${owner.name}: ${what} has no location to judge; pin it to a region of the ${ctx.cfg.domain} domain`, owner.urn);
  else if (!isAllowed(ctx.cfg, cloud, location)) ctx.report(`${owner.name}: ${what} is in ${describeLocation(ctx.cfg, cloud, location)}, outside the ${ctx.cfg.domain} domain`, owner.urn);
}

/** The bucket-like resources of the stack, by name as a backup location names them. */
function bucketsOf(resources: readonly StackResourceView[]): Map<string, StackResourceView> {
  const out = new Map<string, StackResourceView>();
  for (const r of resources) {
    const key = r.type === S3_BUCKET ? at(r.props, "bucket") : r.type === GCS_BUCKET ? at(r.props, "name") : r.type === STORAGE_ACCOUNT ? at(r.props, "accountName") : undefined;
    if (typeof key === "string" && key !== "") out.set(`${r.type}|${key}`, r);
  }
  return out;
}

/** A location's target resource: by name, else (unknown name at preview) through its property dependencies. */
function targetOf(loc: StackResourceView, type: string, name: unknown, buckets: Map<string, StackResourceView>): StackResourceView | typeof UNKNOWN | undefined {
  if (typeof name === "string") return buckets.get(`${type}|${name}`);
  const viaDeps = Object.values(loc.propertyDependencies).flat().find((d) => d.type === type);
  return viaDeps ?? (name === UNKNOWN ? UNKNOWN : undefined);
}

function checkStorageLocation(loc: StackResourceView, buckets: Map<string, StackResourceView>, ctx: StackCheckContext): void {
  const provider = at(loc.props, "spec.provider");
  if (provider === UNKNOWN) return ctx.unknown(`${loc.name}.spec.provider`);
  const cloud = typeof provider === "string" ? VELERO_PROVIDER[provider] : undefined;
  if (cloud === undefined) return ctx.report(`${loc.name}: spec.provider "${String(provider)}" is not an object store meridian can place (aws, azure, gcp)`, loc.urn);
  const config = at(loc.props, "spec.config");
  if (cloud === "aws") {
    const region = at(config, "region");
    if (region === UNKNOWN) ctx.unknown(`${loc.name}.spec.config.region`);
    else if (typeof region !== "string") ctx.report(`${loc.name}: spec.config.region must be set (Velero's AWS plugin otherwise asks the bucket wherever it is)`, loc.urn);
    else if (!isAllowed(ctx.cfg, "aws", region)) ctx.report(`${loc.name}: spec.config.region is ${describeLocation(ctx.cfg, "aws", region)}, outside the ${ctx.cfg.domain} domain`, loc.urn);
    const s3Url = at(config, "s3Url");
    if (typeof s3Url === "string" && s3Url !== "") ctx.report(`${loc.name}: spec.config.s3Url points Velero at an endpoint whose place cannot be proven; use the bucket's region`, loc.urn);
  }
  const [type, name, what] =
    cloud === "aws"
      ? [S3_BUCKET, at(loc.props, "spec.objectStorage.bucket"), "bucket"]
      : cloud === "gcp"
        ? [GCS_BUCKET, at(loc.props, "spec.objectStorage.bucket"), "bucket"]
        : [STORAGE_ACCOUNT, at(config, "storageAccount"), "storage account"];
  const target = targetOf(loc, type, name, buckets);
  if (target === UNKNOWN) return ctx.unknown(`${loc.name}: ${what}`);
  if (target === undefined) {
    return ctx.report(`${loc.name}: the ${what} "${String(name)}" is not created by this stack, so its domain cannot be proven; back up into the bucket the cluster's ClusterBackup creates`, loc.urn);
  }
  judgePlace(ctx, loc, `${what} ${target.name}`, cloud, located(target, cloud));
}

export const backupLocationInDomain: StackValidationPolicy = stackPolicy(
  {
    name: "meridian-residency-backup-location-in-domain",
    area: "residency",
    rules: ["RES-07", "MER-BAK-01"],
    description:
      "Velero backup and snapshot locations write to a bucket / storage account this stack creates in the stack's domain; Schedules and Backups write only to a location this stack creates.",
    why: "A backup is a full copy of a tenant's data: a location in the other domain, or a bucket known only by name, moves the data out of the domain on the next schedule.",
    remediation:
      "Use components/backup ClusterBackup, which creates the bucket in the cluster's region with the domain key and a BackupStorageLocation `domain` pointing at it; name `storageLocation: domain` in Schedules.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: SOC2_BACKUP,
    types: [BSL, VSL, SCHEDULE, BACKUP, S3_BUCKET, GCS_BUCKET, STORAGE_ACCOUNT],
  },
  (resources, ctx) => {
    if (!ctx.cfg.domain) return;
    const buckets = bucketsOf(resources);
    const locations = new Set<string>();
    for (const r of resources) {
      if (r.type === BSL) {
        const n = at(r.props, "metadata.name");
        if (typeof n === "string") locations.add(n);
        checkStorageLocation(r, buckets, ctx);
      } else if (r.type === VSL) {
        const provider = at(r.props, "spec.provider");
        const cloud = typeof provider === "string" ? VELERO_PROVIDER[provider] : undefined;
        const region = at(r.props, "spec.config.region");
        if (region === UNKNOWN) ctx.unknown(`${r.name}.spec.config.region`);
        else if (cloud !== undefined && typeof region === "string" && !isAllowed(ctx.cfg, cloud, region)) {
          ctx.report(`${r.name}: snapshots go to ${describeLocation(ctx.cfg, cloud, region)}, outside the ${ctx.cfg.domain} domain`, r.urn);
        }
      }
    }
    for (const r of resources) {
      if (r.type !== SCHEDULE && r.type !== BACKUP) continue;
      const path = r.type === SCHEDULE ? "spec.template.storageLocation" : "spec.storageLocation";
      const name = at(r.props, path);
      if (name === UNKNOWN) ctx.unknown(`${r.name}.${path}`);
      else if (typeof name !== "string" || name === "") ctx.report(`${r.name}: ${path} must name a BackupStorageLocation of this stack (Velero's default location may be anywhere)`, r.urn);
      else if (!locations.has(name)) ctx.report(`${r.name}: ${path} "${name}" is not a BackupStorageLocation this stack creates; its domain cannot be proven`, r.urn);
    }
  },
);

export const backupCopyInDomain: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-residency-backup-copy-in-domain",
    area: "residency",
    rules: ["RES-07", "MER-BAK-02"],
    description:
      "Managed backup copies stay in the domain: AWS Backup copy actions target vaults of the domain, Azure Backup vaults are not geo-redundant, Backup for GKE plans back up clusters of the domain.",
    why: "Cross-region copy and geo-redundant vault storage are the managed services' disaster-recovery defaults, and the paired or target region may be in the other domain.",
    remediation:
      "Point `copyActions[].destinationVaultArn` at a vault in a region of the domain; use `LocallyRedundant` or `ZoneRedundant` vault storage; back up only clusters of the domain.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: SOC2_BACKUP,
    types: ["aws:backup/plan:Plan", "azure-native:dataprotection:BackupVault", "gcp:gkebackup/backupPlan:BackupPlan"],
  },
  (r, ctx) => {
    if (!ctx.cfg.domain) return;
    if (r.type === "aws:backup/plan:Plan") {
      const rules = arrayAt(r.props, "rules");
      if (rules === UNKNOWN) return ctx.unknown("rules");
      rules.forEach((rule, i) => {
        const copies = arrayAt(rule, "copyActions");
        if (copies === UNKNOWN) return ctx.unknown(`rules[${i}].copyActions`);
        copies.forEach((c, j) => {
          const arn = at(c, "destinationVaultArn");
          if (arn === UNKNOWN) return ctx.unknown(`rules[${i}].copyActions[${j}].destinationVaultArn`);
          const region = typeof arn === "string" ? regionOfArn(arn) : undefined;
          if (region === undefined || !isAllowed(ctx.cfg, "aws", region)) {
            ctx.report(`rules[${i}].copyActions[${j}] copies to ${region ? describeLocation(ctx.cfg, "aws", region) : `"${String(arn)}" (no region)`}, outside the ${ctx.cfg.domain} domain`);
          }
        });
      });
    } else if (r.type === "azure-native:dataprotection:BackupVault") {
      const settings = arrayAt(r.props, "properties.storageSettings");
      if (settings === UNKNOWN) return ctx.unknown("properties.storageSettings");
      settings.forEach((s, i) => {
        const t = str(at(s, "type"));
        if (t !== undefined && t.toLowerCase() === "georedundant") ctx.report(`properties.storageSettings[${i}].type is GeoRedundant: copies go to the paired region, which the ${ctx.cfg.domain} domain does not own; use ZoneRedundant or LocallyRedundant`);
      });
      const crr = str(at(r.props, "properties.featureSettings.crossRegionRestoreSettings.state"));
      if (crr !== undefined && crr.toLowerCase() === "enabled") ctx.report("properties.featureSettings.crossRegionRestoreSettings.state is Enabled: restores from the paired region leave the domain");
    } else {
      const cluster = at(r.props, "cluster");
      if (cluster === UNKNOWN) return ctx.unknown("cluster");
      const loc = typeof cluster === "string" ? locationOfGcpName(cluster) : undefined;
      if (loc === undefined || !isAllowed(ctx.cfg, "gcp", loc)) ctx.report(`cluster ${String(cluster)} is in ${loc ? describeLocation(ctx.cfg, "gcp", loc) : "no location"}, outside the ${ctx.cfg.domain} domain`);
    }
  },
);

/** A load balancer's public name that proves its region: `...elb.<region>.amazonaws.com`, `<label>.<region>.cloudapp.azure.com`. */
export function regionOfTargetHost(host: string): { cloud: Cloud; region: string } | undefined {
  const h = host.toLowerCase().replace(/\.$/, "");
  const elb = /\.(?:elb\.)?([a-z]{2}(?:-gov)?-[a-z]+-\d)\.elb\.amazonaws\.com$|\.elb\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com$/.exec(h);
  if (elb !== null) return { cloud: "aws", region: (elb[1] ?? elb[2])! };
  const azure = /\.([a-z0-9]+)\.cloudapp\.azure\.com$/.exec(h);
  if (azure !== null) return { cloud: "azure", region: azure[1]! };
  return undefined;
}

function checkTargetHost(ctx: StackCheckContext, r: StackResourceView, path: string, value: unknown): void {
  if (value === UNKNOWN) return ctx.unknown(`${r.name}.${path}`);
  if (typeof value !== "string") return;
  const place = regionOfTargetHost(value);
  if (place !== undefined && !isAllowed(ctx.cfg, place.cloud, place.region)) {
    ctx.report(`${r.name}: ${path} ${value} is a Gateway in ${describeLocation(ctx.cfg, place.cloud, place.region)}, outside the ${ctx.cfg.domain} domain`, r.urn);
  }
}

function checkTargetStack(ctx: StackCheckContext, r: StackResourceView, what: string, stack: unknown): void {
  if (stack === UNKNOWN) return ctx.unknown(`${r.name}.${what}`);
  if (typeof stack !== "string" || stack === "") return ctx.report(`${r.name}: ${what} must name the workload stack whose Gateway it targets`, r.urn);
  const owner = ctx.cfg.stackDomains[stack];
  if (owner === undefined) ctx.report(`${r.name}: ${what} "${stack}" is not a stack of the fleet (stackDomains), so its domain cannot be proven`, r.urn);
  else if (owner !== ctx.cfg.domain) ctx.report(`${r.name}: ${what} "${stack}" is in domain ${owner}; a ${ctx.cfg.domain} name fails over only inside ${ctx.cfg.domain}`, r.urn);
}

export const failoverTargetInDomain: StackValidationPolicy = stackPolicy(
  {
    name: "meridian-residency-failover-target-in-domain",
    area: "residency",
    rules: ["MER-BAK-03"],
    description:
      "Every Route 53 failover record and health check targets a workload stack of the stack's domain (`setIdentifier`, tag `meridian-target-stack`), no Gateway host of another domain's region, and every failover record has a health check of this stack.",
    why: "A failover target in the other domain sends the domain's users — and their data — to the other domain exactly when something is already wrong; an unchecked failover record never fails over.",
    remediation:
      "Use components/failover DnsFailover with Gateway handles of the same domain (read through same-domain stack references); it tags each health check with its target stack and links each record to it.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: ["SOC2 A1.2", "SOC2 CC6.1"],
    types: [HEALTH_CHECK, RECORD],
  },
  (resources, ctx) => {
    if (!ctx.cfg.domain) return;
    const checks = new Set(resources.filter((r) => r.type === HEALTH_CHECK).map((r) => r.urn));
    for (const r of resources) {
      if (r.type === HEALTH_CHECK) {
        checkTargetStack(ctx, r, `tag ${TARGET_STACK_TAG}`, at(r.props, `tags.${TARGET_STACK_TAG}`));
        checkTargetHost(ctx, r, "fqdn", at(r.props, "fqdn"));
      } else if (r.type === RECORD) {
        const policies = arrayAt(r.props, "failoverRoutingPolicies");
        if (policies === UNKNOWN) {
          ctx.unknown(`${r.name}.failoverRoutingPolicies`);
          continue;
        }
        if (policies.length === 0) continue;
        checkTargetStack(ctx, r, "setIdentifier", at(r.props, "setIdentifier"));
        const values = arrayAt(r.props, "records");
        if (values === UNKNOWN) ctx.unknown(`${r.name}.records`);
        else values.forEach((v, i) => checkTargetHost(ctx, r, `records[${i}]`, v));
        const linked = (r.propertyDependencies.healthCheckId ?? []).some((d) => checks.has(d.urn));
        if (!linked) {
          const id = at(r.props, "healthCheckId");
          if (id === UNKNOWN) ctx.unknown(`${r.name}.healthCheckId`);
          else ctx.report(`${r.name}: a failover record needs healthCheckId from a health check of this stack (against its Gateway), else Route 53 never fails over`, r.urn);
        }
      }
    }
  },
);

export const backupPolicies = [backupLocationInDomain, backupCopyInDomain, failoverTargetInDomain];
