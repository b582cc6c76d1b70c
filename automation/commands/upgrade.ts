/**
 * `fleet upgrade --to 1.xx [--domains …] [--engine mock|automation] [--kubeconfig F] [--yes]`:
 * a Kubernetes minor upgrade of the fleet's clusters (management and workload stacks).
 *
 * 1. Reads the minor each cluster runs (stack output `cluster.runningVersion`, else the
 *    configured version, with a note) and refuses, exit 2 naming the stack and versions, a
 *    jump of more than one minor or a downgrade.
 * 2. Pre-checks per cluster: the pinned add-ons' published Kubernetes support
 *    (automation/upgrade/addons.ts) and the deprecated APIs still requested, read from the
 *    cluster's API server `/metrics` through the kubeconfig context named after the stack.
 *    A failed pre-check halts before anything changes (exit 1); an API check that could not
 *    run halts too unless `--allow-unchecked-apis`.
 * 3. Prints the plan: per domain and ring, the control plane first, then each node pool with
 *    its surge/drain settings. Without `--yes` it stops there (or asks, on a terminal).
 * 4. Runs `up` of those stacks with the target version through the orchestrator: canary
 *    domain first, ring by ring, with the gates of fleet.yaml `gates:` between rings and
 *    domains (always on for an upgrade; `--approve` approves those that ask for a person).
 *    A failed stack or gate halts the rollout (exit 1); resume with `fleet up --resume`.
 *
 * Evidence: each domain's `upgrade.json` (its clusters' plan, pre-checks and outcome) beside
 * the run's evidence, uploaded to that domain's evidence store — for `--engine mock`, the
 * local rehearsal store unless `MERIDIAN_EVIDENCE_STORE_<D>` names one.
 *
 * With the automation engine the new version is written into each stack's config file just
 * before its `up` (commit it afterwards); the mock engine plans the change in memory.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Option, type Command } from "commander";
import { commandDescription } from "./manifest";
import { parseDocument } from "yaml";
import type { Domain } from "../../components/residency/catalogue";
import type { Fleet, StackSpec } from "../fleet";
import type { ControlPlanes } from "../engine/domainEnv";
import { OperationDispatch, runOperation, type Engine, type Operation, type OperationOptions, type OperationResult, type StackOutputs } from "../engine/types";
import { drillEvidenceStore } from "../drill/evidence";
import {
  assertNoLiveRun,
  createRunFolder,
  EXIT_CODES,
  evidenceDir,
  fleetFingerprint,
  formatDuration,
  newRunId,
  orderedStacks,
  Redactor,
  RunFolderWriteError,
  RunLockError,
  runFleet,
  selectStacks,
  textTable,
  UsageError,
  type EventSink,
} from "../orchestrator";
import { ScheduleError } from "../scheduler";
import {
  buildUpgradePlan,
  clusterConfig,
  clusterStacks,
  fetchApiServerMetrics,
  kubeconfigContext,
  minorOf,
  renderPlan,
  runningVersionOf,
  SUPPORTED_VERSIONS,
  type StackUpgrade,
  type UpgradePlan,
} from "../upgrade";
import { FILTER_FILE_OPTION, FILTER_OPTION } from "./filterOptions";
import { DEFAULT_STACKS_DIR } from "./paths";
import { commandPreamble, redactedControlPlanes, runInput, type RunSetup } from "./preamble";
import { processIo, REPO_ROOT, rolloutEngines, rolloutGates, runContext, uploadDomainsEvidence, type DomainUpload, type RolloutIo } from "./rollout";

export const UPGRADE_ENGINES = ["mock", "automation"] as const;

export interface UpgradeOptions {
  to: string;
  domains?: string;
  engine: string;
  yes?: boolean;
  approve?: boolean;
  kubeconfig?: string;
  allowUncheckedApis?: boolean;
  filter?: string[];
  filterFile?: string;
  json?: boolean;
  parallel: number;
  policyPack: string;
  stacksDir: string;
  runsDir: string;
}

export function registerUpgrade(program: Command): void {
  program
    .command("upgrade")
    .description(commandDescription("upgrade"))
    .requiredOption("--to <minor>", `target Kubernetes minor, one above what each cluster runs (${SUPPORTED_VERSIONS.join(", ")})`)
    .option("--domains <list>", "domains to upgrade, comma-separated, in rollout order (the first is the canary); default: fleet.yaml domainOrder")
    .addOption(new Option("--engine <name>", "engine: automation (real Pulumi CLI) or mock (offline)").choices([...UPGRADE_ENGINES]).default("automation"))
    .option(...FILTER_OPTION)
    .option(...FILTER_FILE_OPTION)
    .option("--kubeconfig <file>", "kubeconfig with one context per cluster stack (named after the stack), for the deprecated-API pre-check")
    .option("--allow-unchecked-apis", "go on when a cluster's deprecated-API use cannot be read (recorded as not checked)")
    .option("--yes", "run the upgrade (without it: print the plan and pre-checks, and ask on a terminal)")
    .option("--approve", "approve every gate fleet.yaml `gates.approval` asks a person for")
    .option("--parallel <n>", "most stacks running at once", (v) => Number(v), 4)
    .option("--json", "print the plan as one JSON object on stdout (and the run's events)")
    .addOption(new Option("--policy-pack <dir>").default(path.join(REPO_ROOT, "policy-pack")).hideHelp())
    .addOption(new Option("--stacks-dir <dir>").default(DEFAULT_STACKS_DIR).hideHelp())
    .addOption(new Option("--runs-dir <dir>").default(path.join(REPO_ROOT, ".fleet-runs")).hideHelp())
    .action(async (opts: UpgradeOptions) => {
      process.exitCode = await runUpgradeCommand(opts, processIo());
    });
}

export async function runUpgradeCommand(opts: UpgradeOptions, io: RolloutIo, repoDir = REPO_ROOT): Promise<number> {
  const pre = commandPreamble("upgrade", opts, io, rolloutEngines);
  if (typeof pre === "number") return pre;
  const { redactor, fail, fleet, factory } = pre;
  if (minorOf(opts.to) === undefined || !(SUPPORTED_VERSIONS as readonly string[]).includes(opts.to)) {
    return fail(`--to: "${opts.to}" is not a supported Kubernetes minor (${SUPPORTED_VERSIONS.join(", ")})`);
  }
  if (!Number.isInteger(opts.parallel) || opts.parallel < 1 || opts.parallel > 64) return fail("--parallel: an integer from 1 to 64");
  const domains = opts.domains?.split(",").map((d) => d.trim()) ?? [...fleet.settings.domainOrder];
  for (const d of domains) if (!fleet.settings.domainOrder.includes(d as Domain)) return fail(`--domains: unknown domain "${d}"; known: ${fleet.settings.domainOrder.join(", ")}`);

  // `--filter`: the same selection language as every rollout command; only its cluster stacks are upgraded.
  let only: ReadonlySet<string> | undefined;
  let controlPlanes: ControlPlanes;
  try {
    if ((opts.filter?.length ?? 0) > 0 || opts.filterFile !== undefined) {
      only = new Set(selectStacks(fleet, { command: "up", domains, filters: opts.filter, filterFile: opts.filterFile }).stacks);
    }
    controlPlanes = redactedControlPlanes(fleet, undefined, io.env, repoDir, redactor);
  } catch (e) {
    if (e instanceof UsageError) return fail(e.message);
    throw e;
  }
  const runId = newRunId("up", new Date());
  const runDir = path.join(opts.runsDir, runId);
  const policyPack = path.resolve(opts.policyPack);
  const makeEngine = async (f: Fleet): Promise<Engine> =>
    factory({ fleet: f, command: "up", repoDir, runDir, controlPlanes, domains: domains as Domain[], policyPack, env: io.env });

  // 1. What each cluster runs, read through the engine.
  let reader: Engine;
  try {
    reader = await makeEngine(fleet);
  } catch (e) {
    if (e instanceof UsageError) return fail(e.message);
    throw e;
  }
  const outputs = new Map<string, StackOutputs | undefined>();
  for (const spec of clusterStacks(fleet, domains, only)) outputs.set(spec.name, await reader.outputs(spec.name).catch(() => undefined));
  const final = await buildUpgradePlan(fleet, opts.to, domains, {
    running: (spec) => runningVersionOf(spec, outputs.get(spec.name)),
    apiMetrics: (spec) => readApiMetrics(spec, opts.kubeconfig),
  }, only);
  const refused = final.stacks.filter((s) => s.step.kind === "refused");
  if (refused.length > 0) {
    for (const s of refused) io.err(`fleet upgrade: ${s.step.kind === "refused" ? s.step.reason : ""}\n`);
    return EXIT_CODES.usage;
  }
  const toUpgrade = final.stacks.filter((s) => s.step.kind === "upgrade");
  if (opts.json) io.out(JSON.stringify(redactor.redactDeep(final)) + "\n");
  else io.out(redactor.redact(renderPlan(final)) + "\n");
  if (toUpgrade.length === 0) {
    io.out(`nothing to upgrade: every selected cluster runs ${opts.to}\n`);
    return EXIT_CODES.ok;
  }

  // 2. Pre-checks: a failure halts before anything changes, with evidence.
  const blocking = toUpgrade.flatMap((s) => s.preChecks.filter((c) => c.status === "failed" || (c.status === "not-checked" && opts.allowUncheckedApis !== true)).map((c) => ({ stack: s.stack, check: c })));
  if (blocking.length > 0) {
    for (const b of blocking) {
      const hint = b.check.status === "not-checked" ? " (give --kubeconfig with a context per stack, or --allow-unchecked-apis)" : "";
      io.err(`fleet upgrade: ${b.stack}: pre-check ${b.check.name} ${b.check.status}: ${redactor.redact(b.check.detail)}${hint}\n`);
    }
    const halted = createRunFolder(opts.runsDir, "upgrade", new Date());
    const uploads = await recordUpgradeEvidence(fleet, halted.runDir, halted.runId, final, "halted: pre-check failed", opts, controlPlanes, io, repoDir);
    reportUploads(uploads, io, redactor);
    io.out(`halted before any change: pre-checks failed; evidence ${halted.runDir}\n`);
    return EXIT_CODES.failed;
  }

  if (!opts.yes) {
    if (!io.interactive || !(await io.confirm(`upgrade ${toUpgrade.length} cluster(s) to ${opts.to}?`))) {
      io.out("plan only: rerun with --yes to upgrade\n");
      return EXIT_CODES.ok;
    }
  }

  // 3. The rollout: the target version, ring by ring, gated.
  const upgraded = upgradedFleet(fleet, toUpgrade);
  const fingerprint = fleetFingerprint(fleet, repoDir);
  let engine: Engine;
  try {
    assertNoLiveRun(opts.runsDir, fingerprint);
    engine = opts.engine === "automation" ? new BumpingEngine(await makeEngine(upgraded), upgraded, toUpgrade) : await makeEngine(upgraded);
  } catch (e) {
    if (e instanceof UsageError || e instanceof RunLockError) return fail(e.message);
    throw e;
  }
  // The mock cloud starts empty: a rehearsal deploys the clusters' upstreams first, in the same run.
  const names = toUpgrade.map((s) => s.stack);
  const stacks = opts.engine === "mock" ? selectStacks(fleet, { command: "up", domains, stacks: names, withDependencies: true }).stacks : names;
  try {
    const setup: RunSetup = {
      fleet: upgraded,
      stacks,
      domains,
      strategy: "canary",
      parallel: opts.parallel,
      failFast: false,
      engine,
      runsDir: opts.runsDir,
      fingerprint,
      context: redactor.redactDeep(runContext(repoDir, policyPack, controlPlanes, io.env)),
      redactor,
      io,
      // An upgrade always stops at its gates (recorded even where fleet.yaml configures no check).
      gates: rolloutGates(fleet, opts.approve === true, undefined, true),
    };
    const outcome = await runFleet(runInput(setup, "up", runId, opts.json ? [(e) => io.out(JSON.stringify(e) + "\n")] : [gateLines(io)]));
    const uploads = await recordUpgradeEvidence(fleet, outcome.runDir, outcome.runId, final, outcome.status, opts, controlPlanes, io, repoDir, outcome.record.gates);
    if (!opts.json) {
      io.out(`\n${redactor.redact(textTable(orderedStacks(outcome.record)))}\n\n`);
      reportUploads(uploads, io, redactor);
      const took = outcome.record.finishedAt ? ` in ${formatDuration(Date.parse(outcome.record.finishedAt) - Date.parse(outcome.record.startedAt))}` : "";
      io.out(`upgrade to ${opts.to} ${outcome.status}${took}: report ${path.join(outcome.runDir, "report.md")}\n`);
      if (outcome.status !== "succeeded") io.out(`resume with: npm run fleet -- up --resume ${outcome.runId} (the target version must then be in the stacks' config)\n`);
    }
    return uploads.some((u) => u.error !== undefined) && outcome.exitCode === EXIT_CODES.ok ? EXIT_CODES.failed : outcome.exitCode;
  } catch (e) {
    if (e instanceof ScheduleError || e instanceof RunLockError || e instanceof RunFolderWriteError) return fail(e.message);
    throw e;
  }
}

async function readApiMetrics(spec: StackSpec, kubeconfig: string | undefined): Promise<{ text: string } | { error: string }> {
  if (kubeconfig === undefined) return { error: "no --kubeconfig given: the API server's deprecated-API metrics were not read" };
  try {
    return { text: await fetchApiServerMetrics(kubeconfigContext(kubeconfig, spec.name)) };
  } catch (e) {
    return { error: `the API server's metrics could not be read: ${(e as Error).message}` };
  }
}

/** The fleet with each upgraded stack's cluster config at the target (and the running minor it comes from). */
export function upgradedFleet(fleet: Fleet, stacks: readonly StackUpgrade[]): Fleet {
  const specs = new Map(fleet.stacks);
  for (const s of stacks) {
    if (s.step.kind !== "upgrade") continue;
    const spec = specs.get(s.stack)!;
    const cluster = { ...clusterConfig(spec), kubernetesVersion: s.step.to, runningVersion: s.step.from };
    specs.set(s.stack, { ...spec, config: { ...spec.config, "meridian:cluster": cluster } as StackSpec["config"] });
  }
  return { ...fleet, stacks: specs };
}

/**
 * Write the target version into a stack's config file (`meridian:cluster.kubernetesVersion`,
 * and `runningVersion` when the file sets one), keeping its comments and layout.
 */
export function bumpStackFile(file: string, from: string, to: string): void {
  const doc = parseDocument(fs.readFileSync(file, "utf8"));
  const key = ["config", "meridian:cluster"];
  if (doc.getIn([...key, "kubernetesVersion"]) === undefined && !doc.hasIn(key)) throw new Error(`${file}: no meridian:cluster to upgrade`);
  doc.setIn([...key, "kubernetesVersion"], to);
  if (doc.hasIn([...key, "runningVersion"])) doc.setIn([...key, "runningVersion"], from);
  fs.writeFileSync(file, doc.toString());
}

/** The automation engine, with each stack's config file moved to the target just before its `up`. */
class BumpingEngine extends OperationDispatch implements Engine {
  readonly kind: string;
  readonly deploysRealStacks?: boolean;
  private readonly steps: Map<string, { file: string; from: string; to: string }>;

  constructor(
    private readonly inner: Engine,
    fleet: Fleet,
    stacks: readonly StackUpgrade[],
  ) {
    super();
    this.kind = inner.kind;
    this.deploysRealStacks = inner.deploysRealStacks;
    this.steps = new Map(stacks.flatMap((s) => (s.step.kind === "upgrade" ? [[s.stack, { file: fleet.stacks.get(s.stack)!.file, from: s.step.from, to: s.step.to }] as const] : [])));
  }

  protected async run(op: Operation, stack: string, opts: OperationOptions): Promise<OperationResult> {
    const step = this.steps.get(stack);
    if (op === "up" && step !== undefined) {
      bumpStackFile(step.file, step.from, step.to);
      opts.onEvent({ type: "output", text: `${step.file}: meridian:cluster.kubernetesVersion ${step.from} → ${step.to} (commit this change)` });
    }
    return runOperation(this.inner, op, stack, opts);
  }

  outputs(stack: string) {
    return this.inner.outputs(stack);
  }

  cancel(stack: string) {
    return this.inner.cancel(stack);
  }
}

/** Each domain's `upgrade.json` (only its own clusters) into its evidence folder, then each domain's upload. */
async function recordUpgradeEvidence(
  fleet: Fleet,
  runDir: string,
  runId: string,
  plan: UpgradePlan,
  outcome: string,
  opts: UpgradeOptions,
  controlPlanes: ControlPlanes,
  io: RolloutIo,
  repoDir: string,
  gates?: ReadonlyArray<{ readonly domain: string; readonly next: string; readonly id: string; readonly status: string }>,
): Promise<DomainUpload[]> {
  const domains = plan.domains.filter((d) => plan.stacks.some((s) => s.domain === d)) as Domain[];
  const rehearsal = opts.engine === "mock";
  const planes = Object.fromEntries(
    Object.entries(controlPlanes).map(([d, plane]) => [d, { ...plane, evidenceStore: drillEvidenceStore(fleet, d as Domain, rehearsal, io.env, repoDir) }]),
  ) as unknown as ControlPlanes;
  for (const d of domains) {
    const dir = evidenceDir(runDir, d);
    fs.mkdirSync(dir, { recursive: true });
    const evidence = {
      schema: 1,
      kind: "meridian-upgrade",
      runId,
      domain: d,
      target: plan.target,
      engine: opts.engine,
      outcome,
      clusters: plan.stacks.filter((s) => s.domain === d),
      addons: plan.addons,
      gates: gates?.filter((g) => g.domain === d || g.next === d).map((g) => ({ id: g.id, status: g.status })),
      recordedAt: new Date().toISOString(),
    };
    fs.writeFileSync(path.join(dir, "upgrade.json"), JSON.stringify(evidence, null, 2) + "\n");
  }
  return uploadDomainsEvidence(runDir, runId, domains, planes, io.env);
}

function reportUploads(uploads: readonly DomainUpload[], io: RolloutIo, redactor: Redactor): void {
  for (const u of uploads) io.out(redactor.redact(u.error !== undefined ? `evidence ${u.domain}: NOT uploaded — ${u.error}\n` : `evidence ${u.domain}: uploaded to ${u.store} under ${u.receipt!.location}\n`));
}

/** Gate progress on stderr, each verdict once (a domain gate's verdict is an event in both domains). */
function gateLines(io: RolloutIo): EventSink {
  const told = new Set<string>();
  return (e) => {
    if (e.type === "gate-output") io.err(`${e.text}\n`);
    if (e.type === "gate-finished" && !told.has(e.gate)) {
      told.add(e.gate);
      io.err(`gate ${e.gate} ${e.status}${e.reason ? `: ${e.reason}` : ""}\n`);
    }
  };
}
