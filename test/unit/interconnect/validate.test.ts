/** Pure argument validation: every problem reported at once, no mocks needed. */
import { validateCrossCloudVpnArgs, type CrossCloudVpnArgs } from "../../../components/interconnect";
import type { Domain } from "../../../components/residency";
import { network } from "./fixtures";

const prov = { random: {} as never, aws: {} as never, gcp: {} as never, azure: {} as never };
const base = (over: Partial<CrossCloudVpnArgs<Domain>> = {}): CrossCloudVpnArgs<Domain> => ({
  domain: "eu",
  slot: 0,
  networks: [network("eu", "aws"), network("eu", "gcp")],
  providers: prov,
  ...over,
});
const paths = (a: CrossCloudVpnArgs<Domain>) => validateCrossCloudVpnArgs(a).map((p) => p.propertyPath);

describe("validateCrossCloudVpnArgs", () => {
  it("accepts a valid AWS↔GCP interconnect", () => expect(validateCrossCloudVpnArgs(base())).toEqual([]));
  it("rejects a network of the other domain at run time too", () =>
    expect(paths(base({ networks: [network("eu", "aws"), network("us", "gcp")] }))).toContain("networks[1]"));
  it("rejects two networks on one cloud", () => expect(paths(base({ networks: [network("eu", "aws"), network("eu", "aws", "10.9.0.0/16")] }))).toContain("networks"));
  it("rejects overlapping prefixes", () => expect(paths(base({ networks: [network("eu", "aws"), network("eu", "gcp", "10.0.128.0/17")] }))).toContain("networks"));
  it("rejects a bad slot and generation together", () => expect(paths(base({ slot: 16, pskGeneration: 0 }))).toEqual(["slot", "pskGeneration"]));
  it("requires explicit providers for both clouds", () => expect(paths(base({ providers: { random: {} as never, aws: {} as never } }))).toEqual(["providers.gcp"]));
  it("needs the Azure GatewaySubnet and resource group to create a gateway, and APIPA in Azure's window", () => {
    const { gatewaySubnetId: _g, resourceGroupName: _r, ...bare } = network("eu", "azure");
    expect(paths(base({ networks: [network("eu", "aws"), bare as never], azureGatewayBgpAddresses: [["169.254.20.1"], []], azureGatewaySku: "VpnGw2" }))).toEqual([
      "networks.azure.resourceGroupName",
      "networks.azure.gatewaySubnetId",
      "azureGatewaySku",
      "azureGatewayBgpAddresses[0]",
    ]);
  });
  it("refuses a borrowed gateway without an Azure side", () =>
    expect(paths(base({ azureGateway: { domain: "eu", asn: 64514 } as never }))).toContain("azureGateway"));
});
