/**
 * CrossCloudVpn: site-to-site IPsec VPN with BGP between two networks of the SAME
 * residency domain on two different clouds (AWS↔GCP, AWS↔Azure, GCP↔Azure). Residency is
 * a type: both networks (and a borrowed Azure gateway) are handles of the args' domain `D`,
 * so an EU↔US link does not compile; the fleet plan rejects it too.
 *
 * Everything that must be unique fleet-wide (ASNs, inside /30s) derives from the
 * interconnect's slot (see ./allocate and ./claims), and only the two networks' own
 * prefixes are advertised.
 */
import * as pulumi from "@pulumi/pulumi";
import { assertSameDomain, residentTags, type Cloud, type Domain, type NetworkHandle } from "../residency";
import { overlaps, parseCidr } from "../network/ipam";
import {
  AZURE_RESERVED_ASNS,
  asnFor,
  asnProblems,
  canonicalPair,
  inAzureApipaWindow,
  INTERCONNECT_SLOTS,
  pairName,
  planTunnels,
  type CloudPair,
} from "./allocate";
import { createAwsAzure } from "./aws-azure";
import { createAwsGcp } from "./aws-gcp";
import { createPsk } from "./crypto";
import { createGcpAzure } from "./gcp-azure";
import type { AzureVpnGatewayHandle, PairResult, TunnelMonitor, VpnProviders, VpnSpec } from "./types";

export * from "./allocate";
export * from "./claims";
export { AWS_TUNNEL_CRYPTO, AZURE_CONNECTION_CRYPTO, GCP_TUNNEL_CRYPTO, PSK_LENGTH, isValidPsk, normalizePsk } from "./crypto";
export type { AzureVpnGatewayHandle, TunnelEndpoint, TunnelMonitor, VpnProviders } from "./types";

export interface CrossCloudVpnArgs<D extends Domain> {
  /** (Required) The residency domain; both networks must be handles of it. */
  readonly domain: D;
  /** (Required) The interconnect's slot, 0–15, unique per domain: picks ASNs and inside /30s. */
  readonly slot: number;
  /** (Required) The two networks, on two different clouds, in any order. */
  readonly networks: readonly [NetworkHandle<NoInfer<D>>, NetworkHandle<NoInfer<D>>];
  /** (Required) Explicit providers for both clouds, pinned to the networks' regions, and `random`. */
  readonly providers: VpnProviders;
  /** (Optional) PSK generation; each bump re-keys half the tunnels (see `pskEpoch`). Defaults to 1. */
  readonly pskGeneration?: number;
  /**
   * (Optional) Azure only: terminate on this existing gateway (Azure allows one per VNet).
   * Defaults to creating one here.
   */
  readonly azureGateway?: AzureVpnGatewayHandle<NoInfer<D>>;
  /**
   * (Optional) Azure only, when creating the gateway: custom APIPA addresses per instance
   * for every interconnect that will terminate on it (`interconnectPlan(...).azureGatewayBgpAddresses`).
   * Must include this interconnect's own. Defaults to this interconnect's own addresses.
   */
  readonly azureGatewayBgpAddresses?: readonly [readonly string[], readonly string[]];
  /** (Optional) Azure gateway SKU (zone-redundant `VpnGw1AZ`–`VpnGw5AZ`). Defaults to `VpnGw2AZ`. */
  readonly azureGatewaySku?: string;
  /**
   * (Optional) AWS only: VPC route tables that get a route to the peer network through this
   * interconnect's transit gateway. Defaults to none (routes managed elsewhere).
   */
  readonly awsRouteTableIds?: readonly pulumi.Input<string>[];
  /** (Optional) Tags/labels on every child. Defaults to none. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Pure validation, testable without mocks; every problem at once. */
export function validateCrossCloudVpnArgs(args: CrossCloudVpnArgs<Domain>): pulumi.InputPropertyErrorDetails[] {
  const problems: pulumi.InputPropertyErrorDetails[] = [];
  const push = (propertyPath: string, reason: string) => problems.push({ propertyPath, reason });
  if (!Number.isInteger(args.slot) || args.slot < 0 || args.slot >= INTERCONNECT_SLOTS) {
    push("slot", `must be a whole number from 0 to ${INTERCONNECT_SLOTS - 1}, got ${args.slot}`);
  }
  const generation = args.pskGeneration ?? 1;
  if (!Number.isInteger(generation) || generation < 1) push("pskGeneration", `must be a whole number ≥ 1, got ${generation}`);
  const [a, b] = args.networks;
  args.networks.forEach((n, i) => {
    if (n.domain !== args.domain) push(`networks[${i}]`, `belongs to domain ${n.domain}, the interconnect to ${args.domain}`);
    try {
      parseCidr(n.cidr);
    } catch (e) {
      push(`networks[${i}].cidr`, (e as Error).message);
    }
  });
  if (a.cloud === b.cloud) {
    push("networks", `an interconnect joins two different clouds; both are ${a.cloud}`);
    return problems;
  }
  try {
    if (overlaps(a.cidr, b.cidr)) push("networks", `${a.cloud} ${a.cidr} overlaps ${b.cloud} ${b.cidr}; BGP cannot route between overlapping prefixes`);
  } catch {
    // reported above
  }
  for (const n of args.networks) {
    if (args.providers[n.cloud] === undefined) push(`providers.${n.cloud}`, `required: default providers are disabled`);
  }
  const azure = args.networks.find((n) => n.cloud === "azure");
  if (azure === undefined) {
    if (args.azureGateway !== undefined) push("azureGateway", "only for an interconnect with an Azure side");
  } else if (args.azureGateway === undefined) {
    if (azure.resourceGroupName === undefined) push("networks.azure.resourceGroupName", "required to create the VPN gateway");
    if (azure.gatewaySubnetId === undefined) push("networks.azure.gatewaySubnetId", "required: the gateway lives in the VNet's GatewaySubnet");
    const sku = args.azureGatewaySku ?? "VpnGw2AZ";
    if (!/^VpnGw[1-5]AZ$/.test(sku)) push("azureGatewaySku", `must be a zone-redundant VpnGw1AZ–VpnGw5AZ, got ${sku}`);
    (args.azureGatewayBgpAddresses ?? []).forEach((list, i) =>
      list.forEach((addr) => {
        if (!inAzureApipaWindow(`${addr}/32`)) push(`azureGatewayBgpAddresses[${i}]`, `${addr} is outside 169.254.21.0–169.254.22.255`);
      }),
    );
  } else {
    assertSameDomainDetail(args, push);
    for (const p of asnProblems(args.azureGateway.asn)) push("azureGateway.asn", p);
  }
  return problems;
}

function assertSameDomainDetail(args: CrossCloudVpnArgs<Domain>, push: (p: string, r: string) => void): void {
  if (args.azureGateway!.domain !== args.domain) push("azureGateway", `belongs to domain ${args.azureGateway!.domain}, the interconnect to ${args.domain}`);
}

export class CrossCloudVpn<D extends Domain> extends pulumi.ComponentResource {
  /** `aws-gcp`, `aws-azure` or `gcp-azure`. */
  readonly pair: string;
  /** BGP ASN per side. */
  readonly asns: Readonly<Partial<Record<Cloud, number>>>;
  /** What each side advertises: its own network's prefix, nothing else. */
  readonly advertisedPrefixes: Readonly<Partial<Record<Cloud, readonly string[]>>>;
  /** Per-tunnel monitoring: addresses, ASNs, resource ids and the metrics to alert on. No keys. */
  readonly tunnels: pulumi.Output<TunnelMonitor[]>;
  /** The Azure gateway this interconnect created (to hand to the other Azure interconnects). */
  readonly azureGateway?: AzureVpnGatewayHandle<D>;

  constructor(name: string, args: CrossCloudVpnArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:interconnect:CrossCloudVpn", name, {}, opts);
    const problems = validateCrossCloudVpnArgs(args);
    if (problems.length > 0) {
      throw new pulumi.InputPropertiesError({ message: `CrossCloudVpn ${name}: invalid arguments`, errors: problems });
    }
    // The type system already refuses another domain's handles; this guards `any` and config.
    for (const n of args.networks) assertSameDomain(args.domain, n, `network ${n.cloud} ${String(n.networkId)}`);
    const pair: CloudPair = canonicalPair(args.networks[0].cloud, args.networks[1].cloud);
    const networks = Object.fromEntries(args.networks.map((n) => [n.cloud, n])) as Partial<Record<Cloud, NetworkHandle<Domain>>>;
    const asns: Partial<Record<Cloud, number>> = {};
    for (const cloud of pair) asns[cloud] = asnFor(args.domain, args.slot, pair, cloud);
    if (args.azureGateway !== undefined) asns.azure = args.azureGateway.asn;
    if (AZURE_RESERVED_ASNS.some((r) => Object.values(asns).includes(r))) throw new Error(`${name}: an ASN is Azure-reserved`);
    const tunnels = planTunnels(args.domain, args.slot, pair);
    const generation = args.pskGeneration ?? 1;
    const psks = tunnels.map((t) => createPsk(name, t.index, generation, this, args.providers.random));
    const own: [string[], string[]] = [[], []];
    for (const t of tunnels) if (t.azureInstance !== undefined) own[t.azureInstance].push(t.bgpAddress.azure!);
    const bgpAddresses = args.azureGatewayBgpAddresses ?? own;
    for (const k of [0, 1] as const) {
      for (const addr of own[k]) {
        if (args.azureGateway === undefined && !bgpAddresses[k].includes(addr)) {
          throw new Error(`${name}: azureGatewayBgpAddresses[${k}] must include this interconnect's own APIPA address ${addr}`);
        }
      }
    }
    const spec: VpnSpec = {
      name,
      domain: args.domain,
      pair,
      asns,
      tunnels,
      psks,
      networks,
      providers: args.providers,
      tags: residentTags(args.domain, args.tags),
      azure: { sku: args.azureGatewaySku ?? "VpnGw2AZ", bgpAddresses, existing: args.azureGateway },
      awsRouteTableIds: args.awsRouteTableIds ?? [],
    };
    const build: Record<string, (n: string, s: VpnSpec, p: pulumi.Resource) => PairResult> = {
      "aws-gcp": createAwsGcp,
      "aws-azure": createAwsAzure,
      "gcp-azure": createGcpAzure,
    };
    this.pair = pairName(pair);
    const result = build[this.pair](name, spec, this);
    this.asns = asns;
    this.advertisedPrefixes = Object.fromEntries(pair.map((c) => [c, [networks[c]!.cidr]]));
    this.tunnels = result.tunnels;
    this.azureGateway = result.azureGateway as AzureVpnGatewayHandle<D> | undefined;
    this.registerOutputs({ pair: this.pair, asns: this.asns, advertisedPrefixes: this.advertisedPrefixes, tunnels: this.tunnels });
  }
}
