/**
 * Property tests for the interconnect allocators: every (domain, slot, pair) of the whole
 * slot space gets ASNs and inside /30s that are in range, never reserved, Azure tunnels
 * inside 169.254.21.0/23, and unique across the fleet.
 */
import fc from "fast-check";
import {
  AWS_RESERVED_INSIDE_CIDRS,
  AZURE_RESERVED_ASNS,
  CLOUD_PAIRS,
  INTERCONNECT_SLOTS,
  PRIVATE_ASN_MAX,
  PRIVATE_ASN_MIN,
  allocateAsn,
  allocateInsideCidr,
  asnProblems,
  hostsOf,
  inAzureApipaWindow,
  insideCidrProblems,
  planTunnels,
  pskEpoch,
} from "../../../components/interconnect/allocate";
import { contains, findOverlaps, overlaps, parseCidr } from "../../../components/network/ipam";
import { DOMAINS } from "../../../components/residency/catalogue";

const RUNS = { numRuns: 300 };
const domainArb = fc.constantFrom(...DOMAINS);
const slotArb = fc.integer({ min: 0, max: INTERCONNECT_SLOTS - 1 });
const pairArb = fc.constantFrom(...CLOUD_PAIRS);

/** A fleet: per domain, a set of distinct slots, each with a cloud pair. */
const fleetArb = fc.array(
  fc.record({ domain: domainArb, slot: slotArb, pair: pairArb }),
  { minLength: 1, maxLength: 2 * INTERCONNECT_SLOTS },
).map((xs) => {
  const seen = new Set<string>();
  return xs.filter((x) => !seen.has(`${x.domain}/${x.slot}`) && seen.add(`${x.domain}/${x.slot}`) !== undefined);
});

describe("ASN allocator", () => {
  it("is private, never Azure-reserved, and unique across every slot, side and domain", () => {
    fc.assert(
      fc.property(fleetArb, (fleet) => {
        const asns = fleet.flatMap(({ domain, slot }) => [allocateAsn(domain, slot, 0), allocateAsn(domain, slot, 1)]);
        for (const asn of asns) {
          expect(asn).toBeGreaterThanOrEqual(PRIVATE_ASN_MIN);
          expect(asn).toBeLessThanOrEqual(PRIVATE_ASN_MAX);
          expect(AZURE_RESERVED_ASNS).not.toContain(asn);
          expect(asnProblems(asn)).toEqual([]);
        }
        expect(new Set(asns).size).toBe(asns.length);
      }),
      RUNS,
    );
  });

  it("is deterministic: the same slot always gets the same ASN", () => {
    fc.assert(fc.property(domainArb, slotArb, fc.constantFrom(0 as const, 1 as const), (d, s, side) => {
      expect(allocateAsn(d, s, side)).toBe(allocateAsn(d, s, side));
    }));
  });

  it("rejects slots outside 0..15", () => {
    fc.assert(fc.property(domainArb, fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: INTERCONNECT_SLOTS }), fc.double({ noInteger: true })), (d, s) => {
      expect(() => allocateAsn(d, s, 0)).toThrow(/slot/);
    }));
  });

  it("asnProblems flags public, reserved and out-of-range ASNs", () => {
    fc.assert(fc.property(fc.oneof(fc.integer({ min: 1, max: PRIVATE_ASN_MIN - 1 }), fc.integer({ min: PRIVATE_ASN_MAX + 1, max: 4294967295 }), fc.constantFrom(...AZURE_RESERVED_ASNS)), (asn) => {
      expect(asnProblems(asn).length).toBeGreaterThan(0);
    }));
  });
});

describe("inside /30 allocator", () => {
  it("gives /30s inside 169.254.0.0/16 that never overlap AWS-reserved ranges; Azure tunnels sit in 169.254.21.0–169.254.22.255", () => {
    fc.assert(
      fc.property(domainArb, slotArb, pairArb, (domain, slot, pair) => {
        const azure = pair[1] === "azure";
        for (const t of planTunnels(domain, slot, pair)) {
          expect(parseCidr(t.insideCidr).prefix).toBe(30);
          for (const reserved of AWS_RESERVED_INSIDE_CIDRS) expect(overlaps(reserved, t.insideCidr)).toBe(false);
          expect(overlaps("169.254.169.0/24", t.insideCidr)).toBe(false);
          expect(inAzureApipaWindow(t.insideCidr)).toBe(azure);
          expect(contains("169.254.0.0/16", t.insideCidr)).toBe(true);
          expect(insideCidrProblems(t.insideCidr, azure)).toEqual([]);
          // Each side's BGP address is a usable host of the /30, and the two differ.
          const addrs = Object.values(t.bgpAddress);
          expect(addrs).toHaveLength(2);
          expect(new Set(addrs).size).toBe(2);
          expect(hostsOf(t.insideCidr)).toEqual(expect.arrayContaining(addrs));
        }
      }),
      RUNS,
    );
  });

  it("never hands out overlapping /30s anywhere in a fleet", () => {
    fc.assert(
      fc.property(fleetArb, (fleet) => {
        const claims = fleet.flatMap(({ domain, slot, pair }) =>
          planTunnels(domain, slot, pair).map((t) => ({ owner: `${domain}/${slot}`, purpose: `t${t.index}`, cidr: t.insideCidr })),
        );
        expect(findOverlaps(claims)).toEqual([]);
      }),
      RUNS,
    );
  });

  it("fits the whole slot space: all 128 Azure /30s are distinct and inside the window", () => {
    const all = DOMAINS.flatMap((d) => Array.from({ length: INTERCONNECT_SLOTS }, (_, s) => [0, 1, 2, 3].map((t) => allocateInsideCidr(d, s, t, true)))).flat();
    expect(new Set(all).size).toBe(128);
    for (const c of all) expect(inAzureApipaWindow(c)).toBe(true);
    expect([...all].sort()).toContain("169.254.21.0/30");
    expect(all).toContain("169.254.22.252/30");
  });

  it("AWS takes the first host; with Azure, tunnels land on both gateway instances", () => {
    fc.assert(fc.property(domainArb, slotArb, pairArb, (domain, slot, pair) => {
      const tunnels = planTunnels(domain, slot, pair);
      if (pair[0] === "aws") for (const t of tunnels) expect(t.bgpAddress.aws).toBe(hostsOf(t.insideCidr)[0]);
      if (pair[1] === "azure") expect(new Set(tunnels.map((t) => t.azureInstance))).toEqual(new Set([0, 1]));
      else for (const t of tunnels) expect(t.azureInstance).toBeUndefined();
    }));
  });

  it("insideCidrProblems rejects reserved, non-/30 and (for Azure) out-of-window ranges", () => {
    for (const r of AWS_RESERVED_INSIDE_CIDRS) expect(insideCidrProblems(r, false).join()).toMatch(/AWS-reserved/);
    expect(insideCidrProblems("169.254.64.0/29", false).join()).toMatch(/not a \/30/);
    expect(insideCidrProblems("169.254.64.0/30", true).join()).toMatch(/APIPA/);
    expect(insideCidrProblems("169.254.20.0/30", true).join()).toMatch(/APIPA/);
    expect(insideCidrProblems("169.254.23.0/30", true).join()).toMatch(/APIPA/);
    expect(insideCidrProblems("10.0.0.0/30", false).join()).toMatch(/outside 169.254.0.0\/16/);
  });
});

describe("PSK rotation epochs", () => {
  it("each generation bump rotates exactly the tunnels of one parity, so every pair keeps a tunnel on its old key", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 3 }), (g, t) => {
        const before = pskEpoch(g, t);
        const after = pskEpoch(g + 1, t);
        const rotated = after !== before;
        expect(rotated).toBe((g + 1) % 2 === t % 2);
        if (rotated) expect(after).toBe(before + 1);
        // The partner tunnel (other parity) keeps its key on this bump.
        expect(pskEpoch(g + 1, t ^ 1)).toBe(pskEpoch(g, t ^ 1) + (rotated ? 0 : 1));
      }),
    );
  });

  it("two bumps rotate every tunnel; generation 1 is epoch 0 everywhere", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 3 }), (g, t) => {
      expect(pskEpoch(g + 2, t)).toBe(pskEpoch(g, t) + 1);
    }));
    for (const t of [0, 1, 2, 3]) expect(pskEpoch(1, t)).toBe(0);
    expect(() => pskEpoch(0, 0)).toThrow();
  });
});
