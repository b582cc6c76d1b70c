/** Bad input to the exposure path: refused with the field named, before anything reaches a cluster or a chart. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { loadFleetSettings } from "../../../automation/fleet/settings";
import { FleetConfigError } from "../../../automation/fleet/errors";
import {
  certManagerValues,
  certManagerValuesSchema,
  envoyGatewayValues,
  envoyGatewayValuesSchema,
  IMAGES,
  tierOf,
  trustManagerValues,
  validateGatewaySpec,
  type GatewaySpec,
} from "../../../components/gateway/spec";
import { GATEWAY_SPEC } from "./fixtures";
import { validateResidencyPkiArgs } from "../../../components/pki";

const EU = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/";
const US = "123456789012.dkr.ecr.us-east-1.amazonaws.com/";

const base = GATEWAY_SPEC;
const problems = (s: Partial<GatewaySpec>) => validateGatewaySpec({ ...base, ...s }).map((p) => `${p.propertyPath}: ${p.reason}`);

describe("validateGatewaySpec", () => {
  it("accepts the reference shape", () => expect(problems({})).toEqual([]));

  it("places hostnames by zone and refuses one outside every zone of the domain", () => {
    expect(tierOf("pay.apps.eu.example.com", base.zones)).toEqual({ tier: "external" });
    expect(tierOf("*.x.eu.internal.example", base.zones)).toEqual({ tier: "internal" });
    // A suffix match on a label boundary only: "evilapps.eu.example.com" is not under "apps.eu.example.com".
    expect(tierOf("evilapps.eu.example.com", base.zones)).toHaveProperty("problem");
    expect(problems({ tenants: [{ ...base.tenants[0], hostnames: ["pay.apps.us.example.com"] }] })).toEqual([
      'tenants[0].hostnames[0]: "pay.apps.us.example.com" is under none of the domain\'s exposure zones (apps.eu.example.com, eu.internal.example)',
    ]);
  });

  it("refuses a hostname two tenants claim, and a malformed one", () => {
    const t2 = { name: "search", developersGroup: "s", namespaces: ["search"], hostnames: ["pay.apps.eu.example.com", "Bad_Host"] };
    expect(problems({ tenants: [base.tenants[0], t2] })).toEqual([
      'tenants[1].hostnames[0]: "pay.apps.eu.example.com" is already claimed by tenant "payments"',
      'tenants[1].hostnames[1]: "Bad_Host" is not a lower-case hostname (a leading "*." wildcard is allowed)',
    ]);
  });

  it("refuses ACME without egress CIDRs or over http, and a public wildcard under ACME HTTP-01", () => {
    const acme = { server: "http://acme.example.org/dir", email: "x@example.com", egressCidrs: [] };
    expect(problems({ acme, tenants: [{ ...base.tenants[0], hostnames: ["*.apps.eu.example.com"] }] })).toEqual([
      'tenants[0].hostnames[0]: "*.apps.eu.example.com" is a wildcard on the external Gateway, which uses ACME HTTP-01 (no wildcards); list the names',
      'acme.server: "http://acme.example.org/dir" must be an https:// ACME directory URL',
      "acme.egressCidrs: name the ACME server's CIDRs: cert-manager gets no other internet egress",
    ]);
    expect(problems({ acme: { ...acme, server: "https://a.example.org/d", egressCidrs: ["0.0.0.0/0"] } })).toEqual(['acme.egressCidrs[0]: "0.0.0.0/0" must be an IPv4 CIDR of /8 or narrower']);
  });

  it("refuses more listeners than Gateway API allows, and fewer than two proxies", () => {
    const many = Array.from({ length: 64 }, (_, i) => `h${i}.apps.eu.example.com`);
    expect(problems({ tenants: [{ ...base.tenants[0], hostnames: many }], replicas: 1 })).toEqual([
      "tenants: the external Gateway would have 65 listeners, above Gateway API's 64",
      "replicas: at least 2 proxies per Gateway, got 1",
    ]);
  });
});

describe("Helm values", () => {
  it("are built from the domain registry, pinned by digest", () => {
    const v = envoyGatewayValues(EU);
    expect(v.global.images.envoyGateway.image).toBe(`${EU}${IMAGES.envoyGateway.repository}@${IMAGES.envoyGateway.digest}`);
    expect(trustManagerValues(EU).defaultPackage.enabled).toBe(false);
  });

  it("refuse an image from another registry, a tag instead of a digest, or an unknown key", () => {
    const v = envoyGatewayValues(EU);
    expect(envoyGatewayValuesSchema(US).safeParse(v).success).toBe(false);
    const tagged = structuredClone(v);
    tagged.global.images.ratelimit.image = `${EU}envoyproxy/ratelimit:latest`;
    const r = envoyGatewayValuesSchema(EU).safeParse(tagged);
    expect(r.success ? "" : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual(["global.images.ratelimit.image: pinned by digest (@sha256:...)"]);
    expect(envoyGatewayValuesSchema(EU).safeParse({ ...v, extra: true }).success).toBe(false);
    expect(certManagerValuesSchema(EU).safeParse({}).success).toBe(false);
    const foreign = structuredClone(certManagerValues(EU));
    foreign.webhook.image.repository = `${US}jetstack/cert-manager-webhook`;
    const cm = certManagerValuesSchema(EU).safeParse(foreign);
    expect(cm.success ? "" : cm.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([`webhook.image: an image from the domain registry ${EU}`]);
    expect(certManagerValuesSchema(EU).safeParse(certManagerValues(EU)).success).toBe(true);
  });
});

describe("fleet.yaml exposure", () => {
  function settingsWith(doc: Record<string, unknown>) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "exposure-"));
    // A domain with tenants needs its GitOps source (automation/fleet/gitops.ts); not what this test is about.
    fs.writeFileSync(path.join(dir, "fleet.yaml"), stringify({ gitops: { eu: { repoURL: "https://git.eu.example.com/tenants/{tenant}.git" }, us: { repoURL: "https://git.us.example.com/tenants/{tenant}.git" } }, ...doc }));
    return () => loadFleetSettings(dir);
  }
  const tenant = (hostnames: string[]) => ({ team: "payments", developersGroup: "g", clusters: ["eu-workload-aws"], hostnames });

  it("reads zones per domain and defaults the intermediate to `gateway`", () => {
    const s = settingsWith({ exposure: { eu: { zones: { external: ["apps.eu.example.com"] } } }, tenants: { eu: { payments: tenant(["pay.apps.eu.example.com"]) } } })();
    expect(s.exposure.eu).toEqual({ zones: { external: ["apps.eu.example.com"], internal: [] }, issuerIntermediate: "gateway" });
    expect(s.exposure.us.zones).toEqual({ external: [], internal: [] });
  });

  it("refuses a tenant hostname outside its domain's zones, naming file and key (exit 2 at the CLI)", () => {
    // A US zone does not make a name valid for an EU tenant.
    const load = settingsWith({ exposure: { us: { zones: { external: ["apps.us.example.com"] } } }, tenants: { eu: { payments: tenant(["pay.apps.us.example.com"]) } } });
    expect(load).toThrow(FleetConfigError);
    expect(load).toThrow(/fleet\.yaml: tenants\.eu\.payments\.hostnames\[0\]: "pay\.apps\.us\.example\.com" is under none of the domain's exposure zones \(none configured.*\) of domain eu$/);
  });

  it("refuses a zone that is both external and internal, and ACME over http", () => {
    expect(settingsWith({ exposure: { eu: { zones: { external: ["a.example.com"], internal: ["a.example.com"] } } } })).toThrow(/exposure\.eu\.zones: "a\.example\.com" is both/);
    expect(settingsWith({ exposure: { eu: { acme: { server: "http://acme.example.org", email: "a@example.com", egressCidrs: ["203.0.113.0/24"] } } } })).toThrow(/exposure\.eu\.acme\.server/);
  });
});

describe("pki retiringRoots", () => {
  const pem = (body: string) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
  it("accepts up to two distinct PEM certificates", () => {
    expect(validateResidencyPkiArgs({ domain: "eu", retiringRoots: [pem("QUFB"), pem("QkJC")] })).toEqual([]);
  });
  it("refuses a non-certificate, a duplicate and a third root", () => {
    const reasons = (r: string[]) => validateResidencyPkiArgs({ domain: "eu", retiringRoots: r }).map((p) => p.propertyPath);
    expect(reasons(["-----BEGIN EC PRIVATE KEY-----\nQUFB\n-----END EC PRIVATE KEY-----\n"])).toEqual(["retiringRoots[0]"]);
    expect(reasons([pem("QUFB"), pem("QUFB")])).toEqual(["retiringRoots"]);
    expect(reasons([pem("QUFB"), pem("QkJC"), pem("Q0ND")])).toEqual(["retiringRoots"]);
  });
});
