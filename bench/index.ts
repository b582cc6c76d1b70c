/**
 * `npm run bench [-- --json]`: speed goals live here, never in timed tests.
 *   plan:      the credential-free plan of the reference fleet and of a generated fleet of
 *              100 workload clusters (goals < 2 s and < 20 s, growth linear);
 *   scale:     250, 500 and 1,000 workload clusters through `fleet plan` on worker threads,
 *              each in its own process (< 60 s on 2 cores at 1,000; CPU seconds and peak
 *              RSS per size, so growth is visible), a one-stack change with `--affected`
 *              (< 1.5 s warm);
 *   policy:    policy evaluation cost per resource on the reference fleet (goal < 0.1 ms);
 *   scheduler: makespan ÷ lower bound on simulated fleets (goal ≤ 1.05) and overhead.
 * `--json` prints exactly one JSON object, one key per area; `--only plan,policy` runs a subset.
 */
import * as path from "node:path";
import { loadFleet, type Fleet } from "../automation/fleet";
import { planFleet, type FleetPlan } from "../automation/plan";
import { runStack } from "../stacks/program";
import { benchPolicy } from "./policy";
import { benchYaml } from "./yaml";
import { benchEngine } from "./engine";
import { benchScheduler } from "./scheduler";
import { generatedFleet, REFERENCE_CLUSTERS } from "./fleet";
import { benchScale, CLI_ENTRY, DEFAULT_SCALE_SIZES, timedProcess } from "./scale";

const REFERENCE = path.resolve(__dirname, "..", "stacks");
export { generatedFleet } from "./fleet";

/** The Node versions the project supports (package.json `engines`: >= 22). */
export const SUPPORTED_NODE_MAJOR = 22;

/** Which Node measured, and whether the project supports it: figures from another Node are not the project's. */
export function nodeRecord(version: string = process.versions.node): { version: string; supported: boolean; warning?: string } {
  const supported = Number(version.split(".")[0]) >= SUPPORTED_NODE_MAJOR;
  return supported
    ? { version, supported }
    : { version, supported, warning: `node ${version} is not a supported runtime (engines >= ${SUPPORTED_NODE_MAJOR}); these figures are not the project's: run the bench on Node 22 or 24` };
}

/** `fleet --version` through the real entry, 3 times: the median wall and CPU seconds of the whole process. */
function benchCliVersion(): { versionSeconds: number; versionCpuSeconds: number } {
  const runs = [0, 1, 2].map(() => timedProcess([...CLI_ENTRY, "--version"]));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
  return { versionSeconds: round(median(runs.map((r) => r.seconds))), versionCpuSeconds: round(median(runs.map((r) => r.cpuSeconds))) };
}

async function timedPlan(dir: string): Promise<{ seconds: number; plan: FleetPlan; fleet: Fleet }> {
  const started = process.hrtime.bigint();
  const fleet = loadFleet(dir);
  const plan = await planFleet(fleet, { program: (f, s) => runStack(f, s) });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const failed = plan.stacks.filter((s) => s.status !== "planned");
  if (failed.length > 0) throw new Error(`bench fleet did not plan: ${failed.map((s) => `${s.name}: ${s.error}`).join("; ")}`);
  return { seconds, plan, fleet };
}

export const BENCH_AREAS = ["plan", "scale", "policy", "yaml", "scheduler", "engine"] as const;

export const BENCH_USAGE = `Usage: npm run bench [-- [--json] [--only ${BENCH_AREAS.join(",")}]]

Speed and memory goals (never timed tests). Areas:
  plan       the offline plan of the reference fleet and of 100 generated workload clusters (always measured)
  scale      generated fleets of 250, 500 and 1,000 workload clusters through fleet plan on worker threads,
             each in its own process, then --affected: CPU seconds and peak RSS per size (minutes of CPU)
  policy     policy evaluation CPU ms per resource on the reference fleet
  yaml       parsing a hostile 2 MB stack file
  scheduler  makespan / lower bound on simulated fleets, scheduler overhead
  engine     real-engine fleet up vs the critical path of solo ups (needs npm run setup:engine)

Options:
  --json         print exactly one JSON object on stdout (progress goes to stderr)
  --only LIST    run only these areas, comma-separated (plan always runs: the others use its resources)
  --sizes LIST   the scale area's fleet sizes in workload clusters, comma-separated (default ${DEFAULT_SCALE_SIZES.join(",")})
  -h, --help     print this and exit
Figures and goals: docs/benchmarks.md`;

/** The areas asked for; `undefined` means all. Throws a usage error for an unknown area. */
export function benchArgs(argv: readonly string[]): { help: boolean; json: boolean; only?: Set<string>; sizes?: number[] } {
  const help = argv.includes("--help") || argv.includes("-h");
  const onlyArg = argv.indexOf("--only");
  const only = onlyArg >= 0 ? new Set((argv[onlyArg + 1] ?? "").split(",").filter(Boolean)) : undefined;
  const unknown = [...(only ?? [])].filter((a) => !(BENCH_AREAS as readonly string[]).includes(a));
  if (only !== undefined && (only.size === 0 || unknown.length > 0)) throw new BenchUsageError(`--only: unknown area ${unknown.join(", ") || "(none given)"}; one of ${BENCH_AREAS.join(", ")}`);
  const sizesArg = argv.indexOf("--sizes");
  const sizes = sizesArg >= 0 ? scaleSizes(argv[sizesArg + 1]) : undefined;
  const known = new Set(["--json", "--only", "--sizes", "--help", "-h", ...(onlyArg >= 0 ? [argv[onlyArg + 1]] : []), ...(sizesArg >= 0 ? [argv[sizesArg + 1]] : [])]);
  const stray = argv.filter((a) => !known.has(a));
  if (stray.length > 0) throw new BenchUsageError(`unknown argument ${stray[0]}`);
  return { help, json: argv.includes("--json"), ...(only ? { only } : {}), ...(sizes ? { sizes } : {}) };
}

/**
 * The smallest size: the reference fleet's clusters and one generated cluster per domain and
 * cloud, the ones the scale area's `--affected` runs change (bench/scale.ts).
 */
const MIN_SCALE_CLUSTERS = 2 * REFERENCE_CLUSTERS;

/** `--sizes 100,250`: whole numbers of workload clusters, at least MIN_SCALE_CLUSTERS. */
function scaleSizes(list: string | undefined): number[] {
  const sizes = (list ?? "").split(",").filter(Boolean).map(Number);
  const bad = sizes.find((n) => !Number.isInteger(n) || n < MIN_SCALE_CLUSTERS || n > 10000);
  if (sizes.length === 0 || bad !== undefined) {
    throw new BenchUsageError(`--sizes: ${bad === undefined ? "(none given)" : bad} is not a fleet size; whole numbers of workload clusters from ${MIN_SCALE_CLUSTERS} to 10000, comma-separated`);
  }
  return sizes;
}

export class BenchUsageError extends Error {}

async function main(): Promise<void> {
  const args = benchArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return;
  }
  const { json, only } = args;
  const wants = (area: string) => only === undefined || only.has(area);
  const log = (s: string) => (json ? process.stderr.write(`${s}\n`) : console.log(s));
  const node = nodeRecord();
  if (node.warning !== undefined) process.stderr.write(`bench: warning: ${node.warning}\n`);
  // Warm the module cache once so both figures measure planning, not loading the SDKs.
  await timedPlan(REFERENCE);
  const reference = await timedPlan(REFERENCE);
  // Policy cost on the reference fleet's resources, measured before the 100-cluster plan fills
  // the heap (its garbage collection would be charged to the policies otherwise).
  let policy: Awaited<ReturnType<typeof benchPolicy>> | undefined;
  if (wants("policy")) {
    policy = await benchPolicy(reference.plan.stacks.flatMap((s) => [...s.resources]) as never, 2000);
    log(`policy: ${policy.msPerResource} CPU ms per resource over ${policy.resources} resources and ${policy.policies} policies (goal < 0.1)`);
  }
  const hundred = await timedPlan(generatedFleet(100));
  const resources = reference.plan.stacks.flatMap((s) => s.resources.filter((r) => r.custom));
  const plan = {
    referenceSeconds: round(reference.seconds),
    hundredClustersSeconds: round(hundred.seconds),
    resources: resources.length,
    referenceStacks: reference.fleet.stacks.size,
    hundredClustersStacks: hundred.fleet.stacks.size,
    msPerStackReference: round((reference.seconds * 1000) / reference.fleet.stacks.size, 1),
    msPerStackHundred: round((hundred.seconds * 1000) / hundred.fleet.stacks.size, 1),
  };
  log(`plan: reference fleet ${plan.referenceStacks} stacks in ${plan.referenceSeconds}s (goal < 2s); ${plan.hundredClustersStacks} stacks with 100 workload clusters in ${plan.hundredClustersSeconds}s (goal < 20s); ${plan.msPerStackReference} vs ${plan.msPerStackHundred} ms/stack`);
  let scaled: Partial<Awaited<ReturnType<typeof benchScale>>> = {};
  if (wants("scale")) {
    const s = await benchScale(args.sizes ?? DEFAULT_SCALE_SIZES, log);
    scaled = s;
    log(
      `scale: ${s.thousandClustersStacks} stacks (${s.clusters} workload clusters) in ${s.thousandClustersSeconds}s on ${s.workers} workers (goal < 60s at 1,000), ${s.msPerStackThousand} ms/stack; --affected one-stack change ${s.affectedSeconds}s warm (${s.affectedCpuSeconds} CPU s; goal < 1.5s), first ${s.affectedFirstSeconds}s, through the CLI ${s.cliAffectedSeconds}s (${s.cliAffectedCpuSeconds} CPU s); peak RSS ${s.peakRssMb} MB; load average ${s.loadAverage.join(" → ")}`,
    );
    for (const p of s.scale) log(`scale:   ${String(p.clusters).padStart(5)} clusters ${String(p.stacks).padStart(5)} stacks  ${p.cpuSeconds} CPU s (${p.cpuMsPerStack} ms/stack, main thread ${p.mainThreadCpuSeconds ?? "?"} CPU s, load ${p.loadCpuSeconds} CPU s)  peak RSS ${p.peakRssMb} MB`);
  }
  const cli = benchCliVersion();
  log(`cli: fleet --version through the real entry ${cli.versionSeconds}s wall, ${cli.versionCpuSeconds} CPU s (median of 3)`);
  const out: Record<string, unknown> = { node, plan: { ...plan, ...scaled, cli }, ...(policy ? { policy } : {}) };
  if (wants("yaml")) {
    const yaml = benchYaml();
    log(`yaml: a ${(yaml.bytes / 1e6).toFixed(2)} MB stack file with ${yaml.keys} keys parsed in ${yaml.ms} CPU ms (goal < 3000; refused by the 1 MiB limit before this)`);
    out.yaml = yaml;
  }
  if (wants("scheduler")) {
    const scheduler = await benchScheduler();
    log(`scheduler: makespan ÷ lower bound ${scheduler.ratio} (wave ${scheduler.waveRatio}, sequential ${scheduler.sequentialRatio}), overhead ${scheduler.overheadMsPerStack} ms/stack`);
    out.scheduler = scheduler;
  }
  if (wants("engine")) {
    // The real-engine figure needs the engine built from Go modules (npm run setup:engine).
    try {
      const e = await benchEngine();
      out.engine = { ratio: round(e.ratio, 3), fleetSeconds: round(e.fleetSeconds), stacks: e.stacks };
      log(`engine: orchestrated local fleet up ${round(e.fleetSeconds)}s for ${e.stacks} stacks = ${round(e.ratio, 3)} × the critical path of solo ups (goal ≤ 1.10)`);
    } catch (e) {
      out.engine = { notRun: (e as Error).message.split("\n")[0] };
      log(`engine: not measured: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  if (json) process.stdout.write(`${JSON.stringify(out)}\n`);
}

function round(x: number, d = 2): number {
  return Math.round(x * 10 ** d) / 10 ** d;
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
      if (e instanceof BenchUsageError) console.error(BENCH_USAGE);
      process.exit(e instanceof BenchUsageError ? 2 : 1);
    },
  );
}
