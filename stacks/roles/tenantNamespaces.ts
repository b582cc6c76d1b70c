/**
 * The baseline's tenant namespaces of a stack, from fleet.yaml `tenants`: shared by the
 * workload role and the attached role (which must not import the services list, whose
 * services it does not run).
 */
import type { TenantArgs } from "../../components/baseline";
import type { Domain } from "../../components/residency";
import { tenantsOnStack, type FleetTenants, type Tenant } from "../../automation/fleet/tenants";

/** The baseline's namespace entries for the tenants on a stack: one per tenant namespace. */
export function tenantNamespaces(tenants: FleetTenants, domain: Domain, stack: string): TenantArgs[] {
  return tenantsOnStack(tenants, domain, stack).flatMap((t: Tenant) =>
    t.namespaces.map((ns) => ({ name: ns, tenant: t.name, team: t.team, developersGroup: t.developersGroup, ...(t.quota ? { quota: t.quota } : {}) })),
  );
}

