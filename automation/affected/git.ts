/** The files a change touches, from git: merge-base(base, head)..head, renames as delete + add. */
import { execFileSync } from "node:child_process";

export class GitError extends Error {}

function git(repo: string, args: string[]): string {
  try {
    return execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr?.trim();
    throw new GitError(`git ${args.join(" ")}: ${stderr || (e as Error).message}`);
  }
}

export interface ChangedFiles {
  readonly base: string;
  readonly head: string;
  /** The commit compared against: merge-base(base, head), as a pull request's diff is. */
  readonly mergeBase: string;
  /** Repo-relative `/` paths, sorted; a rename lists both the old and the new path. */
  readonly files: readonly string[];
}

export function changedFiles(repo: string, base: string, head = "HEAD"): ChangedFiles {
  const mergeBase = git(repo, ["merge-base", base, head]).trim();
  const out = git(repo, ["diff", "--name-only", "--no-renames", "-z", mergeBase, head]);
  const files = [...new Set(out.split("\0").filter((f) => f.length > 0))].sort();
  return { base, head, mergeBase, files };
}

/** The repository's top-level directory. */
export function repoRoot(dir: string): string {
  return git(dir, ["rev-parse", "--show-toplevel"]).trim();
}

/** Tracked files (for the rule coverage check). */
export function trackedFiles(repo: string): string[] {
  return git(repo, ["ls-files", "-z"]).split("\0").filter((f) => f.length > 0);
}
