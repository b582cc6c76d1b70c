/**
 * The exposure service on every workload cluster: Gateway API (Envoy Gateway), external and
 * internal Gateways, cert-manager with the domain PKI's intermediate as CA ClusterIssuer
 * (ACME for public names where fleet.yaml enables it) and the domain's trust bundle.
 *
 * Publishes `services.exposure = { externalAddress, internalAddress, ... }`: by convention
 * other stacks (the backup helper's DNS failover) read `services.exposure.externalAddress`.
 */
import type { RoleConfig } from "../../../automation/fleet";
import { tenantsOnStack } from "../../../automation/fleet/tenants";
import { ClusterGateway, EXPOSURE_NAMES, gatewayClassName } from "../../../components/gateway";
import type { ClusterService } from "./index";

export const exposure: ClusterService = {
  name: "exposure",
  roles: ["workload"],
  async deploy(c) {
    const { ctx } = c;
    const settings = ctx.fleet.settings.exposure[ctx.domain];
    const pki = await ctx.refs.pki();
    const tenants = tenantsOnStack(ctx.fleet.settings.tenants, ctx.domain, ctx.stack);
    const gateway = new ClusterGateway(
      `${ctx.stack}-exposure`,
      {
        domain: ctx.domain,
        cloud: c.cloud,
        provider: c.cluster.provider,
        clusterName: ctx.spec.name,
        network: c.foundation.network,
        registry: c.foundation.registry,
        issuer: pki.intermediate(settings.issuerIntermediate),
        trust: pki.trustRoots(),
        zones: settings.zones,
        acme: settings.acme,
        tenants: tenants.map((t) => ({ name: t.name, developersGroup: t.developersGroup, namespaces: t.namespaces, hostnames: t.hostnames })),
        environment: ctx.spec.environment,
        kubernetesVersion: (ctx.spec.config as RoleConfig<"workload">)["meridian:cluster"].kubernetesVersion,
        tenantNamespacesFrom: [c.baseline],
      },
    );
    return {
      externalAddress: gateway.externalAddress,
      internalAddress: gateway.internalAddress,
      namespace: EXPOSURE_NAMES.namespace,
      gatewayClasses: { external: gatewayClassName("external"), internal: gatewayClassName("internal") },
      issuers: { ca: EXPOSURE_NAMES.caIssuer, acme: settings.acme ? EXPOSURE_NAMES.acmeIssuer : undefined, intermediate: settings.issuerIntermediate },
      trustBundle: EXPOSURE_NAMES.trustBundle,
      listeners: gateway.listeners,
      charts: gateway.charts,
    };
  },
};
