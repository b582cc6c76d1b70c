/** `npm run bench` arguments: --help prints usage and runs nothing; bad arguments are usage errors (exit 2). */
import { execFileSync, spawnSync } from "node:child_process";
import * as path from "node:path";
import { BENCH_AREAS, BenchUsageError, benchArgs } from "../../bench/index";

const root = path.resolve(__dirname, "../..");

describe("bench arguments", () => {
  it("parses --json and --only, and refuses unknown areas and arguments", () => {
    expect(benchArgs([])).toEqual({ help: false, json: false });
    expect(benchArgs(["--json", "--only", "policy,yaml"])).toEqual({ help: false, json: true, only: new Set(["policy", "yaml"]) });
    expect(() => benchArgs(["--only", "plan,warp"])).toThrow(new BenchUsageError(`--only: unknown area warp; one of ${BENCH_AREAS.join(", ")}`));
    expect(() => benchArgs(["--only"])).toThrow(BenchUsageError);
    expect(() => benchArgs(["--jsno"])).toThrow(new BenchUsageError("unknown argument --jsno"));
  });

  it("--sizes lists the scale area's fleet sizes; a size below the reference fleet's or not whole is a usage error", () => {
    expect(benchArgs(["--only", "scale", "--sizes", "100,250"])).toEqual({ help: false, json: false, only: new Set(["scale"]), sizes: [100, 250] });
    expect(() => benchArgs(["--sizes", "100,2.5"])).toThrow(new BenchUsageError("--sizes: 2.5 is not a fleet size; whole numbers of workload clusters from 12 to 10000, comma-separated"));
    expect(() => benchArgs(["--sizes", "3"])).toThrow(/--sizes: 3 is not a fleet size/);
    // Below 12 the scale area's --affected runs would change clusters the fleet does not have.
    expect(() => benchArgs(["--sizes", "11"])).toThrow(/--sizes: 11 is not a fleet size/);
    expect(benchArgs(["--sizes", "12"]).sizes).toEqual([12]);
    expect(() => benchArgs(["--sizes"])).toThrow(new BenchUsageError("--sizes: (none given) is not a fleet size; whole numbers of workload clusters from 12 to 10000, comma-separated"));
  });

  it("--help prints the usage through the real entry and measures nothing", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", path.join(root, "bench/index.ts"), "--help"], { cwd: root, encoding: "utf8" });
    expect(out).toMatch(/^Usage: npm run bench/);
    expect(out).not.toMatch(/reference fleet \d+ stacks in/);
    const bad = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "bench/index.ts"), "--only", "nope"], { cwd: root, encoding: "utf8" });
    expect([bad.status, bad.stderr.split("\n")[0]]).toEqual([2, `bench: --only: unknown area nope; one of ${BENCH_AREAS.join(", ")}`]);
  }, 120000);
});
