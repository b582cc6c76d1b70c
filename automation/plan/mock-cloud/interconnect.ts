/**
 * Mock outputs for VPN/interconnect types — owned by the interconnect area. Public
 * addresses are deterministic per resource (AWS 3.x, GCP 34.x, Azure 20.x, like the real
 * clouds' pools); inside addresses follow the provider's rule (AWS: `.1` of the /30 is the
 * AWS side, `.2` the customer gateway).
 */
import { plain, stableHash, str, type MockContext } from "./shared";

/** A stable public-looking IPv4 address: `<first>.<a>.<b>.<c>` from the resource identity. */
export function fakePublicIp(first: number, seed: string): string {
  const h = stableHash(seed, 6);
  const octet = (i: number) => (parseInt(h.slice(i * 2, i * 2 + 2), 16) % 254) + 1;
  return `${first}.${octet(0)}.${octet(1)}.${octet(2)}`;
}

function insideHosts(cidr: unknown): { vgw?: string; cgw?: string } {
  const c = plain(cidr);
  if (typeof c !== "string" || !/^(\d+\.){3}\d+\/30$/.test(c)) return {};
  const [a, b, cc, d] = c.split("/")[0].split(".").map(Number);
  return { vgw: `${a}.${b}.${cc}.${d + 1}`, cgw: `${a}.${b}.${cc}.${d + 2}` };
}

function vpnConnection(ctx: MockContext): Record<string, unknown> {
  const out: Record<string, unknown> = {
    transitGatewayAttachmentId: `tgw-attach-${stableHash(ctx.name + "attach", 17)}`,
    customerGatewayConfiguration: "<mock customer gateway configuration>",
  };
  for (const n of [1, 2]) {
    const inside = insideHosts(ctx.inputs[`tunnel${n}InsideCidr`]);
    out[`tunnel${n}Address`] = fakePublicIp(3, `${ctx.name}-tunnel${n}`);
    out[`tunnel${n}VgwInsideAddress`] = inside.vgw;
    out[`tunnel${n}CgwInsideAddress`] = inside.cgw;
    out[`tunnel${n}BgpAsn`] = str(ctx.inputs.bgpAsn, "");
    out[`tunnel${n}BgpHoldtime`] = 30;
  }
  return out;
}

export const interconnectShapers: Record<string, (ctx: MockContext) => Record<string, unknown>> = {
  "aws:ec2/vpnConnection:VpnConnection": vpnConnection,
  "aws:ec2transitgateway/transitGateway:TransitGateway": (ctx) => ({
    associationDefaultRouteTableId: `tgw-rtb-${stableHash(ctx.name + "assoc", 17)}`,
    propagationDefaultRouteTableId: `tgw-rtb-${stableHash(ctx.name + "assoc", 17)}`,
    ownerId: "123456789012",
  }),
  "gcp:compute/haVpnGateway:HaVpnGateway": (ctx) => ({
    vpnInterfaces: [0, 1].map((id) => ({ id, ipAddress: fakePublicIp(34, `${ctx.name}-if${id}`) })),
  }),
  "azure-native:network:PublicIPAddress": (ctx) => ({ ipAddress: fakePublicIp(20, ctx.name) }),
  "azure-native:network:VirtualNetworkGateway": (ctx) => {
    const bgp = (plain(ctx.inputs.bgpSettings) ?? {}) as { asn?: number; bgpPeeringAddresses?: Array<Record<string, unknown>> };
    const configs = (plain(ctx.inputs.ipConfigurations) ?? []) as Array<Record<string, unknown>>;
    return {
      bgpSettings: {
        asn: bgp.asn,
        bgpPeeringAddresses: (bgp.bgpPeeringAddresses ?? []).map((p, i) => ({
          ...p,
          defaultBgpIpAddresses: [`10.255.255.${4 + i}`],
          tunnelIpAddresses: [fakePublicIp(20, `${ctx.name}-instance${i}`)],
        })),
      },
      ipConfigurations: configs.map((c) => ({ ...c, provisioningState: "Succeeded" })),
      provisioningState: "Succeeded",
    };
  },
  "azure-native:network:VirtualNetworkGatewayConnection": () => ({ connectionStatus: "Connected", provisioningState: "Succeeded" }),
};
