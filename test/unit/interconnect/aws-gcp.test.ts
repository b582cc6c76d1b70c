/** AWS ↔ GCP under mocks: full resource set, wiring, crypto, BGP, secrecy, advertisements. */
import { installMocks, settle, unwrapSecret, valueOf } from "../../support/mocks";
import { CrossCloudVpn, allocateAsn, isValidPsk, overlaps } from "./imports";
import { CIDRS, byName, network, of, plainInput, plainStrings, providers } from "./fixtures";

const cloud = installMocks({ stack: "eu-interconnect-aws-gcp" });
const NAME = "eu-ic";
let vpn: CrossCloudVpn<"eu">;

beforeAll(async () => {
  vpn = new CrossCloudVpn(NAME, {
    domain: "eu",
    slot: 0,
    networks: [network("eu", "aws"), network("eu", "gcp")],
    providers: providers("p"),
    awsRouteTableIds: ["rtb-1", "rtb-2"],
    tags: { residency: "eu" },
  });
  await valueOf(vpn.tunnels);
  await settle();
});

const T = {
  tgw: "aws:ec2transitgateway/transitGateway:TransitGateway",
  attach: "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
  route: "aws:ec2/route:Route",
  cgw: "aws:ec2/customerGateway:CustomerGateway",
  vpn: "aws:ec2/vpnConnection:VpnConnection",
  ha: "gcp:compute/haVpnGateway:HaVpnGateway",
  router: "gcp:compute/router:Router",
  ext: "gcp:compute/externalVpnGateway:ExternalVpnGateway",
  tunnel: "gcp:compute/vPNTunnel:VPNTunnel",
  iface: "gcp:compute/routerInterface:RouterInterface",
  peer: "gcp:compute/routerPeer:RouterPeer",
  psk: "random:index/randomPassword:RandomPassword",
};

describe("AWS ↔ GCP", () => {
  it("creates the 99.99% topology: 1 TGW, 2 CGWs, 2 VPN connections, HA VPN, router, 4-IP external gateway, 4 tunnels/interfaces/peers, 4 PSKs", () => {
    const counts = Object.fromEntries(Object.entries(T).map(([k, t]) => [k, of(cloud, NAME, t).length]));
    expect(counts).toEqual({ tgw: 1, attach: 1, route: 2, cgw: 2, vpn: 2, ha: 1, router: 1, ext: 1, tunnel: 4, iface: 4, peer: 4, psk: 4 });
    expect(of(cloud, NAME, T.ext)[0].inputs.redundancyType).toBe("FOUR_IPS_REDUNDANCY");
    expect(cloud.records.some((r) => r.type.startsWith("azure-native:") && r.name.startsWith(NAME))).toBe(false);
  });

  it("every child uses the explicit provider of its cloud", () => {
    for (const r of cloud.records.filter((r) => r.name.startsWith(`${NAME}-`))) {
      const pkg = r.type.slice(0, r.type.indexOf(":"));
      expect(r.provider?.type).toBe(`pulumi:providers:${pkg}`);
    }
  });

  it("wires each HA VPN interface to one customer gateway, and the four AWS outside addresses to the external gateway", () => {
    const ha = of(cloud, NAME, T.ha)[0].state.vpnInterfaces as Array<{ ipAddress: string }>;
    const gcpAsn = allocateAsn("eu", 0, 1);
    for (const i of [0, 1]) {
      const cgw = byName(of(cloud, NAME, T.cgw), `cgw-${i}`);
      expect(cgw.inputs.ipAddress).toBe(ha[i].ipAddress);
      expect(cgw.inputs.bgpAsn).toBe(String(gcpAsn));
      expect(cgw.inputs.type).toBe("ipsec.1");
      const conn = byName(of(cloud, NAME, T.vpn), `vpn-${i}`);
      expect(conn.inputs.customerGatewayId).toBe(cgw.state.id);
      expect(conn.inputs.transitGatewayId).toBe(of(cloud, NAME, T.tgw)[0].state.id);
      expect(conn.inputs.staticRoutesOnly).toBe(false);
    }
    const ext = of(cloud, NAME, T.ext)[0].inputs.interfaces as Array<{ id: number; ipAddress: string }>;
    const conns = [0, 1].map((i) => byName(of(cloud, NAME, T.vpn), `vpn-${i}`).state);
    expect(ext).toEqual([
      { id: 0, ipAddress: conns[0].tunnel1Address },
      { id: 1, ipAddress: conns[0].tunnel2Address },
      { id: 2, ipAddress: conns[1].tunnel1Address },
      { id: 3, ipAddress: conns[1].tunnel2Address },
    ]);
    expect(new Set(ext.map((e) => e.ipAddress)).size).toBe(4);
  });

  it("each GCP tunnel leaves interface t>>1 toward external interface t, and BGP peers the AWS inside address with the TGW ASN", () => {
    const tgwAsn = of(cloud, NAME, T.tgw)[0].inputs.amazonSideAsn;
    expect(tgwAsn).toBe(allocateAsn("eu", 0, 0));
    expect(of(cloud, NAME, T.router)[0].inputs.bgp).toMatchObject({ asn: allocateAsn("eu", 0, 1) });
    for (const t of [0, 1, 2, 3]) {
      const tunnel = byName(of(cloud, NAME, T.tunnel), `tunnel-${t}`);
      expect(tunnel.inputs.vpnGatewayInterface).toBe(t >> 1);
      expect(tunnel.inputs.peerExternalGatewayInterface).toBe(t);
      expect(tunnel.inputs.peerExternalGateway).toBe(of(cloud, NAME, T.ext)[0].state.id);
      const conn = byName(of(cloud, NAME, T.vpn), `vpn-${t >> 1}`).state;
      const n = (t % 2) + 1;
      const iface = byName(of(cloud, NAME, T.iface), `bgp-if-${t}`);
      expect(iface.inputs.ipRange).toBe(`${conn[`tunnel${n}CgwInsideAddress`]}/30`);
      expect(iface.inputs.vpnTunnel).toBe(tunnel.state.name);
      const peer = byName(of(cloud, NAME, T.peer), `bgp-peer-${t}`);
      expect(peer.inputs.peerIpAddress).toBe(conn[`tunnel${n}VgwInsideAddress`]);
      expect(peer.inputs.peerAsn).toBe(tgwAsn);
      expect(peer.inputs.interface).toBe(iface.state.name);
    }
  });

  it("sets IKEv2, AES-256/GCM, SHA-256, DH/PFS group 20 explicitly on every tunnel of both clouds", () => {
    for (const conn of of(cloud, NAME, T.vpn)) {
      for (const n of [1, 2]) {
        expect(conn.inputs[`tunnel${n}IkeVersions`]).toEqual(["ikev2"]);
        expect(conn.inputs[`tunnel${n}Phase1EncryptionAlgorithms`]).toEqual(["AES256"]);
        expect(conn.inputs[`tunnel${n}Phase1IntegrityAlgorithms`]).toEqual(["SHA2-256"]);
        expect(conn.inputs[`tunnel${n}Phase1DhGroupNumbers`]).toEqual([20]);
        expect(conn.inputs[`tunnel${n}Phase2EncryptionAlgorithms`]).toEqual(["AES256-GCM-16"]);
        expect(conn.inputs[`tunnel${n}Phase2DhGroupNumbers`]).toEqual([20]);
      }
    }
    for (const t of of(cloud, NAME, T.tunnel)) {
      expect(t.inputs.ikeVersion).toBe(2);
      expect(t.inputs.cipherSuite).toEqual({
        phase1: { encryptions: ["AES-CBC-256"], integrities: ["HMAC-SHA2-256-128"], prves: ["PRF-HMAC-SHA2-256"], dhs: ["Group-20"] },
        phase2: { encryptions: ["AES-GCM-16-256"], pfs: ["Group-20"] },
      });
    }
  });

  it("uses a distinct, provider-valid PSK per tunnel, always as a secret, and the same key on both ends", () => {
    const keys: string[] = [];
    for (const t of [0, 1, 2, 3]) {
      const conn = byName(of(cloud, NAME, T.vpn), `vpn-${t >> 1}`);
      const aws = unwrapSecret(conn.inputs[`tunnel${(t % 2) + 1}PresharedKey`]);
      const gcp = unwrapSecret(byName(of(cloud, NAME, T.tunnel), `tunnel-${t}`).inputs.sharedSecret);
      expect(aws.secret).toBe(true);
      expect(gcp.secret).toBe(true);
      expect(gcp.value).toBe(aws.value);
      expect(isValidPsk(aws.value as string)).toBe(true);
      keys.push(aws.value as string);
    }
    expect(new Set(keys).size).toBe(4);
    for (const p of of(cloud, NAME, T.psk)) {
      expect(p.inputs).toMatchObject({ length: 48, overrideSpecial: "._", special: true });
      expect(p.provider?.type).toBe("pulumi:providers:random");
    }
  });

  it("never exposes a PSK in the monitoring output, and reports each tunnel's two ends", async () => {
    const tunnels = await valueOf(vpn.tunnels);
    const psks = of(cloud, NAME, T.vpn).flatMap((c) => [1, 2].map((n) => unwrapSecret(c.inputs[`tunnel${n}PresharedKey`]).value as string));
    const text = JSON.stringify(tunnels);
    for (const k of psks) expect(text).not.toContain(k);
    expect(tunnels).toHaveLength(4);
    for (const t of tunnels) {
      expect(Object.keys(t.endpoints).sort()).toEqual(["aws", "gcp"]);
      expect(t.endpoints.aws!.outsideAddress).toMatch(/^3\./);
      expect(t.endpoints.gcp!.outsideAddress).toMatch(/^34\./);
      expect(overlaps(`${t.endpoints.aws!.bgpAddress}/32`, t.insideCidr)).toBe(true);
    }
  });

  it("advertises only the two networks' own prefixes", () => {
    const router = of(cloud, NAME, T.router)[0].inputs.bgp as { advertiseMode: string; advertisedGroups: string[]; advertisedIpRanges: Array<{ range: string }> };
    expect(router.advertiseMode).toBe("CUSTOM");
    expect(router.advertisedGroups).toEqual([]);
    expect(router.advertisedIpRanges.map((r) => r.range)).toEqual([CIDRS.gcp]);
    for (const p of of(cloud, NAME, T.peer)) {
      expect(p.inputs.advertiseMode).toBe("CUSTOM");
      expect((p.inputs.advertisedIpRanges as Array<{ range: string }>).map((r) => r.range)).toEqual([CIDRS.gcp]);
    }
    expect(vpn.advertisedPrefixes).toEqual({ aws: [CIDRS.aws], gcp: [CIDRS.gcp] });
    // AWS routes point only the GCP prefix at this interconnect's TGW.
    for (const r of of(cloud, NAME, T.route)) expect(r.inputs.destinationCidrBlock).toBe(CIDRS.gcp);
  });

  it("keeps PSKs out of every plain input of every resource it created", () => {
    const psks = of(cloud, NAME, T.vpn).flatMap((c) => [1, 2].map((n) => unwrapSecret(c.inputs[`tunnel${n}PresharedKey`]).value as string));
    for (const r of cloud.records.filter((r) => r.name.startsWith(`${NAME}-`) && r.type !== T.psk)) {
      const plain = plainStrings(r.inputs).join("\n");
      for (const k of psks) expect(plain).not.toContain(k);
    }
    expect(plainInput(byName(of(cloud, NAME, T.vpn), "vpn-0"), "tunnel1InsideCidr")).toMatch(/^169\.254\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./);
  });
});
