/**
 * AWS adapter: the proxies' Services become Network Load Balancers through the in-tree
 * service controller (no AWS Load Balancer Controller is installed by this program), internal
 * for the internal Gateway. The EKS private API endpoint lives in the VPC's subnets.
 */
import type { GatewayTier } from "./spec";

export const awsGateway = {
  loadBalancer(tier: GatewayTier): Record<string, string> {
    return {
      "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
      ...(tier === "internal" ? { "service.beta.kubernetes.io/aws-load-balancer-internal": "true" } : {}),
      "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
    };
  },
  apiServerCidrs(_clusterName: string, networkCidr: string): string[] {
    return [networkCidr];
  },
};
