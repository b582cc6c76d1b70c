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

  it("--help prints the usage through the real entry and measures nothing", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", path.join(root, "bench/index.ts"), "--help"], { cwd: root, encoding: "utf8" });
    expect(out).toMatch(/^Usage: npm run bench/);
    expect(out).not.toMatch(/reference fleet \d+ stacks in/);
    const bad = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "bench/index.ts"), "--only", "nope"], { cwd: root, encoding: "utf8" });
    expect([bad.status, bad.stderr.split("\n")[0]]).toEqual([2, `bench: --only: unknown area nope; one of ${BENCH_AREAS.join(", ")}`]);
  }, 120000);
});
