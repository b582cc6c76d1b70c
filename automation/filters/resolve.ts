/**
 * Filters (./parse.ts) against a fleet: the set of stack names they select. Git ranges are
 * answered by `affected` (automation/affected): the stacks whose config or code the range
 * changes, and everything downstream of them.
 */
import * as path from "node:path";
import { CLOUDS } from "../../components/residency/catalogue";
import { affectedStacks, changedFiles, GitError, matchGlob, repoRoot } from "../affected";
import { dependentsOf, withDependencies, type Fleet, type StackSpec } from "../fleet";
import { ROLES } from "../fleet/schema";
import { parseFilter, type Filter, type FilterBase } from "./parse";

/** A filter that parses but cannot be applied (unknown value, git error). */
export class FilterError extends Error {
  constructor(
    readonly source: string,
    reason: string,
  ) {
    super(`--filter "${source}": ${reason}`);
    this.name = "FilterError";
  }
}

/** The stacks a git range affects; `head` undefined means the working tree. */
export type AffectedByRange = (fleet: Fleet, base: string, head: string | undefined) => ReadonlySet<string>;

/** Git in the repository holding the fleet's stacks directory, then `affectedStacks`. */
export const gitAffected: AffectedByRange = (fleet, base, head) => {
  const root = repoRoot(fleet.dir);
  const changed = changedFiles(root, base, head ?? "HEAD", { workingTree: head === undefined });
  const stacksPath = path.relative(root, path.resolve(fleet.dir)).split(path.sep).join("/");
  return new Set(affectedStacks(fleet, changed.files, { stacksPath }).stacks.map((s) => s.name));
};

export interface ResolveOptions {
  /** (Optional) How git ranges are answered. Defaults to `gitAffected`. */
  readonly affected?: AffectedByRange;
}

/** Parse every filter first, so a syntax error anywhere is reported before git runs. */
export function parseFilters(sources: readonly string[]): Filter[] {
  return sources.map(parseFilter);
}

/**
 * The stacks the filters select: the union of the positive filters (all stacks when there
 * is none) minus the union of the negative ones. Unordered; callers order topologically.
 */
export function resolveFilters(fleet: Fleet, filters: readonly Filter[], opts: ResolveOptions = {}): Set<string> {
  const affected = opts.affected ?? gitAffected;
  const positive = filters.filter((f) => !f.exclude);
  const selected = positive.length === 0 ? new Set(fleet.stacks.keys()) : new Set<string>();
  for (const f of positive) for (const n of selectedBy(fleet, f, affected)) selected.add(n);
  for (const f of filters.filter((x) => x.exclude)) for (const n of selectedBy(fleet, f, affected)) selected.delete(n);
  return selected;
}

/** What one filter selects, `!` aside. */
function selectedBy(fleet: Fleet, f: Filter, affected: AffectedByRange): Set<string> {
  let names: Set<string>;
  if (f.base.kind === "git") {
    try {
      names = new Set(affected(fleet, f.base.base, f.base.head));
    } catch (e) {
      if (e instanceof GitError) throw new FilterError(f.source, e.message);
      throw e;
    }
  } else {
    const match = matcher(fleet, f, f.base);
    names = new Set([...fleet.stacks.values()].filter(match).map((s) => s.name));
    if (names.size === 0 && f.base.kind === "glob") throw new FilterError(f.source, `no stack is named "${f.base.glob}" (stacks/Pulumi.<name>.yaml)`);
  }
  const out = new Set(names);
  if (f.dependencies) for (const n of withDependencies(fleet, names)) out.add(n);
  if (f.dependents) for (const n of names) for (const d of dependentsOf(fleet, n)) out.add(d);
  return out;
}

function matcher(fleet: Fleet, f: Filter, base: Exclude<FilterBase, { kind: "git" }>): (s: StackSpec) => boolean {
  if (base.kind === "glob") return (s) => matchGlob(base.glob, s.name);
  const tests = base.attributes.map(({ key, value }): ((s: StackSpec) => boolean) => {
    switch (key) {
      case "name":
        return (s) => matchGlob(value, s.name);
      case "domain": {
        const known = fleet.settings.domainOrder as readonly string[];
        if (!known.some((d) => matchGlob(value, d))) throw new FilterError(f.source, `domain=${value} names no domain; known: ${known.join(", ")}`);
        return (s) => matchGlob(value, s.domain);
      }
      case "role":
        if (!ROLES.some((r) => matchGlob(value, r))) throw new FilterError(f.source, `role=${value} names no role; known: ${ROLES.join(", ")}`);
        return (s) => matchGlob(value, s.role);
      case "cloud":
        if (!CLOUDS.some((c) => matchGlob(value, c))) throw new FilterError(f.source, `cloud=${value} names no cloud; known: ${CLOUDS.join(", ")}`);
        return (s) => s.clouds.some((c) => matchGlob(value, c));
      case "ring": {
        if (!/^\d{1,3}$/.test(value)) throw new FilterError(f.source, `ring=${value}: a ring is a whole number (meridian:ring)`);
        const ring = Number(value);
        return (s) => s.ring === ring;
      }
    }
  });
  return (s) => tests.every((t) => t(s));
}
