/**
 * The plan at scale (issue 17 item 11): a generated fleet of 1,000 workload clusters
 * (./fleet.ts) planned through the `fleet plan` command itself, in this process (fleet load,
 * worker start-up, policy pack, fleet checks and the plan cache all included), then a
 * one-stack change planned with `--affected` against the cache that plan wrote.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runPlanCommand, workerCount, type PlanCommandOptions } from "../automation/commands/plan";
import { generatedFleet } from "./fleet";

export interface ScaleFigures {
  clusters: number;
  thousandClustersStacks: number;
  thousandClustersSeconds: number;
  /**
   * CPU seconds of that plan, every thread included. On a loaded machine wall time measures
   * the other jobs; CPU ÷ workers is what an idle machine's wall time tends to.
   */
  thousandClustersCpuSeconds: number;
  workers: number;
  msPerStackThousand: number;
  /** A second one-stack config change with `--affected`, plan cache and modules warm (the first stays uncommitted, so 2 stacks plan). */
  affectedSeconds: number;
  /** The first `--affected` run after the full plan (this thread's JIT still cold for the stack program). */
  affectedFirstSeconds: number;
  affectedStacks: number;
  /** Peak resident set of the whole process, every worker thread included. */
  peakRssMb: number;
  /** 1-minute load average before and after: figures from a loaded machine are not idle figures. */
  loadAverage: [number, number];
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function timed(opts: PlanCommandOptions): Promise<{ seconds: number; cpuSeconds: number; report: { stacks: unknown[] } }> {
  let out = "";
  let err = "";
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const code = await runPlanCommand({ json: true, ...opts }, { out: (s) => void (out += s), err: (s) => void (err += s) });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  if (code !== 0) throw new Error(`plan of the generated fleet exited ${code}: ${err.split("\n").slice(0, 3).join(" ")}`);
  return { seconds, cpuSeconds, report: JSON.parse(out) as { stacks: unknown[] } };
}

/** Raise one generated cluster's largest node pool by one node: a one-stack config change. */
function changeOneStack(stacksDir: string, stack: string): void {
  const file = path.join(stacksDir, `Pulumi.${stack}.yaml`);
  const text = fs.readFileSync(file, "utf8");
  const changed = text.replace(/maxSize: (\d+)/, (_, n: string) => `maxSize: ${Number(n) + 1}`);
  if (changed === text) throw new Error(`${file}: no maxSize to change`);
  fs.writeFileSync(file, changed);
}

export async function benchScale(clusters = 1000, log: (s: string) => void = () => undefined): Promise<ScaleFigures> {
  const load = os.loadavg()[0];
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-scale-"));
  const stacksDir = generatedFleet(clusters, root);
  const git = (...args: string[]) => execFileSync("git", ["-C", root, "-c", "user.name=bench", "-c", "user.email=bench@example.com", ...args], { stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("commit", "-q", "-m", "generated fleet");
  // The cache lives outside the scratch repository: an untracked file there is a change no
  // path rule maps, which makes every stack affected.
  const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-scale-cache-"));
  const stacks = fs.readdirSync(stacksDir).filter((f) => /^Pulumi\..+\.yaml$/.test(f)).length;
  const workers = workerCount("auto", stacks);
  log(`scale: planning ${stacks} stacks (${clusters} workload clusters) on ${workers} workers…`);
  const full = await timed({ stacksDir, cacheRoot, workers: "auto" });
  log(`scale: full plan ${round(full.seconds)}s (${round(full.cpuSeconds)} CPU s)`);
  changeOneStack(stacksDir, "eu-workload-aws-0001");
  const first = await timed({ stacksDir, cacheRoot, affected: true, base: "main" });
  changeOneStack(stacksDir, "us-workload-gcp-0004");
  const second = await timed({ stacksDir, cacheRoot, affected: true, base: "main" });
  log(`scale: --affected ${round(first.seconds)}s then ${round(second.seconds)}s`);
  return {
    clusters,
    thousandClustersStacks: stacks,
    thousandClustersSeconds: round(full.seconds),
    thousandClustersCpuSeconds: round(full.cpuSeconds),
    workers,
    msPerStackThousand: round((full.seconds * 1000) / stacks, 1),
    affectedSeconds: round(second.seconds),
    affectedFirstSeconds: round(first.seconds),
    affectedStacks: second.report.stacks.length,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    loadAverage: [round(load), round(os.loadavg()[0])],
  };
}
