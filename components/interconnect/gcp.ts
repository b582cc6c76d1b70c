/**
 * GCP building blocks: an HA VPN gateway (two interfaces, 99.99% SLA when both carry
 * tunnels) and a Cloud Router per interconnect that advertises ONLY the GCP network's own
 * prefix (custom mode, no "all subnets" group), then tunnels + router interfaces + peers.
 */
import * as gcp from "../sdk/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { TunnelPlan } from "./allocate";
import { gcpLabels } from "../residency";
import { GCP_TUNNEL_CRYPTO } from "./crypto";
import type { VpnSpec } from "./types";

export interface GcpHa {
  readonly gateway: gcp.compute.HaVpnGateway;
  readonly router: gcp.compute.Router;
}

function opts(spec: VpnSpec, parent: pulumi.Resource, extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
  if (spec.providers.gcp === undefined) throw new Error(`${spec.name}: a GCP provider is required`);
  return { parent, provider: spec.providers.gcp, ...extra };
}

/** GCP labels: lower-case keys and values. */
function labels(spec: VpnSpec): Record<string, string> {
  return gcpLabels(spec.tags);
}

/** Custom advertisement of the GCP network's own prefix only. */
export function gcpAdvertisement(spec: VpnSpec): { advertiseMode: string; advertisedGroups: string[]; advertisedIpRanges: Array<{ range: string; description: string }> } {
  const cidr = spec.networks.gcp!.cidr;
  return { advertiseMode: "CUSTOM", advertisedGroups: [], advertisedIpRanges: [{ range: cidr, description: `${spec.name}: gcp network` }] };
}

export function createGcpHa(name: string, spec: VpnSpec, parent: pulumi.Resource): GcpHa {
  const network = spec.networks.gcp!;
  const gateway = new gcp.compute.HaVpnGateway(
    `${name}-havpn`,
    { network: network.networkId, region: network.region, stackType: "IPV4_ONLY", labels: labels(spec) },
    opts(spec, parent),
  );
  const router = new gcp.compute.Router(
    `${name}-router`,
    {
      network: network.networkId,
      region: network.region,
      description: `meridian ${spec.domain} interconnect ${name}`,
      bgp: { asn: spec.asns.gcp!, keepaliveInterval: 20, ...gcpAdvertisement(spec) },
    },
    opts(spec, parent),
  );
  return { gateway, router };
}

export interface GcpTunnelPeer {
  readonly plan: TunnelPlan;
  /** HA VPN interface (0/1) the tunnel leaves from. */
  readonly gcpInterface: 0 | 1;
  /** Interface index on the external (peer) VPN gateway. */
  readonly peerInterface: number;
  /** The peer's BGP address inside the tunnel. */
  readonly peerBgpAddress: string;
  readonly peerAsn: number;
}

export interface GcpTunnel {
  readonly tunnel: gcp.compute.VPNTunnel;
  readonly peer: gcp.compute.RouterPeer;
}

export function createGcpTunnel(
  name: string,
  spec: VpnSpec,
  ha: GcpHa,
  external: gcp.compute.ExternalVpnGateway,
  p: GcpTunnelPeer,
  parent: pulumi.Resource,
): GcpTunnel {
  const region = spec.networks.gcp!.region;
  const t = p.plan.index;
  const tunnel = new gcp.compute.VPNTunnel(
    `${name}-tunnel-${t}`,
    {
      region,
      vpnGateway: ha.gateway.id,
      vpnGatewayInterface: p.gcpInterface,
      peerExternalGateway: external.id,
      peerExternalGatewayInterface: p.peerInterface,
      router: ha.router.id,
      sharedSecret: spec.psks[t],
      ...GCP_TUNNEL_CRYPTO,
      labels: labels(spec),
    },
    opts(spec, parent, { additionalSecretOutputs: ["sharedSecret"] }),
  );
  const iface = new gcp.compute.RouterInterface(
    `${name}-bgp-if-${t}`,
    { router: ha.router.name, region, ipRange: `${p.plan.bgpAddress.gcp}/30`, vpnTunnel: tunnel.name },
    opts(spec, parent),
  );
  const peer = new gcp.compute.RouterPeer(
    `${name}-bgp-peer-${t}`,
    {
      router: ha.router.name,
      region,
      interface: iface.name,
      ipAddress: p.plan.bgpAddress.gcp,
      peerIpAddress: p.peerBgpAddress,
      peerAsn: p.peerAsn,
      advertisedRoutePriority: 100,
      enable: true,
      ...gcpAdvertisement(spec),
    },
    opts(spec, parent),
  );
  return { tunnel, peer };
}

/** Public address of HA VPN interface `i`. */
export function gcpInterfaceAddress(ha: GcpHa, i: number): pulumi.Output<string> {
  return ha.gateway.vpnInterfaces.apply((ifaces) => {
    const address = ifaces?.[i]?.ipAddress;
    if (address === undefined) throw new pulumi.ResourceError(`HA VPN gateway has no interface ${i} address`, ha.gateway);
    return address;
  });
}
