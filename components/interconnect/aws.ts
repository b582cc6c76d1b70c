/**
 * AWS building blocks: a Transit Gateway per interconnect (a VPC takes only ONE virtual
 * private gateway, but can attach to several transit gateways, so each interconnect owns
 * its own BGP speaker and advertises only the VPC's prefix), the VPC attachment, routes
 * from the VPC's route tables, and a VPN connection (two tunnels) per peer address.
 */
import * as aws from "../sdk/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsTunnelCrypto } from "./crypto";
import type { VpnSpec } from "./types";

export interface AwsTransit {
  readonly transitGateway: aws.ec2transitgateway.TransitGateway;
  readonly attachment: aws.ec2transitgateway.VpcAttachment;
}

function opts(spec: VpnSpec, parent: pulumi.Resource, extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
  if (spec.providers.aws === undefined) throw new Error(`${spec.name}: an AWS provider is required`);
  return { parent, provider: spec.providers.aws, ...extra };
}

export function createAwsTransit(name: string, spec: VpnSpec, remoteCidr: string, parent: pulumi.Resource): AwsTransit {
  const network = spec.networks.aws!;
  const transitGateway = new aws.ec2transitgateway.TransitGateway(
    `${name}-tgw`,
    {
      description: `meridian ${spec.domain} interconnect ${name}`,
      amazonSideAsn: spec.asns.aws!,
      autoAcceptSharedAttachments: "disable",
      defaultRouteTableAssociation: "enable",
      defaultRouteTablePropagation: "enable",
      dnsSupport: "enable",
      vpnEcmpSupport: "enable",
      tags: { ...spec.tags, Name: `${name}-tgw` },
    },
    opts(spec, parent),
  );
  const attachment = new aws.ec2transitgateway.VpcAttachment(
    `${name}-vpc`,
    {
      transitGatewayId: transitGateway.id,
      vpcId: network.networkId,
      subnetIds: network.privateSubnetIds,
      dnsSupport: "enable",
      tags: { ...spec.tags, Name: `${name}-vpc` },
    },
    opts(spec, parent),
  );
  spec.awsRouteTableIds.forEach((routeTableId, i) => {
    new aws.ec2.Route(
      `${name}-route-${i}`,
      { routeTableId, destinationCidrBlock: remoteCidr, transitGatewayId: transitGateway.id },
      opts(spec, parent, { dependsOn: [attachment] }),
    );
  });
  return { transitGateway, attachment };
}

/**
 * VPN connection `i` (0 or 1) to one peer address, carrying tunnels `2i` and `2i+1` of the
 * plan. The peer's ASN goes on the customer gateway.
 */
export function createAwsVpnConnection(
  name: string,
  spec: VpnSpec,
  i: 0 | 1,
  transit: AwsTransit,
  peer: { readonly address: pulumi.Input<string>; readonly asn: number; readonly label: string },
  parent: pulumi.Resource,
): aws.ec2.VpnConnection {
  const customerGateway = new aws.ec2.CustomerGateway(
    `${name}-cgw-${i}`,
    { bgpAsn: String(peer.asn), ipAddress: peer.address, type: "ipsec.1", tags: { ...spec.tags, Name: `${name}-cgw-${i} (${peer.label})` } },
    opts(spec, parent),
  );
  const [a, b] = [spec.tunnels[2 * i], spec.tunnels[2 * i + 1]];
  return new aws.ec2.VpnConnection(
    `${name}-vpn-${i}`,
    {
      customerGatewayId: customerGateway.id,
      transitGatewayId: transit.transitGateway.id,
      type: "ipsec.1",
      staticRoutesOnly: false,
      tunnelInsideIpVersion: "ipv4",
      tunnel1InsideCidr: a.insideCidr,
      tunnel2InsideCidr: b.insideCidr,
      tunnel1PresharedKey: spec.psks[a.index],
      tunnel2PresharedKey: spec.psks[b.index],
      ...awsTunnelCrypto(1),
      ...awsTunnelCrypto(2),
      tags: { ...spec.tags, Name: `${name}-vpn-${i}` },
    },
    // The PSKs are inputs the provider echoes back as outputs; keep them secret in state.
    opts(spec, parent, { additionalSecretOutputs: ["tunnel1PresharedKey", "tunnel2PresharedKey"], dependsOn: [transit.attachment] }),
  );
}

/** Outside address of plan tunnel `t` on its VPN connection. */
export function awsTunnelAddress(connections: readonly aws.ec2.VpnConnection[], t: number): pulumi.Output<string> {
  const c = connections[t >> 1];
  return t % 2 === 0 ? c.tunnel1Address : c.tunnel2Address;
}
