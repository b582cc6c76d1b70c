/**
 * GCP adapter: the proxies' Services are regional passthrough Network Load Balancers
 * (backend-service based); the internal Gateway's is an internal passthrough load balancer.
 * The GKE private control plane sits in its own /28 outside the VPC's subnets, derived the
 * same way the cluster component derives it.
 */
import { defaultMasterCidr } from "../cluster/gke";
import type { GatewayTier } from "./spec";

export const gcpGateway = {
  loadBalancer(tier: GatewayTier): Record<string, string> {
    return tier === "internal" ? { "networking.gke.io/load-balancer-type": "Internal" } : { "cloud.google.com/l4-rbs": "enabled" };
  },
  apiServerCidrs(clusterName: string, networkCidr: string): string[] {
    return [networkCidr, defaultMasterCidr(clusterName)];
  },
};
