/** The domain's peer networks (over the interconnect VPNs) are admitted inbound on all three clouds, and nothing wider. */
import { findAll, findOne, installMocks, settle, valueOf } from "../../support/mocks";
import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native";
import * as gcp from "@pulumi/gcp";
import { loadFleet } from "../../../automation/fleet";
import { ResidencyKey } from "../../../components/kms";
import { Network, validateNetworkArgs } from "../../../components/network";
import { peerNetworkCidrs } from "../../../stacks/peers";
import { REFERENCE_STACKS } from "../../support/fleetDir";

const cloud = installMocks();
const PEERS = ["10.1.0.0/16", "10.2.0.0/16"];

function network(c: "aws" | "azure" | "gcp", region: string, cidr: string, peerCidrs: readonly string[]) {
  const provider =
    c === "aws" ? new aws.Provider(`p-${c}`, { region: region as aws.Region }) : c === "azure" ? new azure.Provider(`p-${c}`, { location: region }) : new gcp.Provider(`p-${c}`, { project: "meridian-eu-prod", region });
  const key = new ResidencyKey(`${c}k`, { domain: "eu", cloud: c, region }, { providers: [provider] });
  return new Network(`${c}n`, { domain: "eu", cidr, key: key.handle, zones: 2, peerCidrs }, { providers: [provider] });
}

const awsNet = network("aws", "eu-central-1", "10.0.0.0/16", PEERS);
network("azure", "westeurope", "10.2.0.0/16", ["10.0.0.0/16", "10.1.0.0/16"]);
network("gcp", "europe-west1", "10.1.0.0/16", ["10.0.0.0/16", "10.2.0.0/16"]);

beforeAll(async () => {
  await valueOf(awsNet.networkId);
  await settle();
});

describe("peer networks admitted", () => {
  it("AWS: a peers security group admitting exactly the peer ranges, exported on the handle", async () => {
    const sg = findOne(cloud, "aws:ec2/securityGroup:SecurityGroup", "awsn-peers");
    expect(sg.inputs.ingress).toEqual([expect.objectContaining({ protocol: "-1", cidrBlocks: PEERS })]);
    expect(sg.inputs.egress).toEqual([]);
    expect(await valueOf(awsNet.handle.peerSecurityGroupId!)).toBe(sg.state.id);
  });

  it("Azure: an NSG rule on the node subnet admitting the peer ranges, before the internet deny", () => {
    const nsg = findOne(cloud, "azure-native:network:NetworkSecurityGroup");
    const rules = nsg.inputs.securityRules as Array<Record<string, unknown>>;
    const allow = rules.find((r) => r.name === "allow-domain-peers-inbound")!;
    expect(allow).toMatchObject({ direction: "Inbound", access: "Allow", sourceAddressPrefixes: ["10.0.0.0/16", "10.1.0.0/16"], destinationAddressPrefix: "10.2.0.0/16" });
    const deny = rules.find((r) => r.name === "deny-internet-inbound")!;
    expect(allow.priority as number).toBeLessThan(deny.priority as number);
  });

  it("GCP: an ingress firewall rule from the peer ranges only, logged", () => {
    const fw = findOne(cloud, "gcp:compute/firewall:Firewall");
    expect(fw.inputs).toMatchObject({ direction: "INGRESS", sourceRanges: ["10.0.0.0/16", "10.2.0.0/16"], allows: [{ protocol: "all" }] });
    expect(fw.inputs.logConfig).toEqual({ metadata: "INCLUDE_ALL_METADATA" });
    expect(findAll(cloud, "gcp:compute/firewall:Firewall")).toHaveLength(1);
  });

  it("refuses a public range and the network's own range as peers", () => {
    const key = { domain: "eu", cloud: "aws", region: "eu-central-1", arn: "arn" } as never;
    const reasons = (peerCidrs: string[]) => validateNetworkArgs({ domain: "eu", cidr: "10.0.0.0/16", key, peerCidrs }).map((p) => `${p.propertyPath}: ${p.reason}`);
    expect(reasons(["0.0.0.0/0"])).toEqual([expect.stringMatching(/^peerCidrs\[0\]: 0\.0\.0\.0\/0 is not a private range/)]);
    expect(reasons(["8.8.8.0/24"])).toHaveLength(1);
    expect(reasons(["10.0.128.0/17"])).toEqual(["peerCidrs[0]: 10.0.128.0/17 overlaps this network's own 10.0.0.0/16"]);
    expect(reasons(PEERS)).toEqual([]);
  });
});

describe("peerNetworkCidrs over the reference fleet", () => {
  const fleet = loadFleet(REFERENCE_STACKS);
  const cidrOf = (stack: string) => {
    const c = fleet.stacks.get(stack)!.config;
    if (c["meridian:role"] !== "foundation") throw new Error("role");
    return c["meridian:network"].slot;
  };

  it("is the other clouds' foundation networks of the same domain, never the other domain's", () => {
    for (const d of ["eu", "us"] as const) {
      for (const c of ["aws", "azure", "gcp"]) {
        const peers = peerNetworkCidrs(fleet, fleet.stacks.get(`${d}-foundation-${c}`)!);
        expect(peers).toHaveLength(2);
        const pool = fleet.settings.ipam.pools[d].nodes;
        const { contains } = jest.requireActual<typeof import("../../../components/network/ipam")>("../../../components/network/ipam");
        for (const p of peers) expect(contains(pool, p)).toBe(true);
      }
    }
    expect(cidrOf("eu-foundation-aws")).toBe(0);
    expect(peerNetworkCidrs(fleet, fleet.stacks.get("eu-foundation-aws")!)).toEqual(["10.1.0.0/16", "10.2.0.0/16"]);
  });
});
