/**
 * `fleet plan --filter / --filter-file`, through the real CLI entry (a child process, as
 * `npm run fleet -- plan` runs it): the same selection language as preview/up, the selected
 * stacks planned exactly as in a full plan, their upstreams answered from the plan cache or
 * planned with --plan-upstreams, a clear refusal (exit 2) when neither, and a report that
 * says the plan is partial and what its checks covered.
 *
 * The fleet is eight EU stacks of the reference fleet (two workloads, with everything they
 * depend on and the foundations the pack learns registries from) in a temporary git repo.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PlanPartialReport, PlanReport, PlanResourceEntry } from "../../automation/commands/plan";
import { fleetCli, ROOT, tenantFleetDir, testFleetCache } from "../support/cli";
import { scratchFleetRepo, type ScratchFleet } from "../support/scratchFleet";

jest.setTimeout(300_000);

const STACKS = ["eu-guardrails-aws", "eu-guardrails-azure", "eu-pki", "eu-foundation-aws", "eu-foundation-azure", "eu-mgmt", "eu-workload-aws", "eu-workload-azure"];
/** What eu-workload-aws needs: its dependencies, and every EU foundation (the pack's inputs) with theirs. */
const WORKLOAD_AWS_UPSTREAMS = ["eu-foundation-aws", "eu-foundation-azure", "eu-guardrails-aws", "eu-guardrails-azure", "eu-mgmt", "eu-pki"];

type Report = PlanReport<PlanResourceEntry[]> & { partial?: PlanPartialReport };

let repo: string;
let stacksDir: string;
/** Filters files live outside the repo: an untracked file there would count as a change to `[main]`. */
let filesDir: string;
let git: ScratchFleet["git"];
const stackFile = (name: string) => path.join(stacksDir, `Pulumi.${name}.yaml`);
const plan = (...args: string[]) => fleetCli(["plan", "--stacks-dir", stacksDir, ...args]);
const json = (stdout: string) => JSON.parse(stdout) as Report;
const sorted = (xs: readonly string[]) => [...xs].sort();

beforeAll(() => {
  ({ repo, stacksDir, git } = scratchFleetRepo(STACKS, "meridian-filter-"));
  filesDir = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-filter-files-"));
});

afterAll(() => {
  // fleetCli keeps the CLI's plan cache in a temp dir of its own (MERIDIAN_FLEET_CACHE): leave none behind.
  fs.rmSync(testFleetCache(), { recursive: true, force: true });
  for (const dir of [repo, filesDir]) fs.rmSync(dir, { recursive: true, force: true });
});

describe("bad input: one line, exit 2, nothing planned", () => {
  test.each([
    [["--filter", "domain=mars"], 'fleet: --filter "domain=mars": domain=mars names no domain; known: eu, us\n'],
    [["--filter", "eu-nope"], 'fleet: --filter "eu-nope": no stack is named "eu-nope" (stacks/Pulumi.<name>.yaml)\n'],
    [["--filter", "x", "--affected"], 'fleet: --affected and --filter select stacks two ways: use one (--filter "[main]" --plan-upstreams is --affected as a filter)\n'],
    [["--plan-upstreams"], "fleet: --plan-upstreams goes with --filter (--affected plans the upstreams the cache cannot answer already)\n"],
  ])("plan %j", async (args, message) => {
    const r = await plan(...args);
    expect(r).toEqual({ code: 2, stdout: "", stderr: message });
  });

  test("a bad line in the filters file is named by file and line", async () => {
    const file = path.join(filesDir, "bad.filters");
    fs.writeFileSync(file, "# workloads\neu-workload-aws\ncolour=red\n");
    const r = await plan("--filter-file", file);
    expect(r).toEqual({ code: 2, stdout: "", stderr: `fleet: ${file}:3: filter "colour=red": unknown attribute "colour"; known: name, domain, role, cloud, ring\n` });
  });
});

describe("without a plan cache", () => {
  test("a stack whose upstreams are neither selected nor cached is refused, naming them and the ways out", async () => {
    const r = await plan("--filter", "eu-workload-aws");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")).toEqual([
      "fleet: --filter: the selected stacks need upstream outputs that are neither selected nor in the plan cache: " +
        "eu-guardrails-aws, eu-guardrails-azure, eu-pki, eu-foundation-aws, eu-foundation-azure, eu-mgmt; there is no plan cache yet; " +
        'run a full `fleet plan` to fill the cache, add --plan-upstreams to plan them too, or select them ("...NAME"); ' +
        '"...NAME" selects dependencies only, and the policy pack also reads every foundation of the selected stacks\' domains',
      "",
    ]);
  });

  test("the policy pack's inputs are named as such only when some are not dependencies of the selection", async () => {
    const r = await plan("--filter", "eu-foundation-*");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/plan cache: eu-guardrails-aws, eu-guardrails-azure; .*or select them \("\.\.\.NAME"\)\n$/);
  });

  test("a filter that selects nothing plans nothing and says so", async () => {
    const r = await plan("--json", "--filter", "!*");
    expect(r.code).toBe(0);
    const report = json(r.stdout);
    expect(report.stacks).toEqual([]);
    expect(report.partial).toMatchObject({ selectedBy: "filter", filters: ["!*"], fleetStacks: 8, selected: [], replanned: [], fromCache: [] });
    expect(report.partial!.checks.perStack.stacks).toBe(0);
  });

  test("--plan-upstreams plans them too, and the report lists them as planned upstreams", async () => {
    const r = await plan("--json", "--plan-upstreams", "--filter", "eu-workload-aws");
    expect(r.code).toBe(0);
    const report = json(r.stdout);
    expect(report.partial).toMatchObject({ selectedBy: "filter", selected: ["eu-workload-aws"], fromCache: [] });
    expect(sorted(report.partial!.replanned)).toEqual(WORKLOAD_AWS_UPSTREAMS);
    expect(sorted(report.stacks.map((s) => s.name))).toEqual(sorted([...WORKLOAD_AWS_UPSTREAMS, "eu-workload-aws"]));
    expect(report.stacks.every((s) => s.status === "planned")).toBe(true);
  });
});

describe("after a full plan", () => {
  let full: Report;

  beforeAll(async () => {
    const r = await plan("--json", "--resources");
    expect(r.code).toBe(0);
    full = json(r.stdout);
    expect(full.partial).toBeUndefined();
  });

  test("the selected stacks come out exactly as in the full plan, upstreams from the cache, with their violations", async () => {
    const r = await plan("--json", "--resources", "--filter", "eu-workload-*");
    expect(r.code).toBe(0);
    const report = json(r.stdout);
    const names = ["eu-workload-aws", "eu-workload-azure"];
    expect(report.stacks.map((s) => s.name)).toEqual(names);
    expect(JSON.stringify(report.stacks)).toBe(JSON.stringify(full.stacks.filter((s) => names.includes(s.name))));
    // The azure workload's advisory finding (the pack over its resources) is the full plan's, word for word.
    const ofSelected = full.violations.filter((v) => names.includes(v.stack));
    expect(ofSelected.length).toBeGreaterThan(0);
    expect(report.violations).toEqual(ofSelected);
    expect(report.partial).toMatchObject({ selectedBy: "filter", filters: ["eu-workload-*"], fleetStacks: 8, selected: names, replanned: [] });
    expect(sorted(report.partial!.fromCache)).toEqual(WORKLOAD_AWS_UPSTREAMS);
    expect(report.partial!.cacheWritten).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(report.partial!.checks.fleetWide).toMatchObject({ stacks: 8, from: "every stack's config" });
    expect(report.partial!.checks.perStack).toMatchObject({ stacks: 2, from: "the resources of the stacks planned now" });
  });

  test("text output from a filters file: the partial plan, its upstreams and the checks' coverage", async () => {
    const file = path.join(filesDir, "aws.filters");
    fs.writeFileSync(file, "# just the AWS workload\neu-workload-aws  # the canary\n");
    const r = await plan("--filter-file", file);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^Filter: 1 of 8 stacks selected; 6 upstreams: 6 from the plan cache \(written \S+\), 0 planned\n/);
    expect(r.stdout).toMatch(new RegExp(`\\nPartial plan: 1 of 8 stacks selected by --filter-file ${file.replace(/[.]/g, "\\.")}; 6 upstreams: 6 from the plan cache written \\S+, 0 planned too\\n`));
    expect(r.stdout).toContain(
      "\n  fleet-wide checks (address overlaps, interconnect allocations, guardrail coverage, control-plane locations): 8 of 8 stacks, from every stack's config\n" +
        "  per-stack checks (policy pack, stack references, control-plane copies): 1 of 8 stacks, from the resources of the stacks planned now\n",
    );
    const table = r.stdout.split("\n").filter((l) => /^  eu-/.test(l));
    expect(table.map((l) => l.trim().split(/\s+/)[0])).toEqual(["eu-workload-aws"]);
    expect(r.stdout).toMatch(/\nPlan: 1 stacks \(1 planned, 0 not implemented, 0 failed\), \d+ resources, 0 mandatory and 0 advisory violations/);
  });

  // Before the stale-upstream test: that one leaves eu-mgmt's cache entry stale on purpose.
  test("a git range selects what the working tree changed, as for preview and up", async () => {
    fs.appendFileSync(stackFile("eu-workload-azure"), "# uncommitted\n");
    try {
      const r = await plan("--json", "--filter", "[main]");
      expect([r.code, r.stderr]).toEqual([0, expect.not.stringMatching(/^fleet:/m)]);
      const report = json(r.stdout);
      expect(report.partial).toMatchObject({ filters: ["[main]"], selected: ["eu-workload-azure"], replanned: [] });
      expect(report.stacks.map((s) => s.name)).toEqual(["eu-workload-azure"]);
    } finally {
      git("checkout", "--", ".");
    }
  });

  test("a stale upstream is refused by name; --plan-upstreams plans only it", async () => {
    const mgmt = stackFile("eu-mgmt");
    const original = fs.readFileSync(mgmt, "utf8");
    fs.appendFileSync(mgmt, "# changed since the last plan\n");
    try {
      const refused = await plan("--filter", "eu-workload-aws");
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/^fleet: --filter: the selected stacks need upstream outputs that are neither selected nor in the plan cache: eu-mgmt \(stale: its inputs changed\); run a full `fleet plan`/);
      expect(refused.stderr.split("\n")).toHaveLength(2);
      const r = await plan("--json", "--plan-upstreams", "--filter", "eu-workload-aws");
      expect(r.code).toBe(0);
      const report = json(r.stdout);
      expect(report.partial!.replanned).toEqual(["eu-mgmt"]);
      expect(sorted(report.partial!.fromCache)).toEqual(WORKLOAD_AWS_UPSTREAMS.filter((s) => s !== "eu-mgmt"));
      expect(report.stacks.map((s) => s.name)).toEqual(["eu-mgmt", "eu-workload-aws"]);
    } finally {
      // eu-mgmt's cache entry is now the changed file's: stale for the tests after this one.
      fs.writeFileSync(mgmt, original);
    }
  });
});

describe("--program", () => {
  test("its plans are never cached: an upstream outside the selection is refused, or planned with --plan-upstreams", async () => {
    const dir = tenantFleetDir();
    const args = ["plan", "--stacks-dir", dir, "--program", path.join(ROOT, "test/plan/fixtures/programs/ok.ts"), "--filter", "eu-foundation-aws"];
    try {
      const refused = await fleetCli(args);
      expect(refused).toEqual({
        code: 2,
        stdout: "",
        stderr:
          "fleet: --filter: the selected stacks need upstream outputs that are neither selected nor in the plan cache: eu-guardrails-aws; " +
          '--program plans are never cached; add --plan-upstreams to plan them too, or select them ("...NAME")\n',
      });
      const r = await fleetCli([...args, "--plan-upstreams", "--json"]);
      expect(r.code).toBe(0);
      const report = json(r.stdout);
      expect(report.partial).toMatchObject({ selected: ["eu-foundation-aws"], replanned: ["eu-guardrails-aws"], fromCache: [] });
      expect(report.stacks.map((s) => s.name)).toEqual(["eu-guardrails-aws", "eu-foundation-aws"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
