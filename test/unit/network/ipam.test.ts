import * as fc from "fast-check";
import { DEFAULT_IPAM, capacity, carve, clusterCidrs, contains, findOverlaps, networkCidr, overlaps, parseCidr, subnet, validateIpamSettings, type Claim } from "../../../components/network/ipam";
import { planSubnets } from "../../../components/network";

const domains = ["eu", "us"] as const;

describe("fleet IPAM", () => {
  it("gives distinct slots disjoint ranges inside their pool, in both domains", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.constantFrom(...domains), fc.integer({ min: 0, max: 63 })), { selector: ([d, s]) => `${d}/${s}`, minLength: 2, maxLength: 40 }), (slots) => {
        const claims: Claim[] = slots.flatMap(([d, s]) => {
          const { pods, services } = clusterCidrs(DEFAULT_IPAM, d, s);
          return [
            { owner: `${d}-${s}`, purpose: "nodes", cidr: networkCidr(DEFAULT_IPAM, d, s) },
            { owner: `${d}-${s}`, purpose: "pods", cidr: pods },
            { owner: `${d}-${s}`, purpose: "services", cidr: services },
          ];
        });
        expect(findOverlaps(claims)).toEqual([]);
        for (const c of claims) {
          const d = c.owner.split("-")[0] as "eu" | "us";
          expect(contains(DEFAULT_IPAM.pools[d][c.purpose as "nodes"], c.cidr)).toBe(true);
        }
      }),
    );
  });

  it("is stable: a slot's range depends on nothing but the slot", () => {
    fc.assert(
      fc.property(fc.constantFrom(...domains), fc.integer({ min: 0, max: 63 }), (d, s) => {
        expect(networkCidr(DEFAULT_IPAM, d, s)).toBe(networkCidr(DEFAULT_IPAM, d, s));
        expect(parseCidr(networkCidr(DEFAULT_IPAM, d, s)).prefix).toBe(DEFAULT_IPAM.prefixes.nodes);
      }),
    );
    expect(networkCidr(DEFAULT_IPAM, "eu", 0)).toBe("10.0.0.0/16");
    expect(networkCidr(DEFAULT_IPAM, "us", 1)).toBe("10.65.0.0/16");
  });

  it("refuses a slot outside the pool with the pool's capacity", () => {
    expect(() => networkCidr(DEFAULT_IPAM, "eu", 64)).toThrow(/slot 64 is outside 10\.0\.0\.0\/10, which holds 64 \/16 blocks \(0\.\.63\)/);
    expect(capacity(DEFAULT_IPAM.pools.eu.pods, DEFAULT_IPAM.prefixes.pods)).toBe(128);
  });

  it("finds exactly the overlapping pairs a brute force finds", () => {
    // Random blocks of random sizes inside one /8, so overlaps (nesting) are frequent.
    const cidr = fc.integer({ min: 8, max: 20 }).chain((p) => fc.integer({ min: 0, max: 2 ** (p - 8) - 1 }).map((i) => subnet("10.0.0.0/8", p, i)));
    fc.assert(
      fc.property(fc.array(cidr, { maxLength: 30 }), (cidrs) => {
        const claims = cidrs.map((c, i) => ({ owner: String(i), purpose: "x", cidr: c }));
        const brute = new Set<string>();
        for (let i = 0; i < claims.length; i++) for (let j = i + 1; j < claims.length; j++) if (overlaps(claims[i].cidr, claims[j].cidr)) brute.add([i, j].sort().join("-"));
        const found = new Set(findOverlaps(claims).map(([a, b]) => [Number(a.owner), Number(b.owner)].sort().join("-")));
        expect(found).toEqual(brute);
      }),
    );
  });

  it("catches a hand-set range that collides with an allocated one", () => {
    const claims: Claim[] = [
      { owner: "eu-foundation-aws", purpose: "network", cidr: networkCidr(DEFAULT_IPAM, "eu", 0) },
      { owner: "eu-foundation-gcp", purpose: "network", cidr: networkCidr(DEFAULT_IPAM, "eu", 1, "10.0.128.0/17") },
    ];
    expect(findOverlaps(claims)).toHaveLength(1);
  });

  it("rejects malformed ranges and host bits", () => {
    expect(() => parseCidr("10.0.0.0/33")).toThrow(/not an IPv4 CIDR/);
    expect(() => parseCidr("10.0.0.1/16")).toThrow(/host bits set; did you mean 10\.0\.0\.0\/16/);
  });

  it("validates the settings' own pools", () => {
    expect(validateIpamSettings(DEFAULT_IPAM)).toEqual([]);
    const clash = { ...DEFAULT_IPAM, pools: { ...DEFAULT_IPAM.pools, us: { ...DEFAULT_IPAM.pools.us, pods: "100.64.0.0/11" } } };
    expect(validateIpamSettings(clash).join("\n")).toMatch(/eu\.pods 100\.64\.0\.0\/11 overlaps us\.pods 100\.64\.0\.0\/11/);
  });

  it("plans subnets that are disjoint and inside the network, for any /16-/20", () => {
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 20 }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 2, max: 3 }), (prefix, index, zones) => {
        const net = subnet("10.0.0.0/12", prefix, index);
        const plan = planSubnets(net, zones);
        const all = [...plan.privateSubnets, ...plan.publicSubnets, plan.gatewaySubnet];
        expect(plan.privateSubnets).toHaveLength(zones);
        expect(findOverlaps(all.map((c, i) => ({ owner: String(i), purpose: "s", cidr: c })))).toEqual([]);
        for (const c of all) expect(contains(net, c)).toBe(true);
      }),
    );
    expect(carve("10.0.0.0/16", 19, 3)).toEqual(["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"]);
  });
});
