/**
 * The plan at scale (issue 17 item 11): generated fleets of several sizes (./fleet.ts; 1,000
 * workload clusters by default the largest) planned through the `fleet plan` command itself
 * (fleet load, worker start-up, policy pack, fleet checks and the plan cache all included),
 * then a one-stack change planned with `--affected` against the cache that plan wrote.
 *
 * Each size runs in a child process of its own, so its peak RSS is its own (the kernel's
 * high-water mark never falls within a process) and the sizes side by side show how CPU and
 * memory grow with the fleet.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runPlanCommand, workerCount, type PlanCommandOptions } from "../automation/commands/plan";
import { loadFleet } from "../automation/fleet";
import { generatedFleet } from "./fleet";

/** The sizes `npm run bench -- --only scale` plans, in workload clusters. */
export const DEFAULT_SCALE_SIZES: readonly number[] = [250, 500, 1000];

/** One fleet size, measured in its own process. */
export interface ScalePoint {
  clusters: number;
  stacks: number;
  workers: number;
  /** Wall time of the full plan. On a loaded machine it measures the other jobs too. */
  seconds: number;
  /** CPU seconds of the full plan, every thread (main and workers) included. */
  cpuSeconds: number;
  cpuMsPerStack: number;
  /**
   * CPU seconds of the main thread alone during the full plan (fleet load, scheduling,
   * receiving plans, the policy pack, fleet checks, the report, the cache): the share that
   * does not run stacks. From /proc (Linux); absent elsewhere.
   */
  mainThreadCpuSeconds?: number;
  /** CPU seconds of one `loadFleet` of the generated fleet (parsing and validating every stack file), measured apart. */
  loadCpuSeconds: number;
  /** Peak resident set of the child process (every worker thread included), after the full plan and both `--affected` runs. */
  peakRssMb: number;
  /** Peak resident set right after the full plan. */
  peakRssAfterPlanMb: number;
  /** The first `--affected` one-stack change after the full plan (this thread's JIT cold for the stack program). */
  affectedFirstSeconds: number;
  /** A second one-stack change (the first one undone), modules and cache warm. */
  affectedSeconds: number;
  /** CPU seconds of that warm change (this process, every thread): on a shared machine the wall time above measures the others too. */
  affectedCpuSeconds: number;
  affectedStacks: number;
  /**
   * More one-stack changes through the real entry (`node --import tsx automation/cli.ts plan
   * --affected`, a process of its own, as a user runs it): start-up, SDK loading and the caches
   * on disk included. One first (`cliAffectedFirstSeconds`: new files for Node's compile
   * cache), then three warm ones, one per cloud: these figures are their median.
   */
  cliAffectedSeconds: number;
  cliAffectedCpuSeconds: number;
  cliAffectedFirstSeconds: number;
  /** The Node that ran this size (the parent's own: `process.execPath`). */
  node: string;
  /** 1-minute load average before and after: figures from a loaded machine are not idle figures. */
  loadAverage: [number, number];
}

export interface ScaleFigures {
  /** The largest size, under the keys the bench has reported since issue 17. */
  clusters: number;
  thousandClustersStacks: number;
  thousandClustersSeconds: number;
  /** CPU seconds of that plan, every thread included; CPU ÷ workers is what an idle machine's wall time tends to. */
  thousandClustersCpuSeconds: number;
  workers: number;
  msPerStackThousand: number;
  affectedSeconds: number;
  affectedFirstSeconds: number;
  affectedCpuSeconds: number;
  affectedStacks: number;
  /** Peak resident set of the largest size's process, every worker thread included. */
  peakRssMb: number;
  /** The same one-stack change through the real CLI entry, warm: wall and CPU seconds of the whole process. */
  cliAffectedSeconds: number;
  cliAffectedCpuSeconds: number;
  loadAverage: [number, number];
  /** Every size, smallest first: CPU seconds and peak RSS side by side show the growth. */
  scale: ScalePoint[];
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const cpuSecondsSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
};
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`; 100 on Linux). */
let clockTicks: number | undefined;

/**
 * A /proc stat file's fields from the 3rd on (after the command name, which may hold spaces),
 * or undefined off Linux: `/proc/self/stat` for the process, `/proc/self/task/<tid>/stat` for a thread.
 */
function procStat(file: string): string[] | undefined {
  try {
    const stat = fs.readFileSync(file, "utf8");
    clockTicks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of this process's children that have been waited for (`cutime` + `cstime`,
 * fields 16 and 17; Linux), so a child's CPU is this figure's growth across `spawnSync`.
 */
function childrenCpuSeconds(): number | undefined {
  const fields = procStat("/proc/self/stat");
  if (fields === undefined) return undefined;
  const cpu = (Number(fields[13]) + Number(fields[14])) / clockTicks!;
  return Number.isFinite(cpu) ? cpu : undefined;
}

/** Wall and CPU seconds of one process, `node ARGS` on this Node, with `env` added; throws unless it exits 0. */
export function timedProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): { seconds: number; cpuSeconds: number; stdout: string } {
  const cpu = childrenCpuSeconds();
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const after = childrenCpuSeconds();
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status ?? r.signal}: ${(r.stderr ?? "").split("\n").slice(0, 3).join(" ")}`);
  return { seconds, cpuSeconds: cpu !== undefined && after !== undefined ? after - cpu : Number.NaN, stdout: r.stdout };
}

/** The CLI as a user runs it: `npm run fleet` is `node --max-semi-space-size=64 --import tsx automation/cli.ts`. */
export const CLI_ENTRY = ["--max-semi-space-size=64", "--import", "tsx", path.resolve(__dirname, "..", "automation", "cli.ts")];

/**
 * CPU seconds of this process's main thread (its thread id is the process id), or undefined
 * off Linux. `process.cpuUsage` counts every thread, and Node 20 has no per-thread figure;
 * the event loop's busy time is no substitute on a loaded machine, where it includes the
 * time a runnable thread waits for a core.
 */
function mainThreadCpuSeconds(): number | undefined {
  // utime is field 14, stime 15.
  const fields = procStat(`/proc/self/task/${process.pid}/stat`);
  return fields === undefined ? undefined : (Number(fields[11]) + Number(fields[12])) / clockTicks!;
}

async function timed(opts: PlanCommandOptions): Promise<{ seconds: number; cpuSeconds: number; mainCpuSeconds?: number; report: { stacks: unknown[] } }> {
  let out = "";
  let err = "";
  const cpu = process.cpuUsage();
  const main = mainThreadCpuSeconds();
  const started = process.hrtime.bigint();
  const code = await runPlanCommand({ json: true, ...opts }, { out: (s) => void (out += s), err: (s) => void (err += s) });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuSeconds = cpuSecondsSince(cpu);
  const mainAfter = mainThreadCpuSeconds();
  const mainCpuSeconds = main !== undefined && mainAfter !== undefined ? mainAfter - main : undefined;
  if (code !== 0) throw new Error(`plan of the generated fleet exited ${code}: ${err.split("\n").slice(0, 3).join(" ")}`);
  return { seconds, cpuSeconds, ...(mainCpuSeconds !== undefined ? { mainCpuSeconds } : {}), report: JSON.parse(out) as { stacks: unknown[] } };
}

/**
 * Raise one generated cluster's largest node pool by one node, uncommitted: a one-stack config
 * change. The previous call's change is undone first, so each `--affected --base main` after
 * it sees exactly one changed stack (left in place, the changes would add up: the fourth run
 * planned four stacks).
 */
function oneStackChanger(stacksDir: string): (stack: string) => void {
  let previous: { file: string; text: string } | undefined;
  return (stack) => {
    if (previous !== undefined) fs.writeFileSync(previous.file, previous.text);
    const file = path.join(stacksDir, `Pulumi.${stack}.yaml`);
    const text = fs.readFileSync(file, "utf8");
    const changed = text.replace(/maxSize: (\d+)/, (_, n: string) => `maxSize: ${Number(n) + 1}`);
    if (changed === text) throw new Error(`${file}: no maxSize to change`);
    fs.writeFileSync(file, changed);
    previous = { file, text };
  };
}

/** The stacks a `--affected` report planned; throws unless it is exactly the changed one. */
function plannedOnly(report: { stacks: unknown[] }, stack: string, what: string): void {
  const names = report.stacks.map((s) => (s as { name: string }).name);
  if (names.length !== 1 || names[0] !== stack) throw new Error(`${what} planned ${names.join(", ") || "nothing"}; expected only ${stack}, the changed stack`);
}

/** One size, in this process (the child's half of `benchScale`). */
export async function measureScalePoint(clusters: number, log: (s: string) => void = () => undefined): Promise<ScalePoint> {
  const load = os.loadavg()[0];
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-scale-"));
  const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-scale-cache-"));
  try {
    const stacksDir = generatedFleet(clusters, root);
    const git = (...args: string[]) => execFileSync("git", ["-C", root, "-c", "user.name=bench", "-c", "user.email=bench@example.com", ...args], { stdio: "ignore" });
    git("init", "-q", "-b", "main");
    git("add", ".");
    git("commit", "-q", "-m", "generated fleet");
    // The cache lives outside the scratch repository: an untracked file there is a change no
    // path rule maps, which makes every stack affected.
    const loadCpu = process.cpuUsage();
    const stacks = loadFleet(stacksDir).stacks.size;
    const loadCpuSeconds = cpuSecondsSince(loadCpu);
    const workers = workerCount("auto", stacks);
    log(`scale: planning ${stacks} stacks (${clusters} workload clusters) on ${workers} workers…`);
    const full = await timed({ stacksDir, cacheRoot, workers: "auto" });
    const peakRssAfterPlanMb = peakRssMb();
    log(`scale: ${clusters} clusters: full plan ${round(full.seconds)}s, ${round(full.cpuSeconds)} CPU s, peak RSS ${peakRssAfterPlanMb} MB`);
    const changeOneStack = oneStackChanger(stacksDir);
    changeOneStack("eu-workload-aws-0001");
    const first = await timed({ stacksDir, cacheRoot, affected: true, base: "main" });
    plannedOnly(first.report, "eu-workload-aws-0001", "--affected");
    changeOneStack("us-workload-gcp-0004");
    const second = await timed({ stacksDir, cacheRoot, affected: true, base: "main" });
    plannedOnly(second.report, "us-workload-gcp-0004", "--affected");
    log(`scale: ${clusters} clusters: --affected ${round(first.seconds)}s then ${round(second.seconds)}s (${round(second.cpuSeconds)} CPU s)`);
    // The same kind of change through the real entry (a process of its own each), on the
    // caches the runs above wrote: MERIDIAN_FLEET_CACHE names the directory `cacheRoot` put
    // them in. Once first (new files for the compile cache), then three times warm, one stack
    // of each cloud: the median is the figure.
    const cli = (stack: string) => {
      changeOneStack(stack);
      const run = timedProcess([...CLI_ENTRY, "plan", "--affected", "--base", "main", "--json", "--stacks-dir", stacksDir], { MERIDIAN_FLEET_CACHE: path.join(cacheRoot, ".fleet-cache") });
      plannedOnly(JSON.parse(run.stdout) as { stacks: unknown[] }, stack, "the CLI's --affected");
      return run;
    };
    const cliFirst = cli("eu-workload-azure-0005");
    const cliRuns = ["us-workload-azure-0006", "us-workload-aws-0002", "eu-workload-gcp-0003"].map(cli).sort((a, b) => a.seconds - b.seconds);
    const cliWarm = cliRuns[1];
    log(`scale: ${clusters} clusters: --affected through the CLI ${round(cliFirst.seconds)}s then ${cliRuns.map((r) => round(r.seconds)).join(", ")}s wall (median ${round(cliWarm.seconds)}s, ${round(cliWarm.cpuSeconds)} CPU s)`);
    return {
      clusters,
      stacks,
      workers,
      seconds: round(full.seconds),
      cpuSeconds: round(full.cpuSeconds),
      cpuMsPerStack: round((full.cpuSeconds * 1000) / stacks, 1),
      ...(full.mainCpuSeconds !== undefined ? { mainThreadCpuSeconds: round(full.mainCpuSeconds) } : {}),
      loadCpuSeconds: round(loadCpuSeconds),
      peakRssMb: peakRssMb(),
      peakRssAfterPlanMb,
      affectedFirstSeconds: round(first.seconds),
      affectedSeconds: round(second.seconds),
      affectedCpuSeconds: round(second.cpuSeconds),
      affectedStacks: second.report.stacks.length,
      cliAffectedSeconds: round(cliWarm.seconds),
      cliAffectedCpuSeconds: round(cliWarm.cpuSeconds),
      cliAffectedFirstSeconds: round(cliFirst.seconds),
      node: process.versions.node,
      loadAverage: [round(load), round(os.loadavg()[0])],
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(cacheRoot, { recursive: true, force: true });
  }
}

const CHILD_FLAG = "--scale-child";

/** Measure each size in a child process of its own (this file with CHILD_FLAG), smallest first. */
export async function benchScale(sizes: readonly number[] = DEFAULT_SCALE_SIZES, log: (s: string) => void = () => undefined): Promise<ScaleFigures> {
  const scale: ScalePoint[] = [];
  for (const clusters of [...sizes].sort((a, b) => a - b)) {
    // The child's progress lines go to this process's stderr; its one JSON line to stdout.
    const out = execFileSync(process.execPath, ["--max-semi-space-size=64", "--import", "tsx", __filename, CHILD_FLAG, String(clusters)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 1 << 20,
    });
    const point = JSON.parse(out.trim().split("\n").pop()!) as ScalePoint;
    if (point.node !== process.versions.node) throw new Error(`scale child ran node ${point.node}, not this bench's ${process.versions.node}`);
    log(`scale: ${point.clusters} clusters (${point.stacks} stacks): ${point.seconds}s, ${point.cpuSeconds} CPU s (${point.cpuMsPerStack} CPU ms/stack), peak RSS ${point.peakRssMb} MB`);
    scale.push(point);
  }
  const top = scale[scale.length - 1];
  return {
    clusters: top.clusters,
    thousandClustersStacks: top.stacks,
    thousandClustersSeconds: top.seconds,
    thousandClustersCpuSeconds: top.cpuSeconds,
    workers: top.workers,
    msPerStackThousand: round((top.seconds * 1000) / top.stacks, 1),
    affectedSeconds: top.affectedSeconds,
    affectedFirstSeconds: top.affectedFirstSeconds,
    affectedCpuSeconds: top.affectedCpuSeconds,
    affectedStacks: top.affectedStacks,
    peakRssMb: top.peakRssMb,
    cliAffectedSeconds: top.cliAffectedSeconds,
    cliAffectedCpuSeconds: top.cliAffectedCpuSeconds,
    loadAverage: top.loadAverage,
    scale,
  };
}

if (require.main === module && process.argv[2] === CHILD_FLAG) {
  const clusters = Number(process.argv[3]);
  measureScalePoint(clusters, (s) => void process.stderr.write(`${s}\n`)).then(
    (point) => {
      process.stdout.write(`${JSON.stringify(point)}\n`, () => process.exit(0));
    },
    (e: unknown) => {
      process.stderr.write(`bench scale: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
