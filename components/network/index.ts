/**
 * Network: the domain's VPC / VNet / VPC network on one cloud, with private subnets in at
 * least two zones, controlled egress through NAT, and flow logs encrypted with the
 * domain's key. Ranges come from the fleet IPAM (see ./ipam.ts), so they never overlap
 * anywhere in the fleet.
 */
import * as pulumi from "@pulumi/pulumi";
import { assertSameDomain, claimResident, residentTags, zonesFor, type Cloud, type Domain, type KeyHandle, type NetworkHandle } from "../residency";
import { carve, contains, overlaps, parseCidr, subnet } from "./ipam";
import { createAwsNetwork } from "./aws";
import { createAzureNetwork } from "./azure";
import { createGcpNetwork } from "./gcp";

export * from "./ipam";

export interface NetworkArgs<D extends Domain> {
  /** (Required) The residency domain. */
  readonly domain: D;
  /** (Required) The VPC/VNet range, from the fleet IPAM (`networkCidr`). A /16 to /20. */
  readonly cidr: string;
  /** (Required) The domain key on the same cloud; encrypts flow logs. */
  readonly key: KeyHandle<NoInfer<D>>;
  /** (Optional) Zones to spread private subnets over, 2–3. Defaults to 3. */
  readonly zones?: number;
  /** (Optional) `perZone` NAT (HA) or `single` (cost). Defaults to `perZone`. Azure and GCP NAT are regional either way. */
  readonly natGateways?: "perZone" | "single";
  /** (Optional) Flow-log retention in days, at least 90. Defaults to 365. */
  readonly flowLogRetentionDays?: number;
  /**
   * (Optional) The ranges of this domain's networks on the other clouds that reach this
   * one over the interconnect VPNs (private IPv4 ranges, never overlapping this one). They
   * are admitted inbound: AWS a `peers` security group (on the EKS control plane and
   * nodes), Azure an NSG rule on the node subnet, GCP a VPC firewall rule. Everything
   * else stays denied. Defaults to none.
   */
  readonly peerCidrs?: readonly string[];
  /** (Optional) Tags/labels for every child. Defaults to none. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The subnet layout of a network range, derived only from the range (stable). */
export interface SubnetPlan {
  /** One private (node) subnet per zone: the first blocks of an 8-way split. */
  readonly privateSubnets: readonly string[];
  /** One small public subnet per zone (NAT gateways only), in the last block. */
  readonly publicSubnets: readonly string[];
  /** The last small block: Azure's `GatewaySubnet` for VPN gateways. */
  readonly gatewaySubnet: string;
}

export function planSubnets(cidr: string, zones: number): SubnetPlan {
  const { prefix } = parseCidr(cidr);
  const blockPrefix = prefix + 3; // 8 blocks: 0..zones-1 private, 7 split for public + gateway
  const smallPrefix = prefix + 8; // 32 small blocks inside block 7
  const lastBlock = subnet(cidr, blockPrefix, 7);
  return {
    privateSubnets: carve(cidr, blockPrefix, zones),
    publicSubnets: carve(lastBlock, smallPrefix, zones),
    gatewaySubnet: subnet(lastBlock, smallPrefix, 31),
  };
}

export interface NetworkSpec {
  readonly domain: Domain;
  readonly cloud: Cloud;
  readonly region: string;
  readonly cidr: string;
  readonly zones: readonly string[];
  readonly subnets: SubnetPlan;
  readonly natGateways: "perZone" | "single";
  readonly flowLogRetentionDays: number;
  readonly peerCidrs: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

export interface NetworkRefs {
  readonly networkId: pulumi.Output<string>;
  readonly privateSubnetIds: pulumi.Output<string[]>;
  readonly resourceGroupName?: pulumi.Output<string>;
  readonly gatewaySubnetId?: pulumi.Output<string>;
  readonly routeTableIds?: pulumi.Output<string[]>;
  readonly peerSecurityGroupId?: pulumi.Output<string>;
}

/** The private IPv4 ranges (RFC 1918, and CGNAT space the IPAM uses for pods). */
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"] as const;

/** Why a peer range cannot be admitted, or undefined: it must be a private range and not this network's own. */
export function peerCidrProblem(peer: string, own: string): string | undefined {
  try {
    parseCidr(peer);
  } catch (e) {
    return (e as Error).message;
  }
  if (!PRIVATE_RANGES.some((r) => contains(r, peer))) return `${peer} is not a private range (${PRIVATE_RANGES.join(", ")}); only the domain's own networks are peers`;
  try {
    if (overlaps(peer, own)) return `${peer} overlaps this network's own ${own}`;
  } catch {
    // the own range is reported by its own check
  }
  return undefined;
}

export function validateNetworkArgs(args: NetworkArgs<Domain>): pulumi.InputPropertyErrorDetails[] {
  const problems: pulumi.InputPropertyErrorDetails[] = [];
  try {
    const { prefix } = parseCidr(args.cidr);
    if (prefix < 16 || prefix > 20) problems.push({ propertyPath: "cidr", reason: `a /16 to /20 range, got /${prefix}` });
  } catch (e) {
    problems.push({ propertyPath: "cidr", reason: (e as Error).message });
  }
  const zones = args.zones ?? 3;
  if (!Number.isInteger(zones) || zones < 2 || zones > 3) {
    problems.push({ propertyPath: "zones", reason: `2 or 3 zones (99.9% availability needs at least 2), got ${zones}` });
  }
  const retention = args.flowLogRetentionDays ?? 365;
  if (!Number.isInteger(retention) || retention < 90) {
    problems.push({ propertyPath: "flowLogRetentionDays", reason: `at least 90 days of flow logs (SOC2 evidence), got ${retention}` });
  }
  if (args.key.domain !== args.domain) {
    problems.push({ propertyPath: "key", reason: `key of domain ${args.key.domain} cannot encrypt ${args.domain} flow logs` });
  }
  (args.peerCidrs ?? []).forEach((peer, i) => {
    const problem = peerCidrProblem(peer, args.cidr);
    if (problem !== undefined) problems.push({ propertyPath: `peerCidrs[${i}]`, reason: problem });
  });
  return problems;
}

export class Network<D extends Domain> extends pulumi.ComponentResource {
  readonly handle: NetworkHandle<D>;
  readonly networkId: pulumi.Output<string>;
  readonly privateSubnetIds: pulumi.Output<string[]>;
  readonly cidr: string;

  constructor(name: string, args: NetworkArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:network:Network", name, {}, opts);
    const problems = validateNetworkArgs(args);
    if (problems.length > 0) {
      throw new pulumi.InputPropertiesError({ message: `Network ${name}: invalid arguments`, errors: problems });
    }
    assertSameDomain(args.domain, args.key, `key for network ${name}`);
    const key = args.key;
    const zoneCount = args.zones ?? 3;
    const spec: NetworkSpec = {
      domain: args.domain,
      cloud: key.cloud,
      region: key.region,
      cidr: args.cidr,
      zones: zonesFor(key.cloud, key.region, zoneCount),
      subnets: planSubnets(args.cidr, zoneCount),
      natGateways: args.natGateways ?? "perZone",
      flowLogRetentionDays: args.flowLogRetentionDays ?? 365,
      peerCidrs: [...new Set(args.peerCidrs ?? [])].sort(),
      tags: residentTags(args.domain, args.tags),
    };
    const refs: NetworkRefs =
      key.cloud === "aws"
        ? createAwsNetwork(name, spec, key, this)
        : key.cloud === "azure"
          ? createAzureNetwork(name, spec, key, this)
          : createGcpNetwork(name, spec, this);
    this.networkId = refs.networkId;
    this.privateSubnetIds = refs.privateSubnetIds;
    this.cidr = args.cidr;
    this.handle = claimResident(args.domain, {
      cloud: key.cloud,
      region: key.region,
      cidr: args.cidr,
      networkId: refs.networkId,
      privateSubnetIds: refs.privateSubnetIds,
      resourceGroupName: refs.resourceGroupName,
      gatewaySubnetId: refs.gatewaySubnetId,
      routeTableIds: refs.routeTableIds,
      peerSecurityGroupId: refs.peerSecurityGroupId,
    });
    this.registerOutputs({ networkId: this.networkId, privateSubnetIds: this.privateSubnetIds, cidr: this.cidr });
  }
}
