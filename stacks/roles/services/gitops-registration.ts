/**
 * On each workload stack: register this cluster with the domain's Argo CD. The controller is
 * read from the management stack's outputs through a same-domain StackReference
 * (`refs.gitopsController()`, validated against stacks/contracts.ts); the cluster's tenants
 * (fleet.yaml `tenants.<domain>`, `tenantsOnStack`) decide its labels and the only namespaces
 * the controller may manage. A workload stack without a management upstream registers nothing.
 */
import { tenantsOnStack } from "../../../automation/fleet/tenants";
import { ClusterRegistration } from "../../../components/gitops/registration";
import type { Domain } from "../../../components/residency";
import type { ClusterService, ClusterServiceContext } from "./index";

export const gitopsRegistrationService: ClusterService = {
  name: "gitops-registration",
  roles: ["workload"],
  async deploy<D extends Domain>(c: ClusterServiceContext<D>) {
    const { ctx } = c;
    if (ctx.upstream.management === undefined) return { registered: false, reason: "no management stack in meridian:dependsOn" };
    const controller = await ctx.refs.gitopsController();
    const tenants = tenantsOnStack(ctx.fleet.settings.tenants, ctx.domain, ctx.stack);
    const registration = new ClusterRegistration(
      `${ctx.stack}-gitops`,
      {
        domain: ctx.domain,
        controller,
        cluster: c.cluster,
        stack: ctx.stack,
        region: c.region,
        ring: ctx.spec.ring,
        tenants: tenants.map((t) => ({ name: t.name, namespaces: t.namespaces })),
        ...(c.foundation.network.resourceGroupName !== undefined ? { resourceGroupName: c.foundation.network.resourceGroupName } : {}),
        ...(c.cloud === "gcp" ? { gcpProject: String(ctx.spec.rawConfig["gcp:project"]) } : {}),
        tags: ctx.tags,
      },
      { providers: [ctx.provider(c.cloud)], dependsOn: [c.baseline] },
    );
    return { registered: true, controller: controller.stack, server: registration.server, namespaces: registration.namespaces };
  },
};
