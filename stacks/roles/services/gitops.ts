/**
 * GitOps on the management cluster: the domain's Argo CD (components/gitops) with one
 * AppProject + ApplicationSet per tenant of the domain (fleet.yaml `tenants.<domain>`, sources
 * from `gitops.<domain>`), rollout rings from each workload stack's `meridian:ring`. Publishes
 * what the domain's workload stacks read to register themselves (stacks/contracts.ts,
 * `gitopsControllerExport`).
 */
import * as pulumi from "@pulumi/pulumi";
import { tenantSource } from "../../../automation/fleet/gitops";
import { GitOpsController, type TenantDelivery } from "../../../components/gitops";
import type { Domain } from "../../../components/residency";
import type { ClusterService, ClusterServiceContext } from "./index";

/** The domain's tenants as the controller delivers them. */
export function tenantDeliveries<D extends Domain>(c: ClusterServiceContext<D>): TenantDelivery[] {
  const { fleet, domain } = c.ctx;
  return fleet.settings.tenants[domain].map((t) => ({
    name: t.name,
    namespaces: t.namespaces,
    clusters: t.clusters,
    rings: Object.fromEntries(t.clusters.map((s) => [s, fleet.stacks.get(s)?.ring ?? 0])),
    source: tenantSource(fleet.settings.gitops, t),
  }));
}

export const gitopsService: ClusterService = {
  name: "gitops",
  roles: ["management"],
  async deploy<D extends Domain>(c: ClusterServiceContext<D>) {
    const { ctx } = c;
    const gcpStacks = [...ctx.fleet.stacks.values()].filter((s) => s.domain === ctx.domain && s.role === "workload" && s.clouds[0] === "gcp").map((s) => s.name);
    const controller = new GitOpsController(
      `${ctx.stack}-gitops`,
      { domain: ctx.domain, stack: ctx.stack, cluster: c.cluster, registry: c.foundation.registry, tenants: tenantDeliveries(c), gcpStacks, tags: ctx.tags },
      { providers: [ctx.provider(c.cloud)], dependsOn: [c.baseline] },
    );
    const h = controller.handle;
    return {
      namespace: h.namespace,
      oidcIssuer: h.oidcIssuer,
      subjects: h.subjects,
      gcpAudience: h.gcpAudience,
      ...(h.awsRoleArn !== undefined ? { awsRoleArn: h.awsRoleArn } : {}),
      kubeconfig: pulumi.secret(h.kubeconfig),
      chart: { name: controller.release.chart, version: controller.release.version },
      applicationSets: controller.applicationSets,
    };
  },
};
