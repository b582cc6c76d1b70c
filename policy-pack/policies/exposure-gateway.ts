/**
 * Gateway API exposure (MER-GW-01..02): a plain-HTTP listener only for routes of the Gateway's
 * own namespace (the platform's redirect), no listener open to routes from every namespace, TLS
 * listeners with a certificate; cert-manager issuers only of the kinds the domain trusts — a CA
 * (the domain PKI's intermediate) or ACME over https — never self-signed.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourcePolicy } from "../lib/define";
import { arrayAt, at, str, UNKNOWN } from "../lib/values";

const SOC2 = ["SOC2 CC6.1", "SOC2 CC6.6", "SOC2 CC6.7"];
const GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
const CLUSTER_ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer";
const ISSUER = "kubernetes:cert-manager.io/v1:Issuer";

export const gatewayListeners: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-kubernetes-gateway-listener-restrict",
    area: "kubernetes",
    rules: ["MER-GW-01", "MER-NET-01"],
    description:
      "Gateway listeners: plain HTTP admits routes from the Gateway's own namespace only (the HTTPS redirect); no listener admits routes from all namespaces; HTTPS/TLS listeners terminate with a certificate.",
    why: "An HTTP listener open to tenants lets a route serve clear text; a listener open to every namespace lets any tenant claim any hostname on the domain's edge (traffic hijack); TLS without a certificate fails open to passthrough.",
    remediation:
      "Set `allowedRoutes.namespaces.from: Same` on HTTP listeners and attach only the redirect route there; give each tenant hostname its own HTTPS listener with `allowedRoutes.namespaces.from: Selector` on the tenant's namespace labels and `tls.certificateRefs` (components/gateway does).",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2,
    types: [GATEWAY],
  },
  (r, ctx) => {
    const listeners = arrayAt(r.props, "spec.listeners");
    if (listeners === UNKNOWN) {
      ctx.unknown("spec.listeners");
      return;
    }
    listeners.forEach((l, i) => {
      const name = str(at(l, "name")) ?? `#${i}`;
      const protocol = str(at(l, "protocol"))?.toUpperCase();
      const from = at(l, "allowedRoutes.namespaces.from");
      if (from === UNKNOWN) {
        ctx.unknown(`spec.listeners[${i}].allowedRoutes`);
        return;
      }
      // Gateway API's default for `from` is Same.
      const effective = typeof from === "string" ? from : "Same";
      if (effective === "All") ctx.report(`listener '${name}' admits routes from all namespaces: any tenant could claim its hostnames`);
      if (protocol === "HTTP" && effective !== "Same") ctx.report(`plain-HTTP listener '${name}' admits routes from other namespaces (${effective}): only the Gateway namespace's HTTPS redirect may attach there`);
      if ((protocol === "HTTPS" || protocol === "TLS") && str(at(l, "tls.mode")) !== "Passthrough") {
        const refs = at(l, "tls.certificateRefs");
        if (refs !== UNKNOWN && (!Array.isArray(refs) || refs.length === 0)) ctx.report(`${protocol} listener '${name}' has no tls.certificateRefs`);
      }
    });
  },
);

export const issuerKinds: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-kubernetes-certissuer-kind-restrict",
    area: "kubernetes",
    rules: ["MER-GW-02"],
    description: "cert-manager Issuers and ClusterIssuers are a CA (the domain PKI's intermediate) or ACME over https; no self-signed issuers, no plain-http ACME directory.",
    why: "A self-signed issuer mints certificates no client of the domain can trust, which teaches clients to skip verification; an ACME directory over http lets anyone on the path issue the domain's names.",
    remediation: "Use the platform's `meridian-domain-ca` ClusterIssuer (type ca, the domain PKI's intermediate) or ACME with an https:// server (docs/exposure.md).",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2,
    types: [CLUSTER_ISSUER, ISSUER],
  },
  (r, ctx) => {
    const spec = at(r.props, "spec");
    if (spec === UNKNOWN) {
      ctx.unknown("spec");
      return;
    }
    if (at(spec, "selfSigned") !== undefined) ctx.report("self-signed issuer: issue from the domain PKI (type ca) or ACME");
    const server = at(spec, "acme.server");
    if (server === UNKNOWN) ctx.unknown("spec.acme.server");
    else if (server !== undefined && !/^https:\/\//.test(String(server))) ctx.report(`ACME server '${String(server)}' is not https`);
  },
);

export const exposureGatewayPolicies = [gatewayListeners, issuerKinds];
