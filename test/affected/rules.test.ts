/**
 * The path rules against the real repository: every tracked file is mapped, each role's
 * real import graph is covered by rules selecting that role, and the Deployments path
 * filters agree with `affectedStacks` for random change sets.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { affectedStacks, globToRegExp, matchGlob, pathFiltersFor, PATH_RULES, rulesFor, selects, STACK_CONFIG, trackedFiles } from "../../automation/affected";
import { loadFleet, ROLES, type Role } from "../../automation/fleet";
import { CLOUDS } from "../../components/residency/catalogue";
import { REFERENCE_STACKS } from "../support/fleetDir";

const ROOT = path.resolve(__dirname, "..", "..");
const fleet = loadFleet(REFERENCE_STACKS);

/** Relative imports of a .ts file (static, type-only and dynamic), resolved to repo paths. */
function importClosure(entry: string, stopAt: (file: string) => boolean = () => false): Set<string> {
  const seen = new Set<string>();
  const visit = (rel: string) => {
    if (seen.has(rel) || (rel !== entry && stopAt(rel))) return;
    seen.add(rel);
    const text = fs.readFileSync(path.join(ROOT, rel), "utf8");
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g)) {
      const base = path.join(path.dirname(rel), m[1]);
      const file = [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(path.join(ROOT, f)));
      if (file === undefined) throw new Error(`${rel}: cannot resolve ${m[1]}`);
      visit(file.split(path.sep).join("/"));
    }
  };
  visit(entry);
  return seen;
}

describe("glob subset", () => {
  it("matches ** across segments and * within one, and rejects other syntax", () => {
    expect(matchGlob("components/baseline/**", "components/baseline/policies.ts")).toBe(true);
    expect(matchGlob("components/baseline/**", "components/baseline2/x.ts")).toBe(false);
    expect(matchGlob("**/*.md", "README.md")).toBe(true);
    expect(matchGlob("**/*.md", "docs/components/kms.md")).toBe(true);
    expect(matchGlob("stacks/*.ts", "stacks/roles/pki.ts")).toBe(false);
    expect(matchGlob("Pulumi.yaml", "PulumiXyaml")).toBe(false);
    expect(() => globToRegExp("components/{a,b}/**")).toThrow(/only/);
  });
});

describe("path rules", () => {
  it("map every tracked file of the repository (so path filters and `affected` never disagree)", () => {
    const unmapped = trackedFiles(ROOT).filter((f) => !STACK_CONFIG.test(f) && rulesFor(f).length === 0);
    expect(unmapped).toEqual([]);
  });

  it.each(ROLES.map((r) => [r]))("cover the import graph of the %s role's program", (role: Role) => {
    // The role's own file and what it imports, plus the program around it (program.ts imports every
    // role module, but only this stack's role runs: do not descend into the other roles).
    const otherRoles = (f: string) => f.startsWith("stacks/roles/") && f !== "stacks/roles/notImplemented.ts";
    const closure = [...importClosure(`stacks/roles/${role}.ts`), ...importClosure("stacks/program.ts", otherRoles)];
    expect(closure.length).toBeGreaterThan(5);
    // A stack of this role on every cloud: a per-cloud adapter's rule selects it too.
    const anyCloud = { role, clouds: CLOUDS };
    const uncovered: string[] = [];
    for (const file of new Set(closure)) {
      if (!rulesFor(file).some((r) => selects(r.selects, anyCloud))) uncovered.push(file);
    }
    expect(uncovered).toEqual([]);
  });

  it("treat everything the fleet model imports as affecting every stack", () => {
    for (const file of importClosure("automation/fleet/index.ts")) {
      expect([file, rulesFor(file).some((r) => r.selects.kind === "all")]).toEqual([file, true]);
    }
  });
});

describe("Deployments path filters", () => {
  const files = trackedFiles(ROOT).filter((f) => !f.startsWith("policy-pack/node_modules"));

  it("give each stack its own config, its dependencies' configs and its code, not another domain's configs", () => {
    const f = pathFiltersFor(fleet, "eu-workload-azure");
    expect(f).toEqual(expect.arrayContaining(["stacks/Pulumi.eu-workload-azure.yaml", "stacks/Pulumi.eu-mgmt.yaml", "stacks/Pulumi.eu-foundation-aws.yaml", "components/cluster/aks.ts", "components/cluster/eks.ts", "components/kms/aws.ts", "policy-pack/**"]));
    expect(f).not.toContain("components/cluster/gke.ts");
    expect(f).not.toContain("components/interconnect/aws-gcp.ts");
    expect(f.filter((g) => g.includes("Pulumi.us-"))).toEqual([]);
    expect(pathFiltersFor(fleet, "us-pki").filter((g) => g.startsWith("components/") && !g.startsWith("components/residency"))).toEqual(["components/backup/spec.ts", "components/cluster/upgrade.ts", "components/failover/spec.ts", "components/gateway/zones.ts", "components/guardrails/spec.ts", "components/kms/spec.ts", "components/network/ipam.ts", "components/observability/facts.ts", "components/pki/**", "components/sdk/**"]);
  });

  it("select a stack exactly when `fleet affected` reports it, for random change sets", () => {
    const filters = new Map([...fleet.stacks.keys()].map((n) => [n, pathFiltersFor(fleet, n)]));
    fc.assert(
      fc.property(fc.subarray(files, { minLength: 1, maxLength: 4 }), (changed) => {
        const byAffected = new Set(affectedStacks(fleet, changed).stacks.map((s) => s.name));
        for (const [name, globs] of filters) {
          const byFilter = changed.some((file) => globs.some((g) => matchGlob(g, file)));
          if (byFilter !== byAffected.has(name)) throw new Error(`${name}: path filters say ${byFilter}, affected says ${byAffected.has(name)} for ${changed.join(", ")}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("only use globs Pulumi Deployments understands (the subset of automation/affected/glob.ts)", () => {
    for (const rule of PATH_RULES) for (const g of rule.globs) expect(() => globToRegExp(g)).not.toThrow();
  });
});
