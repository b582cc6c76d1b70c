/**
 * Compile-time residency tests for CrossCloudVpn (checked by `tsc --noEmit`, never run):
 * an EU↔US link, or a US gateway on an EU interconnect, must not type-check.
 */
import type * as random from "@pulumi/random";
import { CrossCloudVpn, type AzureVpnGatewayHandle } from "../../components/interconnect";
import type { NetworkHandle } from "../../components/residency";

declare const euAws: NetworkHandle<"eu">;
declare const euGcp: NetworkHandle<"eu">;
declare const usGcp: NetworkHandle<"us">;
declare const usAzure: NetworkHandle<"us">;
declare const usGateway: AzureVpnGatewayHandle<"us">;
declare const euGateway: AzureVpnGatewayHandle<"eu">;
declare const rnd: random.Provider;
const providers = { random: rnd };

// Same domain: compiles.
new CrossCloudVpn("ok", { domain: "eu", slot: 0, networks: [euAws, euGcp], providers });
new CrossCloudVpn("ok-gw", { domain: "eu", slot: 2, networks: [euGcp, euAws], providers, azureGateway: euGateway });

// EU interconnect with a US network.
// @ts-expect-error an EU↔US link is a compile error
new CrossCloudVpn("bad-1", { domain: "eu", slot: 0, networks: [euAws, usGcp], providers });

// US domain declared, EU network passed.
// @ts-expect-error an EU network cannot join a US interconnect
new CrossCloudVpn("bad-2", { domain: "us", slot: 0, networks: [euAws, usAzure], providers });

// Borrowing the other domain's Azure gateway.
// @ts-expect-error a US gateway cannot terminate an EU interconnect
new CrossCloudVpn("bad-3", { domain: "eu", slot: 0, networks: [euGcp, euAws], providers, azureGateway: usGateway });

// A hand-built object literal cannot impersonate a resident handle.
new CrossCloudVpn("bad-4", {
  domain: "eu",
  slot: 0,
  // @ts-expect-error handles are minted only by claimResident
  networks: [{ domain: "eu", cloud: "aws", region: "eu-central-1", networkId: "vpc", privateSubnetIds: [], cidr: "10.0.0.0/16" }, euGcp],
  providers,
});
