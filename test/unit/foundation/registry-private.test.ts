/**
 * The domain registry is reachable from the domain network without the internet: ECR
 * interface + S3 gateway endpoints, an ACR private endpoint with its private DNS zone, and
 * Artifact Registry through Private Google Access.
 */
import { findAll, findOne, installMocks, settle, valueOf } from "../../support/mocks";
import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native";
import * as gcp from "@pulumi/gcp";
import { ResidencyKey } from "../../../components/kms";
import { Network } from "../../../components/network";
import { ACR_PRIVATE_DNS_ZONE, PRIVATE_GOOGLE_ACCESS_CIDR, ResidencyRegistry, validateResidencyRegistryArgs } from "../../../components/registry";
import { claimResident, type NetworkHandle } from "../../../components/residency";

const cloud = installMocks();

function foundation(c: "aws" | "azure" | "gcp", region: string, cidr: string) {
  const provider =
    c === "aws"
      ? new aws.Provider(`p-${c}`, { region: region as aws.Region, allowedAccountIds: ["100000000001"] })
      : c === "azure"
        ? new azure.Provider(`p-${c}`, { location: region })
        : new gcp.Provider(`p-${c}`, { project: "meridian-eu-prod", region });
  const opts = { providers: [provider] };
  const key = new ResidencyKey(`${c}k`, { domain: "eu", cloud: c, region }, opts);
  const network = new Network(`${c}n`, { domain: "eu", cidr, key: key.handle, zones: 2 }, opts);
  const registry = new ResidencyRegistry(`${c}r`, { domain: "eu", key: key.handle, network: network.handle }, opts);
  return { key, network, registry };
}

const awsF = foundation("aws", "eu-central-1", "10.0.0.0/16");
const azF = foundation("azure", "westeurope", "10.2.0.0/16");
const gcpF = foundation("gcp", "europe-west1", "10.1.0.0/16");

beforeAll(async () => {
  await valueOf(awsF.registry.imagePrefixes);
  await valueOf(azF.registry.imagePrefixes);
  await valueOf(gcpF.registry.imagePrefixes);
  await settle();
});

describe("ECR from the VPC", () => {
  it("ecr.api and ecr.dkr are interface endpoints with private DNS in the private subnets, HTTPS from the VPC only", async () => {
    const endpoints = findAll(cloud, "aws:ec2/vpcEndpoint:VpcEndpoint");
    const vpcId = await valueOf(awsF.network.networkId);
    const subnets = await valueOf(awsF.network.privateSubnetIds);
    const iface = endpoints.filter((e) => e.inputs.vpcEndpointType === "Interface");
    expect(iface.map((e) => e.inputs.serviceName).sort()).toEqual(["com.amazonaws.eu-central-1.ecr.api", "com.amazonaws.eu-central-1.ecr.dkr"]);
    const sg = findOne(cloud, "aws:ec2/securityGroup:SecurityGroup", "awsr-endpoints");
    for (const e of iface) {
      expect(e.inputs).toMatchObject({ vpcId, privateDnsEnabled: true, subnetIds: subnets, securityGroupIds: [sg.state.id] });
    }
    expect(sg.inputs.ingress).toEqual([expect.objectContaining({ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/16"] })]);
    expect(sg.inputs.egress).toEqual([]);
  });

  it("S3 (image layers) is a gateway endpoint on the private route tables, limited to ECR's layer bucket and this account", async () => {
    const s3 = findAll(cloud, "aws:ec2/vpcEndpoint:VpcEndpoint").find((e) => e.inputs.vpcEndpointType === "Gateway")!;
    expect(s3.inputs.serviceName).toBe("com.amazonaws.eu-central-1.s3");
    expect(s3.inputs.routeTableIds).toEqual(await valueOf(awsF.network.handle.routeTableIds!));
    const policy = JSON.parse(String(s3.inputs.policy)) as { Statement: Array<{ Sid: string; Resource: unknown; Condition?: unknown }> };
    expect(policy.Statement.find((s) => s.Sid === "EcrLayers")!.Resource).toEqual(["arn:aws:s3:::prod-eu-central-1-starport-layer-bucket/*"]);
    // The account the provider is pinned to: the route carries nothing to another account's bucket.
    expect(policy.Statement.find((s) => s.Sid === "OwnAccountBuckets")!.Condition).toEqual({ StringEquals: { "aws:ResourceAccount": "100000000001" } });
  });
});

describe("ACR from the VNet", () => {
  it("a private endpoint for the registry in the node subnet", async () => {
    const pe = findOne(cloud, "azure-native:network:PrivateEndpoint");
    const acr = findOne(cloud, "azure-native:containerregistry:Registry");
    expect(pe.inputs.location).toBe("westeurope");
    expect((pe.inputs.subnet as { id: string }).id).toBe((await valueOf(azF.network.privateSubnetIds))[0]);
    expect(pe.inputs.privateLinkServiceConnections).toEqual([expect.objectContaining({ privateLinkServiceId: acr.state.id, groupIds: ["registry"] })]);
    expect(acr.inputs.publicNetworkAccess).toBe("Disabled");
    expect(await valueOf(azF.registry.registryId!)).toBe(acr.state.id);
    expect(azF.registry.handle.registryId).toBeDefined();
  });

  it("privatelink.azurecr.io linked to the VNet (no auto-registration) and the endpoint's records in it", async () => {
    const zone = findOne(cloud, "azure-native:privatedns:PrivateZone");
    expect(zone.inputs.privateZoneName).toBe(ACR_PRIVATE_DNS_ZONE);
    const link = findOne(cloud, "azure-native:privatedns:VirtualNetworkLink");
    expect(link.inputs).toMatchObject({ virtualNetwork: { id: await valueOf(azF.network.networkId) }, registrationEnabled: false });
    const group = findOne(cloud, "azure-native:network:PrivateDnsZoneGroup");
    expect(group.inputs.privateDnsZoneConfigs).toEqual([expect.objectContaining({ privateDnsZoneId: zone.state.id })]);
  });
});

describe("Artifact Registry through Private Google Access", () => {
  it("the subnet has Private Google Access; pkg.dev resolves to private.googleapis.com in a zone private to this network", async () => {
    expect(findOne(cloud, "gcp:compute/subnetwork:Subnetwork").inputs.privateIpGoogleAccess).toBe(true);
    const zone = findOne(cloud, "gcp:dns/managedZone:ManagedZone");
    expect(zone.inputs).toMatchObject({ dnsName: "pkg.dev.", visibility: "private", privateVisibilityConfig: { networks: [{ networkUrl: await valueOf(gcpF.network.networkId) }] } });
    const records = findAll(cloud, "gcp:dns/recordSet:RecordSet");
    expect(records.find((r) => r.inputs.type === "A")!.inputs.rrdatas).toEqual(["199.36.153.8", "199.36.153.9", "199.36.153.10", "199.36.153.11"]);
    expect(records.find((r) => r.inputs.type === "CNAME")!.inputs).toMatchObject({ name: "*.pkg.dev.", rrdatas: ["pkg.dev."] });
    const route = findOne(cloud, "gcp:compute/route:Route");
    expect(route.inputs).toMatchObject({ destRange: PRIVATE_GOOGLE_ACCESS_CIDR, nextHopGateway: "default-internet-gateway" });
  });
});

describe("validation", () => {
  it("refuses a network of another domain, cloud or region", () => {
    const key = awsF.key.handle;
    const other = (over: Partial<NetworkHandle<"eu">> & { domain?: string }) =>
      claimResident("eu", { cloud: "aws" as const, region: "eu-central-1", networkId: "vpc", privateSubnetIds: ["s"], cidr: "10.0.0.0/16", routeTableIds: ["rt"], ...over }) as NetworkHandle<"eu">;
    const paths = (network: NetworkHandle<"eu">) => validateResidencyRegistryArgs({ domain: "eu", key, network }).map((p) => p.propertyPath);
    expect(paths(other({}))).toEqual([]);
    expect(paths({ ...other({}), domain: "us" } as unknown as NetworkHandle<"eu">)).toContain("network");
    expect(paths(other({ region: "eu-west-1" }))).toContain("network");
    expect(paths(other({ cloud: "gcp" }))).toContain("network");
    expect(paths(other({ routeTableIds: undefined }))).toContain("network.routeTableIds");
  });
});
