/**
 * Fleet-wide interconnect claims over the real reference fleet (stacks/) and over small
 * hand-built fleets that break one rule each.
 */
import * as path from "node:path";
import { loadFleet } from "../../../automation/fleet";
import {
  checkInterconnects,
  interconnectClaims,
  interconnectPlan,
  type FleetLike,
  type InterconnectStackLike,
} from "../../../components/interconnect/claims";
import { inAzureApipaWindow } from "../../../components/interconnect/allocate";

const fleet = loadFleet(path.join(__dirname, "../../../stacks"));

function ic(name: string, domain: "eu" | "us", clouds: [string, string], settings: Record<string, unknown>, dependsOn: string[] = []): InterconnectStackLike {
  return { name, domain, role: "interconnect", clouds: clouds as never, dependsOn, config: { "meridian:interconnect": settings } };
}
const fleetOf = (...stacks: InterconnectStackLike[]): FleetLike => ({ stacks: new Map(stacks.map((s) => [s.name, s])) });

describe("interconnect claims of the reference fleet", () => {
  it("has six interconnects, no problems, and unique ASNs and /30s", () => {
    expect(checkInterconnects(fleet)).toEqual([]);
    const claims = interconnectClaims(fleet);
    // 6 stacks × 2 sides, minus the two borrowed Azure gateways.
    expect(claims.asns).toHaveLength(10);
    expect(new Set(claims.asns.map((c) => c.asn)).size).toBe(10);
    // aws-gcp 4 + aws-azure 4 + gcp-azure 2, per domain.
    expect(claims.insideCidrs).toHaveLength(20);
    expect(new Set(claims.insideCidrs.map((c) => c.cidr)).size).toBe(20);
  });

  it("the shared Azure gateway carries the APIPA addresses of every interconnect that lands on it", () => {
    const owner = interconnectPlan(fleet, "eu-interconnect-aws-azure");
    const borrower = interconnectPlan(fleet, "eu-interconnect-gcp-azure");
    expect(borrower.azureGatewayOwner).toBe("eu-interconnect-aws-azure");
    expect(borrower.asns.azure).toBe(owner.asns.azure);
    const [i0, i1] = owner.azureGatewayBgpAddresses!;
    for (const plan of [owner, borrower]) {
      for (const t of plan.tunnels) {
        expect((t.azureInstance === 0 ? i0 : i1)).toContain(t.bgpAddress.azure);
      }
    }
    expect(i0.length + i1.length).toBe(6);
    for (const a of [...i0, ...i1]) expect(inAzureApipaWindow(`${a}/32`)).toBe(true);
  });
});

describe("checkInterconnects rejects", () => {
  it("a slot used twice in a domain (and reports the clashing ASNs' cause, not a crash)", () => {
    const problems = checkInterconnects(fleetOf(ic("a", "eu", ["aws", "gcp"], { slot: 3 }), ic("b", "eu", ["gcp", "azure"], { slot: 3 })));
    expect(problems.join("\n")).toMatch(/slot 3 is already taken by a/);
  });

  it("allows the same slot in the other domain", () => {
    expect(checkInterconnects(fleetOf(ic("a", "eu", ["aws", "gcp"], { slot: 3 }), ic("b", "us", ["aws", "gcp"], { slot: 3 })))).toEqual([]);
  });

  it("borrowing a gateway across domains, from a stack without Azure, through a borrower, or without dependsOn", () => {
    const owner = ic("own", "eu", ["aws", "azure"], { slot: 0 });
    expect(checkInterconnects(fleetOf(owner, ic("x", "us", ["gcp", "azure"], { slot: 1, azureGatewayFrom: "own" }, ["own"]))).join()).toMatch(/never shared across domains/);
    expect(checkInterconnects(fleetOf(ic("own", "eu", ["aws", "gcp"], { slot: 0 }), ic("x", "eu", ["gcp", "azure"], { slot: 1, azureGatewayFrom: "own" }, ["own"]))).join()).toMatch(/no Azure side/);
    expect(checkInterconnects(fleetOf(owner, ic("x", "eu", ["gcp", "azure"], { slot: 1, azureGatewayFrom: "own" }))).join()).toMatch(/dependsOn/);
    const chain = fleetOf(owner, ic("b", "eu", ["gcp", "azure"], { slot: 1, azureGatewayFrom: "own" }, ["own"]), ic("c", "eu", ["gcp", "azure"], { slot: 2, azureGatewayFrom: "b" }, ["b"]));
    expect(checkInterconnects(chain).join()).toMatch(/borrows its gateway too/);
  });

  it("a missing slot", () => {
    expect(checkInterconnects(fleetOf(ic("a", "eu", ["aws", "gcp"], {}))).join()).toMatch(/slot is required/);
  });
});
