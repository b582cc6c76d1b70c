/**
 * Tenants as configuration: fleet.yaml `tenants.<domain>.<tenant>`. A tenant is resident in
 * exactly one domain (the key it sits under) and lands on workload clusters (stacks) of that
 * domain only. This file is the schema and the typed view every consumer reads (the tenant
 * component, GitOps, secrets, exposure, backups); cross-checks against the fleet's stacks
 * run at fleet load.
 */
import { z } from "zod";
import { DOMAINS, type Domain } from "../../components/residency/catalogue";

const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "a DNS-1123 label");

/** One egress allow-rule: an FQDN or a CIDR, with ports (TCP). */
export const egressRuleSchema = z.union([
  z.strictObject({ fqdn: z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, "a lower-case FQDN such as api.example.com"), ports: z.array(z.int().min(1).max(65535)).min(1) }),
  z.strictObject({ cidr: z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, "an IPv4 CIDR"), ports: z.array(z.int().min(1).max(65535)).min(1) }),
]);

export const tenantSettingsSchema = z.strictObject({
  /** (Required) Owning team; label `team`. */
  team: z.string().min(1),
  /** (Required) IdP group bound to the team-developer persona in the tenant's namespaces. */
  developersGroup: z.string().min(1),
  /** (Required) Workload stacks (of this domain) the tenant's namespaces are created on. */
  clusters: z.array(z.string().min(1)).min(1),
  /** (Optional) Namespaces, DNS-1123 labels. Defaults to one namespace named after the tenant. */
  namespaces: z.array(dnsLabel).min(1).optional(),
  /** (Optional) ResourceQuota per namespace. Defaults to the baseline's DEFAULT_QUOTA. */
  quota: z
    .strictObject({ cpu: z.string().optional(), memory: z.string().optional(), pods: z.int().min(1).optional(), storage: z.string().optional() })
    .optional(),
  /** (Optional) Egress allowlist beyond DNS (FQDN or CIDR with ports). Defaults to none. */
  egress: z.array(egressRuleSchema).default([]),
  /** (Optional) In-domain services the tenant may call: `<namespace>/<service>` with ports. Defaults to none. */
  services: z.array(z.strictObject({ namespace: dnsLabel, service: dnsLabel, ports: z.array(z.int().min(1).max(65535)).min(1) })).default([]),
  /** (Optional) Public or internal host names the tenant's routes may claim on the Gateway. Defaults to none. */
  hostnames: z.array(z.string().min(1)).default([]),
});

export const tenantsSettingsSchema = z.partialRecord(z.enum(DOMAINS), z.record(dnsLabel, tenantSettingsSchema)).default({});

export type TenantSettings = z.infer<typeof tenantSettingsSchema>;
/** A tenant with its name and domain settled. */
export interface Tenant<D extends Domain = Domain> extends TenantSettings {
  readonly name: string;
  readonly domain: D;
  /** Namespaces, defaulted. */
  readonly namespaces: string[];
}
export type FleetTenants = Readonly<Record<Domain, readonly Tenant[]>>;

/** Every domain present (missing ones empty), names and namespace defaults settled. */
export function resolveTenants(raw: z.infer<typeof tenantsSettingsSchema>): FleetTenants {
  return Object.fromEntries(
    DOMAINS.map((d) => [d, Object.entries(raw[d] ?? {}).map(([name, t]) => ({ ...t, name, domain: d, namespaces: t.namespaces ?? [name] }))]),
  ) as unknown as FleetTenants;
}

/** The tenants of `domain` placed on `stack`. */
export function tenantsOnStack<D extends Domain>(tenants: FleetTenants, domain: D, stack: string): ReadonlyArray<Tenant<D>> {
  return tenants[domain].filter((t) => t.clusters.includes(stack)) as unknown as ReadonlyArray<Tenant<D>>;
}
