/**
 * `fleet affected --base REF` on a fixture git history: a temp repository holding the
 * reference fleet, with branches and commits made in each test. Expected stack lists are
 * written out by hand from the reference fleet's dependsOn, not recomputed.
 */
import * as path from "node:path";
import { loadFleet } from "../../automation/fleet";
import { runAffectedCommand, type AffectedReport } from "../../automation/commands/affected";
import { FixtureRepo } from "./fixtureRepo";

function affected(repo: FixtureRepo, base: string, head = "HEAD"): { code: number; report?: AffectedReport; err: string; text: string } {
  let out = "";
  let err = "";
  const io = { out: (s: string) => (out += s), err: (s: string) => (err += s) };
  const code = runAffectedCommand({ base, head, stacksDir: path.join(repo.dir, "stacks"), json: true }, io);
  let text = "";
  runAffectedCommand({ base, head, stacksDir: path.join(repo.dir, "stacks") }, { out: (s) => (text += s), err: () => undefined });
  return { code, report: out ? (JSON.parse(out) as AffectedReport) : undefined, err, text };
}
const names = (r: AffectedReport | undefined) => (r?.stacks ?? []).map((s) => s.name).sort();
const both = (...suffixes: string[]) => ["eu", "us"].flatMap((d) => suffixes.map((s) => `${d}-${s}`)).sort();

describe("fleet affected on a fixture git history", () => {
  let repo: FixtureRepo;
  beforeEach(() => {
    repo = new FixtureRepo();
    repo.git("checkout", "-q", "-b", "feature");
  });
  afterEach(() => repo.remove());

  it("reports nothing for a docs-only change", () => {
    repo.append("docs/clusters.md", "more\n");
    repo.commit("docs");
    const r = affected(repo, "main");
    expect(r.code).toBe(0);
    expect(r.report!.files).toEqual(["docs/clusters.md"]);
    expect(names(r.report)).toEqual([]);
    expect(r.report!.matrix).toEqual({ eu: [], us: [] });
    expect(r.text).toContain("No stack is affected.");
  });

  it("a stack config change affects that stack and everything downstream, in its domain only", () => {
    repo.append("stacks/Pulumi.eu-pki.yaml", "  # touch\n");
    repo.commit("pki config");
    const r = affected(repo, "main").report!;
    expect(names(r)).toEqual(["eu-dns", "eu-mgmt", "eu-pki", "eu-workload-aws", "eu-workload-azure", "eu-workload-gcp"]);
    expect(r.stacks[0]).toMatchObject({ name: "eu-pki", reasons: [{ kind: "config", file: "stacks/Pulumi.eu-pki.yaml" }] });
    expect(r.stacks.find((s) => s.name === "eu-workload-gcp")!.reasons).toEqual([{ kind: "upstream", stack: "eu-pki" }]);
    expect(r.matrix.us).toEqual([]);
    expect(r.matrix.eu.map((m) => m.domain)).toEqual(["eu", "eu", "eu", "eu", "eu", "eu"]);
  });

  it("an adapter change affects that cloud's stacks of the role, in both domains, plus their dependents", () => {
    repo.append("components/kms/aws.ts", "// v2\n");
    repo.commit("kms aws");
    const r = affected(repo, "main").report!;
    // foundation-aws; the two interconnects on aws and gcp-azure (it reads aws-azure); workload-aws; and in eu,
    // where the management cluster runs on aws, eu-mgmt and so every eu workload (us-mgmt runs on gcp).
    const common = ["foundation-aws", "interconnect-aws-azure", "interconnect-aws-gcp", "interconnect-gcp-azure", "workload-aws"];
    expect(names(r)).toEqual([...common.map((s) => `eu-${s}`), "eu-dns", "eu-mgmt", "eu-workload-azure", "eu-workload-gcp", ...common.map((s) => `us-${s}`), "us-dns"].sort());
    expect(r.stacks.find((s) => s.name === "eu-foundation-aws")!.reasons).toEqual([{ kind: "code", file: "components/kms/aws.ts", why: "kms adapter for aws" }]);
  });

  it("maps a cluster adapter to clusters on that cloud only and an interconnect pair to that pair only", () => {
    repo.append("components/cluster/aks.ts", "// v2\n");
    repo.commit("aks");
    expect(names(affected(repo, "main").report)).toEqual(both("dns", "workload-azure"));
    repo.git("checkout", "-q", "-b", "pair", "main");
    repo.append("components/interconnect/gcp-azure.ts", "// v2\n");
    repo.commit("pair");
    expect(names(affected(repo, "main").report)).toEqual(both("interconnect-gcp-azure"));
  });

  it("the policy pack affects every stack and is flagged for publishing", () => {
    repo.append("policy-pack/index.ts", "// v2\n");
    repo.commit("pack");
    const r = affected(repo, "main").report!;
    expect(r.stacks).toHaveLength(loadFleet(path.join(repo.dir, "stacks")).stacks.size);
    expect(r.policyPackChanged).toBe(true);
    expect(r.matrix.eu.find((m) => m.stack === "eu-interconnect-aws-gcp")).toEqual({ stack: "eu-interconnect-aws-gcp", domain: "eu", role: "interconnect", aws: true, azure: false, gcp: true });
    expect(r.matrix.eu.find((m) => m.stack === "eu-pki")).toMatchObject({ aws: false, azure: false, gcp: false });
  });

  it("compares against the merge-base: commits that landed on the base after branching are not the change's", () => {
    repo.append("components/cluster/aks.ts", "// feature\n");
    repo.commit("feature");
    repo.git("checkout", "-q", "main");
    repo.append("components/pki/index.ts", "// main moved on\n");
    repo.commit("main moves");
    repo.git("checkout", "-q", "feature");
    const r = affected(repo, "main").report!;
    expect(r.files).toEqual(["components/cluster/aks.ts"]);
    expect(names(r)).toEqual(both("dns", "workload-azure"));
    // Comparing the other way round sees only main's change.
    expect(names(affected(repo, "feature", "main").report)).toEqual(both("dns", "mgmt", "pki", "workload-aws", "workload-azure", "workload-gcp"));
  });

  it("an unmapped file is fail-safe (every stack) and named; a deleted stack config is reported as removed", () => {
    repo.write("components/newthing/index.ts", "// new\n");
    repo.git("rm", "-q", "stacks/Pulumi.us-interconnect-gcp-azure.yaml");
    repo.commit("unmapped + removal");
    const r = affected(repo, "main").report!;
    expect(r.unmapped).toEqual(["components/newthing/index.ts"]);
    expect(r.removed).toEqual(["us-interconnect-gcp-azure"]);
    expect(r.stacks).toHaveLength(29);
    expect(affected(repo, "main").text).toContain("No rule maps components/newthing/index.ts");
  });

  it("a rename counts both paths", () => {
    repo.git("mv", "components/pki/index.ts", "components/pki/renamed.ts");
    repo.commit("rename");
    const r = affected(repo, "main").report!;
    expect(r.files).toEqual(["components/pki/index.ts", "components/pki/renamed.ts"]);
    expect(names(r)).toEqual(both("dns", "mgmt", "pki", "workload-aws", "workload-azure", "workload-gcp"));
  });

  it("an unknown base is a usage error (exit 2) naming git's complaint", () => {
    const r = affected(repo, "no-such-ref");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/git merge-base no-such-ref HEAD/);
    expect(r.report).toBeUndefined();
  });
});
