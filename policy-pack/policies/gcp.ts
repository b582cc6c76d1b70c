/**
 * GCP encryption rules (GCP-01 encryption part, GCP-02..05, GCP-07). GKE private
 * cluster / audit logging are in baseline.ts, GCP-06 (VPN) in interconnect.ts.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourcePolicy } from "../lib/define";
import { describeLocation, isAllowed, locationOfGcpName } from "../lib/location";
import { arrayAt, at, equalsCI, expect, isSet, isTrue, UNKNOWN } from "../lib/values";

const SOC2_ENCRYPTION = ["SOC2 CC6.1", "SOC2 CC6.7"];

export const gkeClusterEncrypt: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-gcp-gke-cluster-encrypt",
    area: "gcp",
    rules: ["GCP-01"],
    description: "GKE clusters encrypt etcd (application-layer secrets encryption) with a Cloud KMS key.",
    why: "Application-layer encryption with the domain's key keeps Secrets decryptable only in the domain.",
    remediation: "Set `databaseEncryption: { state: \"ENCRYPTED\", keyName: <projects/…/locations/<region>/keyRings/…/cryptoKeys/…> }`.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_ENCRYPTION,
    types: ["gcp:container/cluster:Cluster"],
  },
  (r, ctx) => {
    expect(ctx, r.props, "databaseEncryption.state", equalsCI("ENCRYPTED"), "databaseEncryption.state must be \"ENCRYPTED\"");
    expect(ctx, r.props, "databaseEncryption.keyName", isSet, "databaseEncryption.keyName must name the domain's Cloud KMS key");
  },
);

export const gkeNodePoolEncrypt: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-gcp-gke-nodepool-encrypt",
    area: "gcp",
    rules: ["GCP-02"],
    description: "GKE node pools, and a cluster's default node pool (`nodeConfig` and inline `nodePools` of the cluster), encrypt boot disks with a Cloud KMS key (CMEK).",
    why: "Boot disks hold images, logs and emptyDir data; Google-managed keys are not the domain's key.",
    remediation: "Set `nodeConfig.bootDiskKmsKey` to the domain's crypto key.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_ENCRYPTION,
    types: ["gcp:container/nodePool:NodePool", "gcp:container/cluster:Cluster"],
  },
  (r, ctx) => {
    // A cluster's default pool boots on `nodeConfig` even with removeDefaultNodePool (it is
    // deleted after creation), so its boot disks must meet the same bar.
    expect(ctx, r.props, "nodeConfig.bootDiskKmsKey", isSet, "nodeConfig.bootDiskKmsKey must name the domain's Cloud KMS key");
    if (r.type === "gcp:container/cluster:Cluster") {
      const pools = arrayAt(r.props, "nodePools");
      if (pools === UNKNOWN) {
        ctx.unknown("nodePools");
        return;
      }
      pools.forEach((_, i) => expect(ctx, r.props, `nodePools.${i}.nodeConfig.bootDiskKmsKey`, isSet, `nodePools[${i}].nodeConfig.bootDiskKmsKey must name the domain's Cloud KMS key`));
    }
  },
);

/** `7776000s` → 7776000; undefined when not a duration. */
function seconds(v: unknown): number | undefined {
  if (typeof v !== "string") {
    return undefined;
  }
  const m = /^(\d+(?:\.\d+)?)s$/.exec(v);
  return m ? Number(m[1]) : undefined;
}

export const kmsKeyRotate: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-gcp-kms-key-rotate",
    area: "gcp",
    rules: ["GCP-03"],
    description: "Cloud KMS key rings are regional (not `global`) and crypto keys rotate at least every 90 days.",
    why: "A `global` key ring is served from every region; rotation bounds the data under one key version.",
    remediation: "Create the key ring in a region of the domain; set `rotationPeriod` ≤ \"7776000s\" (and prefer `versionTemplate.protectionLevel: \"HSM\"`).",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_ENCRYPTION,
    types: ["gcp:kms/keyRing:KeyRing", "gcp:kms/cryptoKey:CryptoKey"],
  },
  (r, ctx) => {
    if (r.type === "gcp:kms/keyRing:KeyRing") {
      expect(ctx, r.props, "location", (v) => typeof v === "string" && v.toLowerCase() !== "global", "location must be a region, not \"global\"");
      return;
    }
    // Cloud KMS refuses a rotation period on ASYMMETRIC_SIGN keys (image signing): their rotation is the re-sign runbook.
    if (at(r.props, "purpose") !== "ASYMMETRIC_SIGN") {
      expect(ctx, r.props, "rotationPeriod", (v) => (seconds(v) ?? Infinity) <= 7776000, "rotationPeriod must be set and at most \"7776000s\" (90 days)");
    }
    const ring = at(r.props, "keyRing");
    if (typeof ring === "string" && locationOfGcpName(ring)?.toLowerCase() === "global") {
      ctx.report("keyRing is in location \"global\"");
    }
  },
);

export const artifactRegistryHarden: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-gcp-artifactregistry-repository-harden",
    area: "gcp",
    rules: ["GCP-04"],
    description: "Artifact Registry repositories are encrypted with a Cloud KMS key and Docker tags are immutable.",
    why: "Mutable tags let an image change under a pinned name; Google-managed keys are not the domain's key.",
    remediation: "Set `kmsKeyName` and, for Docker repositories, `dockerConfig: { immutableTags: true }`.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: [...SOC2_ENCRYPTION, "SOC2 CC7.1"],
    types: ["gcp:artifactregistry/repository:Repository"],
  },
  (r, ctx) => {
    expect(ctx, r.props, "kmsKeyName", isSet, "kmsKeyName must name the domain's Cloud KMS key");
    const format = at(r.props, "format");
    if (format === UNKNOWN || (typeof format === "string" && format.toUpperCase() === "DOCKER")) {
      expect(ctx, r.props, "dockerConfig.immutableTags", isTrue, "dockerConfig.immutableTags must be true");
    }
  },
);

export const storageBucketHarden: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-gcp-storage-bucket-harden",
    area: "gcp",
    rules: ["GCP-05"],
    description:
      "GCS buckets: custom dual-region data locations inside the domain, default CMEK, public access prevention enforced (the bucket `location` itself is RES-02).",
    why: "A dual-region bucket may name a region of the other domain; without CMEK and PAP data can be read outside the domain.",
    remediation:
      "Set `encryption: { defaultKmsKeyName }`, `publicAccessPrevention: \"enforced\"`, and only allowlisted regions in `customPlacementConfig.dataLocations`.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: [...SOC2_ENCRYPTION, "SOC2 CC6.6"],
    types: ["gcp:storage/bucket:Bucket"],
  },
  (r, ctx) => {
    expect(ctx, r.props, "encryption.defaultKmsKeyName", isSet, "encryption.defaultKmsKeyName must name the domain's Cloud KMS key");
    expect(ctx, r.props, "publicAccessPrevention", equalsCI("enforced"), "publicAccessPrevention must be \"enforced\"");
    if (!ctx.cfg.domain) {
      return;
    }
    const locs = arrayAt(r.props, "customPlacementConfig.dataLocations");
    if (locs === UNKNOWN) {
      ctx.unknown("customPlacementConfig.dataLocations");
      return;
    }
    for (const l of locs) {
      if (typeof l === "string" && !isAllowed(ctx.cfg, "gcp", l)) {
        ctx.report(`customPlacementConfig.dataLocations has ${describeLocation(ctx.cfg, "gcp", l)}, outside the ${ctx.cfg.domain} domain`);
      }
    }
  },
);

export const loggingBucketEncrypt: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-gcp-logging-bucket-encrypt",
    area: "gcp",
    rules: ["GCP-07"],
    description: "Log buckets are regional in the domain with CMEK and retention; log sinks to log buckets target buckets in the domain.",
    why: "The `_Default` sink writes to `global` unless told otherwise; logs are data and follow the same residency and key rules.",
    remediation:
      "Create a ProjectBucketConfig in an allowlisted region with `cmekSettings.kmsKeyName` and `retentionDays`; point sinks at `logging.googleapis.com/projects/<p>/locations/<region>/buckets/<b>`.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: [...SOC2_ENCRYPTION, "SOC2 CC7.2"],
    types: ["gcp:logging/projectBucketConfig:ProjectBucketConfig", "gcp:logging/projectSink:ProjectSink"],
  },
  (r, ctx) => {
    if (r.type === "gcp:logging/projectSink:ProjectSink") {
      const dest = at(r.props, "destination");
      if (dest === UNKNOWN) {
        ctx.unknown("destination");
        return;
      }
      if (typeof dest === "string" && dest.startsWith("logging.googleapis.com/") && ctx.cfg.domain) {
        const loc = locationOfGcpName(dest);
        if (!loc || loc === "global" || !isAllowed(ctx.cfg, "gcp", loc)) {
          ctx.report(`destination log bucket is in ${loc ? describeLocation(ctx.cfg, "gcp", loc) : "no location"}, outside the ${ctx.cfg.domain} domain`);
        }
      }
      return; // other destinations are resolved through dependencies by RES-07
    }
    const loc = expect(ctx, r.props, "location", (v) => typeof v === "string" && v.toLowerCase() !== "global", "location must be a region, not \"global\"");
    if (typeof loc === "string" && loc.toLowerCase() !== "global" && ctx.cfg.domain && !isAllowed(ctx.cfg, "gcp", loc)) {
      ctx.report(`location ${describeLocation(ctx.cfg, "gcp", loc)} is outside the ${ctx.cfg.domain} domain`);
    }
    expect(ctx, r.props, "cmekSettings.kmsKeyName", isSet, "cmekSettings.kmsKeyName must name the domain's Cloud KMS key");
    expect(
      ctx,
      r.props,
      "retentionDays",
      (v) => typeof v === "number" && v >= Math.min(ctx.cfg.minLogRetentionDays, 3650),
      `retentionDays must be at least ${Math.min(ctx.cfg.minLogRetentionDays, 3650)}`,
    );
  },
);

const BROAD_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/** A node service account that is the Compute Engine default one (or none, which means it). */
function isDefaultServiceAccount(sa: unknown): boolean {
  return sa === undefined || sa === null || sa === "" || sa === "default" || (typeof sa === "string" && /-compute@developer\.gserviceaccount\.com$/.test(sa));
}

export const gkeNodeServiceAccount: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-gcp-gke-node-serviceaccount-restrict",
    area: "gcp",
    rules: ["MER-GCP-08"],
    description:
      "GKE nodes (node pools, a cluster's default pool unless removed, Autopilot's auto-provisioned nodes) run as a dedicated service account, never the Compute Engine default one (which also makes the broad cloud-platform scope project Editor).",
    why: "The default compute service account holds Editor on the project: with it (and the cloud-platform scope) any pod that reaches the metadata server can read and change every resource in the project.",
    remediation:
      "Create a least-privilege service account (roles/container.defaultNodeServiceAccount) and set `nodeConfig.serviceAccount` (Autopilot: `clusterAutoscaling.autoProvisioningDefaults.serviceAccount`); with it the cloud-platform scope is the recommended setting; set `removeDefaultNodePool: true` on clusters with separate pools.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: ["SOC2 CC6.1", "SOC2 CC6.3"],
    types: ["gcp:container/cluster:Cluster", "gcp:container/nodePool:NodePool"],
  },
  (r, ctx) => {
    let base = "nodeConfig";
    if (r.type === "gcp:container/cluster:Cluster") {
      const autopilot = at(r.props, "enableAutopilot");
      const removed = at(r.props, "removeDefaultNodePool");
      if (autopilot === UNKNOWN || removed === UNKNOWN) {
        ctx.unknown(autopilot === UNKNOWN ? "enableAutopilot" : "removeDefaultNodePool");
        return;
      }
      if (removed === true && autopilot !== true) {
        return; // the default pool (the only nodes nodeConfig shapes) is deleted after creation
      }
      base = autopilot === true ? "clusterAutoscaling.autoProvisioningDefaults" : "nodeConfig";
    }
    const sa = at(r.props, `${base}.serviceAccount`);
    if (sa === UNKNOWN) {
      ctx.unknown(`${base}.serviceAccount`);
      return;
    }
    if (isDefaultServiceAccount(sa)) {
      const scopes = arrayAt(r.props, `${base}.oauthScopes`);
      const broad = scopes !== UNKNOWN && scopes.includes(BROAD_SCOPE);
      ctx.report(`${base}.serviceAccount ${sa ? `'${String(sa)}' is` : "is not set, so nodes run as"} the Compute Engine default service account${broad ? " with the cloud-platform scope (project Editor to every pod)" : ""}`);
    }
  },
);

export const gcpPolicies = [gkeClusterEncrypt, gkeNodePoolEncrypt, gkeNodeServiceAccount, kmsKeyRotate, artifactRegistryHarden, storageBucketHarden, loggingBucketEncrypt];
