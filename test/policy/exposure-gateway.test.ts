/** The Gateway exposure policies against the very manifests components/gateway produces, and their failure modes. */
import { acmeIssuerManifest, caIssuerManifest, gatewayManifest } from "../../components/gateway/spec";
import { asResource, GATEWAY_SPEC, gatewayWith } from "./exposureGatewayCases";
import { mandatory, run } from "./harness";

const GW = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
const LISTENERS = "meridian-kubernetes-gateway-listener-restrict";
const ISSUERS = "meridian-kubernetes-certissuer-kind-restrict";
const messages = (name: string, rs: ReturnType<typeof asResource>[]) => mandatory(run(name, rs)).map((v) => v.message);

it("passes the component's external and internal Gateways and both issuers", () => {
  expect(messages(LISTENERS, [asResource(GW, gatewayManifest(GATEWAY_SPEC, "external")), asResource(GW, gatewayManifest(GATEWAY_SPEC, "internal"))])).toEqual([]);
  const acme = acmeIssuerManifest({ server: "https://acme.example.org/d", email: "a@example.com", egressCidrs: ["203.0.113.0/24"] });
  expect(messages(ISSUERS, [asResource("kubernetes:cert-manager.io/v1:ClusterIssuer", caIssuerManifest()), asResource("kubernetes:cert-manager.io/v1:ClusterIssuer", acme)])).toEqual([]);
});

it("refuses a tenant listener open to every namespace", () => {
  const open = gatewayWith((ls) => (ls[1].allowedRoutes = { namespaces: { from: "All" } }));
  expect(messages(LISTENERS, [asResource(GW, open)]).join("\n")).toContain("listener 't-payments-0' admits routes from all namespaces");
});

it("refuses a plain-HTTP listener for tenant routes (Selector), and one whose from is left to the default only when it is not HTTP", () => {
  const selector = gatewayWith((ls) => (ls[0].allowedRoutes = { namespaces: { from: "Selector", selector: { matchLabels: { tenant: "payments" } } } }));
  expect(messages(LISTENERS, [asResource(GW, selector)]).join("\n")).toContain("plain-HTTP listener 'http' admits routes from other namespaces (Selector)");
  // Gateway API defaults `from` to Same: an HTTP listener without allowedRoutes is the redirect's.
  const defaulted = gatewayWith((ls) => delete ls[0].allowedRoutes);
  expect(messages(LISTENERS, [asResource(GW, defaulted)])).toEqual([]);
});

it("refuses an HTTPS listener without a certificate", () => {
  const bare = gatewayWith((ls) => delete ls[1].tls.certificateRefs);
  expect(messages(LISTENERS, [asResource(GW, bare)])).toEqual(["HTTPS listener 't-payments-0' has no tls.certificateRefs"]);
});
