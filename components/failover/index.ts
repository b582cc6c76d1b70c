/**
 * DnsFailover: the domain's one DNS authority (Route 53, ADR-9) answering each tenant's
 * public name with health-checked failover records: PRIMARY → the Gateway of one workload
 * cloud, SECONDARY → the Gateway of another cloud of the same domain. Each target gets an
 * HTTPS health check against its Gateway; Route 53 answers with the secondary only while
 * the primary's check fails.
 *
 * Generic in the domain `D`: every target is a {@link GatewayTargetHandle} of that `D`, so a
 * US Gateway as the failover target of an EU name does not compile; the run-time check and
 * the pack (`meridian-residency-failover-target-in-domain`) back it up.
 */
import * as aws from "../sdk/aws";
import * as pulumi from "@pulumi/pulumi";
import { assertSameDomain, residentTags, type Domain } from "../residency";
import { healthCheckSchema, isIpv4, recordType, TARGET_STACK_TAG, TENANT_TAG, validateFailover, type FailoverRecord, type HealthCheckSettings } from "./spec";

export * from "./spec";

export interface DnsFailoverArgs<D extends Domain> {
  /** (Required) The residency domain; every target must be of it. */
  readonly domain: D;
  /** (Required) The domain's public zone name. */
  readonly zone: string;
  /** (Optional) An existing hosted zone id. Defaults to creating a public hosted zone for `zone`. */
  readonly zoneId?: pulumi.Input<string>;
  /** (Optional) Failover records. Defaults to none. */
  readonly records?: readonly FailoverRecord<NoInfer<D>>[];
  /** (Optional) TTL of the records in seconds. Defaults to 60. */
  readonly ttl?: number;
  /** (Optional) Health check settings. Defaults to HTTPS `/healthz` on 443 every 30s, 3 failures. */
  readonly healthCheck?: Partial<HealthCheckSettings>;
  /** (Optional) Tags for every child. Defaults to none. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** What one failover record became. */
export interface FailoverRecordOutput {
  readonly hostname: string;
  readonly tenant: string;
  readonly primary: { readonly stack: string; readonly cloud: string; readonly healthCheckId: pulumi.Output<string> };
  readonly secondary: { readonly stack: string; readonly cloud: string; readonly healthCheckId: pulumi.Output<string> };
}

export class DnsFailover<D extends Domain> extends pulumi.ComponentResource {
  readonly zoneId: pulumi.Output<string>;
  readonly nameServers: pulumi.Output<string[]>;
  readonly records: readonly FailoverRecordOutput[];

  constructor(name: string, args: DnsFailoverArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:failover:DnsFailover", name, {}, opts);
    const records = args.records ?? [];
    const problems = validateFailover(args.domain, args.zone, records);
    const health = healthCheckSchema.safeParse(args.healthCheck ?? {});
    if (!health.success) health.error.issues.forEach((i) => problems.push({ propertyPath: `healthCheck.${i.path.join(".")}`, reason: i.message }));
    if (problems.length > 0 || !health.success) throw new pulumi.InputPropertiesError({ message: `DnsFailover ${name}: invalid arguments`, errors: problems });
    for (const r of records) {
      assertSameDomain(args.domain, r.primary, `failover target ${r.primary.stack} of ${r.hostname}`);
      assertSameDomain(args.domain, r.secondary, `failover target ${r.secondary.stack} of ${r.hostname}`);
    }
    const tags = residentTags(args.domain, args.tags);
    const o = { parent: this };
    let nameServers: pulumi.Output<string[]> = pulumi.output([]);
    if (args.zoneId !== undefined) {
      this.zoneId = pulumi.output(args.zoneId);
    } else {
      const zone = new aws.route53.Zone(`${name}-zone`, { name: args.zone, comment: `meridian ${args.domain} public names (DNS authority of the domain)`, forceDestroy: false, tags }, o);
      this.zoneId = zone.zoneId;
      nameServers = zone.nameServers;
    }
    this.nameServers = nameServers;
    const ttl = args.ttl ?? 60;
    this.records = records.map((r, i) => {
      // Index-based names: reordering tenants' names must not replace the others.
      const side = (role: "PRIMARY" | "SECONDARY") => {
        const t = role === "PRIMARY" ? r.primary : r.secondary;
        const id = `${name}-${i}-${role.toLowerCase()}`;
        const check = new aws.route53.HealthCheck(
          `${id}-check`,
          {
            type: "HTTPS",
            ...(isIpv4(t.address) ? { ipAddress: t.address, fqdn: r.hostname } : { fqdn: t.address }),
            port: health.data.port,
            resourcePath: health.data.path,
            requestInterval: health.data.intervalSeconds,
            failureThreshold: health.data.failureThreshold,
            enableSni: true,
            measureLatency: false,
            tags: { ...tags, [TARGET_STACK_TAG]: t.stack, [TENANT_TAG]: r.tenant, Name: `${r.hostname} ${role.toLowerCase()} ${t.stack}` },
          },
          o,
        );
        new aws.route53.Record(
          `${id}-record`,
          {
            zoneId: this.zoneId,
            name: r.hostname,
            type: recordType(t.address),
            ttl,
            records: [t.address],
            setIdentifier: t.stack,
            failoverRoutingPolicies: [{ type: role }],
            healthCheckId: check.id,
          },
          o,
        );
        return { stack: t.stack, cloud: t.cloud, healthCheckId: check.id };
      };
      return { hostname: r.hostname, tenant: r.tenant, primary: side("PRIMARY"), secondary: side("SECONDARY") };
    });
    this.registerOutputs({ zoneId: this.zoneId, nameServers: this.nameServers, records: this.records });
  }
}
