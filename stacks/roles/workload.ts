/**
 * The workload role (and, through {@link deployCluster}, the management role): the domain
 * cluster on its cloud, built on the foundation's network and key, with the security
 * baseline applied through the cluster's own Kubernetes provider.
 */
import type { RoleConfig } from "../../automation/fleet";
import { ClusterBaseline } from "../../components/baseline";
import { ManagementCluster, WorkloadCluster, type ClusterArgs, type EksOptions } from "../../components/cluster";
import { clusterCidrs } from "../../components/network/ipam";
import { claimResident, type Domain } from "../../components/residency";
import { tenantImagePrefixes } from "../../components/tenant";
import type { RoleContext } from "../context";
import { deployClusterServices } from "./services";
import { tenantNamespaces } from "./tenantNamespaces";

type ClusterRole = "management" | "workload";

export async function deployCluster<D extends Domain>(ctx: RoleContext<D>, role: ClusterRole): Promise<Record<string, unknown>> {
  const spec = ctx.spec;
  const config = spec.config as RoleConfig<"workload"> | RoleConfig<"management">;
  const settings = config["meridian:cluster"];
  const cloud = spec.clouds[0];
  const region = spec.region;
  if (cloud === undefined || region === undefined) throw new Error(`${spec.file}: a ${role} stack needs meridian:cloud and its region`);

  const foundation = await ctx.refs.foundation(cloud);
  const { pods, services } = clusterCidrs(ctx.fleet.settings.ipam, ctx.domain, settings.slot);
  const id = settings.identity;

  const accessEntries: NonNullable<EksOptions["accessEntries"]> = [
    ...(id.awsRoles.platformAdmin ? [{ principalArn: id.awsRoles.platformAdmin, clusterAdmin: true }] : []),
    ...(id.awsRoles.platformOperator ? [{ principalArn: id.awsRoles.platformOperator, groups: id.platformOperators }] : []),
    ...(id.awsRoles.auditor ? [{ principalArn: id.awsRoles.auditor, groups: id.auditors }] : []),
  ];
  const base = {
    domain: ctx.domain,
    clusterName: spec.name,
    region,
    environment: spec.environment,
    kubernetesVersion: settings.kubernetesVersion,
    runningVersion: settings.runningVersion,
    network: foundation.network,
    key: foundation.key,
    registry: foundation.registry,
    podCidr: pods,
    serviceCidr: services,
    zones: settings.zones,
    endpoint: settings.endpoint,
    systemPool: settings.systemPool,
    workloadPools: settings.workloadPools,
    logRetentionDays: settings.logRetentionDays,
    tags: ctx.tags,
  };
  const args: ClusterArgs<D> =
    cloud === "aws"
      ? { ...base, cloud, aws: { accessEntries } }
      : cloud === "azure"
        ? { ...base, cloud, azure: { adminGroupObjectIds: id.azureAdminGroupObjectIds } }
        : { ...base, cloud, gcp: { rbacSecurityGroup: id.gkeSecurityGroup } };
  const opts = { providers: [ctx.provider(cloud)] };
  const cluster = role === "management" ? new ManagementCluster(spec.name, args, opts) : new WorkloadCluster(spec.name, args, opts);

  const prefixes = foundation.exports.registry.imagePrefixes;
  // Tenants come from fleet.yaml `tenants.<domain>` (their namespaces are the baseline's);
  // on GCP each tenant's repository is its own, admitted beside the domain registry.
  const tenants = role === "workload" ? tenantNamespaces(ctx.fleet.settings.tenants, ctx.domain, spec.name) : [];
  const tenantPrefixes = tenantImagePrefixes(cloud, prefixes, ctx.domain, [...new Set(tenants.map((t) => t.tenant ?? t.name))]);
  const tenantRegistry = claimResident(ctx.domain, { cloud, region, imagePrefixes: tenantPrefixes });
  const baseline = new ClusterBaseline(`${spec.name}-baseline`, {
    domain: ctx.domain,
    provider: cluster.provider,
    clusterName: spec.name,
    clusterRole: role,
    cloud,
    environment: spec.environment,
    kubernetesVersion: settings.kubernetesVersion,
    registries: tenantPrefixes.length > 0 ? [foundation.registry, tenantRegistry] : [foundation.registry],
    tenants,
    groups: { platformAdmins: id.platformAdmins, platformOperators: id.platformOperators, auditors: id.auditors },
    addons:
      prefixes.length > 0
        ? [{ name: "capacity-reserve", namespace: "meridian-system", image: `${prefixes[0]}${settings.capacityReserveImage}`, replicas: 2, priorityClassName: "meridian-capacity-reserve" }]
        : [],
    storage: cluster.storage,
  });
  const platformServices = await deployClusterServices({ ctx, role, cloud, region, cluster, baseline, foundation });

  return {
    domain: ctx.domain,
    stack: spec.name,
    role,
    cloud,
    region,
    cluster: {
      name: cluster.clusterName,
      podCidr: cluster.podCidr,
      serviceCidr: cluster.serviceCidr,
      endpoint: cluster.endpoint,
      oidcIssuer: cluster.oidcIssuer,
      kubernetesVersion: settings.kubernetesVersion,
      runningVersion: cluster.runningVersion,
    },
    services: platformServices,
  };
}

/** The workload role: a workload cluster + node pools + baseline. */
export async function workload<D extends Domain>(ctx: RoleContext<D>): Promise<Record<string, unknown>> {
  return deployCluster(ctx, "workload");
}
