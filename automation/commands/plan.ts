/**
 * `fleet plan`: the credential-free plan of the whole fleet. No cloud, no Pulumi CLI.
 * Exit codes: 0 clean, 1 a mandatory violation or a failed stack, 2 invalid input.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { FleetConfigError, FleetConfigErrors, depths, loadFleet, type Fleet } from "../fleet";
import { planFleet, programFromFile, ProgramFileError, type FleetPlan, type PlannedResource, type StackEvaluator, type StackProgram } from "../plan";
import { writeSarif } from "../plan/sarif";
import { checkControlPlaneCopies, checkControlPlaneLocations, type ClaimSource } from "../plan/fleetChecks";
import { CONTROL_PLANE_KEYS, controlPlaneFor, passphraseEnvFor, type ControlPlaneKey } from "../fleet/controlPlane";
import { ControlPlaneUrlError, parseControlPlaneUrl } from "../../policy-pack/lib/controlPlaneUrl";
import { interconnectRanges, interconnectViolations, policyPackEvaluator } from "../plan/policies";
import { runStack } from "../../stacks/program";
import { rolloutSteps } from "../scheduler";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const DEFAULT_STACKS_DIR = path.join(REPO_ROOT, "stacks");

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
    .description("Plan every stack offline under mocks, in dependency order; run the fleet checks and the policy pack")
    .option("--stacks-dir <dir>", "directory of Pulumi.<stack>.yaml files", DEFAULT_STACKS_DIR)
    .option("--json", "print exactly one JSON object on stdout")
    .option("--program <file>", "plan this Pulumi TypeScript program (a file or a directory with index.ts) as every stack, instead of the fleet's roles")
    .option("--sarif <file>", "also write the violations as SARIF 2.1.0 (for code scanning) to this file")
    .option("--stack-timeout <seconds>", "fail a stack whose program has not finished after this long (default 300)", seconds)
    .option("--resources", "with --json: list each stack's resources as resources: [{type,name}] (the count moves to resourceCount)")
    .action(async (opts: PlanCommandOptions) => {
      process.exitCode = await runPlanCommand(opts, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
    });
}

export interface Io {
  out(s: string): void;
  err(s: string): void;
}

/** Load the fleet model, or print each config problem on one line and return undefined (exit 2). */
export function loadFleetOrReport(stacksDir: string | undefined, io: Io): Fleet | undefined {
  try {
    return loadFleet(stacksDir ?? DEFAULT_STACKS_DIR);
  } catch (e) {
    if (e instanceof FleetConfigErrors || e instanceof FleetConfigError) {
      const errors = e instanceof FleetConfigErrors ? e.errors : [e];
      for (const err of errors) io.err(`fleet: ${err.message}\n`);
      return undefined;
    }
    throw e;
  }
}

export async function runPlanCommand(opts: PlanCommandOptions, io: Io): Promise<number> {
  const fleet = loadFleetOrReport(opts.stacksDir, io);
  if (fleet === undefined) return 2;
  let program: StackProgram = (f, stack) => runStack(f, stack);
  if (typeof opts.program === "function") program = opts.program;
  else if (typeof opts.program === "string") {
    try {
      program = programFromFile(opts.program);
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
  const restore = opts.json ? quietConsole(io) : () => undefined;
  let plan: FleetPlan;
  const pack = policyPackEvaluator();
  try {
    plan = await planFleet(fleet, {
      program,
      stackTimeoutSeconds: opts.stackTimeout,
      evaluators: [pack.evaluator, checkControlPlaneCopies, ...planExtensions.evaluators],
      claimSources: planExtensions.claimSources,
      onStack: (p) => {
        pack.observe(p, fleet);
        if (!opts.json) io.err(`  ${p.status === "planned" ? "✓" : p.status === "failed" ? "✗" : "·"} ${p.name} (${p.resources.length} resources, ${p.seconds.toFixed(2)}s)\n`);
      },
    });
  } finally {
    restore();
  }
  plan = { ...plan, violations: [...interconnectViolations(fleet), ...checkControlPlaneLocations(fleet), ...plan.violations] };
  const report = planReport(fleet, plan, { resources: opts.resources === true });
  // Text output never lists resources (--resources needs --json), so it renders the counts.
  const text = () => renderPlan(fleet, plan, planReport(fleet, plan));
  if (opts.sarif !== undefined) writeSarif(opts.sarif, fleet, report.violations);
  io.out(opts.json ? `${JSON.stringify(report)}\n` : text());
  const failed = report.stacks.some((s) => s.status === "failed");
  const mandatory = report.violations.some((v) => v.level === "mandatory");
  return failed || mandatory ? 1 : 0;
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

function renderPlan(fleet: Fleet, plan: FleetPlan, report: PlanReport): string {
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
  const count = (st: string) => report.stacks.filter((s) => s.status === st).length;
  const total = report.stacks.reduce((n, s) => n + s.resources, 0);
  lines.push(
    "",
    `Plan: ${report.stacks.length} stacks (${count("planned")} planned, ${count("not-implemented")} not implemented, ${count("failed")} failed), ${total} resources, ${mandatory.length} mandatory and ${advisory.length} advisory violations in ${plan.seconds.toFixed(1)}s.`,
    "",
  );
  return lines.join("\n");
}
