/**
 * `fleet plan`: the credential-free plan of the whole fleet. No cloud, no Pulumi CLI.
 * Exit codes: 0 clean, 1 a mandatory violation or a failed stack, 2 invalid input.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { commandDescription } from "./manifest";
import { DEFAULT_STACKS_DIR, REPO_ROOT, type Io } from "./paths";
import { loadFleetOrReport } from "./fleetLoad";
import { depths, ParseCache, withDependencies, type Fleet } from "../fleet";
import {
  FLEET_PROGRAM,
  fileProgram,
  planFleet,
  PlanWorkerError,
  programFromFile,
  ProgramFileError,
  type FleetPlan,
  type PlannedResource,
  type StackEvaluator,
  type StackProgram,
  type WorkerProgram,
} from "../plan";
import { affectedPlanSet, changeSinceBase, subsetPlanSet, type AffectedPlanSet, type ChangeSinceBase, type SubsetPlanSet, type UnansweredUpstream } from "../plan/affected";
import { InputDigests, parseCacheFileBeside, planCacheFile, planCacheFileIn, readPlanCache, writePlanCache, type PlanCache } from "../plan/cache";
import { GitError, repoRoot } from "../affected";
import { writeSarif } from "../plan/sarif";
import { checkControlPlaneCopies, checkControlPlaneLocations, type ClaimSource } from "../plan/fleetChecks";
import { CONTROL_PLANE_KEYS, controlPlaneFor, passphraseEnvFor, type ControlPlaneKey } from "../fleet/controlPlane";
import { ControlPlaneUrlError, parseControlPlaneUrl } from "../../policy-pack/lib/controlPlaneUrl";
import { interconnectRanges, interconnectViolations, packInputStacks, policyPackEvaluator } from "../plan/policies";
import { runStack } from "../../stacks/program";
import { rolloutSteps } from "../scheduler";
import { selectStacks, UsageError } from "../orchestrator/select";
import { FILTER_FILE_OPTION, FILTER_OPTION } from "./filterOptions";

export { DEFAULT_STACKS_DIR, REPO_ROOT, type Io } from "./paths";

export interface PlanCommandOptions {
  stacksDir?: string;
  json?: boolean;
  /** The program to plan; the stack program by default (tests plan deliberately bad fixtures). */
  program?: StackProgram | string;
  /** Also write the violations as SARIF 2.1.0 to this file. */
  sarif?: string;
  /** Fail a stack whose program has not settled after this many seconds. */
  stackTimeout?: number;
  /** With `json`: list each stack's resources (`resources: [{type,name}]`, count in `resourceCount`). */
  resources?: boolean;
  /** Worker threads (`auto`: one per core, up to MAX_AUTO_WORKERS, when at least AUTO_WORKERS_MIN_STACKS stacks are planned). */
  workers?: number | "auto";
  /** Plan only the stacks affected since `base` (uncommitted changes included); upstreams from the plan cache. */
  affected?: boolean;
  base?: string;
  /** Where the plan cache lives (default `<repo>/.fleet-cache/plan/`; tests use their own). */
  cacheRoot?: string;
  /** Plan only the stacks these filters select (automation/filters, as for preview and up); upstreams from the plan cache. */
  filter?: string[];
  filterFile?: string;
  /** With a filter: plan the upstreams the plan cache cannot answer too, instead of refusing. */
  planUpstreams?: boolean;
}

/** Below this many stacks, starting workers (each loads the provider SDKs) costs more than it saves. */
export const AUTO_WORKERS_MIN_STACKS = 60;
/** Each worker holds its own SDKs and program (about 0.4 GB): more than this is memory for little. */
export const MAX_AUTO_WORKERS = 4;

/** How many worker threads for `stacks` stacks. */
export function workerCount(requested: number | "auto" | undefined, stacks: number): number {
  if (typeof requested === "number") return requested;
  return stacks < AUTO_WORKERS_MIN_STACKS ? 1 : Math.max(1, Math.min(os.availableParallelism(), MAX_AUTO_WORKERS));
}

function workersArg(v: string): number | "auto" {
  if (v === "auto") return v;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError("a whole number from 1 to 64, or auto");
  return n;
}

function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("a positive number of seconds");
  return n;
}

/** Extra evaluators and IPAM claims (tests add fixtures here). */
export const planExtensions: { evaluators: StackEvaluator[]; claimSources: ClaimSource[] } = { evaluators: [], claimSources: [interconnectRanges] };

export function registerPlan(program: Command): void {
  program
    .command("plan")
    .description(commandDescription("plan"))
    .option("--stacks-dir <dir>", "directory of Pulumi.<stack>.yaml files", DEFAULT_STACKS_DIR)
    .option("--json", "print exactly one JSON object on stdout")
    .option("--program <file>", "plan this Pulumi TypeScript program (a file or a directory with index.ts) as every stack, instead of the fleet's roles")
    .option("--sarif <file>", "also write the violations as SARIF 2.1.0 (for code scanning) to this file")
    .option("--stack-timeout <seconds>", "fail a stack whose program has not finished after this long (default 300)", seconds)
    .option("--resources", "with --json: list each stack's resources as resources: [{type,name}] (the count moves to resourceCount)")
    .option("--workers <n>", `plan on N worker threads, or auto: one per core (up to ${MAX_AUTO_WORKERS}) for fleets of ${AUTO_WORKERS_MIN_STACKS} stacks or more`, workersArg, "auto")
    .option("--affected", "plan only the stacks changed since --base (uncommitted changes included) and their dependents; upstreams come from the plan cache")
    .option("--base <ref>", "with --affected: the commit to compare against (merge-base with HEAD)", "main")
    .option(FILTER_OPTION[0], `${FILTER_OPTION[1]}; upstreams outside the selection come from the plan cache`)
    .option(...FILTER_FILE_OPTION)
    .option("--plan-upstreams", "with --filter: plan the upstreams the plan cache cannot answer (missing or stale) too, instead of refusing")
    .action(async (opts: PlanCommandOptions) => {
      process.exitCode = await runPlanCommand(opts, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
    });
}

export async function runPlanCommand(opts: PlanCommandOptions, io: Io): Promise<number> {
  // Stack files parsed before come from the parse cache beside the plan cache (none where the fleet has no cache).
  const cacheFor = planCacheLocation(opts, { dir: opts.stacksDir ?? DEFAULT_STACKS_DIR });
  const fleet = loadFleetOrReport(opts.stacksDir ?? DEFAULT_STACKS_DIR, (e) => io.err(e), cacheFor === undefined ? undefined : ParseCache.open(parseCacheFileBeside(cacheFor)));
  if (fleet === undefined) return 2;
  let program: StackProgram = (f, stack) => runStack(f, stack);
  // A function (tests) cannot cross threads: it plans in this one.
  let workerProgram: WorkerProgram | undefined = FLEET_PROGRAM;
  if (typeof opts.program === "function") {
    program = opts.program;
    workerProgram = undefined;
  } else if (typeof opts.program === "string") {
    try {
      program = programFromFile(opts.program);
      workerProgram = fileProgram(opts.program);
    } catch (e) {
      if (e instanceof ProgramFileError) {
        io.err(`fleet: --program ${e.message}\n`);
        return 2;
      }
      throw e;
    }
  }
  if (opts.resources && !opts.json) {
    io.err("fleet: --resources lists resources in the JSON report; add --json\n");
    return 2;
  }
  if (opts.sarif !== undefined && !fs.existsSync(path.dirname(path.resolve(opts.sarif)))) {
    io.err(`fleet: --sarif ${opts.sarif}: the directory ${path.dirname(opts.sarif)} does not exist\n`);
    return 2;
  }
  if (opts.affected && opts.program !== undefined) {
    io.err("fleet: --affected plans the fleet's own program, from the plan cache of its last plan; drop --program\n");
    return 2;
  }
  const filtered = filterSelection(fleet, opts);
  if ("error" in filtered) {
    io.err(`fleet: ${filtered.error}\n`);
    return 2;
  }
  const { selected } = filtered;
  if (typeof opts.workers === "number" && opts.workers > 1 && workerProgram === undefined) {
    io.err("fleet: --workers: this program is a function, which cannot run on worker threads\n");
    return 2;
  }
  // Only the fleet's own program fills the plan cache that --affected reads, and only where the
  // fleet has a cache (planCacheSite).
  const site = planCacheSite(opts, fleet);
  const cacheFile = "file" in site ? site.file : undefined;
  let digests: InputDigests | undefined;
  let change: { since: ChangeSinceBase; set: AffectedPlanSet } | undefined;
  let subset: SubsetPlanSet | undefined;
  const cache = cacheFile !== undefined ? readPlanCache(cacheFile, fleet) : undefined;
  const noCache = noPlanCacheReason(site, cache);
  try {
    if (cacheFile !== undefined) digests = new InputDigests(fleet, REPO_ROOT);
    if (opts.affected) {
      const since = changeSinceBase(repoRootOf(fleet.dir), opts.base ?? "main");
      const stacksPath = path.relative(repoRootOf(fleet.dir), fleet.dir).split(path.sep).join("/");
      change = { since, set: affectedPlanSet(fleet, since.files, stacksPath, cache, digests, packInputStacks(fleet)) };
      subset = change.set;
    }
  } catch (e) {
    if (e instanceof GitError) {
      io.err(`fleet: ${opts.affected ? "--affected: " : "plan cache: "}${e.message.split("\n")[0]}\n`);
      if (opts.affected) return 2;
      digests = undefined;
    } else throw e;
  }
  if (selected !== undefined) {
    subset = subsetPlanSet(fleet, selected, cache, digests, { alsoNeeded: packInputStacks(fleet), planUnanswered: opts.planUpstreams === true });
    if (subset.unanswered.length > 0) {
      const dependencies = withDependencies(fleet, subset.selected);
      const packOnly = subset.unanswered.some((u) => !dependencies.has(u.name));
      io.err(unansweredMessage(subset.unanswered, noCache, cacheFile !== undefined, packOnly));
      return 2;
    }
  }
  const planned = subset?.plan.size ?? fleet.stacks.size;
  const workers = workerProgram === undefined ? 1 : workerCount(opts.workers, planned);
  if (!opts.json) {
    if (change) io.err(affectedSummary(change.since, change.set, noCache));
    else if (subset) io.err(filterSummary(fleet, subset, cache));
    if (workers > 1) io.err(`Planning ${planned} stacks on ${workers} worker threads\n`);
  }
  const restore = opts.json ? quietConsole(io) : () => undefined;
  let plan: FleetPlan;
  const pack = policyPackEvaluator();
  // Cached upstreams are not planned now, but the pack learns from their outputs as from a plan's.
  for (const name of subset?.fromCache ?? []) {
    pack.observe({ name, status: "planned", resources: [], outputs: subset!.upstream.outputs.get(name)!, secretOutputNames: [], seconds: 0 }, fleet);
  }
  try {
    plan = await planFleet(fleet, {
      program,
      workers,
      workerProgram,
      ...(subset ? { only: subset.plan, upstream: subset.upstream } : {}),
      stackTimeoutSeconds: opts.stackTimeout,
      // The report lists types and names only: keep no more than that of each stack (memory at 1,000 clusters).
      retain: "summary",
      evaluators: [pack.evaluator, checkControlPlaneCopies, ...planExtensions.evaluators],
      claimSources: planExtensions.claimSources,
      onStack: (p) => {
        pack.observe(p, fleet);
        if (!opts.json) io.err(`  ${p.status === "planned" ? "✓" : p.status === "failed" ? "✗" : "·"} ${p.name} (${p.resources.length} resources, ${p.seconds.toFixed(2)}s)\n`);
      },
    });
  } catch (e) {
    if (e instanceof PlanWorkerError) {
      io.err(`fleet: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    restore();
  }
  if (digests !== undefined && cacheFile !== undefined) {
    try {
      writePlanCache(cacheFile, fleet, plan.stacks, digests, cache);
    } catch (e) {
      io.err(`fleet: plan cache not written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): ${cacheFile}\n`);
    }
  }
  plan = { ...plan, violations: [...interconnectViolations(fleet), ...checkControlPlaneLocations(fleet), ...plan.violations] };
  const affected = change ? affectedReport(change.since, change.set) : undefined;
  const partial = subset ? partialReport(fleet, plan, subset, cache, change ? { by: "affected" } : { by: "filter", filter: opts.filter, filterFile: opts.filterFile }) : undefined;
  const report = { ...planReport(fleet, plan, { resources: opts.resources === true }), ...(affected ? { affected } : {}), ...(partial ? { partial } : {}) };
  // Text output never lists resources (--resources needs --json), so it renders the counts.
  const text = () => renderPlan(fleet, plan, planReport(fleet, plan), partial);
  if (opts.sarif !== undefined) writeSarif(opts.sarif, fleet, report.violations);
  io.out(opts.json ? `${JSON.stringify(report)}\n` : text());
  const failed = report.stacks.some((s) => s.status === "failed");
  const mandatory = report.violations.some((v) => v.level === "mandatory");
  return failed || mandatory ? 1 : 0;
}

/** `--filter`/`--filter-file`: the selected stacks (undefined: no filter, the whole fleet), or why not. */
function filterSelection(fleet: Fleet, opts: PlanCommandOptions): { selected?: readonly string[] } | { error: string } {
  const filtering = (opts.filter?.length ?? 0) > 0 || opts.filterFile !== undefined;
  if (filtering && opts.affected) return { error: `--affected and --filter select stacks two ways: use one (--filter "[${opts.base ?? "main"}]" --plan-upstreams is --affected as a filter)` };
  if (opts.planUpstreams && !filtering) return { error: "--plan-upstreams goes with --filter (--affected plans the upstreams the cache cannot answer already)" };
  if (!filtering) return {};
  try {
    // Plan is an offline preview: the same selection as `fleet preview --filter`.
    return { selected: selectStacks(fleet, { command: "preview", filters: opts.filter, filterFile: opts.filterFile }).stacks };
  } catch (e) {
    if (e instanceof UsageError) return { error: e.message };
    throw e;
  }
}

function repoRootOf(dir: string): string {
  try {
    return repoRoot(dir);
  } catch (e) {
    if (e instanceof GitError) throw new GitError(`${dir} is not inside a git repository`);
    throw e;
  }
}

/** `--affected` in the JSON report: what changed and where each upstream's outputs came from. */
export interface PlanAffectedReport {
  base: string;
  mergeBase: string;
  files: string[];
  /** Changed files not committed yet (seen: the plan plans the working tree). */
  uncommitted: string[];
  /** The stacks the change affects (planned). */
  stacks: string[];
  /** Upstreams planned because the plan cache had no current entry for them. */
  replanned: string[];
  /** Upstreams whose outputs came from the plan cache. */
  fromCache: string[];
}

function affectedReport(since: ChangeSinceBase, set: AffectedPlanSet): PlanAffectedReport {
  return {
    base: since.base,
    mergeBase: since.mergeBase,
    files: [...since.files],
    uncommitted: [...since.uncommitted],
    stacks: [...set.affected],
    replanned: [...set.replanned],
    fromCache: [...set.fromCache],
  };
}

function affectedSummary(since: ChangeSinceBase, set: AffectedPlanSet, noCache: NoPlanCache | undefined): string {
  const files = `${since.files.length} file${since.files.length === 1 ? "" : "s"} changed since ${since.base} (${since.mergeBase.slice(0, 12)}), ${since.uncommitted.length} uncommitted`;
  const upstream = set.replanned.length + set.fromCache.length;
  const cacheNote = noCache !== undefined && set.replanned.length > 0 ? ` (${noPlanCacheText(noCache)})` : "";
  return `Affected: ${set.affected.length} stack${set.affected.length === 1 ? "" : "s"} from ${files}; ${upstream} upstream${upstream === 1 ? "" : "s"}: ${set.fromCache.length} from the plan cache, ${set.replanned.length} planned${cacheNote}\n`;
}

/**
 * `--json`'s `partial`, on a plan of a subset (`--filter`, `--affected`): which stacks it
 * covers, where their upstreams' outputs came from, and what the checks saw. The fleet-wide
 * checks read every stack's config, so they cover the whole fleet; the per-stack checks read
 * planned resources, so they cover only the stacks planned now.
 */
export interface PlanPartialReport {
  selectedBy: "filter" | "affected";
  /** `--filter` expressions as given (with `selectedBy: "filter"`). */
  filters?: string[];
  filterFile?: string;
  /** Stacks in the fleet; `stacks` lists only those planned now. */
  fleetStacks: number;
  /** The stacks the filter or change selected, in topological order. */
  selected: string[];
  /** Upstreams planned too (they are in `stacks`), because the plan cache had no current entry. */
  replanned: string[];
  /** Upstreams whose outputs came from the plan cache (not in `stacks`). */
  fromCache: string[];
  /** When the plan cache that answered `fromCache` was written. */
  cacheWritten?: string;
  checks: { fleetWide: PlanCheckCoverage; perStack: PlanCheckCoverage };
}

export interface PlanCheckCoverage {
  checks: string;
  /** How many stacks the checks covered (of `fleetStacks`). */
  stacks: number;
  from: string;
}

function partialReport(
  fleet: Fleet,
  plan: FleetPlan,
  set: SubsetPlanSet,
  cache: PlanCache | undefined,
  how: { by: "affected" } | { by: "filter"; filter?: string[]; filterFile?: string },
): PlanPartialReport {
  return {
    selectedBy: how.by,
    ...(how.by === "filter" ? { filters: [...(how.filter ?? [])], ...(how.filterFile !== undefined ? { filterFile: how.filterFile } : {}) } : {}),
    fleetStacks: fleet.stacks.size,
    selected: [...set.selected],
    replanned: [...set.replanned],
    fromCache: [...set.fromCache],
    ...(set.fromCache.length > 0 && cache !== undefined ? { cacheWritten: cache.written } : {}),
    checks: {
      fleetWide: { checks: "address overlaps, interconnect allocations, guardrail coverage, control-plane locations", stacks: fleet.stacks.size, from: "every stack's config" },
      perStack: { checks: "policy pack, stack references, control-plane copies", stacks: plan.stacks.filter((p) => p.status === "planned").length, from: "the resources of the stacks planned now" },
    },
  };
}

function filterSummary(fleet: Fleet, set: SubsetPlanSet, cache: PlanCache | undefined): string {
  const upstream = set.replanned.length + set.fromCache.length;
  const written = set.fromCache.length > 0 && cache !== undefined ? ` (written ${cache.written})` : "";
  return `Filter: ${set.selected.length} of ${fleet.stacks.size} stacks selected; ${upstream} upstream${upstream === 1 ? "" : "s"}: ${set.fromCache.length} from the plan cache${written}, ${set.replanned.length} planned\n`;
}

/** Most upstreams a refusal names; the rest are counted. */
const MAX_NAMED_UPSTREAMS = 8;

/**
 * One line: which upstreams nothing answers, why, and the ways out (`fillable`: the fleet has
 * a cache file a full plan writes; `packInputs`: some of them are not dependencies of the
 * selection but foundations the policy pack reads, which "...NAME" does not select).
 */
function unansweredMessage(unanswered: readonly UnansweredUpstream[], noCache: NoPlanCache | undefined, fillable: boolean, packInputs: boolean): string {
  const named = unanswered.slice(0, MAX_NAMED_UPSTREAMS).map((u) => (noCache === undefined ? `${u.name} (${u.why === "stale" ? "stale: its inputs changed" : "not in the cache"})` : u.name));
  const more = unanswered.length > MAX_NAMED_UPSTREAMS ? ` and ${unanswered.length - MAX_NAMED_UPSTREAMS} more` : "";
  const why = noCache === undefined ? "" : `; ${NO_PLAN_CACHE[noCache].why}`;
  const fill = fillable ? "run a full `fleet plan` to fill the cache, " : "";
  return `fleet: --filter: the selected stacks need upstream outputs that are neither selected nor in the plan cache: ${named.join(", ")}${more}${why}; ${fill}add --plan-upstreams to plan them too, or select them ("...NAME")${packInputs ? '; "...NAME" selects dependencies only, and the policy pack also reads every foundation of the selected stacks\' domains' : ""}\n`;
}

/** Why a plan has no plan cache to read: each reason is one value, with one wording wherever the CLI says it. */
export type NoPlanCache = "program" | "outside-checkout" | "not-written-yet";

export const NO_PLAN_CACHE: Readonly<Record<NoPlanCache, { readonly why: string; readonly remedy?: string }>> = {
  program: { why: "--program plans are never cached" },
  "outside-checkout": { why: `a stacks dir outside ${REPO_ROOT} has no plan cache unless MERIDIAN_FLEET_CACHE names one` },
  "not-written-yet": { why: "there is no plan cache yet", remedy: "run a full plan once" },
};

/** The reason's words: why, and what to do about it where something helps. */
function noPlanCacheText(reason: NoPlanCache): string {
  const { why, remedy } = NO_PLAN_CACHE[reason];
  return remedy === undefined ? why : `${why}: ${remedy}`;
}

/** Where this plan's cache lives, or why it has none to read or fill. */
type PlanCacheSite = { readonly file: string } | { readonly none: Exclude<NoPlanCache, "not-written-yet"> };

/** Only the fleet's own program fills the cache, and only where the fleet has one (planCacheLocation). */
function planCacheSite(opts: PlanCommandOptions, fleet: Fleet): PlanCacheSite {
  if (opts.program !== undefined) return { none: "program" };
  const file = planCacheLocation(opts, fleet);
  return file === undefined ? { none: "outside-checkout" } : { file };
}

/** Why nothing answers from the cache: the site has none, or its file is not written yet; undefined when a cache was read. */
function noPlanCacheReason(site: PlanCacheSite, cache: PlanCache | undefined): NoPlanCache | undefined {
  if ("none" in site) return site.none;
  return cache === undefined ? "not-written-yet" : undefined;
}

/**
 * The plan cache file for this fleet, or undefined when it has none: `cacheRoot` (tests),
 * else the directory `MERIDIAN_FLEET_CACHE` names, else this checkout's `.fleet-cache/` for a
 * stacks dir inside the checkout. A scratch fleet elsewhere (a temp dir) gets no cache: one file
 * per such dir would pile up in the checkout, which is not theirs.
 */
function planCacheLocation(opts: PlanCommandOptions, fleet: Pick<Fleet, "dir">): string | undefined {
  if (opts.cacheRoot !== undefined) return planCacheFile(opts.cacheRoot, fleet);
  const named = process.env.MERIDIAN_FLEET_CACHE;
  if (named !== undefined && named.length > 0) return planCacheFileIn(path.resolve(named), fleet);
  const rel = path.relative(REPO_ROOT, path.resolve(fleet.dir));
  return rel.startsWith("..") || path.isAbsolute(rel) ? undefined : planCacheFile(REPO_ROOT, fleet);
}

/** Program output must not corrupt `--json`: send the runtime's console chatter to stderr. */
function quietConsole(io: Io): () => void {
  const saved = { log: console.log, info: console.info, warn: console.warn };
  const toErr = (...args: unknown[]) => io.err(`${args.map(String).join(" ")}\n`);
  console.log = toErr;
  console.info = toErr;
  console.warn = toErr;
  return () => Object.assign(console, saved);
}

/** One resource a stack would deploy, as `plan --json --resources` lists it. */
export interface PlanResourceEntry {
  /** The Pulumi type token, e.g. `aws:ecr/repository:Repository` or `meridian:registry:ResidencyRegistry`. */
  type: string;
  /** The resource's logical name (the last part of its URN). */
  name: string;
}

/** `R`: the count (default), or the list with `--resources`. */
export interface PlanStackReport<R extends number | PlanResourceEntry[] = number> {
  name: string;
  domain: string;
  role: string;
  cloud: string | null;
  region: string | null;
  dependsOn: string[];
  /** Dependency depth (0 = no dependencies). */
  wave: number;
  /** `meridian:ring` inside the domain (0 first). */
  ring: number;
  /** When the stack starts in a rollout (canary domains, rings, dependencies), as the scheduler orders it. */
  step: number;
  /** How many cloud (custom) resources; with `--resources`, the list instead (see `resourceCount`). */
  resources: R;
  /** With `--resources`: the count that `resources` holds otherwise. */
  resourceCount?: number;
  status: "planned" | "not-implemented" | "failed";
  error?: string;
}

export interface PlanReport<R extends number | PlanResourceEntry[] = number> {
  stacks: PlanStackReport<R>[];
  waves: string[][];
  /** Per domain, where its state, secrets key and evidence live (fleet.yaml `domains`, else the local default). */
  controlPlane?: Record<string, PlanControlPlane>;
  violations: Array<{ stack: string; policy: string; level: "mandatory" | "advisory"; urn?: string; message: string }>;
}

export interface PlanControlPlane {
  backend: string;
  secretsProvider: string;
  evidenceStore: string;
  /** Where each one is (a region, a multi-region location, or `local`). */
  locations: Partial<Record<ControlPlaneKey, string>>;
  /** With `secretsProvider: passphrase`: the variable holding the passphrase (its name only). */
  passphraseEnv?: string;
  /** False when the domain declares nothing in fleet.yaml and runs on the local default. */
  declared: boolean;
}

/**
 * A URL for display. fleet.yaml refuses URLs with credentials at load; settings built in
 * code are not trusted with that, so an unparsable URL is never printed.
 */
function displayUrl(key: ControlPlaneKey, url: string, dir: string): string {
  try {
    parseControlPlaneUrl(key, url, dir);
    return url;
  } catch (e) {
    if (e instanceof ControlPlaneUrlError) return "(not shown: invalid URL)";
    throw e;
  }
}

function controlPlaneReport(fleet: Fleet): Record<string, PlanControlPlane> {
  return Object.fromEntries(
    fleet.settings.domainOrder.map((d) => {
      const plane = controlPlaneFor(fleet.settings.controlPlane, d, REPO_ROOT);
      const urls = Object.fromEntries(CONTROL_PLANE_KEYS.map((k) => [k, displayUrl(k, plane[k], fleet.dir)])) as Record<ControlPlaneKey, string>;
      return [
        d,
        {
          ...urls,
          locations: { ...plane.locations },
          ...(plane.secretsProvider === "passphrase" ? { passphraseEnv: passphraseEnvFor(d, plane) } : {}),
          declared: fleet.settings.controlPlane[d] !== undefined,
        },
      ];
    }),
  );
}

/**
 * What a stack deploys, for reviewers and checks: every resource the program registers
 * except the root stack — cloud resources, providers and the components that group them
 * (a component's type names the platform piece, e.g. a GitOps controller). Sorted by type
 * then name, so two plans of the same code diff cleanly.
 */
export function resourceEntries(resources: readonly PlannedResource[]): PlanResourceEntry[] {
  return resources
    .filter((r) => r.type !== "pulumi:pulumi:Stack")
    .map((r) => ({ type: r.type, name: r.name }))
    .sort((a, b) => (a.type === b.type ? compare(a.name, b.name) : compare(a.type, b.type)));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Custom resources only: what a cloud would hold (components and the stack are bookkeeping). */
function customCount(resources: readonly PlannedResource[]): number {
  return resources.filter((r) => r.custom).length;
}

export function planReport(fleet: Fleet, plan: FleetPlan): PlanReport;
export function planReport(fleet: Fleet, plan: FleetPlan, options: { resources: true }): PlanReport<PlanResourceEntry[]>;
export function planReport(fleet: Fleet, plan: FleetPlan, options?: { resources?: boolean }): PlanReport<number | PlanResourceEntry[]>;
export function planReport(fleet: Fleet, plan: FleetPlan, options: { resources?: boolean } = {}): PlanReport<number | PlanResourceEntry[]> {
  const depth = depths(fleet);
  const steps = rolloutSteps(fleet);
  return {
    stacks: plan.stacks.map((p): PlanStackReport<number | PlanResourceEntry[]> => {
      const spec = fleet.stacks.get(p.name)!;
      return {
        name: p.name,
        domain: spec.domain,
        role: spec.role,
        cloud: spec.clouds.length > 0 ? spec.clouds.join("+") : null,
        region: spec.region ?? null,
        dependsOn: [...spec.dependsOn],
        wave: depth.get(p.name)!,
        ring: spec.ring,
        step: steps.get(p.name)!,
        ...(options.resources
          ? { resources: resourceEntries(p.resources), resourceCount: customCount(p.resources) }
          : { resources: customCount(p.resources) }),
        status: p.status,
        ...(p.error ? { error: p.error } : {}),
      };
    }),
    waves: plan.waves.map((w) => [...w]),
    controlPlane: controlPlaneReport(fleet),
    violations: plan.violations.map((v) => ({ stack: v.stack, policy: v.policy, level: v.level, ...(v.urn ? { urn: v.urn } : {}), message: v.message })),
  };
}

function renderPlan(fleet: Fleet, plan: FleetPlan, report: PlanReport, partial?: PlanPartialReport): string {
  const lines: string[] = [];
  const domains = fleet.settings.domainOrder;
  lines.push("", `Rollout order (${domains.join(" then ")}; rings in order; a stack starts when its dependencies and its domain's earlier rings are done)`);
  for (const d of domains) {
    const byStep = new Map<number, Array<{ name: string; ring: number }>>();
    for (const s of report.stacks.filter((x) => x.domain === d)) (byStep.get(s.step) ?? byStep.set(s.step, []).get(s.step)!).push(s);
    [...byStep.entries()]
      .sort(([a], [b]) => a - b)
      .forEach(([step, stacks], i) => {
        const rings = [...new Set(stacks.map((s) => s.ring))].sort((a, b) => a - b);
        lines.push(`  ${i === 0 ? d : "  "}  step ${step}  ring ${rings.join("+")}  ${stacks.map((s) => s.name).sort().join(", ")}`);
      });
  }
  lines.push("", "Control plane (per domain: state, secrets and evidence never shared)");
  const labels: Record<ControlPlaneKey, string> = { backend: "backend", secretsProvider: "secrets provider", evidenceStore: "evidence store" };
  for (const d of domains) {
    const cp = report.controlPlane?.[d];
    if (!cp) continue;
    CONTROL_PLANE_KEYS.forEach((k, i) => {
      const extra = k === "secretsProvider" && cp.passphraseEnv ? ` from $${cp.passphraseEnv}` : "";
      lines.push(`  ${(i === 0 ? d : "").padEnd(4)}${labels[k].padEnd(18)}${cp[k]}${extra}  (${cp.locations[k] ?? "?"}${cp.declared ? "" : ", local default"})`);
    });
  }
  lines.push("");
  const header = ["STACK", "DOMAIN", "ROLE", "CLOUD", "REGION", "WAVE", "RESOURCES", "STATUS"];
  const rows = report.stacks.map((s) => [s.name, s.domain, s.role, s.cloud ?? "-", s.region ?? "-", String(s.wave), String(s.resources), s.status]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => `  ${r.map((c, i) => c.padEnd(widths[i])).join("  ")}`.trimEnd();
  lines.push(fmt(header), ...rows.map(fmt));
  const errors = report.stacks.filter((s) => s.error);
  if (errors.length > 0) {
    lines.push("", "Not planned");
    for (const s of errors) lines.push(`  ${s.name}: ${s.error}`);
  }
  const mandatory = report.violations.filter((v) => v.level === "mandatory");
  const advisory = report.violations.filter((v) => v.level === "advisory");
  if (report.violations.length > 0) {
    lines.push("", `Violations (${mandatory.length} mandatory, ${advisory.length} advisory)`);
    for (const v of [...mandatory, ...advisory]) lines.push(`  [${v.level}] ${v.stack} ${v.policy}: ${v.message}`);
  }
  if (partial) lines.push("", ...renderPartial(partial));
  const count = (st: string) => report.stacks.filter((s) => s.status === st).length;
  const total = report.stacks.reduce((n, s) => n + s.resources, 0);
  lines.push(
    "",
    `Plan: ${report.stacks.length} stacks (${count("planned")} planned, ${count("not-implemented")} not implemented, ${count("failed")} failed), ${total} resources, ${mandatory.length} mandatory and ${advisory.length} advisory violations in ${plan.seconds.toFixed(1)}s.`,
    "",
  );
  return lines.join("\n");
}

function renderPartial(p: PlanPartialReport): string[] {
  const flags = [...(p.filters ?? []).map((f) => `--filter ${f}`), ...(p.filterFile !== undefined ? [`--filter-file ${p.filterFile}`] : [])];
  const by = p.selectedBy === "filter" ? `by ${flags.join(" ")}` : "by --affected";
  const upstream = p.fromCache.length + p.replanned.length;
  const cached = p.cacheWritten !== undefined ? ` written ${p.cacheWritten}` : "";
  return [
    `Partial plan: ${p.selected.length} of ${p.fleetStacks} stacks selected ${by}; ${upstream} upstream${upstream === 1 ? "" : "s"}: ${p.fromCache.length} from the plan cache${cached}, ${p.replanned.length} planned too`,
    `  fleet-wide checks (${p.checks.fleetWide.checks}): ${p.checks.fleetWide.stacks} of ${p.fleetStacks} stacks, from ${p.checks.fleetWide.from}`,
    `  per-stack checks (${p.checks.perStack.checks}): ${p.checks.perStack.stacks} of ${p.fleetStacks} stacks, from ${p.checks.perStack.from}`,
  ];
}
