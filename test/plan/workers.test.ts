/**
 * The plan on worker threads gives the plan of one thread, byte for byte on the JSON report,
 * including failing programs; `plan --affected` plans only the affected stacks, answers their
 * upstreams from the plan cache (or plans them when the cache is missing or stale), and the
 * stacks it plans come out exactly as in a full plan of the same tree.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NO_PLAN_CACHE, runPlanCommand, type PlanAffectedReport, type PlanCommandOptions, type PlanReport } from "../../automation/commands/plan";
import { fleetCli, ROOT, tenantFleetDir } from "../support/cli";
import { scratchFleetRepo } from "../support/scratchFleet";

jest.setTimeout(600_000);

async function plan(opts: PlanCommandOptions): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runPlanCommand(opts, { out: (s) => void (stdout += s), err: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

const fixture = (name: string) => path.join(ROOT, "test/plan/fixtures/programs", `${name}.ts`);

describe("plan --workers", () => {
  test("the reference fleet on 2 workers prints the same JSON as on one thread, byte for byte", async () => {
    const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-workers-cache-"));
    const serial = await plan({ json: true, resources: true, workers: 1, cacheRoot });
    const parallel = await plan({ json: true, resources: true, workers: 2, cacheRoot });
    expect(serial.code).toBe(0);
    const report = JSON.parse(serial.stdout) as PlanReport<{ type: string; name: string }[]>;
    // Not an empty comparison: every stack planned, with its resources listed.
    expect(report.stacks.length).toBeGreaterThanOrEqual(30);
    expect(report.stacks.every((s) => s.status === "planned" && s.resources.length > 0)).toBe(true);
    expect(parallel.code).toBe(serial.code);
    expect(parallel.stdout).toBe(serial.stdout);
  });

  // Through the CLI entry, as users run it: in-process under jest the event loop never
  // drains (jest keeps it alive), so a drained program would only time out there.
  test.each([["throws"], ["drains"]])("a failing program (%s) fails the same way on workers", async (name) => {
    const stacksDir = tenantFleetDir();
    const args = ["plan", "--json", "--program", fixture(name), "--stacks-dir", stacksDir, "--workers"];
    const [serial, parallel] = [await fleetCli([...args, "1"]), await fleetCli([...args, "2"])];
    expect(serial.code).toBe(1);
    const report = JSON.parse(serial.stdout) as PlanReport;
    expect(report.stacks.some((s) => s.status === "failed" && (s.error ?? "").length > 0)).toBe(true);
    expect(parallel.code).toBe(1);
    expect(parallel.stdout).toBe(serial.stdout);
  });

  test("a program that ends its worker fails the plan with one line", async () => {
    const r = await fleetCli(["plan", "--json", "--program", fixture("exits-zero"), "--stacks-dir", tenantFleetDir(), "--workers", "2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^fleet: plan worker exited \(code \d+\) while planning eu-[a-z-]+$/m);
  });

  test("a program given as a function cannot run on workers: exit 2, one line", async () => {
    const r = await plan({ json: true, program: async () => ({}), stacksDir: tenantFleetDir(), workers: 2 });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("fleet: --workers: this program is a function, which cannot run on worker threads\n");
  });
});

describe("plan --affected", () => {
  const STACKS = ["eu-guardrails-aws", "eu-pki", "eu-foundation-aws", "eu-mgmt", "eu-workload-aws"];
  let stacksDir: string;
  let cacheRoot: string;
  let git: (...args: string[]) => string;
  const workload = () => path.join(stacksDir, "Pulumi.eu-workload-aws.yaml");
  const cacheFile = () => {
    const dir = path.join(cacheRoot, ".fleet-cache", "plan");
    return path.join(dir, fs.readdirSync(dir)[0]);
  };

  beforeAll(async () => {
    ({ stacksDir, git } = scratchFleetRepo(STACKS, "meridian-affected-"));
    cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-affected-cache-"));
  });

  test("without a plan cache every upstream is planned, and the summary says so", async () => {
    fs.appendFileSync(workload(), "\n");
    const r = await plan({ stacksDir, cacheRoot: fs.mkdtempSync(path.join(os.tmpdir(), "meridian-nocache-")), affected: true, base: "main" });
    git("checkout", "--", ".");
    expect(r.stderr).toContain("Affected: 1 stack from 1 file changed since main");
    expect(r.stderr).toContain("4 upstreams: 0 from the plan cache, 4 planned (there is no plan cache yet: run a full plan once)");
    expect(r.code).toBe(0);
  });

  test("a stacks dir outside the checkout has no cache a full plan would fill, and the summary says that instead", async () => {
    const saved = process.env.MERIDIAN_FLEET_CACHE;
    delete process.env.MERIDIAN_FLEET_CACHE;
    fs.appendFileSync(workload(), "\n");
    try {
      const r = await plan({ stacksDir, affected: true, base: "main" });
      expect(r.stderr).toContain(`4 upstreams: 0 from the plan cache, 4 planned (${NO_PLAN_CACHE["outside-checkout"].why})`);
      expect(r.stderr).toMatch(/\(a stacks dir outside \/.+ has no plan cache unless MERIDIAN_FLEET_CACHE names one\)/);
      expect(r.stderr).not.toContain("run a full plan once");
      expect(r.code).toBe(0);
    } finally {
      git("checkout", "--", ".");
      if (saved !== undefined) process.env.MERIDIAN_FLEET_CACHE = saved;
    }
  });

  test("one changed stack: only it is planned, its upstreams come from the cache, and it plans as in a full plan", async () => {
    expect((await plan({ stacksDir, cacheRoot, json: true })).code).toBe(0);
    // An uncommitted change: a larger node pool on the workload cluster.
    const before = fs.readFileSync(workload(), "utf8");
    fs.writeFileSync(workload(), before.replace(/maxSize: (\d+)/, (_, n: string) => `maxSize: ${Number(n) + 1}`));
    expect(fs.readFileSync(workload(), "utf8")).not.toBe(before);
    try {
      const r = await plan({ stacksDir, cacheRoot, json: true, resources: true, affected: true, base: "main" });
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as PlanReport<{ type: string; name: string }[]> & { affected: PlanAffectedReport };
      expect(report.affected).toMatchObject({ base: "main", files: ["stacks/Pulumi.eu-workload-aws.yaml"], uncommitted: ["stacks/Pulumi.eu-workload-aws.yaml"], stacks: ["eu-workload-aws"], replanned: [] });
      expect([...report.affected.fromCache].sort()).toEqual(["eu-foundation-aws", "eu-guardrails-aws", "eu-mgmt", "eu-pki"]);
      expect(report.stacks.map((s) => s.name)).toEqual(["eu-workload-aws"]);

      // The same tree planned in full (a fresh cache): the affected stack and its violations are identical.
      const full = JSON.parse((await plan({ stacksDir, cacheRoot: fs.mkdtempSync(path.join(os.tmpdir(), "meridian-full-")), json: true, resources: true })).stdout) as PlanReport<{ type: string; name: string }[]>;
      expect(report.stacks[0]).toEqual(full.stacks.find((s) => s.name === "eu-workload-aws"));
      expect(report.stacks[0].resources.length).toBeGreaterThan(100);
      expect(report.violations.filter((v) => v.stack === "eu-workload-aws")).toEqual(full.violations.filter((v) => v.stack === "eu-workload-aws"));
    } finally {
      fs.writeFileSync(workload(), before);
    }
  });

  test("a stale cache entry is not used: that upstream is planned again", async () => {
    const file = cacheFile();
    const cache = JSON.parse(fs.readFileSync(file, "utf8")) as { stacks: Record<string, { digest: string }> };
    cache.stacks["eu-mgmt"].digest = "0".repeat(64);
    fs.writeFileSync(file, JSON.stringify(cache));
    fs.appendFileSync(workload(), "\n");
    try {
      const r = await plan({ stacksDir, cacheRoot, json: true, affected: true, base: "main" });
      const report = JSON.parse(r.stdout) as PlanReport & { affected: PlanAffectedReport };
      expect(report.affected.replanned).toEqual(["eu-mgmt"]);
      expect(report.stacks.map((s) => s.name)).toEqual(["eu-mgmt", "eu-workload-aws"]);
      // The replanned entry is written back with its real digest.
      const after = JSON.parse(fs.readFileSync(file, "utf8")) as { stacks: Record<string, { digest: string }> };
      expect(after.stacks["eu-mgmt"].digest).toMatch(/^[0-9a-f]{64}$/);
      expect(after.stacks["eu-mgmt"].digest).not.toBe("0".repeat(64));
    } finally {
      git("checkout", "--", ".");
    }
  });

  test("nothing changed: nothing planned", async () => {
    const r = await plan({ stacksDir, cacheRoot, json: true, affected: true, base: "main" });
    const report = JSON.parse(r.stdout) as PlanReport & { affected: PlanAffectedReport };
    expect(r.code).toBe(0);
    expect(report.affected.stacks).toEqual([]);
    expect(report.stacks).toEqual([]);
  });

  test("an unknown --base: exit 2, one line", async () => {
    const r = await plan({ stacksDir, cacheRoot, affected: true, base: "no-such-ref" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^fleet: --affected: git merge-base no-such-ref HEAD: .+\n$/);
  });
});
