/**
 * `plan --affected`: plan only the stacks a change affects (automation/affected: changed
 * configs, the code the path rules map, everything downstream). Their dependencies are
 * answered from the plan cache (./cache.ts) where its entry's input digest still matches,
 * and planned too where it does not (or there is no cache yet).
 */
import { execFileSync } from "node:child_process";
import { affectedStacks, changedFiles, GitError } from "../affected";
import { topologicalOrder, withDependencies, type Fleet } from "../fleet";
import type { InputDigests, PlanCache } from "./cache";
import type { UpstreamOutputs } from "./planStack";

export interface ChangeSinceBase {
  readonly base: string;
  readonly mergeBase: string;
  /** Repo-relative paths changed since merge-base(base, HEAD): commits, the index, the working tree and untracked files. */
  readonly files: readonly string[];
  /** Those of `files` not committed yet. */
  readonly uncommitted: readonly string[];
}

/** What changed since `base`, uncommitted work included: the plan plans the working tree. */
export function changeSinceBase(repo: string, base: string): ChangeSinceBase {
  const committed = changedFiles(repo, base, "HEAD");
  const git = (args: string[]) => {
    try {
      return execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      throw new GitError(`git ${args.join(" ")}: ${((e as { stderr?: string }).stderr ?? (e as Error).message).trim()}`);
    }
  };
  const list = (out: string) => out.split("\0").filter((f) => f.length > 0);
  const uncommitted = [...new Set([...list(git(["diff", "--name-only", "--no-renames", "-z", "HEAD"])), ...list(git(["ls-files", "--others", "--exclude-standard", "-z"]))])].sort();
  return { base, mergeBase: committed.mergeBase, files: [...new Set([...committed.files, ...uncommitted])].sort(), uncommitted };
}

/** What a subset plan plans now and where its upstreams' outputs come from. */
export interface SubsetPlanSet {
  /** The stacks chosen (by a change or a filter), in topological order. */
  readonly selected: readonly string[];
  /** Everything planned now: the selected stacks and the upstreams planned too. */
  readonly plan: ReadonlySet<string>;
  /** Upstreams planned because their cache entry was missing or stale (only when allowed). */
  readonly replanned: readonly string[];
  /** Upstreams answered from the cache. */
  readonly fromCache: readonly string[];
  /** Upstreams the cache could not answer and that were not to be planned: the plan cannot run. */
  readonly unanswered: readonly UnansweredUpstream[];
  readonly upstream: UpstreamOutputs;
}

export interface UnansweredUpstream {
  readonly name: string;
  /** `none`: the cache has no entry (or there is no cache); `stale`: its inputs changed since. */
  readonly why: "none" | "stale";
}

export interface AffectedPlanSet extends SubsetPlanSet {
  /** The stacks the change affects, in topological order (= `selected`). */
  readonly affected: readonly string[];
}

export interface SubsetOptions {
  /**
   * Stacks whose outputs the plan reads besides references (the policy pack's inputs,
   * ./policies.ts `packInputStacks`), answered or planned like dependencies. Only those in
   * a selected stack's domain count: the pack learns a domain's registries from that
   * domain's own foundations only (stackPackConfig).
   */
  readonly alsoNeeded?: readonly string[];
  /** Plan an upstream the cache cannot answer (true), or list it as unanswered (false). */
  readonly planUnanswered: boolean;
}

/**
 * The plan of `selected` alone: every upstream it needs (dependencies, transitively, and the
 * pack's inputs) comes from the plan cache where the entry's digest is current. `digests`
 * undefined (no git to digest the inputs with): no entry can be proven current.
 */
export function subsetPlanSet(fleet: Fleet, selected: readonly string[], cache: PlanCache | undefined, digests: InputDigests | undefined, opts: SubsetOptions): SubsetPlanSet {
  const selectedSet = new Set(selected);
  const domains = new Set(selected.map((n) => fleet.stacks.get(n)!.domain));
  const alsoNeeded = (opts.alsoNeeded ?? []).filter((n) => domains.has(fleet.stacks.get(n)!.domain));
  // Nothing selected, nothing planned: the pack's inputs are not needed either.
  const needed = withDependencies(fleet, selected.length > 0 ? [...selected, ...alsoNeeded] : []);
  const plan = new Set(selected);
  const replanned: string[] = [];
  const fromCache: string[] = [];
  const unanswered: UnansweredUpstream[] = [];
  const outputs = new Map<string, Readonly<Record<string, unknown>>>();
  const secretOutputNames = new Map<string, readonly string[]>();
  for (const name of topologicalOrder(fleet)) {
    if (!needed.has(name) || selectedSet.has(name)) continue;
    const entry = cache?.stacks[name];
    if (entry !== undefined && digests !== undefined && entry.digest === digests.of(name)) {
      fromCache.push(name);
      outputs.set(name, entry.outputs);
      secretOutputNames.set(name, entry.secretOutputNames);
    } else if (opts.planUnanswered) {
      replanned.push(name);
      plan.add(name);
    } else {
      unanswered.push({ name, why: entry === undefined ? "none" : "stale" });
    }
  }
  const order = topologicalOrder(fleet).filter((n) => selectedSet.has(n));
  return { selected: order, plan, replanned, fromCache, unanswered, upstream: { outputs, secretOutputNames } };
}

/** `plan --affected`: the affected stacks, with every upstream the cache cannot answer planned too. */
export function affectedPlanSet(
  fleet: Fleet,
  files: readonly string[],
  stacksPath: string,
  cache: PlanCache | undefined,
  /** Undefined when the fleet has no plan cache: every upstream is planned too. */
  digests: InputDigests | undefined,
  alsoNeeded: readonly string[] = [],
): AffectedPlanSet {
  const affected = affectedStacks(fleet, files, { stacksPath }).stacks.map((s) => s.name);
  const set = subsetPlanSet(fleet, affected, cache, digests, { alsoNeeded, planUnanswered: true });
  return { ...set, affected: set.selected };
}
