/** The interconnect role over the reference fleet: foundations read by StackReference, a plan-consistent VPN. */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { MockCloud } from "../../../automation/plan/mock-cloud";
import { settle, valueOf } from "../../support/mocks";
import { loadFleet } from "../../../automation/fleet";
import { createContext } from "../../../stacks/context";
import { interconnect } from "../../../stacks/roles/interconnect";
import { interconnectPlan } from "../../../components/interconnect";

const foundation = (cloud: "aws" | "gcp", region: string, cidr: string) => ({
  domain: "eu",
  stack: `eu-foundation-${cloud}`,
  role: "foundation",
  cloud,
  region,
  key: cloud === "aws" ? { cloud, region, arn: `arn:aws:kms:${region}:123456789012:key/k` } : { cloud, region, cryptoKeyId: `projects/p/locations/${region}/keyRings/r/cryptoKeys/k` },
  registry: { imagePrefixes: ["x/"] },
  network: {
    networkId: cloud === "aws" ? "vpc-1" : "projects/p/global/networks/n",
    privateSubnetIds: ["s1", "s2"],
    cidr,
    ...(cloud === "aws" ? { routeTableIds: ["rtb-a", "rtb-b"] } : {}),
  },
});

// installMocks sets no organization, which StackReference names need: set mocks directly.
const cloud = new MockCloud({
  stackOutputs: new Map([
    ["eu-foundation-aws", foundation("aws", "eu-central-1", "10.0.0.0/16")],
    ["eu-foundation-gcp", foundation("gcp", "europe-west1", "10.1.0.0/16")],
  ]),
});
void pulumi.runtime.setMocks(cloud, "meridian", "eu-interconnect-aws-gcp", false, "organization");

describe("interconnect role", () => {
  it("builds the stack's VPN from the foundations' networks with the plan's ASNs, on region-pinned providers", async () => {
    const fleet = loadFleet(path.join(__dirname, "../../../stacks"));
    const spec = fleet.stacks.get("eu-interconnect-aws-gcp")!;
    const outputs = await interconnect(createContext(fleet, spec, "eu"));
    await settle();
    const plan = interconnectPlan(fleet, spec.name);
    expect(outputs.asns).toEqual(plan.asns);
    expect(outputs.advertisedPrefixes).toEqual({ aws: ["10.0.0.0/16"], gcp: ["10.1.0.0/16"] });
    const tunnels = await valueOf(outputs.tunnels as never as Promise<Array<{ insideCidr: string }>>);
    expect(tunnels.map((t) => t.insideCidr)).toEqual(plan.tunnels.map((t) => t.insideCidr));
    const tgw = cloud.records.find((r) => r.type === "aws:ec2transitgateway/transitGateway:TransitGateway")!;
    expect(tgw.provider?.inputs.region).toBe("eu-central-1");
    expect(cloud.records.find((r) => r.type === "gcp:compute/router:Router")!.provider?.inputs.region).toBe("europe-west1");
    expect(outputs).not.toHaveProperty("azureGateway");
    // Every private route table on AWS sends the GCP network through the transit gateway.
    const routes = cloud.records.filter((r) => r.type === "aws:ec2/route:Route");
    expect(routes.map((r) => r.inputs.routeTableId).sort()).toEqual(["rtb-a", "rtb-b"]);
    for (const r of routes) {
      expect(r.inputs.destinationCidrBlock).toBe("10.1.0.0/16");
      expect(r.inputs.transitGatewayId).toBe(tgw.state.id);
    }
  });
});
