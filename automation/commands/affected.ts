/**
 * `fleet affected --base REF [--head REF | --uncommitted] [--details] [--json]`: the stacks a
 * change can change, for CI (`pulumi preview` of each, per domain) and humans. See
 * automation/affected/. Committed changes only unless `--uncommitted` (the working tree
 * against the merge base); uncommitted files left out are counted and said so. A short
 * summary by default; `--details` lists every stack's reasons.
 * Exit codes: 0 (also when nothing is affected), 2 invalid input or a git error.
 */
import * as path from "node:path";
import type { Command } from "commander";
import { commandDescription } from "./manifest";
import { CLOUDS, DOMAINS } from "../../components/residency/catalogue";
import { affectedStacks, changedFiles, describeReason, GitError, repoRoot, type Affected } from "../affected";
import { loadFleetOrReport } from "./fleetLoad";
import { DEFAULT_STACKS_DIR, type Io } from "./paths";

export interface AffectedCommandOptions {
  base: string;
  head?: string;
  /** Compare the working tree (uncommitted and untracked files included) instead of `head`. */
  uncommitted?: boolean;
  /** List every affected stack with its reasons (the default is a short summary). */
  details?: boolean;
  stacksDir?: string;
  json?: boolean;
}

/** One GitHub Actions matrix entry: the stack and which clouds' credentials it needs. */
export interface MatrixEntry {
  stack: string;
  domain: string;
  role: string;
  aws: boolean;
  azure: boolean;
  gcp: boolean;
}

export interface AffectedReport extends Affected {
  base: string;
  head: string;
  mergeBase: string;
  files: readonly string[];
  /** Uncommitted files in the working tree (included in `files` only when `workingTree`). */
  uncommitted: readonly string[];
  /** Whether the working tree was compared (`--uncommitted`) rather than the commit `head`. */
  workingTree: boolean;
  /** Per domain, ready for `strategy.matrix.include` (a domain's job only ever sees its own stacks). */
  matrix: Record<string, MatrixEntry[]>;
}

export function registerAffected(program: Command): void {
  program
    .command("affected")
    .description(commandDescription("affected"))
    .requiredOption("--base <ref>", "the commit the change is compared against (merge-base with --head), e.g. origin/main")
    .option("--head <ref>", "the change's commit (committed changes only)", "HEAD")
    .option("--uncommitted", "compare the working tree instead of --head: staged, unstaged and untracked (not ignored) files count too")
    .option("--details", "list every affected stack with the reasons it is affected")
    .option("--stacks-dir <dir>", "directory of Pulumi.<stack>.yaml files", DEFAULT_STACKS_DIR)
    .option("--json", "print exactly one JSON object on stdout")
    .action((opts: AffectedCommandOptions) => {
      process.exitCode = runAffectedCommand(opts, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
    });
}

export function runAffectedCommand(opts: AffectedCommandOptions, io: Io): number {
  const stacksDir = path.resolve(opts.stacksDir ?? DEFAULT_STACKS_DIR);
  const fleet = loadFleetOrReport(stacksDir, io.err);
  if (fleet === undefined) return 2;
  if (opts.uncommitted && opts.head !== undefined && opts.head !== "HEAD") {
    io.err(`fleet: --uncommitted compares the working tree of the checked-out commit; it takes no --head ${opts.head}\n`);
    return 2;
  }
  let report: AffectedReport;
  try {
    const root = repoRoot(stacksDir);
    const changed = changedFiles(root, opts.base, opts.head ?? "HEAD", { workingTree: opts.uncommitted === true });
    const stacksPath = path.relative(root, stacksDir).split(path.sep).join("/");
    const affected = affectedStacks(fleet, changed.files, { stacksPath });
    report = { ...changed, ...affected, matrix: matrixOf(affected) };
  } catch (e) {
    if (e instanceof GitError) {
      io.err(`fleet: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  io.out(opts.json ? `${JSON.stringify(report)}\n` : render(report, opts.details === true));
  return 0;
}

export function matrixOf(affected: Affected): Record<string, MatrixEntry[]> {
  const matrix: Record<string, MatrixEntry[]> = Object.fromEntries(DOMAINS.map((d) => [d, []]));
  for (const s of affected.stacks) {
    const flags = Object.fromEntries(CLOUDS.map((c) => [c, s.clouds.includes(c)])) as Record<(typeof CLOUDS)[number], boolean>;
    matrix[s.domain].push({ stack: s.name, domain: s.domain, role: s.role, ...flags });
  }
  return matrix;
}

function render(r: AffectedReport, details: boolean): string {
  const compared = r.workingTree ? "the working tree" : r.head;
  const lines = [`Changes ${r.mergeBase.slice(0, 12)}..${compared} (${r.files.length} files; base ${r.base})`];
  if (r.workingTree) lines.push(`Uncommitted changes included: ${r.uncommitted.length} file(s).`);
  else if (r.uncommitted.length > 0) lines.push(`Not included: ${r.uncommitted.length} uncommitted file(s) in the working tree (commit them, or pass --uncommitted).`);
  if (r.stacks.length === 0) lines.push("No stack is affected.");
  if (details) {
    for (const s of r.stacks) {
      lines.push(`  ${s.name}`);
      for (const reason of s.reasons) lines.push(`      ${describeReason(reason)}`);
    }
  } else {
    const direct = r.stacks.filter((s) => s.reasons.some((x) => x.kind !== "upstream"));
    const downstream = r.stacks.length - direct.length;
    if (direct.length > 0) lines.push(`  changed: ${direct.map((s) => s.name).join(", ")}`);
    if (downstream > 0) lines.push(`  and ${downstream} stack(s) downstream of them (--details lists each with its reasons)`);
  }
  if (r.removed.length > 0) lines.push(`Stack configs deleted (destroy these stacks with the orchestrator): ${r.removed.join(", ")}`);
  if (r.unmapped.length > 0) lines.push(`No rule maps ${r.unmapped.join(", ")}: treated as affecting every stack; add a rule in automation/affected/rules.ts`);
  if (r.policyPackChanged) lines.push("policy-pack/ changed: main publishes the pack.");
  lines.push(`Affected: ${r.stacks.length} stacks (${DOMAINS.map((d) => `${d} ${r.matrix[d].length}`).join(", ")})`, "");
  return lines.join("\n");
}
