/**
 * The interconnect role: a CrossCloudVpn between the foundation networks of the stack's
 * two clouds. ASNs and inside /30s come from `interconnectPlan` — the same function the
 * fleet plan checks — so what is checked is what is deployed. Azure allows one VPN gateway
 * per VNet: the stack named in `azureGatewayFrom` creates it and exports it; the others read
 * it through a StackReference declared in `meridian:dependsOn` and checked for the domain.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { canonicalPair, CrossCloudVpn, interconnectPlan, type AzureVpnGatewayHandle, type VpnProviders } from "../../components/interconnect";
import { createTunnelAlarms } from "../../components/interconnect/alarms";
import { DOMAINS, fromStackReference, type Domain } from "../../components/residency";
import { qualifiedStackName, type RoleContext } from "../context";

/** What an interconnect stack exports about the Azure gateway it created. */
export const azureGatewayExport = z.object({
  id: z.string(),
  asn: z.number().int(),
  resourceGroupName: z.string(),
  location: z.string(),
  publicIpAddresses: z.tuple([z.string(), z.string()]),
  ipConfigurationIds: z.tuple([z.string(), z.string()]),
});

export async function interconnect<D extends Domain>(ctx: RoleContext<D>): Promise<Record<string, unknown>> {
  const config = ctx.spec.config;
  if (config["meridian:role"] !== "interconnect") throw new Error(`${ctx.spec.file}: not an interconnect stack`);
  const settings = config["meridian:interconnect"];
  const plan = interconnectPlan(ctx.fleet, ctx.stack);
  const [a, b] = await Promise.all(ctx.spec.clouds.map((c) => ctx.refs.foundation(c)));
  const clouds = ctx.spec.clouds;
  const providers: VpnProviders = {
    random: ctx.local.random,
    aws: clouds.includes("aws") ? ctx.provider("aws") : undefined,
    gcp: clouds.includes("gcp") ? ctx.provider("gcp") : undefined,
    azure: clouds.includes("azure") ? ctx.provider("azure") : undefined,
  };
  const borrowed =
    plan.azureGatewayOwner !== undefined && plan.azureGatewayOwner !== ctx.stack
      ? await readAzureGateway(ctx, plan.azureGatewayOwner)
      : undefined;
  const vpn = new CrossCloudVpn(ctx.stack, {
    domain: ctx.domain,
    slot: settings.slot,
    networks: [a.network, b.network],
    providers,
    pskGeneration: settings.pskGeneration,
    azureGateway: borrowed,
    azureGatewayBgpAddresses: plan.azureGatewayBgpAddresses,
    azureGatewaySku: settings.azureGatewaySku,
    // Private subnets on AWS reach the peer network through the transit gateway.
    awsRouteTableIds: [a, b].flatMap((f) => (f.exports.cloud === "aws" ? (f.exports.network.routeTableIds ?? []) : [])),
    tags: ctx.tags,
  });
  const gw = vpn.azureGateway;
  // Alarms on every tunnel's metrics, paging the domain's receiver (docs/observability.md).
  const tunnelAlarms = createTunnelAlarms(
    ctx.stack,
    {
      domain: ctx.domain,
      pair: canonicalPair(clouds[0], clouds[1]),
      tunnels: vpn.tunnels,
      providers,
      awsKey: [a, b].find((f) => f.key.cloud === "aws")?.key,
      azureGateway: gw ?? borrowed,
      receiverEmails: ctx.fleet.settings.observability[ctx.domain].receiver?.emails ?? [],
      tags: ctx.tags,
    },
    vpn,
  );
  return {
    domain: ctx.domain,
    role: "interconnect",
    stack: ctx.stack,
    pair: vpn.pair,
    asns: vpn.asns,
    advertisedPrefixes: vpn.advertisedPrefixes,
    pskGeneration: settings.pskGeneration,
    tunnels: vpn.tunnels,
    tunnelAlarms,
    ...(gw === undefined
      ? {}
      : {
          azureGateway: {
            id: gw.id,
            asn: gw.asn,
            resourceGroupName: gw.resourceGroupName,
            location: gw.location,
            publicIpAddresses: gw.publicIpAddresses,
            ipConfigurationIds: gw.ipConfigurationIds,
          },
        }),
  };
}

async function readAzureGateway<D extends Domain>(ctx: RoleContext<D>, owner: string): Promise<AzureVpnGatewayHandle<D>> {
  if (!ctx.spec.dependsOn.includes(owner)) {
    throw new Error(`${ctx.spec.file}: meridian:dependsOn: reading stack "${owner}" requires declaring it in dependsOn`);
  }
  const ref = new pulumi.StackReference(`${ctx.stack}-ref-${owner}`, { name: qualifiedStackName(owner) });
  const domain = (await ref.getOutputDetails("domain")).value;
  const details = await ref.getOutputDetails("azureGateway");
  const parsed = z.object({ domain: z.enum(DOMAINS), azureGateway: azureGatewayExport }).safeParse({ domain, azureGateway: details.value ?? details.secretValue });
  if (!parsed.success) {
    throw new Error(`stack ${owner} (read by ${ctx.stack}): output azureGateway: ${parsed.error.issues[0].message}; does ${owner} create the Azure gateway?`);
  }
  const g = parsed.data.azureGateway;
  return fromStackReference(ctx.domain, parsed.data.domain, owner, {
    ...g,
    publicIpAddresses: [g.publicIpAddresses[0], g.publicIpAddresses[1]] as const,
    ipConfigurationIds: [g.ipConfigurationIds[0], g.ipConfigurationIds[1]] as const,
  });
}
