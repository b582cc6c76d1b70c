/**
 * The secrets service: the External Secrets Operator on every cluster and, on workload
 * clusters, one ClusterSecretStore per tenant placed on the stack (fleet.yaml
 * `tenants.<domain>.<tenant>.clusters`), pointing at the domain's secret service in the
 * cluster's region. Tenant identities are the tenants service's: this service reads its
 * export `services.tenants.<tenant>` = `{ identity: { principals }, secretScope }` (per
 * namespace role ARN on AWS; the tenant's vault URI on Azure) and creates none.
 */
import * as pulumi from "@pulumi/pulumi";
import { tenantsOnStack } from "../../../automation/fleet/tenants";
import { defaultMasterCidr } from "../../../components/cluster";
import { ExternalSecrets, GOOGLE_PRIVATE_ACCESS_CIDR, type SecretTenant } from "../../../components/external-secrets";
import type { Domain } from "../../../components/residency";
import type { ClusterService, ClusterServiceContext } from "./index";

/** The part of a tenant's `services.tenants` export this service reads. */
interface TenantExport {
  readonly identity?: { readonly principals?: pulumi.Input<Record<string, string>> };
  readonly secretScope?: pulumi.Input<string | null>;
}

/** The tenants of this stack with what their stores and key policy need from the tenants service. */
export function secretTenants<D extends Domain>(c: ClusterServiceContext<D>): SecretTenant[] {
  if (c.role !== "workload") return [];
  const published = (c.earlier.tenants ?? {}) as Readonly<Record<string, TenantExport | undefined>>;
  return tenantsOnStack(c.ctx.fleet.settings.tenants, c.ctx.domain, c.ctx.stack).map((t) => {
    const exported = published[t.name];
    const base = { name: t.name, namespaces: t.namespaces };
    switch (c.cloud) {
      case "aws":
        return { ...base, awsRoleArns: pulumi.output(exported?.identity?.principals ?? {}).apply((p) => Object.values(p)) };
      case "azure":
        if (exported?.secretScope === undefined) {
          throw new Error(`${c.ctx.spec.file}: tenant "${t.name}" has no Key Vault on this stack (services.tenants.${t.name}.secretScope); the tenants service must run first`);
        }
        return { ...base, azureVaultUri: pulumi.output(exported.secretScope).apply((v) => v ?? "") };
      case "gcp":
        return base;
    }
  });
}

export const secretsService: ClusterService = {
  name: "secrets",
  roles: ["management", "workload"],
  async deploy<D extends Domain>(c: ClusterServiceContext<D>): Promise<Record<string, unknown>> {
    const { ctx, cluster, foundation } = c;
    const eso = new ExternalSecrets(
      `${ctx.stack}-secrets`,
      {
        domain: ctx.domain,
        cloud: c.cloud,
        region: c.region,
        environment: ctx.spec.environment,
        provider: cluster.provider,
        clusterName: cluster.clusterName,
        registry: foundation.registry,
        key: foundation.key,
        tenants: secretTenants(c),
        // GKE's control plane sits in its own range (the cluster component's default); Google APIs behind the private VIP.
        privateCidrs: [foundation.network.cidr, ...(c.cloud === "gcp" ? [defaultMasterCidr(ctx.stack), GOOGLE_PRIVATE_ACCESS_CIDR] : [])],
        ...(c.cloud === "gcp" ? { gcp: { project: String(ctx.spec.rawConfig["gcp:project"] ?? "") } } : {}),
        tenantsReady: [c.baseline],
        tags: ctx.tags,
      },
      { providers: [ctx.provider(c.cloud)], dependsOn: [c.baseline] },
    );
    return { release: eso.release, stores: eso.stores, secretsKey: eso.secretsKey, secretDefaults: eso.secretDefaults };
  },
};
