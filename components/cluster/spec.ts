/**
 * Cluster arguments shared by WorkloadCluster and ManagementCluster, their pure
 * validation, and the settled spec the per-cloud adapters consume.
 */
import * as pulumi from "@pulumi/pulumi";
import { overlaps, parseCidr } from "../network/ipam";
import { withReservedTags, zonesFor, type Cloud, type Domain, type KeyHandle, type NetworkHandle, type RegistryHandle } from "../residency";
import { settleUpgrade, validateUpgrade, type NodePoolUpgradeArgs, type UpgradeSpec } from "./upgrade";

export * from "./upgrade";

/** Kubernetes minors the fleet accepts (all three clouds offer them in standard support). */
export const SUPPORTED_VERSIONS = ["1.31", "1.32", "1.33", "1.34"] as const;

export type Environment = "prod" | "staging" | "dev";

export interface Taint {
  readonly key: string;
  readonly value: string;
  readonly effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

export interface NodePoolArgs {
  /** (Required) Pool name: lower-case letters and digits, at most 12 characters (the AKS limit). */
  readonly name: string;
  /** (Optional) Instance type / VM size / machine type. Defaults per cloud: `m6i.large`, `Standard_D4s_v5`, `e2-standard-4`. */
  readonly machineType?: string;
  /** (Optional) Autoscaling lower bound, per pool (GKE: per zone). Defaults to 1 (system pool: 2). */
  readonly minSize?: number;
  /** (Optional) Autoscaling upper bound. Defaults to 3 (system pool: 3). */
  readonly maxSize?: number;
  /** (Optional) OS disk size in GB, 30–2048. Defaults to 100. */
  readonly diskSizeGb?: number;
  /** (Optional) Node labels, added to `meridian.io/pool=<name>`. Defaults to none. */
  readonly labels?: Readonly<Record<string, string>>;
  /** (Optional) Node taints for workload isolation. Defaults to none (system pool: CriticalAddonsOnly). */
  readonly taints?: readonly Taint[];
  /** (Optional) Surge, unavailability, drain and soak during node upgrades (./upgrade.ts). Defaults per cloud, PDB-respecting. */
  readonly upgrade?: NodePoolUpgradeArgs;
}

export interface PoolSpec {
  readonly name: string;
  readonly machineType: string;
  readonly minSize: number;
  readonly maxSize: number;
  readonly diskSizeGb: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly system: boolean;
  /** The pool's upgrade settings, defaults settled for the cluster's cloud. */
  readonly upgrade: UpgradeSpec;
}

export interface EndpointArgs {
  /** (Optional) `private` (no public endpoint at all) or `public`. Defaults to `private`; `public` is refused in prod and on management clusters. */
  readonly access?: "private" | "public";
  /** (Optional) CIDRs allowed to reach the API server (GKE master authorized networks; public-endpoint allowlist). Defaults to the cluster network's CIDR. */
  readonly authorizedCidrs?: readonly string[];
}

/** (Optional) AWS-only settings. */
export interface EksOptions {
  /** (Optional) IAM principals given access entries: cluster admins (AmazonEKSClusterAdminPolicy) and Kubernetes groups (bound by the baseline). Defaults to none. */
  readonly accessEntries?: ReadonlyArray<{ readonly principalArn: string; readonly clusterAdmin?: boolean; readonly groups?: readonly string[] }>;
}

/** (Optional) Azure-only settings. */
export interface AksOptions {
  /** (Optional) Entra ID group object IDs that are AKS cluster admins (Azure RBAC). Defaults to none. */
  readonly adminGroupObjectIds?: readonly string[];
}

/** (Optional) GCP-only settings. */
export interface GkeOptions {
  /** (Optional) /28 for the private control plane. Defaults to one derived from the cluster slot in 172.31.0.0/16. */
  readonly masterCidr?: string;
  /** (Optional) Google Groups for RBAC security group (`gke-security-groups@<domain>`). Defaults to none. */
  readonly rbacSecurityGroup?: string;
}

export interface ClusterArgsBase<D extends Domain> {
  /** (Required) The residency domain; network and key must be handles of the same domain. */
  readonly domain: D;
  /** (Required) Physical cluster name (stable: a rename is a replacement). */
  readonly clusterName: string;
  /** (Required) Region; must be the network's and the key's region. */
  readonly region: string;
  /** (Optional) Environment; `prod` refuses public endpoints. Defaults to `prod`. */
  readonly environment?: Environment;
  /** (Required) Kubernetes minor, e.g. `1.33`; one of {@link SUPPORTED_VERSIONS}. */
  readonly kubernetesVersion: string;
  /** (Optional) The minor the cluster runs today; an upgrade may move one minor at a time. Defaults to none (no check). */
  readonly runningVersion?: string;
  /** (Required) The domain network the cluster joins. */
  readonly network: NetworkHandle<D>;
  /** (Required) The domain key for secrets envelope encryption, disks and logs. */
  readonly key: KeyHandle<D>;
  /**
   * (Optional) The domain registry nodes pull from. AKS: required when the registry is an
   * ACR — the kubelet identity is granted AcrPull on it (and nothing else). EKS nodes pull
   * with their node role's ECR read policy, GKE nodes with their service account's
   * `artifactregistry.reader`, so there it is not needed. Defaults to none.
   */
  readonly registry?: RegistryHandle<D>;
  /** (Required) Pod CIDR from fleet IPAM. */
  readonly podCidr: string;
  /** (Required) Service CIDR from fleet IPAM. */
  readonly serviceCidr: string;
  /** (Optional) Zones to spread nodes over, 2–3. Defaults to 3. */
  readonly zones?: number;
  /** (Optional) API endpoint access. Defaults to private. */
  readonly endpoint?: EndpointArgs;
  /** (Optional) The system pool (platform add-ons only; tainted CriticalAddonsOnly). Defaults to name `system`, 2–3 nodes. */
  readonly systemPool?: Partial<NodePoolArgs>;
  /** (Optional) Workload pools. Defaults to one pool `general`, 1–3 nodes. */
  readonly workloadPools?: readonly NodePoolArgs[];
  /** (Optional) Control-plane log retention in days, 90–3653. Defaults to 365. */
  readonly logRetentionDays?: number;
  /** (Optional) Tags/labels for every cloud child. Defaults to none. */
  readonly tags?: Readonly<Record<string, string>>;
}

export type ClusterArgs<D extends Domain> = ClusterArgsBase<D> &
  (
    | { readonly cloud: "aws"; readonly aws?: EksOptions }
    | { readonly cloud: "azure"; readonly azure?: AksOptions }
    | { readonly cloud: "gcp"; readonly gcp?: GkeOptions }
  );

/** Settled defaults, shared by the adapters. */
export interface ClusterSpec {
  readonly role: "management" | "workload";
  readonly domain: Domain;
  readonly cloud: Cloud;
  readonly clusterName: string;
  readonly region: string;
  readonly environment: Environment;
  readonly kubernetesVersion: string;
  readonly network: NetworkHandle<Domain>;
  readonly key: KeyHandle<Domain>;
  readonly registry?: RegistryHandle<Domain>;
  readonly podCidr: string;
  readonly serviceCidr: string;
  /** Zone names as the cloud spells them (`eu-central-1a`, `europe-west1-b`, `1`). */
  readonly zones: readonly string[];
  /** Zones as the `topology.kubernetes.io/zone` node label spells them. */
  readonly topologyZones: readonly string[];
  readonly publicEndpoint: boolean;
  readonly authorizedCidrs: readonly string[];
  readonly systemPool: PoolSpec;
  readonly workloadPools: readonly PoolSpec[];
  readonly logRetentionDays: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly deletionProtection: boolean;
  readonly aws: EksOptions;
  readonly azure: AksOptions;
  readonly gcp: GkeOptions;
}

const DEFAULT_MACHINE: Record<Cloud, string> = { aws: "m6i.large", azure: "Standard_D4s_v5", gcp: "e2-standard-4" };
const POOL_NAME = /^[a-z][a-z0-9]{0,11}$/;
const CLUSTER_NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;

function minor(v: string): number | undefined {
  const m = /^1\.(\d{2})$/.exec(v);
  return m ? Number(m[1]) : undefined;
}

/** `1.33` from what a cloud reports (`1.33`, `1.33.5`, `1.33.5-gke.1200`, `v1.33.2-eks-1234`); undefined when it is none of these. */
export function minorOf(version: string): string | undefined {
  const m = /^v?(1\.\d{2})(\.\d+)?([-+].*)?$/.exec(version.trim());
  return m?.[1];
}

/** Why moving from `running` to `target` is not one managed-control-plane step, or undefined when it is. */
export function versionStepProblem(running: string, target: string): string | undefined {
  const from = minor(running);
  const to = minor(target);
  if (from === undefined || to === undefined) return undefined;
  if (to - from > 1) return `upgrading ${running} → ${target} skips a minor; upgrade one minor at a time (next: 1.${from + 1})`;
  if (to < from) return `downgrading ${running} → ${target} is not possible on a managed control plane`;
  return undefined;
}

/** Pure validation, testable without mocks; every problem at once. */
export function validateClusterArgs(args: ClusterArgs<Domain>, role: "management" | "workload"): pulumi.InputPropertyErrorDetails[] {
  const problems: pulumi.InputPropertyErrorDetails[] = [];
  const add = (propertyPath: string, reason: string) => problems.push({ propertyPath, reason });
  const env = args.environment ?? "prod";

  if (!CLUSTER_NAME.test(args.clusterName)) add("clusterName", `"${args.clusterName}" must be 2–40 lower-case letters, digits and '-'`);

  const target = minor(args.kubernetesVersion);
  if (target === undefined || !(SUPPORTED_VERSIONS as readonly string[]).includes(args.kubernetesVersion)) {
    add("kubernetesVersion", `"${args.kubernetesVersion}" is not a supported minor (${SUPPORTED_VERSIONS.join(", ")})`);
  }
  if (args.runningVersion !== undefined) {
    if (minor(args.runningVersion) === undefined) add("runningVersion", `"${args.runningVersion}" is not a minor version such as 1.33`);
    else if (target !== undefined) {
      const step = versionStepProblem(args.runningVersion, args.kubernetesVersion);
      if (step !== undefined) add("kubernetesVersion", step);
    }
  }

  if (args.network.domain !== args.domain) add("network", `network of domain "${args.network.domain}" on a "${args.domain}" cluster`);
  if (args.key.domain !== args.domain) add("key", `key of domain "${args.key.domain}" on a "${args.domain}" cluster`);
  if (args.registry !== undefined) {
    if (args.registry.domain !== args.domain) add("registry", `registry of domain "${args.registry.domain}" on a "${args.domain}" cluster`);
    if (args.cloud === "azure" && args.registry.cloud === "azure" && args.registry.registryId === undefined) add("registry.registryId", "an ACR's resource id is required to grant the kubelet AcrPull");
  }
  if (args.network.cloud !== args.cloud) add("network", `a ${args.network.cloud} network cannot host an ${args.cloud} cluster`);
  if (args.key.cloud !== args.cloud) add("key", `a ${args.key.cloud} key cannot encrypt an ${args.cloud} cluster`);
  if (args.network.region !== args.region) add("network", `network is in ${args.network.region}, the cluster in ${args.region}`);
  if (args.key.region !== args.region) add("key", `key is in ${args.key.region}, the cluster in ${args.region}; secrets encryption needs a key in the cluster's region`);

  const zones = args.zones ?? 3;
  if (!Number.isInteger(zones) || zones < 2 || zones > 3) add("zones", `must be 2 or 3, got ${zones}`);

  const access = args.endpoint?.access ?? "private";
  if (access === "public") {
    if (role === "management") add("endpoint.access", "the management cluster's API endpoint is always private");
    else if (env === "prod") add("endpoint.access", "a public API endpoint is not allowed for a prod cluster");
    const cidrs = args.endpoint?.authorizedCidrs ?? [];
    if (cidrs.length === 0) add("endpoint.authorizedCidrs", "a public endpoint needs an explicit allowlist");
  }
  (args.endpoint?.authorizedCidrs ?? []).forEach((c, i) => {
    if (!validCidr(c)) add(`endpoint.authorizedCidrs[${i}]`, `"${c}" is not an IPv4 CIDR`);
    else if (c.endsWith("/0")) add(`endpoint.authorizedCidrs[${i}]`, `"${c}" opens the API server to the internet`);
  });

  for (const [k, v] of [["podCidr", args.podCidr], ["serviceCidr", args.serviceCidr]] as const) {
    if (!validCidr(v)) add(k, `"${v}" is not an IPv4 CIDR`);
  }
  if (validCidr(args.podCidr) && validCidr(args.serviceCidr) && overlaps(args.podCidr, args.serviceCidr)) {
    add("serviceCidr", `${args.serviceCidr} overlaps the pod CIDR ${args.podCidr}`);
  }
  if (validCidr(args.network.cidr)) {
    for (const [k, v] of [["podCidr", args.podCidr], ["serviceCidr", args.serviceCidr]] as const) {
      if (validCidr(v) && overlaps(v, args.network.cidr)) add(k, `${v} overlaps the node network ${args.network.cidr}`);
    }
  }

  const retention = args.logRetentionDays ?? 365;
  if (!Number.isInteger(retention) || retention < 90 || retention > 3653) add("logRetentionDays", `must be 90–3653 days, got ${retention}`);

  const pools: Array<[string, Partial<NodePoolArgs>]> = [
    ["systemPool", { name: "system", ...args.systemPool }],
    ...(args.workloadPools ?? []).map((p, i) => [`workloadPools[${i}]`, p] as [string, Partial<NodePoolArgs>]),
  ];
  const names = new Set<string>();
  for (const [path, p] of pools) {
    const name = p.name ?? "";
    if (!POOL_NAME.test(name)) add(`${path}.name`, `"${name}" must be 1–12 lower-case letters and digits, starting with a letter`);
    if (names.has(name)) add(`${path}.name`, `duplicate pool "${name}"`);
    names.add(name);
    const min = p.minSize ?? 1;
    const max = p.maxSize ?? 3;
    if (!Number.isInteger(min) || min < 0) add(`${path}.minSize`, `must be a whole number ≥ 0, got ${min}`);
    if (!Number.isInteger(max) || max < 1 || max < min) add(`${path}.maxSize`, `must be ≥ 1 and ≥ minSize (${min}), got ${max}`);
    const disk = p.diskSizeGb ?? 100;
    if (disk < 30 || disk > 2048) add(`${path}.diskSizeGb`, `must be 30–2048, got ${disk}`);
    problems.push(...validateUpgrade(args.cloud, path, p.upgrade));
  }
  if ((args.systemPool?.minSize ?? 2) < 2) add("systemPool.minSize", "the system pool needs at least 2 nodes for highly available add-ons");
  return problems;
}

function validCidr(c: string): boolean {
  try {
    parseCidr(c);
    return true;
  } catch {
    return false;
  }
}

export function settleClusterSpec(args: ClusterArgs<Domain>, role: "management" | "workload"): ClusterSpec {
  const zones = zonesFor(args.cloud, args.region, args.zones ?? 3);
  const machine = DEFAULT_MACHINE[args.cloud];
  const pool = (p: Partial<NodePoolArgs> & { name: string }, system: boolean): PoolSpec => ({
    name: p.name,
    machineType: p.machineType ?? machine,
    minSize: p.minSize ?? (system ? 2 : 1),
    maxSize: p.maxSize ?? 3,
    diskSizeGb: p.diskSizeGb ?? 100,
    labels: { ...p.labels, "meridian.io/pool": p.name, "meridian.io/plane": system ? "system" : role === "management" ? "management" : "workload" },
    // System pool: only critical add-ons (CoreDNS, CNI, CSI tolerate CriticalAddonsOnly).
    taints: p.taints ?? (system ? [{ key: "CriticalAddonsOnly", value: "true", effect: "NoSchedule" }] : []),
    system,
    upgrade: settleUpgrade(args.cloud, p.upgrade),
  });
  const defaultPool: NodePoolArgs = role === "management" ? { name: "platform" } : { name: "general" };
  return {
    role,
    domain: args.domain,
    cloud: args.cloud,
    clusterName: args.clusterName,
    region: args.region,
    environment: args.environment ?? "prod",
    kubernetesVersion: args.kubernetesVersion,
    network: args.network,
    key: args.key,
    registry: args.registry,
    podCidr: args.podCidr,
    serviceCidr: args.serviceCidr,
    zones,
    topologyZones: args.cloud === "azure" ? zones.map((z) => `${args.region}-${z}`) : zones,
    publicEndpoint: (args.endpoint?.access ?? "private") === "public",
    authorizedCidrs: args.endpoint?.authorizedCidrs ?? [args.network.cidr],
    systemPool: pool({ name: "system", ...args.systemPool }, true),
    workloadPools: (args.workloadPools ?? [defaultPool]).map((p) => pool(p, false)),
    logRetentionDays: args.logRetentionDays ?? 365,
    tags: withReservedTags(args.tags, { residency: args.domain, "meridian-cluster": args.clusterName }),
    deletionProtection: (args.environment ?? "prod") === "prod",
    aws: args.cloud === "aws" ? (args.aws ?? {}) : {},
    azure: args.cloud === "azure" ? (args.azure ?? {}) : {},
    gcp: args.cloud === "gcp" ? (args.gcp ?? {}) : {},
  };
}

/** What every adapter returns. */
export interface AdapterResult {
  readonly clusterName: pulumi.Output<string>;
  readonly endpoint: pulumi.Output<string>;
  readonly oidcIssuer: pulumi.Output<string>;
  /** Exec-auth kubeconfig (no static credentials), as a secret. */
  readonly kubeconfig: pulumi.Output<string>;
  /** Azure only: the disk encryption set (for the encrypted StorageClass). */
  readonly diskEncryptionSetId?: pulumi.Output<string>;
  /** Azure only: the Log Analytics workspace holding the audit logs (observability links it to a CMK cluster). */
  readonly logAnalyticsWorkspaceId?: pulumi.Output<string>;
  /**
   * The minor the control plane runs, read back from the cloud with its data source
   * (aws.eks.getCluster / containerservice.getManagedCluster / container.getCluster), e.g. `1.33`.
   */
  readonly runningVersion: pulumi.Output<string>;
  /** Every resource the Kubernetes provider must wait for (cluster, node pools, add-ons). */
  readonly readyResources: pulumi.Resource[];
}

/** The kubeconfig context name; the Kubernetes provider's `clusterIdentifier` carries the same. */
export function contextName(domain: Domain, clusterName: string): string {
  return `meridian-${domain}-${clusterName}`;
}

/** An exec-auth kubeconfig as JSON (valid YAML): the caller's cloud identity, never a static token. */
export function execKubeconfig(a: {
  domain: Domain;
  clusterName: string;
  server: string;
  caData: string;
  command: string;
  args: string[];
  installHint: string;
}): string {
  const ctx = contextName(a.domain, a.clusterName);
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: ctx, cluster: { server: a.server, "certificate-authority-data": a.caData } }],
    contexts: [{ name: ctx, context: { cluster: ctx, user: ctx } }],
    "current-context": ctx,
    users: [
      {
        name: ctx,
        user: {
          exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: a.command, args: a.args, interactiveMode: "Never", installHint: a.installHint },
        },
      },
    ],
  });
}
