/**
 * The dns role: one stack per domain holding the domain's DNS authority (Route 53, ADR-9)
 * and the health-checked failover records of its tenants' public names. Each record's
 * primary and secondary are workload stacks of this domain (in `meridian:dependsOn`) whose
 * Gateway address is read from `services.exposure.externalAddress`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { RoleConfig } from "../../automation/fleet";
import { tenantsOnStack } from "../../automation/fleet/tenants";
import { DnsFailover, type FailoverRecord } from "../../components/failover";
import type { Domain, GatewayTargetHandle } from "../../components/residency";
import type { RoleContext } from "../context";

/** Is `tenant` placed on `stack` (fleet.yaml tenants, or the cluster's own `meridian:cluster.tenants`)? */
function tenantOn<D extends Domain>(ctx: RoleContext<D>, tenant: string, stack: string): boolean {
  return tenantsOnStack(ctx.fleet.settings.tenants, ctx.domain, stack).some((t) => t.name === tenant);
}

export async function dns<D extends Domain>(ctx: RoleContext<D>): Promise<Record<string, unknown>> {
  const spec = ctx.spec;
  const settings = (spec.config as RoleConfig<"dns">)["meridian:dns"];
  const problems: string[] = [];
  settings.records.forEach((r, i) => {
    for (const side of ["primary", "secondary"] as const) {
      const stack = r[side];
      const target = ctx.fleet.stacks.get(stack);
      if (target === undefined || target.role !== "workload") problems.push(`meridian:dns.records[${i}].${side}: "${stack}" is not a workload stack of the fleet`);
      else if (target.domain !== ctx.domain) problems.push(`meridian:dns.records[${i}].${side}: "${stack}" is in domain ${target.domain}; a ${ctx.domain} name fails over only inside ${ctx.domain}`);
      else if (!spec.dependsOn.includes(stack)) problems.push(`meridian:dns.records[${i}].${side}: add "${stack}" to meridian:dependsOn`);
      else if (!tenantOn(ctx, r.tenant, stack)) problems.push(`meridian:dns.records[${i}].${side}: tenant "${r.tenant}" is not placed on ${stack}`);
    }
  });
  if (problems.length > 0) throw new Error(`${spec.file}: ${problems.join("; ")}`);

  const gateways = new Map<string, GatewayTargetHandle<D> | undefined>();
  for (const stack of new Set(settings.records.flatMap((r) => [r.primary, r.secondary]))) gateways.set(stack, await ctx.refs.gateway(stack));

  const records: FailoverRecord<D>[] = [];
  const pending: { hostname: string; waitingFor: string[] }[] = [];
  for (const r of settings.records) {
    const primary = gateways.get(r.primary);
    const secondary = gateways.get(r.secondary);
    if (primary === undefined || secondary === undefined) {
      // No record until both Gateways have an address: a half-made failover pair would be a single point of failure that looks protected.
      const waitingFor = [r.primary, r.secondary].filter((s) => gateways.get(s) === undefined);
      pending.push({ hostname: r.hostname, waitingFor });
      void pulumi.log.warn(`${r.hostname}: no failover record yet: ${waitingFor.join(", ")} export(s) no services.exposure.externalAddress`);
      continue;
    }
    records.push({ hostname: r.hostname, tenant: r.tenant, primary, secondary });
  }
  const failover = new DnsFailover(
    `${spec.name}-failover`,
    { domain: ctx.domain, zone: settings.zone, zoneId: settings.zoneId, records, ttl: settings.ttl, healthCheck: settings.healthCheck, tags: ctx.tags },
    { providers: [ctx.provider("aws")] },
  );
  return {
    domain: ctx.domain,
    stack: spec.name,
    role: "dns",
    zone: settings.zone,
    zoneId: failover.zoneId,
    nameServers: failover.nameServers,
    records: failover.records.map((r) => ({ hostname: r.hostname, tenant: r.tenant, primary: r.primary, secondary: r.secondary })),
    pending,
  };
}
