/**
 * The one schema for a stack's config (`stacks/Pulumi.<stack>.yaml`), used by the fleet
 * loader, the plan, the orchestrator and the stack program itself (which reads the same
 * keys back from the Pulumi engine). Defaults are written here, where each key is declared.
 */
import { z } from "zod";
import { CLOUDS, DOMAINS, type Cloud } from "../../components/residency/catalogue";
import { DEFAULT_ROTATION_DAYS, rotationDaysProblem } from "../../components/kms/spec";
import { backupSettingsSchema } from "../../components/backup/spec";
import { dnsSettingsSchema } from "../../components/failover/spec";
import { nodePoolUpgradeSchema, validateUpgrade } from "../../components/cluster/upgrade";
import { MERIDIAN_STACK_NAME, STACK_NAME_RULE } from "./stackNames";

export const ROLES = ["foundation", "pki", "management", "workload", "interconnect", "attached", "guardrails", "dns"] as const;
export type Role = (typeof ROLES)[number];

export const ENVIRONMENTS = ["prod", "staging", "dev"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

const stackName = z.string().regex(MERIDIAN_STACK_NAME, `a stack name: ${STACK_NAME_RULE}`);

const ipv4Cidr = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, "an IPv4 CIDR such as 10.0.0.0/16");

/** (Optional) Network of a foundation stack. */
export const networkSettings = z.strictObject({
  /** (Required) This network's slot in the domain's IPAM pool; unique per domain, never reused. */
  slot: z.int().min(0).max(1023),
  /** (Optional) A hand-set VPC/VNet range instead of the slot's; checked for collisions fleet-wide. */
  cidr: ipv4Cidr.optional(),
  /** (Optional) Zones to spread subnets over. Defaults to 3; at least 2 for 99.9% availability. */
  zones: z.int().min(2).max(3).default(3),
  /** (Optional) One NAT gateway per zone (HA) or a single one (cost). Defaults to `perZone`. */
  natGateways: z.enum(["perZone", "single"]).default("perZone"),
  /** (Optional) Flow-log retention in days. Defaults to 365; at least 90 (SOC2 evidence). */
  flowLogRetentionDays: z.int().min(90).max(3653).default(365),
});
export type NetworkSettings = z.infer<typeof networkSettings>;

/** (Optional) Residency key of a foundation stack. */
export const keySettings = z.strictObject({
  /**
   * (Optional) Rotation period in days. Defaults to 90. The range is per cloud (checked
   * against `meridian:cloud`): AWS 90–2560 (the KMS API's), GCP 1–90 (policy GCP-03), Azure 7–90.
   */
  rotationDays: z.int().min(1).max(2560).default(DEFAULT_ROTATION_DAYS),
  /** (Optional) AWS deletion window in days. Defaults to 30 (the longest). */
  deletionWindowDays: z.int().min(7).max(30).default(30),
  /** (Optional) GCP protection level. Defaults to `HSM`. */
  protectionLevel: z.enum(["HSM", "SOFTWARE"]).default("HSM"),
});
export type KeySettings = z.infer<typeof keySettings>;

/** (Optional) Container registry of a foundation stack. */
export const registrySettings = z.strictObject({
  /** (Optional) Repositories to create (ECR / Artifact Registry). Defaults to `platform` and `apps`. */
  repositories: z
    .array(z.string().regex(/^[a-z0-9]+([._/-][a-z0-9]+)*$/, "a repository name: lower-case, digits, '.', '_', '-', '/'"))
    .min(1)
    .default(["platform", "apps"]),
});
export type RegistrySettings = z.infer<typeof registrySettings>;

/** (Optional) The domain PKI. */
export const pkiSettings = z.strictObject({
  /** (Optional) Subject organization. Defaults to `meridian`. */
  organization: z.string().min(1).default("meridian"),
  /** (Optional) Root CA validity in hours. Defaults to 87600 (10 years). */
  rootValidityHours: z.int().min(8760).default(87600),
  /** (Optional) Intermediate CA validity in hours. Defaults to 8760 (1 year). */
  intermediateValidityHours: z.int().min(720).default(8760),
  /** (Optional) Renew this many hours before expiry, so old and new overlap. Defaults to 720 (30 days). */
  earlyRenewalHours: z.int().min(24).default(720),
  /** (Optional) Bump to rotate every CA key now (a new generation replaces the old). Defaults to 1. */
  generation: z.int().min(1).default(1),
  /** (Optional) Intermediate CAs to issue. Defaults to `mesh` and `vpn`. */
  intermediates: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).min(1).default(["mesh", "vpn"]),
  /** (Optional) Earlier roots still trusted during a rotation overlap (PEM, at most 2; docs/runbooks.md). Defaults to none. */
  retiringRoots: z.array(z.string().includes("-----BEGIN CERTIFICATE-----")).max(2).default([]),
  /** (Optional) A root rotation in progress: `to` = generation + 1, `phase` introduce | issue (docs/runbooks.md). Defaults to none. */
  rotation: z.strictObject({ to: z.int().min(2), phase: z.enum(["introduce", "issue"]) }).optional(),
}).refine((p) => p.rotation === undefined || p.rotation.to === p.generation + 1, {
  path: ["rotation", "to"],
  message: "must be generation + 1: rotate one generation at a time (docs/runbooks.md)",
});
export type PkiSettings = z.infer<typeof pkiSettings>;

const k8sLabelKey = z.string().regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/, "a Kubernetes label key");

/** (Optional) A node pool. */
export const nodePoolSettings = z.strictObject({
  /** (Required) Pool name: 1–12 lower-case letters and digits (the AKS limit). */
  name: z.string().regex(/^[a-z][a-z0-9]{0,11}$/, "1–12 lower-case letters and digits, starting with a letter"),
  /** (Optional) Instance type / VM size / machine type. Defaults per cloud (m6i.large, Standard_D4s_v5, e2-standard-4). */
  machineType: z.string().min(1).optional(),
  /** (Optional) Autoscaling lower bound. Defaults to 1. */
  minSize: z.int().min(0).max(1000).optional(),
  /** (Optional) Autoscaling upper bound. Defaults to 3. */
  maxSize: z.int().min(1).max(1000).optional(),
  /** (Optional) OS disk size in GB, 30–2048. Defaults to 100. */
  diskSizeGb: z.int().min(30).max(2048).optional(),
  /** (Optional) Node labels. Defaults to none. */
  labels: z.record(k8sLabelKey, z.string().max(63)).optional(),
  /** (Optional) Node taints. Defaults to none. */
  taints: z.array(z.strictObject({ key: k8sLabelKey, value: z.string().max(63), effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]) })).optional(),
  /** (Optional) Node upgrade surge/unavailability/drain/soak (docs/clusters.md "Node pool upgrades"). Defaults per cloud, PDB-respecting. */
  upgrade: nodePoolUpgradeSchema.optional(),
});

/** The old per-cluster tenant list: any value is refused with where tenants live now. */
const movedTenants = z
  .unknown()
  .refine((v) => v === undefined, "moved: tenants are declared once per domain in fleet.yaml under tenants.<domain>.<tenant> with clusters: [<this stack>] (docs/tenants.md)")
  .optional();

/**
 * (Required for management/workload) The cluster. Secure settings are not configurable;
 * these are sizing, versions, identity bindings and tenants.
 */
export const clusterSettings = z.strictObject({
  /** (Required) The cluster's slot in the domain's pod and service pools; unique per domain. */
  slot: z.int().min(0).max(1023),
  /** (Optional) Kubernetes minor version, e.g. `1.33`. Defaults to 1.33. */
  kubernetesVersion: z
    .string()
    .regex(/^1\.\d{2}$/, "a Kubernetes minor version such as 1.33")
    .default("1.33"),
  /** (Optional) The minor the cluster runs today, checked before the cluster exists (after that the version read from the cloud is checked). Defaults to none. */
  runningVersion: z.string().regex(/^1\.\d{2}$/, "a Kubernetes minor version such as 1.32").optional(),
  /** (Optional) Zones to spread nodes over, 2–3. Defaults to 3. */
  zones: z.int().min(2).max(3).default(3),
  /** (Optional) API endpoint: `private` or (non-prod workload clusters only) `public` with an allowlist. Defaults to private. */
  endpoint: z
    .strictObject({
      access: z.enum(["private", "public"]).default("private"),
      authorizedCidrs: z.array(ipv4Cidr).optional(),
    })
    .default({ access: "private" }),
  /** (Optional) The system pool. Defaults to `system`, 2–3 nodes. */
  systemPool: nodePoolSettings.partial().optional(),
  /** (Optional) Workload pools. Defaults to one pool (`general`; `platform` on management clusters). */
  workloadPools: z.array(nodePoolSettings).optional(),
  /** (Optional) Control-plane log retention in days. Defaults to 365; at least 90. */
  logRetentionDays: z.int().min(90).max(3653).default(365),
  /** (Optional) IdP groups bound to the RBAC personas (and EKS access entries / AKS admin groups). Defaults to none. */
  identity: z
    .strictObject({
      /** Break-glass cluster-admin groups (Kubernetes group names as the IdP asserts them). */
      platformAdmins: z.array(z.string().min(1)).default([]),
      platformOperators: z.array(z.string().min(1)).default([]),
      auditors: z.array(z.string().min(1)).default([]),
      /** AWS: IAM role ARNs mapped to the persona groups with access entries. */
      awsRoles: z
        .strictObject({
          platformAdmin: z.string().regex(/^arn:aws:iam::\d{12}:role\//).optional(),
          platformOperator: z.string().regex(/^arn:aws:iam::\d{12}:role\//).optional(),
          auditor: z.string().regex(/^arn:aws:iam::\d{12}:role\//).optional(),
        })
        .default({}),
      /** Azure: Entra ID group object IDs that are AKS cluster admins. */
      azureAdminGroupObjectIds: z.array(z.string().uuid()).default([]),
      /** GCP: the Google Groups for RBAC security group (gke-security-groups@<domain>). */
      gkeSecurityGroup: z.string().email().optional(),
    })
    .default({ platformAdmins: [], platformOperators: [], auditors: [], awsRoles: {}, azureAdminGroupObjectIds: [] }),
  /** Moved: tenants are fleet.yaml `tenants.<domain>.<tenant>` (docs/tenants.md). Refused here with that pointer. */
  tenants: movedTenants,
  /** (Optional) Velero schedule, retention and volume snapshots (docs/backup.md). Defaults to every 4h, 30 days, snapshots on. */
  backup: backupSettingsSchema.default(backupSettingsSchema.parse({})),
  /** (Optional) Digest-pinned pause image (path under the domain registry) for the capacity-reserve add-on. Defaults to `platform/pause@sha256:<pause 3.10>`. */
  capacityReserveImage: z
    .string()
    .regex(/^[a-z0-9._/-]+@sha256:[a-f0-9]{64}$/, "a repository path pinned by digest, e.g. platform/pause@sha256:<64 hex>")
    .default("platform/pause@sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a"),
});
export type ClusterSettings = z.infer<typeof clusterSettings>;

/**
 * (Required for interconnect) Interconnect allocation and rotation. ASNs and tunnel inside
 * /30s derive from the slot alone (components/interconnect/allocate.ts), so the fleet plan
 * checks them before anything runs and adding an interconnect never renumbers another.
 */
export const interconnectSettings = z.strictObject({
  /** (Required) This interconnect's slot, 0–15, unique per domain and never reused: picks its ASNs and inside /30s. */
  slot: z.int().min(0).max(15),
  /**
   * (Optional) PSK generation. Each bump re-keys half the tunnels (even tunnels on even
   * generations, odd on odd), so every connection keeps one tunnel up; two bumps rotate all.
   * Defaults to 1.
   */
  pskGeneration: z.int().min(1).default(1),
  /**
   * (Optional) Azure allows one VPN gateway per VNet: name the interconnect stack (same
   * domain, also in `meridian:dependsOn`) whose Azure gateway this one terminates on.
   * Defaults to creating the gateway here.
   */
  azureGatewayFrom: stackName.optional(),
  /** (Optional) Azure gateway SKU, zone-redundant only. Defaults to `VpnGw2AZ`. */
  azureGatewaySku: z.enum(["VpnGw1AZ", "VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ", "VpnGw5AZ"]).default("VpnGw2AZ"),
});
export type InterconnectSettings = z.infer<typeof interconnectSettings>;

/** Keys every stack has. */
const header = z.looseObject({
  "meridian:domain": z.enum(DOMAINS),
  "meridian:role": z.enum(ROLES),
});

const common = {
  "meridian:domain": z.enum(DOMAINS),
  /** (Optional) Environment; production forbids insecure overrides. Defaults to `prod`. */
  "meridian:environment": z.enum(ENVIRONMENTS).default("prod"),
  /** (Optional) Stacks this one reads through StackReferences; the rollout graph. Defaults to none. */
  "meridian:dependsOn": z.array(stackName).default([]),
  /** (Optional) Rollout ring inside the domain; ring N starts after ring N-1 succeeded. Defaults to 0. */
  "meridian:ring": z.int().min(0).max(9).default(0),
  /** (Optional) Extra tags/labels on every resource (owner, cost centre). Defaults to none. */
  "meridian:tags": z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,62}$/), z.string().max(256)).default({}),
};

const cloudKey = { "meridian:cloud": z.enum(CLOUDS) };

/**
 * (Required for attached) An existing Kubernetes cluster the fleet does not create, given
 * the domain's baseline through a kubeconfig (`meridian:kubeconfig`, a secret). Used for
 * clusters built elsewhere — and by the real-engine e2e tests against a local API server.
 */
export const attachedSettings = z.strictObject({
  /** (Required) Cluster name; the provider's identifier becomes `meridian:<domain>:<name>`. */
  clusterName: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "a DNS-1123 label"),
  /** (Optional) kubeconfig context. Defaults to the kubeconfig's current context. */
  context: z.string().min(1).optional(),
  /** (Required) Image prefixes of the domain's registries (trailing `/`), enforced by admission. */
  registries: z.array(z.string().regex(/^[a-z0-9.-]+(:\d+)?\/([a-z0-9._/-]*\/)?$/, "a registry prefix ending in '/', e.g. registry.eu.example.com/meridian/eu/")).min(1),
  /** (Optional) `workload` (tenants allowed) or `management`. Defaults to `workload`. */
  clusterRole: z.enum(["workload", "management"]).default("workload"),
  /** (Optional) Kubernetes minor to pin Pod Security labels to, e.g. `1.34`. Defaults to `latest`. */
  kubernetesVersion: z.string().regex(/^1\.\d{2}$/).optional(),
  /** (Optional) IdP groups of the cluster-wide personas. Defaults to none. */
  groups: z
    .strictObject({
      platformAdmins: z.array(z.string().min(1)).default([]),
      platformOperators: z.array(z.string().min(1)).default([]),
      auditors: z.array(z.string().min(1)).default([]),
    })
    .default({ platformAdmins: [], platformOperators: [], auditors: [] }),
  /** Moved: tenants are fleet.yaml `tenants.<domain>.<tenant>` (docs/tenants.md). Refused here with that pointer. */
  tenants: movedTenants,
});
export type AttachedSettings = z.infer<typeof attachedSettings>;

/** A config value that may be a Pulumi secret (`secure:`), as the stack file holds it. */
const secretOrString = z.union([z.string().min(1), z.strictObject({ secure: z.string().min(1) })]);

/**
 * A cluster's node-pool `upgrade` settings checked for its own cloud at load (exit 2 naming the
 * file and key), by the same rule the cluster component applies at plan time: another cloud's
 * setting (an AKS drain timeout on EKS, a GKE blue-green on AKS) never reaches a stack.
 */
function refinePoolUpgrades(config: { "meridian:cloud": Cloud; "meridian:cluster": z.infer<typeof clusterSettings> }, ctx: z.RefinementCtx): void {
  const cluster = config["meridian:cluster"];
  const pools: Array<[Array<string | number>, z.infer<typeof nodePoolUpgradeSchema> | undefined]> = [
    [["systemPool"], cluster.systemPool?.upgrade],
    ...(cluster.workloadPools ?? []).map((p, i): [Array<string | number>, z.infer<typeof nodePoolUpgradeSchema> | undefined] => [["workloadPools", i], p.upgrade]),
  ];
  for (const [at, upgrade] of pools) {
    for (const p of validateUpgrade(config["meridian:cloud"], "", upgrade)) {
      ctx.addIssue({ code: "custom", path: ["meridian:cluster", ...at, "upgrade", p.propertyPath.split(".").pop()!], message: p.reason });
    }
  }
}

export const roleSchemas = {
  foundation: z.strictObject({
    ...common,
    ...cloudKey,
    "meridian:role": z.literal("foundation"),
    "meridian:network": networkSettings,
    "meridian:kms": keySettings.default(keySettings.parse({})),
    "meridian:registry": registrySettings.default(registrySettings.parse({})),
  }).superRefine((config, ctx) => {
    const problem = rotationDaysProblem(config["meridian:cloud"], config["meridian:kms"].rotationDays);
    if (problem !== undefined) ctx.addIssue({ code: "custom", path: ["meridian:kms", "rotationDays"], message: problem });
  }),
  pki: z.strictObject({
    ...common,
    "meridian:role": z.literal("pki"),
    "meridian:pki": pkiSettings.default(pkiSettings.parse({})),
  }),
  management: z.strictObject({
    ...common,
    ...cloudKey,
    "meridian:role": z.literal("management"),
    "meridian:cluster": clusterSettings,
  }).superRefine(refinePoolUpgrades),
  workload: z.strictObject({
    ...common,
    ...cloudKey,
    "meridian:role": z.literal("workload"),
    "meridian:cluster": clusterSettings,
  }).superRefine(refinePoolUpgrades),
  interconnect: z.strictObject({
    ...common,
    "meridian:role": z.literal("interconnect"),
    /** (Required) The two clouds this interconnect joins, e.g. `[aws, gcp]`. */
    "meridian:clouds": z
      .tuple([z.enum(CLOUDS), z.enum(CLOUDS)])
      .refine(([a, b]) => a !== b, "two different clouds"),
    /** (Required) Slot, PSK generation, Azure gateway sharing; see {@link interconnectSettings}. */
    "meridian:interconnect": interconnectSettings,
  }),
  attached: z.strictObject({
    ...common,
    "meridian:role": z.literal("attached"),
    "meridian:attached": attachedSettings,
    /** (Required) kubeconfig (contents, or a path to a file), best kept as a secret. */
    "meridian:kubeconfig": secretOrString,
  }),
  /** The domain's organisation policies on one cloud; the scope comes from fleet.yaml `guardrails.<domain>.<cloud>`. */
  guardrails: z.strictObject({ ...common, ...cloudKey, "meridian:role": z.literal("guardrails") }),
  /** The domain's DNS authority (Route 53, ADR-9): health-checked failover of tenants' public names between the domain's clouds. */
  dns: z.strictObject({ ...common, "meridian:cloud": z.literal("aws"), "meridian:role": z.literal("dns"), "meridian:dns": dnsSettingsSchema }),
} as const;

export type RoleConfig<R extends Role> = z.infer<(typeof roleSchemas)[R]>;
export type AnyRoleConfig = { [R in Role]: RoleConfig<R> }[Role];

/** Provider config keys that carry location, per cloud; all required when the cloud is used. */
export const PROVIDER_LOCATION_KEYS: Record<Cloud, readonly string[]> = {
  aws: ["aws:region"],
  azure: ["azure-native:location"],
  gcp: ["gcp:region", "gcp:project"],
};

/** Provider namespaces a stack may configure: the clouds it uses, plus these. */
export const ALWAYS_ALLOWED_NAMESPACES = ["pulumi", "kubernetes", "tls", "random"] as const;

export const PROVIDER_NAMESPACE: Record<Cloud, string> = { aws: "aws", azure: "azure-native", gcp: "gcp" };

export { header as stackHeaderSchema };
