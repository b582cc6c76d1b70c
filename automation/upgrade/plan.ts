/**
 * The upgrade plan: for each selected cluster stack (management and workload roles), the
 * minor it runs (read from the cluster: stack output `cluster.runningVersion`, else the
 * configured version with a note), the step to the target, and per ring of each domain the
 * order — control plane first, then each node pool with its surge/drain settings — and the
 * pre-checks: add-on compatibility (./addons.ts) and deprecated APIs in use (./deprecatedApis.ts).
 *
 * Pure except for the reads it is given (`runningVersion`, `apiMetrics`), so tests and the
 * command share it.
 */
import type { Fleet, StackSpec } from "../fleet";
import { isClusterStack } from "../fleet/backup";
import { addonVerdicts, type AddonVerdict } from "./addons";
import { apiName, classifyDeprecated, parseDeprecatedApis } from "./deprecatedApis";
import { upgradeStep, type UpgradeStep } from "./versions";

export interface RunningVersion {
  readonly version: string;
  /** `cluster` (a stack output read from the cluster's data source) or `config` (the fallback). */
  readonly source: "cluster" | "config";
  readonly note?: string;
}

export interface PoolPlan {
  readonly name: string;
  /** The pool's upgrade settings as configured (`upgrade:` on the pool), or the cloud defaults. */
  readonly settings: string;
}

export type CheckStatus = "passed" | "failed" | "not-checked";

export interface PreCheck {
  readonly name: "addons" | "deprecated-apis";
  readonly status: CheckStatus;
  readonly detail: string;
  readonly items?: readonly string[];
}

export interface StackUpgrade {
  readonly stack: string;
  readonly domain: string;
  readonly ring: number;
  readonly cloud: string;
  readonly running: RunningVersion;
  readonly step: UpgradeStep;
  readonly pools: readonly PoolPlan[];
  readonly preChecks: readonly PreCheck[];
}

export interface UpgradePlan {
  readonly target: string;
  readonly domains: readonly string[];
  readonly stacks: readonly StackUpgrade[];
  readonly addons: readonly AddonVerdict[];
}

/** Cluster stacks of the selected domains (and, when given, of `only`: `--filter`), in domain order, then ring, then name. */
export function clusterStacks(fleet: Fleet, domains: readonly string[], only?: ReadonlySet<string>): StackSpec[] {
  return [...fleet.stacks.values()]
    .filter((s) => isClusterStack(s) && domains.includes(s.domain) && (only === undefined || only.has(s.name)))
    .sort((a, b) => domains.indexOf(a.domain) - domains.indexOf(b.domain) || a.ring - b.ring || (a.name < b.name ? -1 : 1));
}

interface ClusterConfig {
  readonly kubernetesVersion: string;
  readonly runningVersion?: string;
  readonly systemPool?: Readonly<Record<string, unknown>>;
  readonly workloadPools?: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

export function clusterConfig(spec: StackSpec): ClusterConfig {
  return (spec.config as unknown as Record<string, ClusterConfig>)["meridian:cluster"];
}

/** The minor the cluster runs: the stack output when the cluster reported one, else the config. */
export function runningVersionOf(spec: StackSpec, outputs: Readonly<Record<string, { value: unknown }>> | undefined): RunningVersion {
  const fromCluster = outputs?.["cluster.runningVersion"]?.value ?? (outputs?.cluster?.value as { runningVersion?: unknown } | undefined)?.runningVersion;
  if (typeof fromCluster === "string" && fromCluster !== "") return { version: fromCluster, source: "cluster" };
  const cfg = clusterConfig(spec);
  const version = cfg.runningVersion ?? cfg.kubernetesVersion;
  const key = cfg.runningVersion !== undefined ? "meridian:cluster.runningVersion" : "meridian:cluster.kubernetesVersion";
  return { version, source: "config", note: `no cluster.runningVersion output (stack not deployed, or by an engine that reads no cluster): using ${key} from ${spec.file}` };
}

function poolPlans(cfg: ClusterConfig, role: string): PoolPlan[] {
  const describe = (p: Readonly<Record<string, unknown>> | undefined): string => {
    const u = p?.upgrade;
    if (u === undefined || u === null || typeof u !== "object") return "cloud defaults (surge, PDB-respecting drain)";
    return Object.entries(u as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`).join(", ");
  };
  const pools = cfg.workloadPools ?? [{ name: role === "management" ? "platform" : "general" }];
  return [{ name: String(cfg.systemPool?.name ?? "system"), settings: describe(cfg.systemPool) }, ...pools.map((p) => ({ name: String(p.name), settings: describe(p) }))];
}

/** The deprecated-API pre-check from a metrics text (or why it could not be read). */
export function deprecatedApiCheck(metrics: { text: string } | { error: string }, target: string): PreCheck {
  if ("error" in metrics) return { name: "deprecated-apis", status: "not-checked", detail: metrics.error };
  const { removed, deprecated } = classifyDeprecated(parseDeprecatedApis(metrics.text), target);
  const since = "requests since the API server last started";
  if (removed.length > 0) {
    return { name: "deprecated-apis", status: "failed", detail: `${removed.length} API(s) in use are removed in ${target} or earlier (${since})`, items: removed.map((a) => `${apiName(a)} (removed in ${a.removedRelease})`) };
  }
  return {
    name: "deprecated-apis",
    status: "passed",
    detail: deprecated.length === 0 ? `no deprecated API requested (${since})` : `${deprecated.length} deprecated API(s) in use, none removed by ${target} (${since})`,
    items: deprecated.map((a) => `${apiName(a)}${a.removedRelease ? ` (removed in ${a.removedRelease})` : ""}`),
  };
}

export function addonCheck(verdicts: readonly AddonVerdict[], target: string): PreCheck {
  const bad = verdicts.filter((v) => v.status === "unsupported");
  const unknown = verdicts.filter((v) => v.status === "not-checked");
  const untested = verdicts.filter((v) => v.status === "untested");
  if (bad.length > 0) return { name: "addons", status: "failed", detail: `${bad.length} pinned add-on(s) do not list ${target}`, items: bad.map((v) => `${v.chart}: ${v.detail}`) };
  // Untested is a warning, not a halt: those projects publish what their CI ran, not what they support.
  const warned = untested.length > 0 ? `; not tested upstream on ${target} (warning): ${untested.map((v) => v.addon).join(", ")}` : "";
  return {
    name: "addons",
    status: "passed",
    detail: `every add-on with a published support matrix lists ${target}${warned}${unknown.length > 0 ? `; not checked (no matrix row): ${unknown.map((v) => v.addon).join(", ")}` : ""}`,
    ...(untested.length > 0 ? { items: untested.map((v) => `${v.chart}: ${v.detail}`) } : {}),
  };
}

export interface PlanReads {
  readonly running: (spec: StackSpec) => RunningVersion;
  readonly apiMetrics: (spec: StackSpec) => Promise<{ text: string } | { error: string }>;
}

export async function buildUpgradePlan(fleet: Fleet, target: string, domains: readonly string[], reads: PlanReads, only?: ReadonlySet<string>): Promise<UpgradePlan> {
  const addons = addonVerdicts(target);
  const stacks: StackUpgrade[] = [];
  for (const spec of clusterStacks(fleet, domains, only)) {
    const running = reads.running(spec);
    const step = upgradeStep(spec.name, running.version, target);
    const preChecks = step.kind === "upgrade" ? [addonCheck(addons, target), deprecatedApiCheck(await reads.apiMetrics(spec), target)] : [];
    stacks.push({ stack: spec.name, domain: spec.domain, ring: spec.ring, cloud: spec.clouds[0] ?? "", running, step, pools: poolPlans(clusterConfig(spec), spec.role), preChecks });
  }
  return { target, domains, stacks, addons };
}

function stackLines(s: StackUpgrade): string[] {
  if (s.step.kind !== "upgrade") return [`  ${s.stack} (${s.cloud}): ${s.step.kind === "current" ? `already on ${s.step.version}` : s.step.reason}`];
  const to = s.step.to;
  const lines = [`  ${s.stack} (${s.cloud}): running ${s.running.version} (${s.running.source === "cluster" ? "read from the cluster" : "from config"})`];
  if (s.running.note) lines.push(`    note: ${s.running.note}`);
  lines.push(`    1. control plane ${s.step.from} → ${to}`);
  s.pools.forEach((p, i) => lines.push(`    ${i + 2}. node pool ${p.name} → ${to} (${p.settings})`));
  for (const c of s.preChecks) {
    lines.push(`    pre-check ${c.name}: ${c.status} — ${c.detail}`);
    for (const item of c.items ?? []) lines.push(`      - ${item}`);
  }
  return lines;
}

/** The plan as a person reads it: per domain and ring, control plane then node pools. */
export function renderPlan(plan: UpgradePlan): string {
  const lines = [`upgrade to ${plan.target}: ${plan.stacks.filter((s) => s.step.kind === "upgrade").length} cluster(s), domains ${plan.domains.join(" → ")}`];
  for (const d of plan.domains) {
    const mine = plan.stacks.filter((s) => s.domain === d);
    [...new Set(mine.map((s) => s.ring))].forEach((ring, i) => {
      if (i > 0) lines.push(`  gate ${d}/ring-${ring}: soak, ${d}'s health checks, approval if fleet.yaml asks (gates:)`);
      lines.push(`${d} ring ${ring}:`);
      for (const s of mine.filter((x) => x.ring === ring)) lines.push(...stackLines(s));
    });
  }
  lines.push("add-on matrix:");
  for (const a of plan.addons) lines.push(`  ${a.addon} (${a.chart}): ${a.status}`);
  return lines.join("\n");
}
