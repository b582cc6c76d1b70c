/**
 * The limits on a tenant's own NetworkPolicies, evaluated as CEL (cel-js, like the baseline's
 * admission tests): what the API server decides is proven in test/e2e/tenant.e2e.test.ts; this
 * is the fast loop. The platform bypass (an `authorizer` match condition) is left out here —
 * cel-js has no authorizer — and proven only in the e2e tier.
 */
import type { AdmissionPolicySpec } from "../../../components/baseline";
import { allowRuleManifests, networkLimitsPolicy, type TenantPolicyInput } from "../../../components/tenant";
import { evaluatePolicies } from "../baseline/cel";

const tenant: TenantPolicyInput = {
  name: "payments",
  team: "payments",
  developersGroup: "g",
  namespaces: ["payments", "payments-batch"],
  egress: [{ cidr: "203.0.113.0/24", ports: [443] }],
  services: [{ namespace: "meridian-system", service: "ledger-api", ports: [8443] }],
};
const { matchConditions, ...spec } = networkLimitsPolicy("eu", tenant).policy.spec as AdmissionPolicySpec;
const np = (name: string, s: Record<string, unknown>) => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: "payments" }, spec: { podSelector: {}, ...s } });
const byName = (n: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": n } } });

it("exempts the platform through the authorizer (match condition), and nobody else", () => {
  expect(matchConditions).toEqual([{ name: "not-platform", expression: '!authorizer.group("meridian.io").resource("tenantnetworklimits").check("bypass").allowed()' }]);
});

it.each([
  ["its CIDR", np("a", { egress: [{ to: [{ ipBlock: { cidr: "203.0.113.0/24" } }], ports: [{ port: 443 }] }] })],
  ["its own namespaces, by name and by tenant label", np("b", { ingress: [{ from: [byName("payments-batch"), { namespaceSelector: { matchLabels: { tenant: "payments" } } }] }] })],
  ["the Gateway and its declared service namespace", np("c", { ingress: [{ from: [byName("meridian-gateway")] }], egress: [{ to: [byName("meridian-system")] }] })],
  ["pods of its namespace only", np("d", { ingress: [{ from: [{ podSelector: { matchLabels: { app: "x" } } }] }] })],
])("admits a policy naming %s", (_l, object) => {
  const [r] = evaluatePolicies([{ spec, object }]);
  expect(r.errors).toEqual([]);
  expect(r.denied).toEqual([]);
});

it.each([
  ["an ipBlock outside the allowlist", np("x", { egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] }), /allowlisted CIDRs/],
  ["a narrower sub-range (exact match only)", np("x", { egress: [{ to: [{ ipBlock: { cidr: "203.0.113.0/25" } }] }] }), /allowlisted CIDRs/],
  ["another tenant's namespace", np("x", { ingress: [{ from: [byName("ledger")] }] }), /may name only/],
  ["another tenant by label", np("x", { egress: [{ to: [{ namespaceSelector: { matchLabels: { tenant: "ledger" } } }] }] }), /may name only/],
  ["every namespace", np("x", { ingress: [{ from: [{ namespaceSelector: {} }] }] }), /may name only/],
  ["kube-system", np("x", { egress: [{ to: [byName("kube-system")] }] }), /may name only/],
  ["an allow-all ingress rule", np("x", { ingress: [{}] }), /empty from\/to/],
  ["an allow-all egress rule", np("x", { egress: [{ ports: [{ port: 443 }] }] }), /empty from\/to/],
  ["a platform name", np("meridian-allow-everything", { ingress: [{ from: [{ podSelector: {} }] }] }), /not the tenant's to change/],
  ["the default-deny", np("default-deny", { policyTypes: ["Ingress"] }), /not the tenant's to change/],
])("refuses a policy naming %s", (_l, object, message) => {
  const [r] = evaluatePolicies([{ spec, object }]);
  expect(r.errors).toEqual([]);
  expect(r.denied.join("; ")).toMatch(message);
});

it("the platform's own allow rules would pass the tenant's limits too (nothing wider than a tenant may write)", () => {
  const platform = allowRuleManifests(tenant).map((m) => ({ ...m, metadata: { ...m.metadata, name: m.metadata.name.replace(/^meridian-/, "copy-") } }));
  for (const r of evaluatePolicies(platform.map((object) => ({ spec, object })))) {
    expect(r.errors).toEqual([]);
    expect(r.denied).toEqual([]);
  }
});
