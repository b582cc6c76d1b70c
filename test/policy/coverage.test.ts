/**
 * Every policy has, for every resource type it covers, a passing and a failing input
 * (test/policy/cases.ts), and each behaves: the pass yields nothing from that policy, the
 * fail yields a mandatory violation with the expected message.
 */
import { allPolicyMetadata } from "../../policy-pack/policies";
import { CASES, GOVERNANCE_POLICIES } from "./cases";
import { advisory, EU, mandatory, run } from "./harness";

describe("case coverage", () => {
  it.each(allPolicyMetadata.filter((m) => !GOVERNANCE_POLICIES.includes(m.name)).map((m) => [m.name, m] as const))(
    "%s has a pass and a fail case for each type it covers",
    (name, meta) => {
      const cases = CASES[name];
      expect(cases?.length ?? 0).toBeGreaterThan(0);
      const covered = new Set<string>();
      for (const c of cases!) {
        covered.add(c.type);
        c.pass.forEach((r) => covered.add(r.type));
      }
      const missing = meta.types.filter((t) => t !== "*" && !covered.has(t));
      expect(missing).toEqual([]);
    },
  );

  it("has no case for a policy that does not exist", () => {
    const names = new Set(allPolicyMetadata.map((m) => m.name));
    expect(Object.keys(CASES).filter((n) => !names.has(n))).toEqual([]);
  });
});

const flat = Object.entries(CASES).flatMap(([name, cases]) => cases.map((c, i) => [name, c.type, i, c] as const));

describe.each(flat)("%s / %s #%i", (name, _type, _i, c) => {
  const failConfig = name === "meridian-residency-stack-domain-required" ? { ...EU, domain: undefined } : EU;

  it("passes the good input", () => {
    expect(run(name, c.pass).filter((v) => v.policy === name)).toEqual([]);
  });

  it("fails the bad input with the expected message", () => {
    // At the policy's own level: advisory policies (e.g. read-only root) report advisory.
    const atLevel = allPolicyMetadata.find((m) => m.name === name)?.enforcementLevel === "advisory" ? advisory : mandatory;
    const vs = atLevel(run(name, c.fail, failConfig)).filter((v) => v.policy === name);
    expect(vs.length).toBeGreaterThan(0);
    expect(vs.map((v) => v.message).join("\n")).toContain(c.expect);
  });
});
