/**
 * `--filter`: the language (parse), its meaning on the reference fleet (resolve, through the
 * orchestrator's selectStacks so every command gets the same), filters files, and git ranges
 * on a throwaway repository (uncommitted changes seen with [BASE], not with [BASE...HEAD]).
 * Expected sets are derived from the fleet's own specs, never hard-coded counts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseFilter, FilterSyntaxError, readFilterFile, FilterFileError } from "../../automation/filters";
import { dependentsOf, loadFleet, withDependencies } from "../../automation/fleet";
import { selectStacks, selectionFromRecord, UsageError, type RunRecord } from "../../automation/orchestrator";
import { REFERENCE_STACKS } from "../support/fleetDir";
import { FixtureRepo } from "../affected/fixtureRepo";

const fleet = loadFleet(REFERENCE_STACKS);
const specs = [...fleet.stacks.values()];
const names = (pred: (s: (typeof specs)[number]) => boolean): string[] => specs.filter(pred).map((s) => s.name).sort();
const select = (filters: string[], extra: Partial<Parameters<typeof selectStacks>[1]> = {}): string[] => selectStacks(fleet, { command: "up", filters, ...extra }).stacks.slice().sort();

describe("filter syntax", () => {
  it.each([
    ["eu-*", { exclude: false, dependencies: false, dependents: false, base: { kind: "glob", glob: "eu-*" } }],
    ["!us-dns", { exclude: true, base: { kind: "glob", glob: "us-dns" } }],
    ["eu-pki...", { dependents: true, dependencies: false, base: { kind: "glob", glob: "eu-pki" } }],
    ["...eu-workload-aws", { dependencies: true, dependents: false }],
    ["domain=eu,role=workload", { base: { kind: "attributes", attributes: [{ key: "domain", value: "eu" }, { key: "role", value: "workload" }] } }],
    ["[main...HEAD]", { base: { kind: "git", base: "main", head: "HEAD" } }],
    ["[origin/main]", { base: { kind: "git", base: "origin/main" } }],
    ["[main...HEAD]...", { dependents: true, base: { kind: "git", base: "main", head: "HEAD" } }],
  ])("%s", (source, expected) => {
    expect(parseFilter(source)).toMatchObject(expected);
  });

  it.each([
    ["", /empty filter/],
    ["...", /nothing to select/],
    ["colour=blue", /unknown attribute "colour"; known: name, domain, role, cloud, ring/],
    ["domain=", /needs a value/],
    ["[main..HEAD]", /not a git range/],
    ["[main...]", /not a git range/],
    ["[--output=x]", /not a git range/],
    ["[main", /a git range is written/],
    ["eu-{a,b}", /letters, digits/],
    ["eu;rm", /letters, digits/],
  ])("refuses %j", (source, message) => {
    expect(() => parseFilter(source)).toThrow(FilterSyntaxError);
    expect(() => parseFilter(source)).toThrow(message);
  });
});

describe("filters on the reference fleet", () => {
  it("a name glob selects the matching stacks", () => {
    expect(select(["eu-workload-*"])).toEqual(names((s) => s.name.startsWith("eu-workload-")));
  });

  it.each([
    ["domain=eu", (s: (typeof specs)[number]) => s.domain === "eu"],
    ["role=workload", (s: (typeof specs)[number]) => s.role === "workload"],
    ["cloud=gcp", (s: (typeof specs)[number]) => s.clouds.includes("gcp")],
    ["ring=1", (s: (typeof specs)[number]) => s.ring === 1],
    ["domain=us,cloud=azure", (s: (typeof specs)[number]) => s.domain === "us" && s.clouds.includes("azure")],
    ["role=inter*", (s: (typeof specs)[number]) => s.role === "interconnect"],
  ])("attribute %s", (filter, pred) => {
    const expected = names(pred);
    expect(expected.length).toBeGreaterThan(0);
    expect(select([filter])).toEqual(expected);
  });

  it("cloud= matches a stack deploying into several clouds (an interconnect)", () => {
    expect(select(["cloud=gcp"])).toEqual(expect.arrayContaining(["eu-interconnect-aws-gcp", "eu-interconnect-gcp-azure"]));
  });

  it("negation alone starts from every stack; with positives it subtracts", () => {
    expect(select(["!domain=us"])).toEqual(names((s) => s.domain !== "us"));
    expect(select(["role=workload", "!cloud=azure"])).toEqual(names((s) => s.role === "workload" && !s.clouds.includes("azure")));
  });

  it("several positive filters are a union", () => {
    expect(select(["eu-pki", "us-pki"])).toEqual(["eu-pki", "us-pki"]);
  });

  it("NAME... adds its dependents, ...NAME its dependencies", () => {
    const dependents = [...dependentsOf(fleet, "eu-foundation-aws")];
    expect(dependents.length).toBeGreaterThan(0);
    expect(select(["eu-foundation-aws..."])).toEqual(["eu-foundation-aws", ...dependents].sort());
    const deps = [...withDependencies(fleet, ["eu-workload-aws"])];
    expect(deps.length).toBeGreaterThan(1);
    expect(select(["...eu-workload-aws"])).toEqual(deps.sort());
    expect(select(["!eu-foundation-aws...", "domain=eu"])).toEqual(names((s) => s.domain === "eu" && s.name !== "eu-foundation-aws" && !dependents.includes(s.name)));
  });

  it("the selection keeps rollout order and --domains still narrows it", () => {
    const sel = selectStacks(fleet, { command: "up", filters: ["role=workload"], domains: ["us"] });
    expect(sel.domains).toEqual(["us"]);
    expect([...sel.stacks].sort()).toEqual(names((s) => s.role === "workload" && s.domain === "us"));
    const all = selectStacks(fleet, { command: "up", filters: ["domain=eu"] }).stacks;
    const pos = (n: string) => all.indexOf(n);
    for (const n of all) for (const d of fleet.stacks.get(n)!.dependsOn) expect(pos(d)).toBeLessThan(pos(n));
  });

  it("--with-dependencies applies to the filtered set (dependents for destroy)", () => {
    expect(select(["eu-workload-aws"], { withDependencies: true })).toEqual([...withDependencies(fleet, ["eu-workload-aws"])].sort());
    const destroy = selectStacks(fleet, { command: "destroy", filters: ["eu-foundation-aws"], withDependencies: true }).stacks;
    expect([...destroy].sort()).toEqual(["eu-foundation-aws", ...dependentsOf(fleet, "eu-foundation-aws")].sort());
  });

  it.each([
    [["eu-nothing"], /--filter "eu-nothing": no stack is named "eu-nothing"/],
    [["domain=apac"], /domain=apac names no domain; known: eu, us/],
    [["role=workloads"], /role=workloads names no role/],
    [["cloud=oci"], /cloud=oci names no cloud/],
    [["ring=one"], /ring=one: a ring is a whole number/],
    [["bad name"], /--filter "bad name"/],
  ])("%j is a usage error naming the filter", (filters, message) => {
    expect(() => select(filters)).toThrow(UsageError);
    expect(() => select(filters)).toThrow(message);
  });

  it("--stack and --filter together are refused", () => {
    expect(() => selectStacks(fleet, { command: "up", stacks: ["eu-pki"], filters: ["eu-*"] })).toThrow(/--stack and --filter/);
  });

  it("a filter that leaves nothing gives an empty selection (the command says so)", () => {
    expect(select(["domain=eu", "!domain=eu"])).toEqual([]);
  });
});

describe("filters file", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-filters-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads one filter per line, comments and blanks ignored, and adds to --filter", () => {
    const file = path.join(dir, "canary.filters");
    fs.writeFileSync(file, "# the canary ring\nrole=workload   # every workload\n\n!cloud=azure\n");
    expect(readFilterFile(file).map((f) => f.source)).toEqual(["role=workload", "!cloud=azure"]);
    expect(selectStacks(fleet, { command: "up", filterFile: file, filters: ["eu-pki"] }).stacks.slice().sort()).toEqual(
      names((s) => (s.role === "workload" || s.name === "eu-pki") && !s.clouds.includes("azure")),
    );
  });

  it("a bad line names the file and line", () => {
    const file = path.join(dir, "bad.filters");
    fs.writeFileSync(file, "role=workload\ncolour=red\n");
    expect(() => readFilterFile(file)).toThrow(FilterFileError);
    expect(() => readFilterFile(file)).toThrow(`${file}:2: filter "colour=red": unknown attribute`);
    expect(() => selectStacks(fleet, { command: "up", filterFile: file })).toThrow(UsageError);
  });

  it("a missing file is a usage error naming it", () => {
    expect(() => selectStacks(fleet, { command: "up", filterFile: path.join(dir, "none") })).toThrow(/--filter-file .*none: cannot read it \(ENOENT\)/);
  });
});

describe("git-range filters (reusing affected)", () => {
  let repo: FixtureRepo;
  let repoFleet: ReturnType<typeof loadFleet>;
  beforeAll(() => {
    repo = new FixtureRepo();
    repo.git("checkout", "-q", "-b", "change");
    repo.append("stacks/Pulumi.eu-pki.yaml", "\n# committed change\n");
    repo.commit("eu-pki config");
    repoFleet = loadFleet(path.join(repo.dir, "stacks"));
  });
  afterAll(() => repo.remove());
  const gitSelect = (filters: string[]) => selectStacks(repoFleet, { command: "preview", filters }).stacks.slice().sort();

  it("[main...HEAD] selects the committed change and everything downstream", () => {
    expect(gitSelect(["[main...HEAD]"])).toEqual(["eu-pki", ...dependentsOf(repoFleet, "eu-pki")].sort());
  });

  it("[main] also sees uncommitted changes; [main...HEAD] does not", () => {
    repo.append("stacks/Pulumi.us-dns.yaml", "\n# uncommitted\n");
    try {
      expect(gitSelect(["[main...HEAD]"])).not.toContain("us-dns");
      expect(gitSelect(["[main]"])).toContain("us-dns");
      expect(gitSelect(["[main]", "!domain=eu"])).toEqual(["us-dns", ...dependentsOf(repoFleet, "us-dns")].sort());
    } finally {
      repo.git("checkout", "--", "stacks/Pulumi.us-dns.yaml");
    }
  });

  it("an unknown ref is a usage error naming the filter and git's message", () => {
    expect(() => gitSelect(["[no-such-branch...HEAD]"])).toThrow(/--filter "\[no-such-branch...HEAD\]": git merge-base no-such-branch HEAD/);
  });
});

describe("resume of a drift run", () => {
  it("is refused: a drift run is a preview-only refresh", () => {
    const record = { runId: "20261201T000000Z-drift-abcd", command: "refresh", options: { stacks: ["eu-pki"], domains: ["eu"] } } as unknown as RunRecord;
    expect(() => selectionFromRecord(fleet, record, "refresh")).toThrow(/drift check .* run `fleet drift` again/);
  });
});
