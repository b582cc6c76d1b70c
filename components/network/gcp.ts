import * as gcp from "../sdk/gcp";
import type * as pulumi from "@pulumi/pulumi";
import type { NetworkRefs, NetworkSpec } from "./index";

/**
 * GCP VPC network in custom mode with one regional private subnet (Private Google Access,
 * flow logs with full metadata), and Cloud NAT on a Cloud Router for egress. GCP subnets
 * are regional, so the zones are covered by the one subnet; GKE adds pod/service ranges.
 */
export function createGcpNetwork(name: string, spec: NetworkSpec, parent: pulumi.Resource): NetworkRefs {
  const network = new gcp.compute.Network(
    `${name}-vpc`,
    { autoCreateSubnetworks: false, routingMode: "REGIONAL", description: `meridian ${spec.domain} network` },
    { parent },
  );
  const nodes = new gcp.compute.Subnetwork(
    `${name}-nodes`,
    {
      network: network.id,
      region: spec.region,
      ipCidrRange: spec.subnets.privateSubnets[0],
      privateIpGoogleAccess: true,
      purpose: "PRIVATE",
      stackType: "IPV4_ONLY",
      logConfig: { aggregationInterval: "INTERVAL_5_SEC", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" },
    },
    { parent },
  );
  const router = new gcp.compute.Router(`${name}-router`, { network: network.id, region: spec.region }, { parent });
  new gcp.compute.RouterNat(
    `${name}-nat`,
    {
      router: router.name,
      region: spec.region,
      natIpAllocateOption: "AUTO_ONLY",
      sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
      logConfig: { enable: true, filter: "ERRORS_ONLY" },
    },
    { parent },
  );
  // The domain's networks on the other clouds, over the HA VPN (GCP denies ingress by default).
  if (spec.peerCidrs.length > 0) {
    new gcp.compute.Firewall(
      `${name}-allow-peers`,
      {
        network: network.id,
        direction: "INGRESS",
        priority: 1000,
        sourceRanges: [...spec.peerCidrs],
        allows: [{ protocol: "all" }],
        description: `meridian ${spec.domain}: the domain's peer networks over the interconnect VPNs`,
        logConfig: { metadata: "INCLUDE_ALL_METADATA" },
      },
      { parent },
    );
  }
  return { networkId: network.id, privateSubnetIds: nodes.id.apply((id) => [id]) };
}
