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

export interface AffectedPlanSet {
  /** The stacks the change affects, in topological order. */
  readonly affected: readonly string[];
  /** Everything planned now: the affected stacks and the upstreams the cache could not answer. */
  readonly plan: ReadonlySet<string>;
  /** Upstreams planned because their cache entry was missing or stale. */
  readonly replanned: readonly string[];
  /** Upstreams answered from the cache. */
  readonly fromCache: readonly string[];
  readonly upstream: UpstreamOutputs;
}

/**
 * `alsoNeeded`: stacks whose outputs the plan reads besides references (the policy pack's
 * inputs, ./policies.ts `packInputStacks`), answered or planned like dependencies.
 */
export function affectedPlanSet(
  fleet: Fleet,
  files: readonly string[],
  stacksPath: string,
  cache: PlanCache | undefined,
  digests: InputDigests,
  alsoNeeded: readonly string[] = [],
): AffectedPlanSet {
  const affected = affectedStacks(fleet, files, { stacksPath }).stacks.map((s) => s.name);
  const affectedSet = new Set(affected);
  // Nothing affected, nothing planned: the pack's inputs are not needed either.
  const needed = withDependencies(fleet, affected.length > 0 ? [...affected, ...alsoNeeded] : []);
  const plan = new Set(affected);
  const replanned: string[] = [];
  const fromCache: string[] = [];
  const outputs = new Map<string, Readonly<Record<string, unknown>>>();
  const secretOutputNames = new Map<string, readonly string[]>();
  for (const name of topologicalOrder(fleet)) {
    if (!needed.has(name) || affectedSet.has(name)) continue;
    const entry = cache?.stacks[name];
    if (entry !== undefined && entry.digest === digests.of(name)) {
      fromCache.push(name);
      outputs.set(name, entry.outputs);
      secretOutputNames.set(name, entry.secretOutputNames);
    } else {
      replanned.push(name);
      plan.add(name);
    }
  }
  return { affected, plan, replanned, fromCache, upstream: { outputs, secretOutputNames } };
}
