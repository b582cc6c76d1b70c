/**
 * `fleet preview|up|refresh|destroy`: the orchestrated rollout. Resolves the stack
 * selection, builds the engine (the Automation API by default; others register in
 * `rolloutEngines`), runs the orchestrator with live progress or `--json` events, and
 * prints the report. Each domain runs against its own control plane (./controlPlanes.ts);
 * after a run of an engine that deploys real stacks, each domain's evidence folder is
 * uploaded to that domain's evidence store. Exit codes: 0 success, 1 stack failures,
 * mandatory violations or a failed evidence upload, 2 usage/config errors, 130 interrupted.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import { InvalidArgumentError, Option, type Command } from "commander";
import { commandDescription } from "./manifest";
import type { Fleet } from "../fleet";
import { AutomationEngine } from "../engine/automation";
import { loadRemoteDomains, RemoteEngine, RemoteSetupError, remoteProblem } from "../engine/remote";
import { domainEnv, MissingDomainSecretError, type ControlPlanes } from "../engine/domainEnv";
import { uploadEvidence, type UploadReceipt } from "../evidence-store";
import { describeControlPlane, domainReportFile } from "../orchestrator/evidence";
import { domainRunDir, evidenceDir } from "../orchestrator/layout";
import type { Domain } from "../../components/residency/catalogue";
import { commandPreamble, redactedControlPlanes, runInput, type RunSetup } from "./preamble";
import { FILTER_FILE_OPTION, FILTER_OPTION } from "./filterOptions";
import { planFile, stackInputs, withPlans, writeAppliedPlans, writeSavedPlans } from "../orchestrator/savedPlans";
import { addSavedPlanOptions, previewSummary, reviewedPlans, savedPlanUsage, type ReviewedPlans } from "./reviewed";
import { fileMockState, MockEngine, mockTiming } from "../engine/mock";
import { policyPackEvaluator } from "../plan/policies";
import { runStack } from "../../stacks/program";
import type { Engine, Operation } from "../engine/types";
import { ScheduleError, STRATEGIES, type Strategy } from "../scheduler";
import {
  assertNoLiveRun,
  EXIT_CODES,
  fleetFingerprint,
  newRunId,
  orderedStacks,
  processSignals,
  ProgressRenderer,
  readRecord,
  resolveRunDir,
  RunFolderWriteError,
  RunLockError,
  RunRecordError,
  runFleet,
  selectionFromRecord,
  selectStacks,
  textTable,
  formatDuration,
  UsageError,
  type EventSink,
  type RunContext,
  type RunInput,
  type RunFiles,
  type RunRecord,
  type Selection,
  type SignalSource,
  GateRunner,
} from "../orchestrator";
import { gatesConfigured } from "../fleet/gates";

/**
 * The gates of an `up` (automation/orchestrator/gates.ts), when fleet.yaml configures any or
 * `--approve` is given (or `always`, as `fleet upgrade` asks); without them a boundary does not
 * wait. With the record of a resumed run, the gates it passed are not passed again.
 */
export function rolloutGates(fleet: Fleet, approve: boolean, resume?: RunRecord, always = false): ((runDir: string) => GateRunner) | undefined {
  if (!always && !gatesConfigured(fleet.settings.gates) && !approve) return undefined;
  const passedBefore = resume?.gates !== undefined ? { runId: resume.runId, gates: resume.gates } : undefined;
  return (runDir) => new GateRunner({ settings: fleet.settings.gates, runDir, approved: approve, sloObjective: (d) => fleet.settings.observability[d as Domain].sloObjective, passedBefore });
}

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export interface RolloutOptions {
  domains?: string;
  stack?: string[];
  filter?: string[];
  filterFile?: string;
  withDependencies?: boolean;
  parallel: number;
  strategy: Strategy;
  failFast?: boolean;
  resume?: string;
  json?: boolean;
  yes?: boolean;
  backend?: string;
  policyPack: string;
  engine: string;
  stacksDir: string;
  runsDir: string;
  /** `up`: approve every gate that asks for a person's approval (fleet.yaml `gates.approval`). */
  approve?: boolean;
  /** (preview) `--save-plan`: save each stack's update plan in the run folder. */
  savePlan?: boolean;
  /** (up) `--plan <run>`: apply exactly the plans that preview run saved. */
  plan?: string;
}

/** What an engine factory gets to build an engine for one run. */
export interface EngineContext {
  readonly fleet: Fleet;
  readonly command: Operation;
  readonly repoDir: string;
  readonly runDir: string;
  /** (Optional) With `--resume`, the resumed run's folder (engines that keep state there read it). */
  readonly resumedRunDir?: string;
  /** Each domain's backend, secrets provider and evidence store. */
  readonly controlPlanes: ControlPlanes;
  /** The domains of the selected stacks, in rollout order. */
  readonly domains: readonly Domain[];
  /** Absolute policy pack directory. */
  readonly policyPack: string;
  readonly env: NodeJS.ProcessEnv;
}

export type EngineFactory = (ctx: EngineContext) => Promise<Engine>;

/** Engines by `--engine` name: the real CLI through the Automation API, or the offline mock cloud. */
export const rolloutEngines: Record<string, EngineFactory> = {
  mock: async (ctx) =>
    new MockEngine(ctx.fleet, (fleet, stack) => runStack(fleet, stack), policyPackEvaluator(), fileMockState(ctx.fleet, ctx.runDir, ctx.resumedRunDir), undefined, mockTiming(ctx.env)),
  automation: async (ctx) => {
    checkDomainSecrets(ctx);
    try {
      return await AutomationEngine.create({
        projectDir: ctx.repoDir,
        controlPlanes: ctx.controlPlanes,
        env: ctx.env,
        policyPack: ctx.policyPack,
        policyConfigDir: (domain) => path.join(domainRunDir(ctx.runDir, domain), "policy-config"),
        fleet: ctx.fleet,
        pulumiRoot: path.join(ctx.repoDir, ".tools"),
      });
    } catch (e) {
      throw new UsageError(`no usable Pulumi CLI (looked for ${path.join(ctx.repoDir, ".tools", "bin", "pulumi")}, then pulumi on PATH): ${(e as Error).message.split("\n")[0]}`);
    }
  },
  remote: async (ctx) => {
    for (const d of ctx.domains) {
      const problem = remoteProblem(d, ctx.controlPlanes);
      if (problem !== undefined) throw new UsageError(problem);
    }
    checkDomainSecrets(ctx);
    let remote;
    try {
      remote = loadRemoteDomains(ctx.repoDir, ctx.domains);
    } catch (e) {
      if (e instanceof RemoteSetupError) throw new UsageError(e.message);
      throw e;
    }
    const commit = git(["rev-parse", "HEAD"], ctx.repoDir);
    if (commit === undefined) throw new UsageError("--engine remote deploys a git commit: run it in a git checkout");
    if ((git(["status", "--porcelain", "--untracked-files=no"], ctx.repoDir) ?? "").length > 0) {
      throw new UsageError(`--engine remote deploys commit ${commit.slice(0, 12)} from the repository, not this working tree: commit (and push) your changes first`);
    }
    try {
      return await RemoteEngine.create({ fleet: ctx.fleet, controlPlanes: ctx.controlPlanes, remote, commit, workDir: path.join(ctx.runDir, "remote-workspace"), env: ctx.env, pulumiRoot: path.join(ctx.repoDir, ".tools") });
    } catch (e) {
      throw new UsageError(`no usable Pulumi CLI (looked for ${path.join(ctx.repoDir, ".tools", "bin", "pulumi")}, then pulumi on PATH): ${(e as Error).message.split("\n")[0]}`);
    }
  },
};

/** Every selected domain can open its own secrets (its passphrase variable is set), before anything runs. */
export function checkDomainSecrets(ctx: Pick<EngineContext, "controlPlanes" | "domains" | "env">): void {
  for (const d of ctx.domains) {
    try {
      domainEnv(d, ctx.controlPlanes, ctx.env);
    } catch (e) {
      if (e instanceof MissingDomainSecretError) throw new UsageError(e.message);
      throw e;
    }
  }
}

export interface RolloutIo {
  out(s: string): void;
  err(s: string): void;
  /** Is a person at the terminal (stdin and stderr are TTYs)? */
  readonly interactive: boolean;
  /** Ask a yes/no question; only called when `interactive`. */
  confirm(question: string): Promise<boolean>;
  readonly stderr: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  readonly env: NodeJS.ProcessEnv;
  readonly signals: SignalSource;
  readonly hardExit?: (code: number) => void;
  /** (Optional) The run folder's writes; tests inject a full disk. */
  readonly files?: RunFiles;
}

const COMMANDS: ReadonlyArray<{ op: Operation; description: string }> = (["preview", "up", "refresh", "destroy"] as const).map((op) => ({ op, description: commandDescription(op) }));

export function parseParallel(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError("an integer from 1 to 64");
  return n;
}

export function registerRollout(program: Command): void {
  for (const { op, description } of COMMANDS) {
    addSavedPlanOptions(program.command(op).description(description), op)
      .option("--domains <list>", "domains to run, comma-separated, in rollout order (the first is the canary); default: fleet.yaml domainOrder")
      .option("--stack <names...>", "only these stacks (repeat or space-separate)")
      .option(...FILTER_OPTION)
      .option(...FILTER_FILE_OPTION)
      .option("--with-dependencies", op === "destroy" ? "also the stacks that depend on --stack (destroyed first)" : "also everything --stack depends on")
      .option("--parallel <n>", "most stacks running at once", parseParallel, 4)
      .addOption(new Option("--strategy <strategy>", "canary: first domain must succeed before the next; parallel: domains side by side; sequential: one domain after the other, each its own failure domain").choices(STRATEGIES).default("canary"))
      .option("--fail-fast", "on a failure, cancel the running stacks of that domain")
      .option("--resume <run>", "re-run only what did not succeed in run <run> (an id under .fleet-runs, or a path)")
      .option("--json", "stream one JSON event per line on stdout")
      .option("--yes", op === "up" ? "do not ask for confirmation (required when not a TTY; on a TTY, up previews and shows the summary first)" : op === "destroy" ? "do not ask for confirmation (required when not a TTY)" : "accepted for symmetry")
      .option("--backend <domain=url,...>", "state backend per domain, e.g. eu=s3://…,us=s3://…; default $MERIDIAN_BACKEND_<DOMAIN>, else fleet.yaml domains.<domain>.backend, else file://<repo>/.pulumi-state/<domain>. One URL for every domain (and PULUMI_BACKEND_URL) is refused")
      .option("--policy-pack <dir>", "policy pack run on every preview/up", path.join(REPO_ROOT, "policy-pack"))
      .option("--approve", op === "up" ? "approve every gate fleet.yaml `gates.approval` asks a person for (otherwise: create the approval file the gate names)" : "accepted for symmetry (gates run on up)")
      .option("--engine <name>", "engine: automation (real Pulumi CLI), remote (Pulumi Deployments, each stack on its domain's agent pool), mock (offline), or a registered one", "automation")
      .addOption(new Option("--stacks-dir <dir>").default(path.join(REPO_ROOT, "stacks")).hideHelp())
      .addOption(new Option("--runs-dir <dir>").default(path.join(REPO_ROOT, ".fleet-runs")).hideHelp())
      .action(async (opts: RolloutOptions) => {
        process.exitCode = await runRolloutCommand(op, opts, processIo());
      });
  }
}

/** Where a run's events go: one JSON line each on stdout (`--json`), or the live progress on stderr. */
export function runEventSinks(json: boolean, stackCount: number, io: RolloutIo): { sinks: EventSink[]; progress?: ProgressRenderer } {
  if (json) return { sinks: [(e) => io.out(JSON.stringify(e) + "\n")] };
  const progress = new ProgressRenderer(io.stderr, stackCount, io.env);
  return { sinks: [(e) => progress.onEvent(e)], progress };
}

export function processIo(): RolloutIo {
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    interactive: process.stdin.isTTY === true && process.stderr.isTTY === true,
    confirm: (q) =>
      new Promise((resolve) => {
        const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
        rl.question(`${q} [y/N] `, (a) => {
          rl.close();
          resolve(/^y(es)?$/i.test(a.trim()));
        });
      }),
    stderr: process.stderr,
    env: process.env,
    signals: processSignals,
  };
}

function git(args: string[], cwd: string): string | undefined {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Who and what, for the record and the evidence. */
export function runContext(repoDir: string, policyPack: string, controlPlanes: ControlPlanes, env: NodeJS.ProcessEnv): RunContext {
  const name = git(["config", "user.name"], repoDir);
  const email = git(["config", "user.email"], repoDir);
  let pack: { name?: string; version?: string } = {};
  try {
    pack = JSON.parse(fs.readFileSync(path.join(policyPack, "package.json"), "utf8")) as { name?: string; version?: string };
  } catch {
    // No package.json: the version is unknown, recorded as such.
  }
  return {
    user: env.USER ?? env.USERNAME ?? "unknown",
    gitAuthor: name !== undefined ? `${name}${email ? ` <${email}>` : ""}` : undefined,
    gitCommit: git(["rev-parse", "HEAD"], repoDir),
    gitDirty: (git(["status", "--porcelain", "--untracked-files=no"], repoDir) ?? "").length > 0,
    policyPack: { path: path.relative(repoDir, policyPack) || ".", name: pack.name, version: pack.version },
    controlPlanes: Object.fromEntries(Object.entries(controlPlanes).map(([d, plane]) => [d, describeControlPlane(d as Domain, plane)])),
    node: process.version,
  };
}

export async function runRolloutCommand(command: Operation, opts: RolloutOptions, io: RolloutIo, repoDir = REPO_ROOT): Promise<number> {
  const pre = commandPreamble(command, opts, io, rolloutEngines);
  if (typeof pre === "number") return pre;
  const { redactor, fail, fleet, factory } = pre;

  const fingerprint = fleetFingerprint(fleet, repoDir);
  let selection: Selection;
  let resume: RunRecord | undefined;
  let resumedRunDir: string | undefined;
  let reviewed: ReviewedPlans | undefined;
  let strategy = opts.strategy;
  try {
    savedPlanUsage(opts);
    assertNoLiveRun(opts.runsDir, fingerprint);
    if (opts.resume !== undefined) {
      if ((opts.stack?.length ?? 0) > 0 || opts.domains !== undefined || (opts.filter?.length ?? 0) > 0 || opts.filterFile !== undefined) {
        throw new UsageError("--resume reruns the stacks of that run; it takes no --stack, --filter or --domains");
      }
      resume = readRecord(opts.runsDir, opts.resume, { fleet, fingerprint });
      resumedRunDir = resolveRunDir(opts.runsDir, opts.resume);
      selection = selectionFromRecord(fleet, resume, command);
      strategy = resume.options.strategy;
    } else if (opts.plan !== undefined) {
      reviewed = reviewedPlans(fleet, opts, fingerprint, repoDir);
      selection = reviewed.selection;
    } else {
      selection = selectStacks(fleet, { command, domains: opts.domains?.split(","), stacks: opts.stack, filters: opts.filter, filterFile: opts.filterFile, withDependencies: opts.withDependencies });
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof RunRecordError || e instanceof RunLockError) return fail(e.message);
    throw e;
  }
  if (selection.stacks.length === 0) return fail("no stacks selected");

  const destructive = command === "up" || command === "destroy";
  if (destructive && !opts.yes && !io.interactive) return fail(`refusing to ${command} without --yes when not on a terminal`);

  const runId = newRunId(command, new Date());
  const runDir = path.join(opts.runsDir, runId);
  const policyPack = path.resolve(opts.policyPack);
  if (!fs.existsSync(policyPack)) return fail(`--policy-pack: ${opts.policyPack} does not exist`);
  let controlPlanes: ControlPlanes;
  try {
    controlPlanes = redactedControlPlanes(fleet, opts.backend, io.env, repoDir, redactor);
  } catch (e) {
    if (e instanceof UsageError) return fail(e.message);
    throw e;
  }

  let engine: Engine;
  try {
    engine = await factory({ fleet, command, repoDir, runDir, resumedRunDir, controlPlanes, domains: selection.domains as Domain[], policyPack, env: io.env });
    if (reviewed !== undefined) engine = reviewed.engine(engine);
  } catch (e) {
    if (e instanceof UsageError) return fail(e.message);
    throw e;
  }
  // Taken before the preview runs: what a saved plan was computed from.
  const planInputs = command === "preview" && opts.savePlan === true ? stackInputs(fleet, repoDir, selection.stacks) : undefined;
  if (planInputs !== undefined) engine = withPlans(engine, { savePlanTo: (stack) => planFile(runDir, fleet.stacks.get(stack)!.domain, stack) });

  const setup: RunSetup = {
    fleet,
    stacks: selection.stacks,
    domains: selection.domains,
    strategy,
    parallel: opts.parallel,
    failFast: opts.failFast === true,
    engine,
    runsDir: opts.runsDir,
    fingerprint,
    context: redactor.redactDeep(runContext(repoDir, policyPack, controlPlanes, io.env)),
    redactor,
    io,
  };
  const inputFor = (op: Operation, id: string, eventSinks: readonly EventSink[]): RunInput =>
    runInput(
      {
        ...setup,
        resume: op === command ? resume : undefined,
        // Gates hold an up between rings and domains; the preview an up shows first passes none.
        gates: op === "up" ? rolloutGates(fleet, opts.approve === true, op === command ? resume : undefined) : undefined,
      },
      op,
      id,
      eventSinks,
    );

  if (destructive && !opts.yes) {
    // On a TTY: `up` shows what it would do first (the saved plans' preview, or a fresh one); then asks.
    let reviewedSummary = "";
    try {
      // The preview gets an engine of its own, bound to its own run folder (the Automation API engine writes its policy config there).
      const previewRun = async (id: string, eventSinks: readonly EventSink[]) => {
        const previewEngine = await factory({ fleet, command: "preview", repoDir, runDir: path.join(opts.runsDir, id), controlPlanes, domains: selection.domains as Domain[], policyPack, env: io.env });
        return runFleet({ ...inputFor("preview", id, eventSinks), engine: previewEngine });
      };
      if (command === "up") reviewedSummary = await previewSummary(reviewed, selection.stacks.length, previewRun, io, redactor);
    } catch (e) {
      if (e instanceof UsageError || e instanceof ScheduleError || e instanceof RunLockError || e instanceof RunFolderWriteError) return fail(redactor.redact(e.message));
      throw e;
    }
    const ok = await io.confirm(`${reviewedSummary}${command} ${selection.stacks.length} stack(s) in ${selection.domains.join(", ")} (strategy ${strategy}, parallel ${opts.parallel})?`);
    if (!ok) return fail("not confirmed");
  }

  const { sinks, progress } = runEventSinks(opts.json === true, selection.stacks.length, io);
  if (!opts.json) {
    io.err(`fleet ${command}: ${selection.stacks.length} stack(s), domains ${selection.domains.join(" → ")}, strategy ${strategy}, parallel ${opts.parallel}, engine ${engine.kind}${resume ? `, resuming ${resume.runId}` : ""}${reviewed ? `, applying the plans of ${reviewed.runId}` : ""}\n`);
    io.err(`run folder: ${path.relative(process.cwd(), runDir) || runDir}\n`);
  }

  try {
    const outcome = await runFleet(inputFor(command, runId, sinks));
    const savedPlans = planInputs !== undefined ? writeSavedPlans(outcome.runDir, outcome.record, engine.kind, planInputs) : [];
    if (reviewed !== undefined) writeAppliedPlans(outcome.runDir, outcome.record, reviewed.runId, reviewed.plans);
    const uploads = engine.deploysRealStacks === true ? await uploadDomainsEvidence(outcome.runDir, outcome.runId, selection.domains as Domain[], controlPlanes, io.env) : [];
    const uploadFailed = uploads.some((u) => u.error !== undefined);
    if (opts.json) {
      for (const u of uploads) io.out(JSON.stringify(redactor.redactDeep(uploadEvent(outcome.runId, u))) + "\n");
    } else {
      progress?.stop();
      io.out(`\n${redactor.redact(textTable(orderedStacks(outcome.record)))}\n\n`);
      for (const u of uploads) io.out(redactor.redact(uploadLine(u)) + "\n");
      const took = outcome.record.finishedAt ? ` in ${formatDuration(Date.parse(outcome.record.finishedAt) - Date.parse(outcome.record.startedAt))}` : "";
      io.out(`${outcome.status}${took}${uploadFailed ? " (evidence upload failed)" : ""}: report ${path.join(outcome.runDir, "report.md")}\n`);
      if (outcome.status !== "succeeded") io.out(`resume with: npm run fleet -- ${command} --resume ${outcome.runId}\n`);
      if (planInputs !== undefined) io.out(`${savedPlans.length} update plan(s) saved; apply exactly those with: npm run fleet -- up --plan ${outcome.runId}\n`);
    }
    // A run whose evidence did not reach its store is not done: exit 1 (the local copy is kept).
    return uploadFailed && outcome.exitCode === EXIT_CODES.ok ? EXIT_CODES.failed : outcome.exitCode;
  } catch (e) {
    progress?.stop();
    if (e instanceof ScheduleError || e instanceof RunLockError || e instanceof RunFolderWriteError) return fail(e.message);
    throw e;
  }
}

/** One domain's evidence upload: the receipt, or the error (naming the store, no credentials). */
export interface DomainUpload {
  readonly domain: Domain;
  readonly store: string;
  readonly receipt?: UploadReceipt;
  readonly error?: string;
}

/**
 * Upload each domain's evidence bundle (`<run>/<domain>/evidence/`) to that domain's store,
 * one domain after the other. The outcome is written beside it (`<run>/<domain>/upload.json`,
 * or `upload-failed.json`) and appended to the domain's report (`<run>/<domain>/report.md`),
 * so the local bundle stays byte-for-byte what was uploaded; it is kept either way.
 */
export async function uploadDomainsEvidence(runDir: string, runId: string, domains: readonly Domain[], planes: ControlPlanes, env: NodeJS.ProcessEnv): Promise<DomainUpload[]> {
  const out: DomainUpload[] = [];
  for (const domain of domains) {
    const dir = evidenceDir(runDir, domain);
    const store = planes[domain].evidenceStore;
    let upload: DomainUpload;
    try {
      const receipt = await uploadEvidence(store, dir, { runId, domain }, { env });
      upload = { domain, store: receipt.store, receipt };
      fs.writeFileSync(path.join(domainRunDir(runDir, domain), "upload.json"), JSON.stringify(receipt, null, 2) + "\n");
    } catch (e) {
      const error = (e as Error).message;
      upload = { domain, store: describeControlPlane(domain, planes[domain]).evidenceStore.url ?? "", error };
      fs.writeFileSync(path.join(domainRunDir(runDir, domain), "upload-failed.json"), JSON.stringify({ store: upload.store, error, at: new Date().toISOString() }, null, 2) + "\n");
    }
    const report = domainReportFile(runDir, domain);
    if (fs.existsSync(report)) fs.appendFileSync(report, `\n## Evidence upload\n\n${uploadLine(upload)}\n`);
    out.push(upload);
  }
  return out;
}

function uploadLine(u: DomainUpload): string {
  if (u.error !== undefined) return `evidence ${u.domain}: NOT uploaded — ${u.error}; the local copy is kept`;
  const r = u.receipt!;
  return `evidence ${u.domain}: ${r.objects.length} object(s) uploaded to ${r.store} under ${r.location}; retention: ${r.retention.applied ? `${r.retention.mode ?? ""}${r.retention.retainUntil ? ` until ${r.retention.retainUntil}` : ""} (${r.retention.detail})` : `none (${r.retention.detail})`}`;
}

function uploadEvent(runId: string, u: DomainUpload): Record<string, unknown> {
  return u.error !== undefined
    ? { type: "evidence-upload-failed", time: new Date().toISOString(), runId, domain: u.domain, store: u.store, error: u.error }
    : { type: "evidence-uploaded", time: u.receipt!.uploadedAt, runId, domain: u.domain, store: u.store, location: u.receipt!.location, objects: u.receipt!.objects.length, retention: u.receipt!.retention };
}
