/**
 * The tenant path on the REAL kube-apiserver: `fleet up` (real engine, policy pack loaded)
 * applies the baseline and two tenants from fleet.yaml `tenants.eu` to the EU local control
 * plane, then a tenant developer (impersonated: `--as`/`--as-group`) acts through the API
 * server's own RBAC and ValidatingAdmissionPolicies:
 *
 * - creates a Deployment in its namespace (no HTTPRoute involved);
 * - creates NetworkPolicies inside its limits (its CIDR allowlist, its own namespaces, the
 *   Gateway namespace, its declared services);
 * - is refused outside them: an ipBlock not on its allowlist, another tenant's namespace, an
 *   all-namespaces selector, an empty (allow-all) rule, the platform's own policies, and any
 *   NetworkPolicy in another tenant's namespace;
 * - while the platform (cluster-admin, holding the virtual bypass permission) is not bound.
 *
 * Skips LOUDLY when the engine is not built (see fleet.e2e.test.ts).
 */
import { describeRun, fleet, kubectl, makeProject, preflight, startControlPlane, type ControlPlane, type FleetRun, type Project } from "./harness";

const pre = preflight();
if (pre.missing.length > 0) {
  process.stderr.write(["", "=".repeat(78), "E2E TENANT SUITE SKIPPED — the real engine is not available:", ...pre.missing.map((m) => `  - missing ${m}`), "=".repeat(78), ""].join("\n"));
}
const suite = pre.missing.length > 0 ? describe.skip : describe;
if (pre.missing.length > 0 && process.env.MERIDIAN_E2E_REQUIRE === "1") {
  it("the real engine is available (MERIDIAN_E2E_REQUIRE=1)", () => {
    throw new Error(`missing: ${pre.missing.join("; ")}`);
  });
}

const DIGEST = "sha256:" + "b".repeat(64);
const DEV = ["--as", "e2e-payments-dev", "--as-group", "eu-payments-devs"];

function netpol(ns: string, name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: ns }, spec: { podSelector: {}, ...spec } });
}

suite("e2e: a tenant developer on the real API server (tenants from fleet.yaml)", () => {
  let eu: ControlPlane;
  let project: Project;
  let up: FleetRun;
  const asDev = (args: string[], input?: string) => kubectl(eu, [...args, ...DEV], input);

  beforeAll(async () => {
    eu = await startControlPlane("eu");
    project = makeProject("tenant", { eu });
    up = await fleet(project, "up");
  }, 900000);

  afterAll(() => eu?.stop());

  it("fleet up applies the baseline and both tenants (the pack loaded by the engine)", () => {
    if (up.code !== 0) throw new Error(describeRun(up));
    expect(up.finished("eu-local")?.status).toBe("succeeded");
    const ns = kubectl(eu, ["get", "ns", "-l", "tenant=payments", "-o", "jsonpath={.items[*].metadata.name}"]);
    expect(ns.stdout.split(" ").sort()).toEqual(["payments", "payments-batch"]);
    const sa = kubectl(eu, ["-n", "payments-batch", "get", "serviceaccount", "payments-workload", "-o", "jsonpath={.automountServiceAccountToken}"]);
    expect(sa.stdout).toBe("false");
    const vap = kubectl(eu, ["get", "validatingadmissionpolicy", "meridian-tenant-netpol-payments", "-o", "jsonpath={.spec.matchConstraints.namespaceSelector.matchLabels.tenant}"]);
    expect(vap.stdout).toBe("payments");
  });

  it("the developer creates a Deployment in its namespace (and not in the other tenant's)", () => {
    const deployment = (ns: string) =>
      JSON.stringify({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: ns, labels: { "app.kubernetes.io/name": "web" } },
        spec: {
          replicas: 1,
          selector: { matchLabels: { "app.kubernetes.io/name": "web" } },
          template: {
            metadata: { labels: { "app.kubernetes.io/name": "web" } },
            spec: {
              serviceAccountName: "payments-workload",
              securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
              containers: [
                {
                  name: "web",
                  image: `registry.eu.example.com/meridian/eu/payments/web@${DIGEST}`,
                  resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
                  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, runAsUser: 1000 },
                },
              ],
            },
          },
        },
      });
    const ok = asDev(["create", "-f", "-"], deployment("payments"));
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    const other = asDev(["create", "-f", "-"], deployment("ledger"));
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/forbidden/i);
  });

  it("the developer creates NetworkPolicies inside its limits", () => {
    const within = netpol("payments", "web", {
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "meridian-gateway" } } }], ports: [{ protocol: "TCP", port: 8080 }] }],
      egress: [
        { to: [{ ipBlock: { cidr: "203.0.113.0/24" } }], ports: [{ protocol: "TCP", port: 443 }] },
        { to: [{ namespaceSelector: { matchLabels: { tenant: "payments" } } }] },
        { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "meridian-system" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "ledger-api" } } }] },
        { to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "db" } } }] },
      ],
    });
    const r = asDev(["create", "-f", "-"], within);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(asDev(["-n", "payments", "delete", "networkpolicy", "web"]).code).toBe(0);
  });

  it.each([
    ["an ipBlock outside its allowlist", { policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] }, /may name only its allowlisted CIDRs/],
    ["another tenant's namespace", { policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ledger" } } }] }] }, /may name only/],
    ["another tenant by label", { policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector: { matchLabels: { tenant: "ledger" } } }] }] }, /may name only/],
    ["every namespace (an empty selector)", { policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: {} }] }] }, /may name only/],
    ["an allow-all rule (no from)", { policyTypes: ["Ingress"], ingress: [{}] }, /an empty from\/to admits everything/],
  ])("the developer is refused a NetworkPolicy naming %s", (_label, spec, message) => {
    const r = asDev(["create", "-f", "-"], netpol("payments", "outside", spec));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("meridian-tenant-netpol-payments");
    expect(r.stderr).toMatch(message);
  });

  it("the developer cannot change or delete the platform's NetworkPolicies", () => {
    for (const name of ["default-deny", "meridian-allow-from-gateway"]) {
      const r = asDev(["-n", "payments", "delete", "networkpolicy", name]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("not the tenant's to change");
    }
    const shadow = asDev(["create", "-f", "-"], netpol("payments", "meridian-allow-all", { policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: {} }] }] }));
    expect(shadow.code).not.toBe(0);
    expect(kubectl(eu, ["-n", "payments", "get", "networkpolicy", "default-deny", "-o", "name"]).stdout.trim()).toBe("networkpolicy.networking.k8s.io/default-deny");
  });

  it("the developer writes no NetworkPolicy in another tenant's namespace (RBAC)", () => {
    const r = asDev(["create", "-f", "-"], netpol("ledger", "x", { policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: {} }] }] }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/forbidden: User "e2e-payments-dev" cannot create resource "networkpolicies"/);
  });

  it("the platform (cluster-admin, holding the bypass) is not bound by the tenant limits", () => {
    const r = kubectl(eu, ["create", "--dry-run=server", "-f", "-"], netpol("payments", "platform-wide", { policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] }));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});
