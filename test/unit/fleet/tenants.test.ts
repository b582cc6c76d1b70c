/**
 * fleet.yaml `tenants:` at the edge: schema and cross-checks against the fleet. Every refusal
 * names fleet.yaml and the key, on one line, and the plan exits 2 (through the real command).
 * The old per-cluster `meridian:cluster.tenants` is refused with where tenants live now.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { runPlanCommand } from "../../../automation/commands/plan";
import { FleetConfigErrors, hostsOverlap, loadFleet, tenantsOnStack } from "../../../automation/fleet";
import { fleetDir, readReference } from "../../support/fleetDir";

type Tenants = Record<string, Record<string, Record<string, unknown>>>;

/** The reference fleet.yaml with its `tenants:` edited. */
function withTenants(edit: (t: Tenants) => void): Record<string, string> {
  const doc = parse(readReference("fleet.yaml")) as { tenants: Tenants };
  edit(doc.tenants);
  return { "fleet.yaml": stringify(doc) };
}

function refusal(edits: Record<string, string>): string {
  try {
    loadFleet(fleetDir(edits));
  } catch (e) {
    if (e instanceof FleetConfigErrors) return e.message;
    throw e;
  }
  throw new Error("expected the fleet to be refused");
}

describe("the reference tenants", () => {
  it("one tenant per domain, on that domain's workload stacks only, namespaces defaulted", () => {
    const fleet = loadFleet(path.resolve(__dirname, "../../../stacks"));
    for (const d of ["eu", "us"] as const) {
      expect(fleet.settings.tenants[d].map((t) => t.name)).toEqual(["payments"]);
      const t = fleet.settings.tenants[d][0];
      expect(t.namespaces).toEqual(["payments"]);
      for (const c of t.clusters) expect(fleet.stacks.get(c)).toMatchObject({ domain: d, role: "workload" });
      expect(tenantsOnStack(fleet.settings.tenants, d, `${d}-workload-gcp`).map((x) => x.name)).toEqual(["payments"]);
      expect(tenantsOnStack(fleet.settings.tenants, d, `${d}-mgmt`)).toEqual([]);
    }
  });
});

it("a partial fleet (none of a domain's workload stacks present) loads with the reference fleet.yaml", () => {
  const dir = fleetDir();
  for (const f of fs.readdirSync(dir)) if (f.startsWith("Pulumi.") && !f.includes("-pki")) fs.rmSync(path.join(dir, f));
  expect([...loadFleet(dir).stacks.keys()].sort()).toEqual(["eu-pki", "us-pki"]);
});

it("host names overlap when equal or covered by a wildcard, not otherwise", () => {
  expect(hostsOverlap("a.example.com", "a.example.com")).toBe(true);
  expect(hostsOverlap("*.example.com", "a.b.example.com")).toBe(true);
  expect(hostsOverlap("a.example.com", "*.example.com")).toBe(true);
  expect(hostsOverlap("*.example.com", "*.example.com")).toBe(true);
  expect(hostsOverlap("*.example.com", "example.com")).toBe(false);
  expect(hostsOverlap("a.example.com", "b.example.com")).toBe(false);
  expect(hostsOverlap("*.a.example.com", "*.b.example.com")).toBe(false);
});

describe("bad input: exit 2 naming fleet.yaml and the key", () => {
  it.each<[string, (t: Tenants) => void, string, RegExp]>([
    ["a cluster of the other domain", (t) => (t.eu.payments.clusters = ["eu-workload-aws", "us-workload-aws"]), "tenants.eu.payments.clusters.1", /is in domain us; a eu tenant lands only on eu workload stacks/],
    ["a management stack", (t) => (t.eu.payments.clusters = ["eu-mgmt"]), "tenants.eu.payments.clusters.0", /is a management stack/],
    ["a stack that does not exist", (t) => (t.us.payments.clusters = ["us-workload-oracle"]), "tenants.us.payments.clusters.0", /no stack "us-workload-oracle"/],
    ["egress into the other domain's node pool", (t) => (t.eu.payments.egress = [{ cidr: "10.64.0.0/16", ports: [443] }]), "tenants.eu.payments.egress.0.cidr", /overlaps domain us's nodes pool 10.64.0.0\/10/],
    ["egress into the other domain's pod pool", (t) => (t.us.payments.egress = [{ cidr: "100.64.0.0/12", ports: [443] }]), "tenants.us.payments.egress.0.cidr", /overlaps domain eu's pods pool/],
    [
      "a service in another tenant's namespace",
      (t) => {
        t.eu.ledger = { team: "ledger", developersGroup: "eu-ledger", clusters: ["eu-workload-aws"] };
        t.eu.payments.services = [{ namespace: "ledger", service: "api", ports: [443] }];
      },
      "tenants.eu.payments.services.0.namespace",
      /tenant ledger's namespace; tenants reach another tenant only through the Gateway/,
    ],
    [
      "a hostname another tenant claimed",
      (t) => (t.eu.ledger = { team: "ledger", developersGroup: "eu-ledger", clusters: ["eu-workload-aws"], hostnames: ["pay.apps.eu.meridian.example"] }),
      "tenants.eu.ledger.hostnames.0",
      /already claimed by tenant payments in domain eu/,
    ],
    [
      "a wildcard covering another tenant's hostname",
      (t) => (t.eu.ledger = { team: "ledger", developersGroup: "eu-ledger", clusters: ["eu-workload-aws"], hostnames: ["*.apps.eu.meridian.example"] }),
      "tenants.eu.ledger.hostnames.0",
      /overlaps "pay.apps.eu.meridian.example", already claimed by tenant payments/,
    ],
    [
      "a namespace another tenant has on the same cluster",
      (t) => (t.eu.ledger = { team: "ledger", developersGroup: "eu-ledger", clusters: ["eu-workload-aws"], namespaces: ["payments"] }),
      "tenants.eu.ledger.namespaces.0",
      /namespace "payments" on eu-workload-aws already belongs to tenant payments/,
    ],
    ["a reserved namespace", (t) => (t.eu.payments.namespaces = ["kube-system"]), "tenants.eu.payments.namespaces.0", /reserved/],
  ])("refuses %s", (_label, edit, key, detail) => {
    const msg = refusal(withTenants(edit));
    expect(msg).toMatch(new RegExp(`fleet\\.yaml: ${key.replace(/[.[\]]/g, "\\$&")}: `));
    expect(msg).toMatch(detail);
    expect(msg.split("\n")).toHaveLength(1);
  });

  it.each<[string, (t: Tenants) => void, RegExp]>([
    ["a CIDR with host bits", (t) => (t.eu.payments.egress = [{ cidr: "203.0.113.7/24", ports: [443] }]), /tenants\.eu\.payments\.egress\.0.*network address/],
    ["a CIDR wider than /8", (t) => (t.eu.payments.egress = [{ cidr: "0.0.0.0/0", ports: [443] }]), /tenants\.eu\.payments\.egress\.0.*no allowlist/],
    ["an unknown key", (t) => (t.eu.payments.registry = "us.gcr.io/x/"), /tenants\.eu\.payments.*registry/],
    ["a tenant name too long for cloud identities", (t) => (t.eu["a-very-long-tenant-name-indeed"] = t.eu.payments), /tenants\.eu/],
  ])("refuses %s (schema)", (_label, edit, detail) => {
    expect(refusal(withTenants(edit))).toMatch(detail);
  });

  it("the old meridian:cluster.tenants is refused with where tenants live now", () => {
    const f = "Pulumi.eu-workload-aws.yaml";
    const text = readReference(f).replace("    workloadPools:", "    tenants:\n      - { name: payments, team: payments, developersGroup: g }\n    workloadPools:");
    const msg = refusal({ [f]: text });
    expect(msg).toContain(`${f}: meridian:cluster.tenants: moved: tenants are declared once per domain in fleet.yaml under tenants.<domain>.<tenant>`);
  });

  it("the plan exits 2 with one line, not a stack trace", async () => {
    const err: string[] = [];
    const dir = fleetDir(withTenants((t) => (t.eu.payments.clusters = ["us-workload-gcp"])));
    const code = await runPlanCommand({ stacksDir: dir, json: true }, { out: () => undefined, err: (s) => void err.push(s) });
    expect(code).toBe(2);
    const text = err.join("");
    expect(text).toMatch(/fleet\.yaml: tenants\.eu\.payments\.clusters\.0: stack "us-workload-gcp" is in domain us/);
    expect(text).not.toMatch(/^\s+at |\.ts:\d+:\d+/m);
  });
});
