/**
 * Azure adapter: the proxies' Services are Standard Load Balancer frontends; the internal
 * Gateway's is a private frontend in the node subnet. The AKS private API endpoint is a
 * private endpoint in the VNet.
 */
import type { GatewayTier } from "./spec";

export const azureGateway = {
  loadBalancer(tier: GatewayTier): Record<string, string> {
    return {
      ...(tier === "internal" ? { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" } : {}),
      // Probe Envoy's readiness endpoint instead of a TCP connect to the listener.
      "service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path": "/ready",
    };
  },
  apiServerCidrs(_clusterName: string, networkCidr: string): string[] {
    return [networkCidr];
  },
};
