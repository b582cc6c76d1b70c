/** Pass/fail cases for the Gateway exposure policies, built from the component's own manifests. */
import { acmeIssuerManifest, caIssuerManifest, gatewayManifest, type Manifest } from "../../components/gateway/spec";
import { GATEWAY_SPEC } from "../unit/gateway/fixtures";
import type { Case } from "./cases";
import { k8sEu, res } from "./harness";

export { GATEWAY_SPEC };

const GW = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
export const asResource = (type: string, m: Manifest) => res(type, m.metadata.name, m as unknown as Record<string, unknown>, { provider: k8sEu });

export function gatewayWith(mutate: (listeners: Array<Record<string, any>>) => void): Manifest { // eslint-disable-line @typescript-eslint/no-explicit-any
  const m = structuredClone(gatewayManifest(GATEWAY_SPEC, "external"));
  mutate((m.spec as { listeners: Array<Record<string, unknown>> }).listeners);
  return m;
}

export const EXPOSURE_GATEWAY_CASES: Record<string, Case[]> = {
  "meridian-kubernetes-gateway-listener-restrict": [
    {
      type: GW,
      pass: [asResource(GW, gatewayManifest(GATEWAY_SPEC, "external"))],
      fail: [asResource(GW, gatewayWith((ls) => (ls[0].allowedRoutes = { namespaces: { from: "All" } })))],
      expect: "plain-HTTP listener 'http' admits routes from other namespaces (All)",
    },
  ],
  "meridian-kubernetes-certissuer-kind-restrict": [
    {
      type: "kubernetes:cert-manager.io/v1:ClusterIssuer",
      pass: [asResource("kubernetes:cert-manager.io/v1:ClusterIssuer", caIssuerManifest())],
      fail: [asResource("kubernetes:cert-manager.io/v1:ClusterIssuer", { ...caIssuerManifest(), spec: { selfSigned: {} } })],
      expect: "self-signed issuer",
    },
    {
      type: "kubernetes:cert-manager.io/v1:Issuer",
      pass: [asResource("kubernetes:cert-manager.io/v1:Issuer", { ...acmeIssuerManifest({ server: "https://acme.example.org/d", email: "a@example.com", egressCidrs: ["203.0.113.0/24"] }), kind: "Issuer" })],
      fail: [asResource("kubernetes:cert-manager.io/v1:Issuer", { ...acmeIssuerManifest({ server: "http://acme.example.org/d", email: "a@example.com", egressCidrs: ["203.0.113.0/24"] }), kind: "Issuer" })],
      expect: "ACME server 'http://acme.example.org/d' is not https",
    },
  ],
};
