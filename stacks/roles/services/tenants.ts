/**
 * The tenants service: every tenant of this domain placed on this workload stack
 * (fleet.yaml `tenants.<domain>.<tenant>.clusters`) gets a ClusterTenant here — its workload
 * identity per namespace, its repository, its allow rules and the limits on its own
 * NetworkPolicies. The namespaces themselves come from the baseline (see
 * {@link tenantNamespaces}, which the cluster roles pass to it).
 */
import { tenantsOnStack } from "../../../automation/fleet/tenants";
import type { Domain } from "../../../components/residency";
import { ClusterTenant } from "../../../components/tenant";
import type { ClusterService, ClusterServiceContext } from "./index";

export { tenantNamespaces } from "../tenantNamespaces";

export const tenantsService: ClusterService = {
  name: "tenants",
  roles: ["workload"],
  async deploy<D extends Domain>(c: ClusterServiceContext<D>): Promise<Record<string, unknown>> {
    const { ctx, cluster, foundation } = c;
    const out: Record<string, unknown> = {};
    for (const tenant of tenantsOnStack(ctx.fleet.settings.tenants, ctx.domain, ctx.stack)) {
      const cloudArgs =
        c.cloud === "azure" || c.cloud === "aws"
          ? { cloud: c.cloud, region: c.region, key: foundation.key, registry: foundation.registry, oidcIssuer: cluster.oidcIssuer }
          : { cloud: c.cloud, region: c.region, key: foundation.key, registry: foundation.registry };
      const t = new ClusterTenant(
        `${ctx.stack}-tenant-${tenant.name}`,
        { domain: ctx.domain, tenant, provider: cluster.provider, clusterName: cluster.clusterName, cloud: cloudArgs, tags: ctx.tags },
        { providers: [ctx.provider(c.cloud)], dependsOn: [c.baseline] },
      );
      out[tenant.name] = {
        namespaces: t.namespaces,
        identity: { serviceAccount: t.serviceAccount, principals: t.principals },
        repository: t.repository,
        secretScope: t.secretScope,
      };
    }
    return out;
  },
};
