/**
 * AWS ↔ Azure (creates the Azure gateway) and GCP ↔ Azure (terminates on it) under mocks:
 * resource sets, which address feeds which peer, APIPA addresses, crypto, secrecy.
 */
import { installMocks, settle, unwrapSecret, valueOf } from "../../support/mocks";
import { CrossCloudVpn, allocateAsn, inAzureApipaWindow, planTunnels } from "./imports";
import { CIDRS, byName, network, of, providers } from "./fixtures";

/** Loosely typed view of mock inputs for deep assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const cloud = installMocks({ stack: "eu-interconnect-aws-azure" });
const AA = "eu-aa";
const GA = "eu-ga";
let awsAzure: CrossCloudVpn<"eu">;
let gcpAzure: CrossCloudVpn<"eu">;

const T = {
  pip: "azure-native:network:PublicIPAddress",
  vng: "azure-native:network:VirtualNetworkGateway",
  lng: "azure-native:network:LocalNetworkGateway",
  conn: "azure-native:network:VirtualNetworkGatewayConnection",
  cgw: "aws:ec2/customerGateway:CustomerGateway",
  vpn: "aws:ec2/vpnConnection:VpnConnection",
  ha: "gcp:compute/haVpnGateway:HaVpnGateway",
  ext: "gcp:compute/externalVpnGateway:ExternalVpnGateway",
  tunnel: "gcp:compute/vPNTunnel:VPNTunnel",
  peer: "gcp:compute/routerPeer:RouterPeer",
  iface: "gcp:compute/routerInterface:RouterInterface",
};

// The gateway must carry the APIPA addresses of both interconnects (as interconnectPlan computes).
const own = [planTunnels("eu", 1, ["aws", "azure"]), planTunnels("eu", 2, ["gcp", "azure"])].flat();
const perInstance = [0, 1].map((k) => own.filter((t) => t.azureInstance === k).map((t) => t.bgpAddress.azure!)) as [string[], string[]];

beforeAll(async () => {
  const p = providers("p");
  awsAzure = new CrossCloudVpn(AA, {
    domain: "eu",
    slot: 1,
    networks: [network("eu", "aws"), network("eu", "azure")],
    providers: p,
    azureGatewayBgpAddresses: perInstance,
  });
  gcpAzure = new CrossCloudVpn(GA, {
    domain: "eu",
    slot: 2,
    networks: [network("eu", "gcp"), network("eu", "azure")],
    providers: p,
    azureGateway: awsAzure.azureGateway!,
  });
  await valueOf(awsAzure.tunnels);
  await valueOf(gcpAzure.tunnels);
  await settle();
});

describe("AWS ↔ Azure", () => {
  it("creates one active-active, zone-redundant, route-based BGP gateway with two static Standard public IPs", () => {
    expect(of(cloud, AA, T.pip)).toHaveLength(2);
    expect(of(cloud, AA, T.vng)).toHaveLength(1);
    const vng = of(cloud, AA, T.vng)[0].inputs as Loose;
    expect(vng).toMatchObject({ gatewayType: "Vpn", vpnType: "RouteBased", activeActive: true, enableBgp: true, vpnGatewayGeneration: "Generation2", sku: { name: "VpnGw2AZ" } });
    expect(vng.bgpSettings.asn).toBe(allocateAsn("eu", 1, 1));
    const pips = of(cloud, AA, T.pip);
    for (const pip of pips) expect(pip.inputs).toMatchObject({ publicIPAllocationMethod: "Static", sku: { name: "Standard" }, zones: ["1", "2", "3"] });
    expect(vng.ipConfigurations.map((c: Loose) => c.publicIPAddress.id)).toEqual(pips.map((p) => p.state.id));
    expect(vng.ipConfigurations.every((c: Loose) => /GatewaySubnet$/.test(c.subnet.id))).toBe(true);
    // Custom APIPA per instance: both interconnects' addresses, all inside Azure's window,
    // and each bgpPeeringAddress names the ip configuration of its own instance.
    const peering = vng.bgpSettings.bgpPeeringAddresses;
    expect(peering.map((b: Loose) => b.customBgpIpAddresses)).toEqual(perInstance);
    expect(peering[0].ipconfigurationId).toMatch(new RegExp(`/virtualNetworkGateways/${vng.virtualNetworkGatewayName}/ipConfigurations/${vng.ipConfigurations[0].name}$`));
    expect(peering[1].ipconfigurationId).toMatch(new RegExp(`/ipConfigurations/${vng.ipConfigurations[1].name}$`));
    for (const a of perInstance.flat()) expect(inAzureApipaWindow(`${a}/32`)).toBe(true);
  });

  it("points each AWS customer gateway at one Azure instance IP, and each Azure local gateway at an AWS tunnel OUTSIDE address", () => {
    const pips = of(cloud, AA, T.pip).map((p) => p.state.ipAddress);
    for (const i of [0, 1]) {
      const cgw = byName(of(cloud, AA, T.cgw), `cgw-${i}`);
      expect(cgw.inputs.ipAddress).toBe(pips[i]);
      expect(cgw.inputs.bgpAsn).toBe(String(allocateAsn("eu", 1, 1)));
    }
    expect(of(cloud, AA, T.lng)).toHaveLength(4);
    expect(of(cloud, AA, T.conn)).toHaveLength(4);
    for (const t of [0, 1, 2, 3]) {
      const conn = byName(of(cloud, AA, T.vpn), `vpn-${t >> 1}`).state;
      const n = (t % 2) + 1;
      const lng = byName(of(cloud, AA, T.lng), `lng-${t}`);
      expect(lng.inputs.gatewayIpAddress).toBe(conn[`tunnel${n}Address`]);
      expect(lng.inputs.bgpSettings).toEqual({ asn: allocateAsn("eu", 1, 0), bgpPeeringAddress: conn[`tunnel${n}VgwInsideAddress`] });
      const c = byName(of(cloud, AA, T.conn), `conn-${t}`);
      expect((c.inputs.localNetworkGateway2 as Loose).id).toBe(lng.state.id);
      expect((c.inputs.virtualNetworkGateway1 as Loose).id).toBe(of(cloud, AA, T.vng)[0].state.id);
      // The Azure instance this tunnel lands on uses the AWS tunnel's customer-side inside address.
      const custom = c.inputs.gatewayCustomBgpIpAddresses as Array<{ customBgpIpAddress: string }>;
      expect(custom[t >> 1].customBgpIpAddress).toBe(conn[`tunnel${n}CgwInsideAddress`]);
      expect(perInstance[0]).toContain(custom[0].customBgpIpAddress);
      expect(perInstance[1]).toContain(custom[1].customBgpIpAddress);
      // Same key on both ends, secret on both.
      const awsKey = unwrapSecret(byName(of(cloud, AA, T.vpn), `vpn-${t >> 1}`).inputs[`tunnel${n}PresharedKey`]);
      const azKey = unwrapSecret(c.inputs.sharedKey);
      expect(awsKey.secret && azKey.secret).toBe(true);
      expect(azKey.value).toBe(awsKey.value);
    }
  });

  it("uses IKEv2 with one explicit GCMAES256 / ECP384 policy on every connection", () => {
    for (const c of [...of(cloud, AA, T.conn), ...of(cloud, GA, T.conn)]) {
      expect(c.inputs).toMatchObject({ connectionType: "IPsec", connectionProtocol: "IKEv2", enableBgp: true, usePolicyBasedTrafficSelectors: false });
      expect(c.inputs.ipsecPolicies).toEqual([
        expect.objectContaining({ ikeEncryption: "AES256", ikeIntegrity: "SHA256", dhGroup: "ECP384", ipsecEncryption: "GCMAES256", ipsecIntegrity: "GCMAES256", pfsGroup: "ECP384" }),
      ]);
    }
  });
});

describe("GCP ↔ Azure on the shared gateway", () => {
  it("creates no second Azure gateway and peers with the shared gateway's ASN", () => {
    expect(of(cloud, GA, T.vng)).toHaveLength(0);
    expect(of(cloud, GA, T.pip)).toHaveLength(0);
    expect(gcpAzure.azureGateway).toBeUndefined();
    expect(gcpAzure.asns.azure).toBe(awsAzure.asns.azure);
    for (const p of of(cloud, GA, T.peer)) expect(p.inputs.peerAsn).toBe(allocateAsn("eu", 1, 1));
  });

  it("uses a TWO_IPS external gateway of the Azure instance IPs; tunnel t joins GCP interface t and Azure instance t", () => {
    const pips = of(cloud, AA, T.pip).map((p) => p.state.ipAddress);
    const ext = of(cloud, GA, T.ext)[0];
    expect(ext.inputs.redundancyType).toBe("TWO_IPS_REDUNDANCY");
    expect(ext.inputs.interfaces).toEqual([{ id: 0, ipAddress: pips[0] }, { id: 1, ipAddress: pips[1] }]);
    const ha = of(cloud, GA, T.ha)[0].state.vpnInterfaces as Array<{ ipAddress: string }>;
    const plans = planTunnels("eu", 2, ["gcp", "azure"]);
    for (const t of [0, 1]) {
      const tunnel = byName(of(cloud, GA, T.tunnel), `tunnel-${t}`);
      expect(tunnel.inputs).toMatchObject({ vpnGatewayInterface: t, peerExternalGatewayInterface: t, ikeVersion: 2 });
      const lng = byName(of(cloud, GA, T.lng), `lng-${t}`);
      expect(lng.inputs.gatewayIpAddress).toBe(ha[t].ipAddress);
      expect(lng.inputs.bgpSettings).toEqual({ asn: allocateAsn("eu", 2, 0), bgpPeeringAddress: plans[t].bgpAddress.gcp });
      expect(byName(of(cloud, GA, T.iface), `bgp-if-${t}`).inputs.ipRange).toBe(`${plans[t].bgpAddress.gcp}/30`);
      expect(byName(of(cloud, GA, T.peer), `bgp-peer-${t}`).inputs.peerIpAddress).toBe(plans[t].bgpAddress.azure);
      const custom = byName(of(cloud, GA, T.conn), `conn-${t}`).inputs.gatewayCustomBgpIpAddresses as Array<{ customBgpIpAddress: string }>;
      expect(custom[t].customBgpIpAddress).toBe(plans[t].bgpAddress.azure);
      expect(unwrapSecret(tunnel.inputs.sharedSecret).value).toBe(unwrapSecret(byName(of(cloud, GA, T.conn), `conn-${t}`).inputs.sharedKey).value);
    }
  });

  it("advertises only the GCP network's prefix from GCP", () => {
    for (const p of of(cloud, GA, T.peer)) expect((p.inputs.advertisedIpRanges as Array<{ range: string }>).map((r) => r.range)).toEqual([CIDRS.gcp]);
    expect(gcpAzure.advertisedPrefixes).toEqual({ gcp: [CIDRS.gcp], azure: [CIDRS.azure] });
  });

  it("monitoring output has both ends of both tunnels and no key", async () => {
    const tunnels = await valueOf(gcpAzure.tunnels);
    expect(tunnels.map((t) => Object.keys(t.endpoints).sort())).toEqual([["azure", "gcp"], ["azure", "gcp"]]);
    const keys = of(cloud, GA, T.conn).map((c) => unwrapSecret(c.inputs.sharedKey).value as string);
    for (const k of keys) expect(JSON.stringify(tunnels)).not.toContain(k);
  });
});
