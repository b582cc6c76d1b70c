/**
 * Tenants as configuration: fleet.yaml `tenants.<domain>.<tenant>`. A tenant is resident in
 * exactly one domain (the key it sits under) and lands on workload clusters (stacks) of that
 * domain only. This file is the schema and the typed view every consumer reads (the tenant
 * component, GitOps, secrets, exposure, backups); cross-checks against the fleet's stacks
 * run at fleet load ({@link checkTenants}).
 *
 * A tenant names nothing cloud-side: its registry repository, workload identities and secret
 * scope are derived from the clusters it lands on (each cluster's domain foundation), so the
 * only keys that could reach into another domain — `clusters`, `egress`, `services`,
 * `hostnames` — are the ones checked here.
 */
import { z } from "zod";
import { DOMAINS, type Domain } from "../../components/residency/catalogue";
import { overlaps } from "../../components/network/ipam";
import { FleetConfigError } from "./errors";
import type { FleetSettings } from "./settings";

const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "a DNS-1123 label");
/** Tenant names are short: they become IAM role, GCP service account and Key Vault name parts. */
const tenantName = z.string().regex(/^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$/, "a DNS-1123 label of at most 20 characters starting with a letter");
const port = z.int().min(1).max(65535);
const fqdn = z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, "a lower-case FQDN such as api.example.com");
const ipv4Cidr = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, "an IPv4 CIDR")
  .refine((c) => c.split("/")[0].split(".").every((o) => Number(o) <= 255) && Number(c.split("/")[1]) <= 32, "an IPv4 CIDR with octets ≤ 255 and a prefix ≤ 32")
  .refine((c) => Number(c.split("/")[1]) >= 8, "at most a /8: an allowlist entry wider than that is no allowlist")
  .refine(isNetworkAddress, "the network address of its prefix (host bits zero), e.g. 203.0.113.0/24");

/** One egress allow-rule: an FQDN or a CIDR, with ports (TCP). */
export const egressRuleSchema = z.union([
  z.strictObject({ fqdn, ports: z.array(port).min(1) }),
  z.strictObject({ cidr: ipv4Cidr, ports: z.array(port).min(1) }),
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
  /**
   * (Optional) Egress allowlist beyond DNS (FQDN or CIDR with ports). CIDR entries become
   * NetworkPolicies and bound the ipBlocks the tenant may write itself; FQDN entries are
   * published for an FQDN-aware egress path (a NetworkPolicy cannot match names). Defaults to none.
   */
  egress: z.array(egressRuleSchema).default([]),
  /** (Optional) In-domain platform services the tenant may call: `<namespace>/<service>` with ports. Defaults to none. */
  services: z.array(z.strictObject({ namespace: dnsLabel, service: dnsLabel, ports: z.array(port).min(1) })).default([]),
  /** (Optional) Public or internal host names the tenant's routes may claim on the Gateway; unique per domain. Defaults to none. */
  hostnames: z.array(z.string().regex(/^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, "a lower-case host name, optionally a wildcard (*.pay.example.com)")).default([]),
});

export const tenantsSettingsSchema = z.partialRecord(z.enum(DOMAINS), z.record(tenantName, tenantSettingsSchema)).default({});

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

/** Namespace names the platform and Kubernetes own; no tenant may take them. */
export function reservedNamespace(ns: string): boolean {
  return ns === "default" || ns.startsWith("kube-") || ns.startsWith("meridian-");
}

/** What {@link checkTenants} needs to know of a stack. */
export interface TenantTarget {
  readonly domain: Domain;
  /** `workload`, or `attached` with `clusterRole: workload`, may host tenants. */
  readonly hostsTenants: boolean;
  readonly role: string;
  readonly cloud: string | undefined;
  readonly region: string | undefined;
}

/**
 * Cross-checks of `tenants:` against the fleet, every problem at once, each naming
 * fleet.yaml and the key: clusters must be tenant-hosting stacks of the tenant's own domain;
 * egress CIDRs must not reach into another domain's IPAM pools; a tenant may not call into
 * another tenant's namespace (tenants reach each other only through the Gateway); namespaces
 * are unique per cluster and not reserved; hostnames are unique per domain; a tenant has at
 * most one cluster per cloud and region (its repository and identities live in that region).
 */
export function checkTenants(file: string, settings: Pick<FleetSettings, "tenants" | "ipam">, stacks: ReadonlyMap<string, TenantTarget>): FleetConfigError[] {
  const errors: FleetConfigError[] = [];
  const err = (key: string, detail: string) => errors.push(new FleetConfigError(file, key, detail));
  for (const domain of DOMAINS) {
    const tenants = settings.tenants[domain];
    const namespaceOwner = new Map<string, string>(); // `${stack}/${ns}` → tenant
    const hostOwner = new Map<string, string>();
    const tenantOfNamespace = new Map<string, string>();
    for (const t of tenants) for (const ns of t.namespaces) tenantOfNamespace.set(ns, t.name);
    // A directory holding none of the domain's tenant-hosting stacks is a partial fleet (one
    // stack planned on its own, a fixture): placements cannot be judged there, so only named
    // stacks that exist are checked. Anywhere else a name missing from the fleet is a typo.
    const partial = ![...stacks.values()].some((s) => s.domain === domain && s.hostsTenants);
    for (const t of tenants) {
      const at = `tenants.${domain}.${t.name}`;
      const placed = new Map<string, string>(); // `${cloud}/${region}` → stack
      t.clusters.forEach((name, i) => {
        const s = stacks.get(name);
        if (s === undefined && partial) return;
        const refused =
          s === undefined
            ? `no stack "${name}" in this fleet`
            : s.domain !== domain
              ? `stack "${name}" is in domain ${s.domain}; a ${domain} tenant lands only on ${domain} workload stacks`
              : !s.hostsTenants
                ? `stack "${name}" is a ${s.role} stack; tenants land only on workload clusters`
                : undefined;
        if (refused !== undefined || s === undefined) {
          err(`${at}.clusters.${i}`, refused ?? "");
          return;
        }
        const where = `${s.cloud ?? "attached"}/${s.region ?? name}`;
        const other = placed.get(where);
        if (other !== undefined) err(`${at}.clusters.${i}`, `"${name}" and "${other}" are both in ${where}; the tenant's repository and identities live once per cloud and region`);
        placed.set(where, name);
      });
      if (new Set(t.clusters).size !== t.clusters.length) err(`${at}.clusters`, "each stack once");
      t.namespaces.forEach((ns, i) => {
        if (reservedNamespace(ns)) err(`${at}.namespaces.${i}`, `"${ns}" is reserved for system and platform namespaces`);
        for (const c of t.clusters) {
          const owner = namespaceOwner.get(`${c}/${ns}`);
          if (owner !== undefined && owner !== t.name) err(`${at}.namespaces.${i}`, `namespace "${ns}" on ${c} already belongs to tenant ${owner}`);
          namespaceOwner.set(`${c}/${ns}`, t.name);
        }
      });
      if (new Set(t.namespaces).size !== t.namespaces.length) err(`${at}.namespaces`, "each namespace once");
      t.egress.forEach((e, i) => {
        if (!("cidr" in e)) return;
        for (const other of DOMAINS.filter((d) => d !== domain)) {
          const pools = settings.ipam.pools[other];
          const hit = (["nodes", "pods", "services"] as const).find((p) => overlaps(pools[p], e.cidr));
          if (hit !== undefined) err(`${at}.egress.${i}.cidr`, `${e.cidr} overlaps domain ${other}'s ${hit} pool ${pools[hit]}; a ${domain} tenant cannot open egress into another domain`);
        }
      });
      t.services.forEach((s, i) => {
        const owner = tenantOfNamespace.get(s.namespace);
        if (owner !== undefined && owner !== t.name) {
          err(`${at}.services.${i}.namespace`, `"${s.namespace}" is tenant ${owner}'s namespace; tenants reach another tenant only through the Gateway`);
        }
        if (s.namespace === "kube-system") err(`${at}.services.${i}.namespace`, "kube-system is not a service tenants call (DNS is allowed already)");
      });
      t.hostnames.forEach((h, i) => {
        const clash = [...hostOwner].find(([other, owner]) => owner !== t.name && hostsOverlap(h, other));
        if (clash !== undefined) err(`${at}.hostnames.${i}`, `"${h}" overlaps "${clash[0]}", already claimed by tenant ${clash[1]} in domain ${domain}; a route to another tenant's host is refused`);
        hostOwner.set(h, t.name);
      });
    }
  }
  return errors;
}

/** Two host names overlap when equal or when a wildcard (`*.x`, any depth as in Gateway API) covers the other. */
export function hostsOverlap(a: string, b: string): boolean {
  const base = (h: string) => (h.startsWith("*.") ? h.slice(2) : undefined);
  const covers = (w: string, h: string) => {
    const suffix = base(w);
    return suffix !== undefined && (h.endsWith(`.${suffix}`) || base(h) === suffix);
  };
  return a === b || covers(a, b) || covers(b, a);
}

function isNetworkAddress(cidr: string): boolean {
  const [ip, len] = cidr.split("/");
  const n = ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(len));
  return Number.isFinite(size) && n % size === 0;
}
