/**
 * Shared types and pure validation of the in-domain DNS failover: a tenant's public name
 * answered by the Gateway of its primary cloud while that Gateway is healthy, else by the
 * Gateway of its secondary cloud — both workload stacks of the same domain.
 */
import { z } from "zod";
import type { Domain, GatewayTargetHandle } from "../residency";

/** Tag on every health check: the workload stack whose Gateway it probes (the pack reads it). */
export const TARGET_STACK_TAG = "meridian-target-stack";
export const TENANT_TAG = "meridian-tenant";

/** (Optional) Health check settings of every failover target. */
export const healthCheckSchema = z.strictObject({
  /** (Optional) HTTPS path probed on each Gateway. Defaults to `/healthz`. */
  path: z.string().regex(/^\/[^\s]*$/, "an absolute path such as /healthz").default("/healthz"),
  /** (Optional) Port. Defaults to 443 (HTTPS only: the Gateway redirects HTTP). */
  port: z.int().min(1).max(65535).default(443),
  /** (Optional) Seconds between probes, 10 or 30 (Route 53's two intervals). Defaults to 30. */
  intervalSeconds: z.union([z.literal(10), z.literal(30)]).default(30),
  /** (Optional) Consecutive failures before a target is unhealthy, 1–10. Defaults to 3. */
  failureThreshold: z.int().min(1).max(10).default(3),
});
export type HealthCheckSettings = z.infer<typeof healthCheckSchema>;

/** One failover record as configured (`meridian:dns.records[]`). */
export const failoverRecordSchema = z.strictObject({
  /** (Required) The tenant's public name, inside the zone. */
  hostname: z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, "a lower-case FQDN such as pay.eu.example.com"),
  /** (Required) The tenant it belongs to (must be placed on both stacks). */
  tenant: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "a DNS-1123 label"),
  /** (Required) Workload stack answering while healthy. */
  primary: z.string().min(1),
  /** (Required) Workload stack of another cloud of the same domain, answering when the primary is unhealthy. */
  secondary: z.string().min(1),
});
export type FailoverRecordSettings = z.infer<typeof failoverRecordSchema>;

/** `meridian:dns` of a dns stack. */
export const dnsSettingsSchema = z.strictObject({
  /** (Required) The domain's public zone, e.g. `eu.meridian.example.com`. */
  zone: z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, "a lower-case DNS zone name"),
  /** (Optional) An existing Route 53 hosted zone id. Defaults to creating the zone in this stack. */
  zoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, "a Route 53 hosted zone id (Z...)").optional(),
  /** (Optional) TTL of the failover records in seconds, 30–300. Defaults to 60 (bounds the failover's client-side delay). */
  ttl: z.int().min(30).max(300).default(60),
  healthCheck: healthCheckSchema.default(healthCheckSchema.parse({})),
  /** (Optional) The failover records. Defaults to none. */
  records: z.array(failoverRecordSchema).default([]),
});
export type DnsSettings = z.infer<typeof dnsSettingsSchema>;

/** A failover pair with resident targets of one domain `D`. */
export interface FailoverRecord<D extends Domain> {
  readonly hostname: string;
  readonly tenant: string;
  readonly primary: GatewayTargetHandle<D>;
  readonly secondary: GatewayTargetHandle<D>;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isIpv4(address: string): boolean {
  const m = IPV4.exec(address);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255);
}

/** The record type for an address: A for an IPv4 address, CNAME for a load balancer's name. */
export function recordType(address: string): "A" | "CNAME" {
  return isIpv4(address) ? "A" : "CNAME";
}

/** Pure validation; every problem at once. */
export function validateFailover(domain: Domain, zone: string, records: readonly FailoverRecord<Domain>[]): { propertyPath: string; reason: string }[] {
  const problems: { propertyPath: string; reason: string }[] = [];
  const seen = new Set<string>();
  records.forEach((r, i) => {
    const at = `records[${i}]`;
    if (r.hostname !== zone && !r.hostname.endsWith(`.${zone}`)) problems.push({ propertyPath: `${at}.hostname`, reason: `"${r.hostname}" is not inside the zone ${zone}` });
    if (seen.has(r.hostname)) problems.push({ propertyPath: `${at}.hostname`, reason: `"${r.hostname}" has two failover records` });
    seen.add(r.hostname);
    for (const side of ["primary", "secondary"] as const) {
      const t = r[side];
      if (t.domain !== domain) problems.push({ propertyPath: `${at}.${side}`, reason: `${t.stack} is in domain ${t.domain}; a ${domain} name fails over only inside ${domain}` });
      if (t.address.length === 0) problems.push({ propertyPath: `${at}.${side}`, reason: `${t.stack} exports no Gateway address` });
      if (recordType(t.address) === "CNAME" && r.hostname === zone) problems.push({ propertyPath: `${at}.hostname`, reason: `the zone apex cannot be a CNAME to ${t.address}` });
    }
    if (r.primary.stack === r.secondary.stack) problems.push({ propertyPath: `${at}.secondary`, reason: `primary and secondary are both ${r.primary.stack}` });
    else if (r.primary.cloud === r.secondary.cloud) problems.push({ propertyPath: `${at}.secondary`, reason: `primary and secondary are both on ${r.primary.cloud}; fail over to another cloud of the domain` });
  });
  return problems;
}
