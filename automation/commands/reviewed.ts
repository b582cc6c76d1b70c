/**
 * "Reviewed means executed", the command side: `preview --save-plan`, `up --plan <run>`, and
 * the preview `up` shows on a terminal before it asks. The plans themselves (files, digests,
 * checks, the engine wrapper) are automation/orchestrator/savedPlans.ts.
 */
import * as path from "node:path";
import { Option, type Command } from "commander";
import type { Fleet } from "../fleet";
import type { Engine, Operation } from "../engine/types";
import {
  newRunId,
  orderedStacks,
  ProgressRenderer,
  readRecord,
  resolveRunDir,
  RunRecordError,
  selectStacks,
  textTable,
  UsageError,
  type EventSink,
  type Redactor,
  type RunOutcome,
  type RunRecord,
  type Selection,
} from "../orchestrator";
import { planProblems, readSavedPlans, stackInputs, withPlans, type SavedPlan } from "../orchestrator/savedPlans";

/** The options of the saved-plan flags, as the rollout command parses them. */
export interface SavedPlanFlags {
  readonly savePlan?: boolean;
  readonly plan?: string;
  readonly resume?: string;
  readonly engine: string;
  readonly stack?: string[];
  readonly domains?: string;
  readonly withDependencies?: boolean;
  readonly runsDir: string;
}

/** `--save-plan` on preview, `--plan <run>` on up; nothing on refresh/destroy. */
export function addSavedPlanOptions(cmd: Command, op: Operation): Command {
  if (op === "preview") cmd.addOption(new Option("--save-plan", "save each stack's update plan in the run folder, for `up --plan <this run>`"));
  if (op === "up") {
    cmd.addOption(
      new Option("--plan <run>", "apply exactly the update plans that `preview --save-plan` run <run> saved (its stacks; refused if a stack's program, config or fleet.yaml changed since)"),
    );
  }
  return cmd;
}

/** Flag combinations that cannot work, refused before anything is read. */
export function savedPlanUsage(opts: SavedPlanFlags): void {
  if ((opts.savePlan === true || opts.plan !== undefined) && opts.engine === "remote") {
    throw new UsageError(`${opts.plan !== undefined ? "--plan" : "--save-plan"}: not with --engine remote (a Pulumi Deployments run cannot read or write this machine's plan files)`);
  }
  if (opts.plan !== undefined && opts.resume !== undefined) throw new UsageError("--plan applies a preview's plans; it takes no --resume (run `up --plan` again: stacks already as planned show no changes)");
}

/** An `up --plan <run>`: the preview run, its checked plans, the selection, and the engine wrapper. */
export interface ReviewedPlans {
  readonly runId: string;
  readonly record: RunRecord;
  readonly plans: ReadonlyMap<string, SavedPlan>;
  readonly selection: Selection;
  /** The engine, applying each stack's plan (refuses an engine other than the one that saved them). */
  engine(engine: Engine): Engine;
}

/**
 * Read the preview run `opts.plan` names and check its plans against the fleet as it is now:
 * the selection is its planned stacks (narrowed by `--stack`/`--domains`), and any stack whose
 * plan file or inputs changed refuses the whole run (UsageError, exit 2) before anything runs.
 */
export function reviewedPlans(fleet: Fleet, opts: SavedPlanFlags, fingerprint: string, projectDir: string): ReviewedPlans {
  let record: RunRecord;
  let runDir: string;
  try {
    record = readRecord(opts.runsDir, opts.plan!, { fleet, fingerprint });
    runDir = resolveRunDir(opts.runsDir, opts.plan!);
  } catch (e) {
    if (e instanceof RunRecordError) throw new UsageError(e.message.replace(/^--resume:/, "--plan:"));
    throw e;
  }
  const saved = readSavedPlans(fleet, runDir, record);
  const domains = opts.domains?.split(",");
  const stacks = opts.stack !== undefined && opts.stack.length > 0 ? opts.stack : [...saved.plans.keys()].filter((n) => domains === undefined || domains.includes(fleet.stacks.get(n)!.domain));
  if (stacks.length === 0) throw new UsageError(`--plan: run ${record.runId} saved no plan${domains ? ` in ${domains.join(", ")}` : ""}`);
  const selection = selectStacks(fleet, { command: "up", domains, stacks, withDependencies: opts.withDependencies });
  const problems = planProblems(saved.plans, stackInputs(fleet, projectDir, selection.stacks), selection.stacks, record.runId);
  if (problems.length > 0) throw new UsageError(`the plans of preview run ${record.runId} cannot be applied; nothing ran:\n  ${problems.join("\n  ")}`);
  return {
    runId: record.runId,
    record,
    plans: saved.plans,
    selection,
    engine: (engine) => {
      if (engine.kind !== saved.engine) throw new UsageError(`--plan: run ${record.runId} saved its plans with engine ${saved.engine}; this run's engine is ${engine.kind}`);
      return withPlans(engine, { planOf: (stack) => saved.plans.get(stack)!.file });
    },
  };
}

export interface SummaryIo {
  err(s: string): void;
  readonly stderr: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Before `up` asks on a terminal: print what it will do. With `--plan`, the saved preview's
 * table (what was reviewed, and what the plans constrain the update to); else a fresh preview
 * of the same selection (its own run folder). Returns a warning for the question when that
 * preview did not succeed everywhere, else "".
 */
export async function previewSummary(
  reviewed: ReviewedPlans | undefined,
  stacks: number,
  runPreview: (runId: string, sinks: readonly EventSink[]) => Promise<RunOutcome>,
  io: SummaryIo,
  redactor: Redactor,
): Promise<string> {
  if (reviewed !== undefined) {
    io.err(`\nThe saved plans of preview run ${reviewed.runId} (what this up will apply):\n${redactor.redact(textTable(orderedStacks(reviewed.record)))}\n\n`);
    return "";
  }
  const progress = new ProgressRenderer(io.stderr, stacks, io.env);
  io.err("fleet up: previewing first (answer below after the summary)\n");
  let outcome: RunOutcome;
  try {
    outcome = await runPreview(newRunId("preview", new Date()), [(e) => progress.onEvent(e)]);
  } finally {
    progress.stop();
  }
  io.err(`\nPreview (run ${outcome.runId}, report ${path.join(outcome.runDir, "report.md")}):\n${redactor.redact(textTable(orderedStacks(outcome.record)))}\n\n`);
  const failed = Object.values(outcome.record.stacks).filter((s) => s.status !== "succeeded").length;
  return failed > 0 ? `The preview did not succeed for ${failed} stack(s). ` : "";
}
