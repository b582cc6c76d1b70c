/** Types shared by CrossCloudVpn and its per-cloud building blocks. */
import type * as aws from "@pulumi/aws";
import type * as azure from "@pulumi/azure-native";
import type * as gcp from "@pulumi/gcp";
import type * as pulumi from "@pulumi/pulumi";
import type * as random from "@pulumi/random";
import type { Cloud, Domain, NetworkHandle, Resident } from "../residency";
import type { CloudPair, TunnelPlan } from "./allocate";

/**
 * An Azure active-active VPN gateway as a resident handle. Azure allows one VPN gateway per
 * VNet, so interconnects of the same domain share it: one stack creates it, the others
 * receive this handle (through a StackReference checked for the domain).
 */
export type AzureVpnGatewayHandle<D extends Domain> = Resident<D> & {
  readonly id: pulumi.Input<string>;
  readonly asn: number;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: string;
  /** Public IP of instance 0 and instance 1. */
  readonly publicIpAddresses: readonly [pulumi.Input<string>, pulumi.Input<string>];
  /** `…/virtualNetworkGateways/<gw>/ipConfigurations/<cfg>` of instance 0 and instance 1. */
  readonly ipConfigurationIds: readonly [pulumi.Input<string>, pulumi.Input<string>];
};

/** Explicit providers (default providers are disabled fleet-wide). */
export interface VpnProviders {
  readonly aws?: aws.Provider;
  readonly gcp?: gcp.Provider;
  readonly azure?: azure.Provider;
  readonly random: random.Provider;
}

/** Settled arguments handed to the pair adapters. */
export interface VpnSpec {
  readonly name: string;
  readonly domain: Domain;
  readonly pair: CloudPair;
  readonly asns: Readonly<Partial<Record<Cloud, number>>>;
  readonly tunnels: readonly TunnelPlan[];
  /** One PSK per tunnel, each a Pulumi secret. */
  readonly psks: readonly pulumi.Output<string>[];
  readonly networks: Readonly<Partial<Record<Cloud, NetworkHandle<Domain>>>>;
  readonly providers: VpnProviders;
  readonly tags: Readonly<Record<string, string>>;
  readonly azure: {
    readonly sku: string;
    readonly bgpAddresses: readonly [readonly string[], readonly string[]];
    readonly existing?: AzureVpnGatewayHandle<Domain>;
  };
  readonly awsRouteTableIds: readonly pulumi.Input<string>[];
}

/** One side of a tunnel, for dashboards and alerts. */
export interface TunnelEndpoint {
  /** The resource to watch: AWS VPN connection id, GCP tunnel self link, Azure connection id. */
  readonly resourceId: string;
  /** Public (outside) address of this side's tunnel endpoint. */
  readonly outsideAddress: string;
  /** This side's BGP address inside the tunnel. */
  readonly bgpAddress: string;
  readonly asn: number;
  /** Metric that says the tunnel (and BGP) is up on this cloud. */
  readonly metrics: readonly string[];
}

/** Per-tunnel monitoring output. Never contains a key. */
export interface TunnelMonitor {
  readonly index: number;
  readonly insideCidr: string;
  readonly endpoints: Readonly<Partial<Record<Cloud, TunnelEndpoint>>>;
}

export interface PairResult {
  readonly tunnels: pulumi.Output<TunnelMonitor[]>;
  /** Set when this interconnect created the Azure gateway. */
  readonly azureGateway?: AzureVpnGatewayHandle<Domain>;
}

export const METRICS: Record<Cloud, readonly string[]> = {
  aws: ["AWS/VPN TunnelState (dimension TunnelIpAddress = outsideAddress)", "AWS/VPN TunnelDataIn", "AWS/VPN TunnelDataOut"],
  gcp: ["vpn.googleapis.com/tunnel_established", "router.googleapis.com/bgp/session_up", "router.googleapis.com/best_received_routes_count"],
  azure: ["Microsoft.Network/virtualNetworkGateways BgpPeerStatus", "Microsoft.Network/connections TunnelIngressBytes", "Microsoft.Network/virtualNetworkGateways TunnelEgressPacketDropCount"],
};
