/**
 * Which stacks a command runs: `--domains` (order = rollout order), `--stack NAME...` or
 * `--filter`/`--filter-file` (automation/filters: globs, attributes, negation, graph
 * selectors, git ranges), `--with-dependencies` (for destroy: with the stacks that depend on
 * them, which must go first), or the set of a resumed run. Every command selects through
 * here, so a filter means the same for plan, preview, up, refresh, destroy, drift and
 * upgrade. Problems are UsageErrors (exit 2).
 */
import * as fs from "node:fs";
import { dependentsOf, topologicalOrder, withDependencies, type Fleet } from "../fleet";
import type { Operation } from "../engine/types";
import type { RunRecord } from "./record";
import { readRecord } from "./resume";
import { isSafeSegment } from "./layout";
import { FilterError, FilterFileError, FilterSyntaxError, parseFilters, readFilterFile, resolveFilters, type AffectedByRange, type Filter } from "../filters";

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface Selection {
  readonly stacks: string[];
  /** Domains in rollout order (the first is the canary), only those with stacks. */
  readonly domains: string[];
}

export interface SelectOptions {
  readonly command: Operation;
  readonly domains?: readonly string[];
  readonly stacks?: readonly string[];
  readonly withDependencies?: boolean;
  /** (Optional) `--filter` expressions (automation/filters/parse.ts). */
  readonly filters?: readonly string[];
  /** (Optional) `--filter-file`: more filters, one per line. */
  readonly filterFile?: string;
  /** (Optional) How git-range filters are answered; defaults to git in the fleet's repository. */
  readonly affected?: AffectedByRange;
}

/** The filters of `--filter` and `--filter-file` together, parsed; UsageError on a bad one. */
export function selectionFilters(opts: Pick<SelectOptions, "filters" | "filterFile">): Filter[] {
  try {
    return [...parseFilters(opts.filters ?? []), ...(opts.filterFile !== undefined ? readFilterFile(opts.filterFile) : [])];
  } catch (e) {
    if (e instanceof FilterSyntaxError || e instanceof FilterFileError) throw new UsageError(e.message);
    throw e;
  }
}

/** A filter that selects stacks the user did not mean is worse than none: every problem is a UsageError. */
function filtered(fleet: Fleet, filters: readonly Filter[], affected: AffectedByRange | undefined): Set<string> {
  try {
    return resolveFilters(fleet, filters, { affected });
  } catch (e) {
    if (e instanceof FilterError) throw new UsageError(e.message);
    throw e;
  }
}

export function parseDomains(fleet: Fleet, value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [...fleet.settings.domainOrder];
  const list = (typeof value === "string" ? value.split(",") : value.flatMap((v) => v.split(","))).map((d) => d.trim()).filter((d) => d.length > 0);
  const known = fleet.settings.domainOrder as readonly string[];
  for (const d of list) if (!known.includes(d)) throw new UsageError(`--domains: unknown domain "${d}"; known: ${known.join(", ")}`);
  if (new Set(list).size !== list.length) throw new UsageError(`--domains: a domain is listed twice (${list.join(",")})`);
  if (list.length === 0) throw new UsageError("--domains: name at least one domain");
  return list;
}

export function selectStacks(fleet: Fleet, opts: SelectOptions): Selection {
  const domains = parseDomains(fleet, opts.domains);
  const filters = selectionFilters(opts);
  let names: Set<string>;
  if (filters.length > 0) {
    if ((opts.stacks?.length ?? 0) > 0) throw new UsageError("--stack and --filter select the same thing two ways: use one (a stack name is a filter too)");
    const inDomains = [...filtered(fleet, filters, opts.affected)].filter((n) => domains.includes(fleet.stacks.get(n)!.domain));
    names = new Set(inDomains);
    if (opts.withDependencies) {
      if (opts.command === "destroy") for (const n of inDomains) for (const d of dependentsOf(fleet, n)) names.add(d);
      else names = withDependencies(fleet, inDomains);
    }
  } else if (opts.stacks !== undefined && opts.stacks.length > 0) {
    for (const n of opts.stacks) {
      const spec = fleet.stacks.get(n);
      if (spec === undefined) throw new UsageError(`--stack: "${n}" is not a stack (stacks/Pulumi.${n}.yaml does not exist)`);
      if (!domains.includes(spec.domain)) throw new UsageError(`--stack: "${n}" is in domain ${spec.domain}, which --domains ${domains.join(",")} excludes`);
    }
    names = new Set(opts.stacks);
    if (opts.withDependencies) {
      if (opts.command === "destroy") for (const n of opts.stacks) for (const d of dependentsOf(fleet, n)) names.add(d);
      else names = withDependencies(fleet, opts.stacks);
    }
  } else {
    names = new Set([...fleet.stacks.values()].filter((s) => domains.includes(s.domain)).map((s) => s.name));
  }
  const stacks = topologicalOrder(fleet).filter((n) => names.has(n));
  return { stacks, domains: domains.filter((d) => stacks.some((n) => fleet.stacks.get(n)!.domain === d)) };
}

/** The selection of a resumed run; its stacks must still exist and the command must match. */
export function selectionFromRecord(fleet: Fleet, record: RunRecord, command: Operation): Selection {
  // A drift run is a preview-only refresh: resuming it as a refresh would write state.
  if (isDriftRunId(record.runId)) throw new UsageError(`run ${record.runId} was a drift check (a preview-only refresh); it is not resumed: run \`fleet drift\` again`);
  if (record.command !== command) {
    throw new UsageError(`run ${record.runId} was a "${record.command}"; resume it with \`fleet ${record.command} --resume ${record.runId}\``);
  }
  // Names from a record are never quoted back (the record is untrusted input); only counted.
  const missing = record.options.stacks.filter((n) => !fleet.stacks.has(n));
  if (missing.length > 0) throw new UsageError(`run ${record.runId} names ${missing.length} stack(s) that are not in the fleet`);
  return { stacks: [...record.options.stacks], domains: [...record.options.domains] };
}

/** The run-id kind of `fleet drift` (`<time>-drift-<random>`); its record says `refresh`. */
export const DRIFT_RUN_KIND = "drift";
export function isDriftRunId(runId: string): boolean {
  return runId.includes(`-${DRIFT_RUN_KIND}-`);
}

/**
 * Duration (ms) of each stack in the newest earlier run of the same command, for the
 * scheduler's critical-path priority. Empty when there is none.
 */
export function lastDurations(runsDir: string, command: Operation): Map<string, number> {
  const out = new Map<string, number>();
  if (!fs.existsSync(runsDir)) return out;
  const runs = fs
    .readdirSync(runsDir)
    .filter((d) => d.includes(`-${command}-`) && isSafeSegment(d))
    .sort()
    .reverse();
  for (const dir of runs) {
    try {
      const record = readRecord(runsDir, dir);
      for (const s of Object.values(record.stacks)) if (s.durationMs !== undefined && s.status === "succeeded") out.set(s.name, s.durationMs);
      if (out.size > 0) return out;
    } catch {
      // An unreadable or partial record: try the next older run.
    }
  }
  return out;
}
