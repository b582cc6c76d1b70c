/**
 * The foundation role: per cloud, the domain's residency key, network and registry.
 * Exports match `foundationExports` (stacks/contracts.ts), which downstream stacks read.
 */
import * as pulumi from "@pulumi/pulumi";
import type { RoleConfig } from "../../automation/fleet";
import { ResidencyKey } from "../../components/kms";
import { Network, networkCidr } from "../../components/network";
import { ResidencyRegistry } from "../../components/registry";
import { SigningKey, signingExport } from "../../components/signing-key";
import type { Domain } from "../../components/residency";
import type { RoleContext } from "../context";
import { peerNetworkCidrs } from "../peers";

export async function foundation<D extends Domain>(ctx: RoleContext<D>): Promise<Record<string, unknown>> {
  const config = ctx.spec.config as RoleConfig<"foundation">;
  const cloud = config["meridian:cloud"];
  const region = ctx.spec.regions[cloud]!;
  const opts = { providers: [ctx.provider(cloud)] };
  const net = config["meridian:network"];
  const kms = config["meridian:kms"];

  const key = new ResidencyKey(
    `${ctx.stack}-key`,
    {
      domain: ctx.domain,
      cloud,
      region,
      rotationDays: kms.rotationDays,
      deletionWindowDays: kms.deletionWindowDays,
      protectionLevel: kms.protectionLevel,
      tags: ctx.tags,
    },
    opts,
  );
  const cidr = networkCidr(ctx.fleet.settings.ipam, ctx.domain, net.slot, net.cidr);
  const network = new Network(
    `${ctx.stack}-net`,
    {
      domain: ctx.domain,
      cidr,
      key: key.handle,
      zones: net.zones,
      natGateways: net.natGateways,
      flowLogRetentionDays: net.flowLogRetentionDays,
      peerCidrs: peerNetworkCidrs(ctx.fleet, ctx.spec),
      tags: ctx.tags,
    },
    opts,
  );
  const registry = new ResidencyRegistry(
    `${ctx.stack}-registry`,
    { domain: ctx.domain, key: key.handle, network: network.handle, repositories: config["meridian:registry"].repositories, tags: ctx.tags },
    opts,
  );
  const signing = new SigningKey(`${ctx.stack}-signing`, { domain: ctx.domain, residencyKey: key.handle, protectionLevel: kms.protectionLevel, tags: ctx.tags }, opts);
  const k = key.handle;
  return {
    domain: ctx.domain,
    stack: ctx.stack,
    role: "foundation",
    cloud,
    region,
    key:
      k.cloud === "aws"
        ? { cloud: k.cloud, region, arn: k.arn }
        : k.cloud === "gcp"
          ? { cloud: k.cloud, region, cryptoKeyId: k.cryptoKeyId }
          : {
              cloud: k.cloud,
              region,
              vaultId: k.vaultId,
              vaultUri: k.vaultUri,
              keyName: k.keyName,
              keyUri: k.keyUri,
              keyUriWithVersion: k.keyUriWithVersion,
              resourceGroupName: k.resourceGroupName,
            },
    registry: { imagePrefixes: registry.imagePrefixes, ...(registry.registryId ? { registryId: registry.registryId } : {}) },
    signing: signingExport(signing.handle),
    network: {
      networkId: network.networkId,
      privateSubnetIds: network.privateSubnetIds,
      cidr,
      ...(network.handle.resourceGroupName ? { resourceGroupName: pulumi.output(network.handle.resourceGroupName) } : {}),
      ...(network.handle.gatewaySubnetId ? { gatewaySubnetId: pulumi.output(network.handle.gatewaySubnetId) } : {}),
      ...(network.handle.routeTableIds ? { routeTableIds: pulumi.output(network.handle.routeTableIds) } : {}),
      ...(network.handle.peerSecurityGroupId ? { peerSecurityGroupId: pulumi.output(network.handle.peerSecurityGroupId) } : {}),
    },
  };
}
