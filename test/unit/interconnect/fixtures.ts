/** Shared fixtures for CrossCloudVpn unit tests: explicit providers and resident networks. */
import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native";
import * as gcp from "@pulumi/gcp";
import * as random from "@pulumi/random";
import { claimResident, type Cloud, type Domain, type NetworkHandle } from "../../../components/residency";
import type { MockCloud, MockRecord } from "../../../automation/plan/mock-cloud";
import { unwrapSecret } from "../../support/mocks";

export const CIDRS: Record<Cloud, string> = { aws: "10.0.0.0/16", gcp: "10.1.0.0/16", azure: "10.2.0.0/16" };
const REGIONS: Record<Domain, Record<Cloud, string>> = {
  eu: { aws: "eu-central-1", gcp: "europe-west1", azure: "westeurope" },
  us: { aws: "us-east-1", gcp: "us-central1", azure: "eastus" },
};

export function providers(prefix: string, domain: Domain = "eu") {
  const r = REGIONS[domain];
  return {
    aws: new aws.Provider(`${prefix}-aws`, { region: r.aws as aws.Region }),
    gcp: new gcp.Provider(`${prefix}-gcp`, { project: `meridian-${domain}-prod`, region: r.gcp }),
    azure: new azure.Provider(`${prefix}-azure`, { location: r.azure }),
    random: new random.Provider(`${prefix}-random`, {}),
  };
}

export function network<D extends Domain>(domain: D, cloud: Cloud, cidr = CIDRS[cloud]): NetworkHandle<D> {
  const region = REGIONS[domain][cloud];
  const base = { cloud, region, cidr };
  switch (cloud) {
    case "aws":
      return claimResident(domain, { ...base, networkId: "vpc-0123456789abcdef0", privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"] });
    case "gcp":
      return claimResident(domain, {
        ...base,
        networkId: `https://www.googleapis.com/compute/v1/projects/meridian-${domain}-prod/global/networks/net`,
        privateSubnetIds: ["sub"],
      });
    case "azure":
      return claimResident(domain, {
        ...base,
        networkId: "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet",
        privateSubnetIds: ["nodes"],
        resourceGroupName: "rg-net",
        gatewaySubnetId: "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/GatewaySubnet",
      });
  }
}

/** Records of `type` created by the component named `name` (children are named `${name}-…`). */
export function of(cloud: MockCloud, name: string, type: string): MockRecord[] {
  return cloud.records.filter((r) => r.type === type && r.name.startsWith(`${name}-`));
}

export function byName(records: MockRecord[], suffix: string): MockRecord {
  const found = records.filter((r) => r.name.endsWith(suffix));
  if (found.length !== 1) throw new Error(`expected one record ending ${suffix}, got ${found.map((r) => r.name).join(", ")}`);
  return found[0];
}

export function plainInput(r: MockRecord, key: string): unknown {
  return unwrapSecret(r.inputs[key]).value;
}

/** Every plain (non-secret) string reachable in a value. */
export function plainStrings(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => plainStrings(x, out));
  else if (v !== null && typeof v === "object") {
    if ("4dabf18193072939515e22adb298388d" in (v as object)) return out;
    Object.values(v as object).forEach((x) => plainStrings(x, out));
  }
  return out;
}
