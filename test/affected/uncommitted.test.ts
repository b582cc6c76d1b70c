/**
 * `fleet affected` and the working tree: uncommitted files are left out by default and
 * counted plainly, included with `--uncommitted` (staged, unstaged and untracked); the text
 * is a short summary unless `--details`.
 */
import * as path from "node:path";
import { runAffectedCommand, type AffectedCommandOptions, type AffectedReport } from "../../automation/commands/affected";
import { dependentsOf, loadFleet } from "../../automation/fleet";
import { FixtureRepo } from "./fixtureRepo";

function run(repo: FixtureRepo, opts: Partial<AffectedCommandOptions>): { code: number; out: string; err: string } {
  let out = "";
  let err = "";
  const code = runAffectedCommand({ base: "main", stacksDir: path.join(repo.dir, "stacks"), ...opts }, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}
const json = (repo: FixtureRepo, opts: Partial<AffectedCommandOptions> = {}): AffectedReport => JSON.parse(run(repo, { ...opts, json: true }).out) as AffectedReport;

describe("fleet affected and uncommitted changes", () => {
  let repo: FixtureRepo;
  beforeEach(() => {
    repo = new FixtureRepo();
    repo.git("checkout", "-q", "-b", "feature");
    repo.append("stacks/Pulumi.eu-pki.yaml", "  # committed\n");
    repo.commit("pki config");
  });
  afterEach(() => repo.remove());

  it("with a clean tree: no uncommitted files, nothing said about them", () => {
    const r = json(repo);
    expect(r.uncommitted).toEqual([]);
    expect(r.workingTree).toBe(false);
    expect(run(repo, {}).out).not.toMatch(/uncommitted/i);
  });

  it("leaves uncommitted files out by default and says so; --uncommitted includes staged, unstaged and untracked", () => {
    repo.append("stacks/Pulumi.us-dns.yaml", "  # unstaged\n");
    repo.append("stacks/Pulumi.us-pki.yaml", "  # staged\n");
    repo.git("add", "stacks/Pulumi.us-pki.yaml");
    repo.write("components/pki/new.ts", "// untracked\n");
    const committed = json(repo);
    expect(committed.files).toEqual(["stacks/Pulumi.eu-pki.yaml"]);
    expect(committed.uncommitted).toEqual(["components/pki/new.ts", "stacks/Pulumi.us-dns.yaml", "stacks/Pulumi.us-pki.yaml"]);
    expect(committed.stacks.map((s) => s.name)).not.toContain("us-dns");
    expect(run(repo, {}).out).toContain("Not included: 3 uncommitted file(s) in the working tree (commit them, or pass --uncommitted).");

    const tree = json(repo, { uncommitted: true });
    expect(tree.workingTree).toBe(true);
    expect(tree.files).toEqual(["components/pki/new.ts", "stacks/Pulumi.eu-pki.yaml", "stacks/Pulumi.us-dns.yaml", "stacks/Pulumi.us-pki.yaml"]);
    expect(tree.stacks.map((s) => s.name)).toEqual(expect.arrayContaining(["eu-pki", "us-pki", "us-dns"]));
    const text = run(repo, { uncommitted: true }).out;
    expect(text).toContain("..the working tree");
    expect(text).toContain("Uncommitted changes included: 3 file(s).");
  });

  it("--uncommitted with another --head is refused (exit 2)", () => {
    const r = run(repo, { uncommitted: true, head: "main" });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--uncommitted .* takes no --head main/);
  });

  it("prints a short summary by default and every reason with --details", () => {
    const fleet = loadFleet(path.join(repo.dir, "stacks"));
    const downstream = dependentsOf(fleet, "eu-pki").size;
    const short = run(repo, {}).out;
    expect(short).toContain("  changed: eu-pki\n");
    expect(short).toContain(`  and ${downstream} stack(s) downstream of them (--details lists each with its reasons)`);
    expect(short).not.toContain("depends on eu-pki");
    expect(short).toContain(`Affected: ${downstream + 1} stacks (eu ${downstream + 1}, us 0)`);
    const long = run(repo, { details: true }).out;
    expect(long).toContain("      config stacks/Pulumi.eu-pki.yaml");
    expect(long.match(/depends on eu-pki/g)).toHaveLength(downstream);
  });
});
