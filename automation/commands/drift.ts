/**
 * `fleet drift`: a preview-only refresh (`pulumi refresh --preview-only`) of every selected
 * stack, side by side across domains; reports the drifted stacks, resources and property
 * names, and writes each domain's drift into its evidence (uploaded to the domain's store
 * for engines that deploy real stacks). No state is written, so it needs no `--yes`.
 * Exit codes: 0 no drift, 2 drift found (or a usage/config error, said on stderr), 1 a stack
 * could not be checked, 130 interrupted.
 */
import * as path from "node:path";
import type { Command } from "commander";
import { commandDescription } from "./manifest";
import { Option } from "commander";
import type { ControlPlanes } from "../engine/domainEnv";
import { fileMockState, fileMockOutOfBand, MockEngine, mockTiming } from "../engine/mock";
import { policyPackEvaluator } from "../plan/policies";
import { runStack } from "../../stacks/program";
import type { Domain } from "../../components/residency/catalogue";
import type { Engine } from "../engine/types";
import {
  assertNoLiveRun,
  DRIFT_RUN_KIND,
  driftByDomain,
  driftExitCode,
  EXIT_CODES,
  fleetFingerprint,
  newRunId,
  PreviewOnlyRefresh,
  renderDrift,
  RunFolderWriteError,
  RunLockError,
  runFleet,
  selectStacks,
  UsageError,
  writeDriftEvidence,
  type Selection,
} from "../orchestrator";
import { commandPreamble, redactedControlPlanes, runInput, type RunSetup } from "./preamble";
import { FILTER_FILE_OPTION, FILTER_OPTION } from "./filterOptions";
import { parseParallel, processIo, runEventSinks, REPO_ROOT, rolloutEngines, runContext, uploadDomainsEvidence, type EngineFactory, type RolloutIo } from "./rollout";

export interface DriftOptions {
  domains?: string;
  stack?: string[];
  filter?: string[];
  filterFile?: string;
  parallel: number;
  json?: boolean;
  backend?: string;
  engine: string;
  stacksDir: string;
  runsDir: string;
}

/** The variable naming a mock drift file (automation/engine/mock.ts `fileMockOutOfBand`), for `--engine mock` rehearsals. */
export const MOCK_DRIFT_ENV = "MERIDIAN_MOCK_DRIFT";

/** The rollout's engines, with the mock able to rehearse out-of-band changes. */
export function driftEngines(env: NodeJS.ProcessEnv): Record<string, EngineFactory> {
  const file = env[MOCK_DRIFT_ENV];
  return {
    ...rolloutEngines,
    mock: async (ctx) => {
      let outOfBand;
      try {
        outOfBand = file !== undefined && file.length > 0 ? fileMockOutOfBand(file) : undefined;
      } catch (e) {
        throw new UsageError(`${MOCK_DRIFT_ENV}: ${(e as Error).message}`);
      }
      return new MockEngine(ctx.fleet, (fleet, stack) => runStack(fleet, stack), policyPackEvaluator(), fileMockState(ctx.fleet, ctx.runDir, ctx.resumedRunDir), outOfBand, mockTiming(ctx.env));
    },
  };
}

export function registerDrift(program: Command): void {
  program
    .command("drift")
    .description(commandDescription("drift"))
    .option("--domains <list>", "domains to check, comma-separated; default: fleet.yaml domainOrder")
    .option("--stack <names...>", "only these stacks")
    .option(...FILTER_OPTION)
    .option(...FILTER_FILE_OPTION)
    .option("--parallel <n>", "most stacks checked at once", parseParallel, 4)
    .option("--json", "stream one JSON event per line, then one drift-report line per domain")
    .option("--backend <domain=url,...>", "state backend per domain, as for up")
    .option("--engine <name>", "engine: automation (real Pulumi CLI), remote (Pulumi Deployments), mock (offline; $MERIDIAN_MOCK_DRIFT names out-of-band changes to rehearse)", "automation")
    .addOption(new Option("--stacks-dir <dir>").default(path.join(REPO_ROOT, "stacks")).hideHelp())
    .addOption(new Option("--runs-dir <dir>").default(path.join(REPO_ROOT, ".fleet-runs")).hideHelp())
    .addHelpText("after", "\nExit codes: 0 no drift, 2 drift found (or bad input, said on stderr), 1 a stack could not be checked, 130 interrupted.")
    .action(async (opts: DriftOptions) => {
      process.exitCode = await runDriftCommand(opts, processIo());
    });
}

export async function runDriftCommand(opts: DriftOptions, io: RolloutIo, repoDir = REPO_ROOT): Promise<number> {
  const pre = commandPreamble("drift", opts, io, driftEngines(io.env));
  if (typeof pre === "number") return pre;
  const { redactor, fail, fleet, factory } = pre;

  const fingerprint = fleetFingerprint(fleet, repoDir);
  let selection: Selection;
  let controlPlanes: ControlPlanes;
  const runId = newRunId(DRIFT_RUN_KIND, new Date());
  const runDir = path.join(opts.runsDir, runId);
  const policyPack = path.join(repoDir, "policy-pack");
  let engine: PreviewOnlyRefresh;
  try {
    assertNoLiveRun(opts.runsDir, fingerprint);
    selection = selectStacks(fleet, { command: "refresh", domains: opts.domains?.split(","), stacks: opts.stack, filters: opts.filter, filterFile: opts.filterFile });
    if (selection.stacks.length === 0) return fail("no stacks selected");
    controlPlanes = redactedControlPlanes(fleet, opts.backend, io.env, repoDir, redactor);
    const inner: Engine = await factory({ fleet, command: "refresh", repoDir, runDir, controlPlanes, domains: selection.domains as Domain[], policyPack, env: io.env });
    engine = new PreviewOnlyRefresh(inner);
  } catch (e) {
    if (e instanceof UsageError || e instanceof RunLockError) return fail(e.message);
    throw e;
  }

  const { sinks, progress } = runEventSinks(opts.json === true, selection.stacks.length, io);
  if (!opts.json) {
    io.err(`fleet drift: preview-only refresh of ${selection.stacks.length} stack(s), domains ${selection.domains.join(", ")}, parallel ${opts.parallel}, engine ${engine.kind}; no state is written\n`);
  }
  try {
    const setup: RunSetup = {
      fleet,
      stacks: selection.stacks,
      domains: selection.domains,
      // Drift is a check, not a rollout: no canary, no gates, every domain is checked.
      strategy: "parallel",
      parallel: opts.parallel,
      failFast: false,
      engine,
      runsDir: opts.runsDir,
      fingerprint,
      context: redactor.redactDeep(runContext(repoDir, policyPack, controlPlanes, io.env)),
      redactor,
      io,
    };
    const outcome = await runFleet(runInput(setup, "refresh", runId, sinks));
    progress?.stop();
    const domains = redactor.redactDeep(driftByDomain(outcome.record, engine, outcome.record.finishedAt ?? new Date().toISOString()));
    writeDriftEvidence(outcome.runDir, domains);
    const uploads = engine.deploysRealStacks === true ? await uploadDomainsEvidence(outcome.runDir, outcome.runId, selection.domains as Domain[], controlPlanes, io.env) : [];
    if (opts.json) for (const d of domains) io.out(JSON.stringify({ type: "drift-report", ...d }) + "\n");
    else {
      io.out(`${redactor.redact(renderDrift(domains))}\n`);
      for (const u of uploads) io.out(redactor.redact(u.error !== undefined ? `evidence ${u.domain}: NOT uploaded — ${u.error}` : `evidence ${u.domain}: uploaded to ${u.store}`) + "\n");
      io.out(`report ${path.join(outcome.runDir, "report.md")}; evidence ${path.join(outcome.runDir, "<domain>", "evidence", "drift.json")}\n`);
    }
    if (outcome.exitCode === EXIT_CODES.interrupted) return outcome.exitCode;
    if (uploads.some((u) => u.error !== undefined)) return EXIT_CODES.failed;
    return driftExitCode(domains);
  } catch (e) {
    progress?.stop();
    if (e instanceof RunLockError || e instanceof RunFolderWriteError) return fail(e.message);
    throw e;
  }
}
