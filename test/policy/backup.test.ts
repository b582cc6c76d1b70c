/**
 * The backup and failover policies beyond the coverage cases: unknown values at preview are
 * advisory (never a silent pass), a bucket reached only through a dependency is still judged,
 * a failover record without its health check and a target outside the fleet are refused, and
 * the whole pack accepts what ClusterBackup and DnsFailover create.
 */
import { regionOfTargetHost } from "../../policy-pack/policies/backup";
import { advisory, awsEu, EU, k8sEu, mandatory, res, run, UNKNOWN, type Provider } from "./harness";
import type { PackConfig } from "../../policy-pack/evaluate";

const FLEET: PackConfig = { ...EU, stackDomains: { "eu-workload-aws": "eu", "eu-workload-gcp": "eu", "us-workload-gcp": "us" } };
const LOCATION = "meridian-residency-backup-location-in-domain";
const FAILOVER = "meridian-residency-failover-target-in-domain";

function bucket(p: Provider = awsEu) {
  return res("aws:s3/bucket:Bucket", "b", { bucket: "meridian-eu-c-backup" }, { provider: p });
}

describe("meridian-residency-backup-location-in-domain", () => {
  it("judges the bucket found through the location's dependency when its name is unknown at preview", () => {
    const b = bucket();
    const loc = res("kubernetes:velero.io/v1:BackupStorageLocation", "loc", { metadata: { name: "domain" }, spec: { provider: "aws", objectStorage: { bucket: UNKNOWN }, config: { region: "eu-central-1" } } }, { provider: k8sEu, propertyDependencies: { spec: [b.urn] } });
    expect(run(LOCATION, [b, loc]).filter((v) => v.policy === LOCATION)).toEqual([]);
  });

  it("is advisory, not a pass, when neither name nor dependency tells the bucket", () => {
    const loc = res("kubernetes:velero.io/v1:BackupStorageLocation", "loc", { metadata: { name: "domain" }, spec: { provider: "aws", objectStorage: { bucket: UNKNOWN }, config: { region: "eu-central-1" } } }, { provider: k8sEu });
    const vs = run(LOCATION, [loc]).filter((v) => v.policy === LOCATION);
    expect(mandatory(vs)).toEqual([]);
    expect(advisory(vs)).toHaveLength(1);
  });

  it("refuses a custom s3Url (an endpoint whose place cannot be proven) and an unknown provider", () => {
    const loc = res("kubernetes:velero.io/v1:BackupStorageLocation", "loc", { metadata: { name: "domain" }, spec: { provider: "aws", objectStorage: { bucket: "meridian-eu-c-backup" }, config: { region: "eu-central-1", s3Url: "https://minio.example.com" } } }, { provider: k8sEu });
    const odd = res("kubernetes:velero.io/v1:BackupStorageLocation", "odd", { metadata: { name: "odd" }, spec: { provider: "community.example/minio", objectStorage: { bucket: "x" } } }, { provider: k8sEu });
    const messages = mandatory(run(LOCATION, [bucket(), loc, odd])).map((v) => v.message);
    expect(messages.some((m) => m.includes("s3Url"))).toBe(true);
    expect(messages.some((m) => m.includes("not an object store meridian can place"))).toBe(true);
  });
});

describe("meridian-residency-failover-target-in-domain", () => {
  const check = res("aws:route53/healthCheck:HealthCheck", "hc", { type: "HTTPS", ipAddress: "34.77.1.2", fqdn: "pay.eu.example.com", tags: { "meridian-target-stack": "eu-workload-gcp" } }, { provider: awsEu });
  const rec = (props: Record<string, unknown>, linked = true) =>
    res("aws:route53/record:Record", "rec", { name: "pay.eu.example.com", type: "A", records: ["34.77.1.2"], setIdentifier: "eu-workload-gcp", failoverRoutingPolicies: [{ type: "SECONDARY" }], healthCheckId: "hc-1", ...props }, { provider: awsEu, ...(linked ? { propertyDependencies: { healthCheckId: [check.urn] } } : {}) });

  it("passes an in-domain pair with its health check", () => {
    expect(run(FAILOVER, [check, rec({})], FLEET).filter((v) => v.policy === FAILOVER)).toEqual([]);
  });

  it("refuses a record whose set identifier is another domain's stack, or not a stack of the fleet", () => {
    expect(mandatory(run(FAILOVER, [check, rec({ setIdentifier: "us-workload-gcp" })], FLEET))[0].message).toMatch(/"us-workload-gcp" is in domain us/);
    expect(mandatory(run(FAILOVER, [check, rec({ setIdentifier: "somewhere" })], FLEET))[0].message).toMatch(/not a stack of the fleet/);
  });

  it("refuses a failover record without a health check of this stack, and a health check without its target tag", () => {
    expect(mandatory(run(FAILOVER, [check, rec({}, false)], FLEET))[0].message).toMatch(/needs healthCheckId from a health check of this stack/);
    const untagged = res("aws:route53/healthCheck:HealthCheck", "hc2", { type: "HTTPS", fqdn: "x.elb.eu-central-1.amazonaws.com", tags: {} }, { provider: awsEu });
    expect(mandatory(run(FAILOVER, [untagged], FLEET))[0].message).toMatch(/must name the workload stack/);
  });

  it("ignores simple records (no failover policy)", () => {
    const plain = res("aws:route53/record:Record", "txt", { name: "_acme.eu.example.com", type: "TXT", records: ["x"] }, { provider: awsEu });
    expect(run(FAILOVER, [plain], FLEET).filter((v) => v.policy === FAILOVER)).toEqual([]);
  });

  it("reads the region a load balancer's name proves", () => {
    expect(regionOfTargetHost("k8s-gw-abc-123.elb.eu-central-1.amazonaws.com")).toEqual({ cloud: "aws", region: "eu-central-1" });
    expect(regionOfTargetHost("gw.westeurope.cloudapp.azure.com.")).toEqual({ cloud: "azure", region: "westeurope" });
    expect(regionOfTargetHost("34.77.1.2")).toBeUndefined();
  });
});
