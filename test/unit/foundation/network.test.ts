import { findAll, findOne, installMocks, settle, valueOf } from "../../support/mocks";
import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { ResidencyKey } from "../../../components/kms";
import { Network, planSubnets, validateNetworkArgs } from "../../../components/network";
import { contains } from "../../../components/network/ipam";
import { at } from "../../../policy-pack/lib/values";

const cloud = installMocks();
const tags = { residency: "eu" };

describe("Network", () => {
  it("AWS: private subnets in 3 zones, NAT per zone, no public IPs, locked default SG, KMS-encrypted flow logs", async () => {
    const provider = new aws.Provider("p-aws", { region: "eu-central-1" });
    const key = new ResidencyKey("k", { domain: "eu", cloud: "aws", region: "eu-central-1" }, { providers: [provider] });
    const net = new Network("n", { domain: "eu", cidr: "10.0.0.0/16", key: key.handle, tags }, { providers: [provider] });
    const subnetIds = await valueOf(net.privateSubnetIds);
    const routeTables = await valueOf(net.handle.routeTableIds!);
    await settle();
    expect(subnetIds).toHaveLength(3);
    // Each private subnet's own route table (egress through its zone's NAT) is exported for interconnect routes.
    expect(routeTables).toHaveLength(3);
    expect(new Set(routeTables).size).toBe(3);
    expect(findOne(cloud, "aws:ec2/vpc:Vpc").inputs.cidrBlock).toBe("10.0.0.0/16");
    const subnets = findAll(cloud, "aws:ec2/subnet:Subnet");
    expect(subnets).toHaveLength(6);
    for (const s of subnets) {
      expect(s.inputs.mapPublicIpOnLaunch).toBe(false);
      expect(contains("10.0.0.0/16", String(s.inputs.cidrBlock))).toBe(true);
    }
    const privateZones = subnets.filter((s) => s.name.includes("private")).map((s) => s.inputs.availabilityZone);
    expect(new Set(privateZones)).toEqual(new Set(["eu-central-1a", "eu-central-1b", "eu-central-1c"]));
    expect(findAll(cloud, "aws:ec2/natGateway:NatGateway")).toHaveLength(3);
    const sg = findOne(cloud, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
    expect(sg.inputs.ingress ?? []).toEqual([]);
    expect(sg.inputs.egress ?? []).toEqual([]);
    const logs = findOne(cloud, "aws:cloudwatch/logGroup:LogGroup");
    expect(logs.inputs.kmsKeyId).toBe(await valueOf(key.keyId));
    expect(logs.inputs.retentionInDays).toBe(365);
    expect(findOne(cloud, "aws:ec2/flowLog:FlowLog").inputs.trafficType).toBe("ALL");
    for (const r of cloud.records.filter((x) => x.type.startsWith("aws:"))) expect(r.provider?.inputs.region).toBe("eu-central-1");
  });

  it("Azure: encrypted VNet, NAT, GatewaySubnet, ZRS flow-log storage with the domain key", async () => {
    const provider = new azure.Provider("p-az", { location: "westeurope" });
    const key = new ResidencyKey("kz", { domain: "eu", cloud: "azure", region: "westeurope" }, { providers: [provider] });
    const net = new Network("nz", { domain: "eu", cidr: "10.2.0.0/16", key: key.handle, tags }, { providers: [provider] });
    await valueOf(net.networkId);
    await valueOf(net.handle.gatewaySubnetId!);
    await settle();
    const vnet = findOne(cloud, "azure-native:network:VirtualNetwork");
    expect(vnet.inputs.encryption).toEqual({ enabled: true, enforcement: "AllowUnencrypted" });
    const gateway = findOne(cloud, "azure-native:network:Subnet", "gateway");
    expect(gateway.inputs.subnetName).toBe("GatewaySubnet");
    expect(gateway.inputs.addressPrefix).toBe(planSubnets("10.2.0.0/16", 3).gatewaySubnet);
    const nodes = findOne(cloud, "azure-native:network:Subnet", "nodes");
    expect(nodes.inputs.defaultOutboundAccess).toBe(false);
    const storage = findOne(cloud, "azure-native:storage:StorageAccount");
    expect(storage.inputs.minimumTlsVersion).toBe("TLS1_2");
    expect(storage.inputs.enableHttpsTrafficOnly).toBe(true);
    expect((storage.inputs.sku as { name: string }).name).toBe("Standard_ZRS");
    const enc = storage.inputs.encryption as { keySource: string; requireInfrastructureEncryption: boolean };
    expect(enc.keySource).toBe("Microsoft.Keyvault");
    expect(enc.requireInfrastructureEncryption).toBe(true);
    expect(findOne(cloud, "azure-native:network:FlowLog").inputs.enabled).toBe(true);
    // Every input, pinned: the flow-log account and the backup account share one builder (cmkStorageAccountArgs).
    const logsIdentity = findOne(cloud, "azure-native:managedidentity:UserAssignedIdentity", "nz-logs-identity");
    expect(logsIdentity.state.id).toEqual(expect.stringMatching(/\S/));
    expect(storage.inputs).toEqual({
      resourceGroupName: findOne(cloud, "azure-native:resources:ResourceGroup", "nz-rg").state.name,
      location: "westeurope",
      kind: "StorageV2",
      sku: { name: "Standard_ZRS" },
      minimumTlsVersion: "TLS1_2",
      enableHttpsTrafficOnly: true,
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: false,
      publicNetworkAccess: "Disabled",
      identity: { type: "UserAssigned", userAssignedIdentities: [logsIdentity.state.id] },
      encryption: {
        keySource: "Microsoft.Keyvault",
        requireInfrastructureEncryption: true,
        keyVaultProperties: (storage.inputs.encryption as { keyVaultProperties: unknown }).keyVaultProperties,
        encryptionIdentity: { encryptionUserAssignedIdentity: logsIdentity.state.id },
        services: { blob: { enabled: true, keyType: "Account" }, file: { enabled: true, keyType: "Account" } },
      },
      tags,
    });
    expect((storage.inputs.encryption as { keyVaultProperties: unknown }).keyVaultProperties).toEqual({
      keyName: findOne(cloud, "azure-native:keyvault:Key", "kz-key").state.name,
      keyVaultUri: (findOne(cloud, "azure-native:keyvault:Vault", "kz-vault").state.properties as { vaultUri: string }).vaultUri,
    });
    expect(Object.values(at(storage.inputs, ["encryption", "keyVaultProperties"]) as object)).toEqual([expect.stringMatching(/\S/), expect.stringMatching(/^https:/)]);
  });

  it("GCP: custom-mode network, private Google access, flow logs, Cloud NAT", async () => {
    const provider = new gcp.Provider("p-gcp", { project: "meridian-eu-prod", region: "europe-west1" });
    const key = new ResidencyKey("kg", { domain: "eu", cloud: "gcp", region: "europe-west1" }, { providers: [provider] });
    const net = new Network("ng", { domain: "eu", cidr: "10.1.0.0/16", key: key.handle, tags }, { providers: [provider] });
    await valueOf(net.networkId);
    await settle();
    expect(findOne(cloud, "gcp:compute/network:Network").inputs.autoCreateSubnetworks).toBe(false);
    const subnet = findOne(cloud, "gcp:compute/subnetwork:Subnetwork");
    expect(subnet.inputs.privateIpGoogleAccess).toBe(true);
    expect(subnet.inputs.region).toBe("europe-west1");
    expect((subnet.inputs.logConfig as Record<string, unknown>).metadata).toBe("INCLUDE_ALL_METADATA");
    expect(findOne(cloud, "gcp:compute/routerNat:RouterNat").inputs.region).toBe("europe-west1");
  });

  it("refuses one zone, short flow-log retention and a bad range together", () => {
    const key = { domain: "eu", cloud: "aws", region: "eu-central-1", arn: "x" } as never;
    const problems = validateNetworkArgs({ domain: "eu", cidr: "10.0.0.0/8", key, zones: 1, flowLogRetentionDays: 30 });
    expect(problems.map((p) => p.propertyPath).sort()).toEqual(["cidr", "flowLogRetentionDays", "zones"]);
    expect(() => new Network("bad", { domain: "eu", cidr: "10.0.0.0/8", key, zones: 1 })).toThrow(pulumi.InputPropertiesError);
  });
});
