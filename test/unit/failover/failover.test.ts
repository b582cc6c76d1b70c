/**
 * DnsFailover under mocks: Route 53 failover records (PRIMARY/SECONDARY) for a tenant's name,
 * each with an HTTPS health check against its own Gateway, tagged with the target stack; the
 * validation refuses targets of another domain, the same cloud twice, names outside the zone.
 */
import { findAll, installMocks, settle, valueOf } from "../../support/mocks";
import * as aws from "@pulumi/aws";
import { DnsFailover, dnsSettingsSchema, recordType, validateFailover, type FailoverRecord } from "../../../components/failover";
import { claimResident, type GatewayTargetHandle } from "../../../components/residency";

const cloud = installMocks();

function gateway<D extends "eu" | "us">(domain: D, stack: string, c: "aws" | "gcp" | "azure", address: string): GatewayTargetHandle<D> {
  return claimResident(domain, { stack, cloud: c, region: c === "aws" ? "eu-central-1" : c === "gcp" ? "europe-west1" : "westeurope", address });
}

const AWS_GW = gateway("eu", "eu-workload-aws", "aws", "k8s-gw-0123456789.elb.eu-central-1.amazonaws.com");
const GCP_GW = gateway("eu", "eu-workload-gcp", "gcp", "34.77.1.2");
const US_GW = gateway("us", "us-workload-gcp", "gcp", "35.1.2.3");

describe("DnsFailover", () => {
  it("creates a hosted zone, one health check per Gateway and PRIMARY/SECONDARY records linked to them", async () => {
    const provider = new aws.Provider("dns-aws", { region: "eu-central-1" });
    const f = new DnsFailover(
      "eu-dns",
      { domain: "eu", zone: "eu.example.com", records: [{ hostname: "pay.eu.example.com", tenant: "payments", primary: AWS_GW, secondary: GCP_GW }] },
      { providers: [provider] },
    );
    const zoneId = await valueOf(f.zoneId);
    await settle();
    const checks = findAll(cloud, "aws:route53/healthCheck:HealthCheck").filter((r) => r.name.startsWith("eu-dns"));
    expect(checks).toHaveLength(2);
    const [primaryCheck, secondaryCheck] = checks;
    expect(primaryCheck.inputs).toMatchObject({ type: "HTTPS", fqdn: AWS_GW.address, port: 443, resourcePath: "/healthz", requestInterval: 30, failureThreshold: 3, enableSni: true });
    expect((primaryCheck.inputs.tags as Record<string, string>)["meridian-target-stack"]).toBe("eu-workload-aws");
    // An IP target is probed by address with the tenant's name as Host/SNI.
    expect(secondaryCheck.inputs).toMatchObject({ ipAddress: "34.77.1.2", fqdn: "pay.eu.example.com" });
    expect((secondaryCheck.inputs.tags as Record<string, string>)["meridian-target-stack"]).toBe("eu-workload-gcp");
    expect((secondaryCheck.inputs.tags as Record<string, string>).residency).toBe("eu");

    const records = findAll(cloud, "aws:route53/record:Record").filter((r) => r.name.startsWith("eu-dns"));
    expect(records.map((r) => [r.inputs.type, r.inputs.records, r.inputs.setIdentifier, r.inputs.failoverRoutingPolicies])).toEqual([
      ["CNAME", [AWS_GW.address], "eu-workload-aws", [{ type: "PRIMARY" }]],
      ["A", ["34.77.1.2"], "eu-workload-gcp", [{ type: "SECONDARY" }]],
    ]);
    const checkIds = await Promise.all(f.records.flatMap((r) => [valueOf(r.primary.healthCheckId), valueOf(r.secondary.healthCheckId)]));
    expect(records.map((r) => r.inputs.healthCheckId)).toEqual(checkIds);
    expect(new Set(checkIds).size).toBe(2);
    for (const r of records) expect([r.inputs.zoneId, r.inputs.ttl, r.inputs.name]).toEqual([zoneId, 60, "pay.eu.example.com"]);
  });

  it("refuses another domain's Gateway at run time (behind the type), same-cloud pairs and names outside the zone", () => {
    const problems = validateFailover("eu", "eu.example.com", [
      { hostname: "pay.us.example.com", tenant: "p", primary: AWS_GW, secondary: US_GW as unknown as GatewayTargetHandle<"eu"> },
      { hostname: "ok.eu.example.com", tenant: "p", primary: GCP_GW, secondary: gateway("eu", "eu-workload-gcp2", "gcp", "34.0.0.1") },
    ] as FailoverRecord<"eu">[]);
    expect(problems).toEqual([
      { propertyPath: "records[0].hostname", reason: '"pay.us.example.com" is not inside the zone eu.example.com' },
      { propertyPath: "records[0].secondary", reason: "us-workload-gcp is in domain us; a eu name fails over only inside eu" },
      { propertyPath: "records[1].secondary", reason: "primary and secondary are both on gcp; fail over to another cloud of the domain" },
    ]);
    expect(() => new DnsFailover("bad", { domain: "eu", zone: "eu.example.com", records: [{ hostname: "a.eu.example.com", tenant: "p", primary: AWS_GW, secondary: US_GW as unknown as GatewayTargetHandle<"eu"> }] })).toThrow(/invalid arguments/);
  });

  it("chooses A for IPv4 and CNAME for names; settings default and validate", () => {
    expect([recordType("10.0.0.1"), recordType("300.1.1.1"), recordType("lb.example.com")]).toEqual(["A", "CNAME", "CNAME"]);
    expect(dnsSettingsSchema.parse({ zone: "eu.example.com" })).toEqual({ zone: "eu.example.com", ttl: 60, healthCheck: { path: "/healthz", port: 443, intervalSeconds: 30, failureThreshold: 3 }, records: [] });
    expect(dnsSettingsSchema.safeParse({ zone: "eu.example.com", healthCheck: { intervalSeconds: 15 } }).success).toBe(false);
  });
});
