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
  /**
   * Files changed in the working tree and not committed (staged, unstaged, untracked and
   * not ignored), sorted. With `workingTree` they are part of `files`; without it they are
   * only listed here, so a caller can say plainly that they were left out.
   */
  readonly uncommitted: readonly string[];
  /** Whether `files` compares the working tree (true) or the commit `head` (false). */
  readonly workingTree: boolean;
}

export interface ChangedFilesOptions {
  /** (Optional) Compare the working tree, uncommitted changes included, instead of `head`. Defaults to false. */
  readonly workingTree?: boolean;
}

const names = (out: string): string[] => out.split("\0").filter((f) => f.length > 0);

/**
 * Files changed between merge-base(base, head) and head — or, with `workingTree`, the
 * working tree (`head` is then HEAD: the merge base is taken with the checked-out commit).
 */
export function changedFiles(repo: string, base: string, head = "HEAD", opts: ChangedFilesOptions = {}): ChangedFiles {
  const workingTree = opts.workingTree === true;
  const compared = workingTree ? "HEAD" : head;
  const mergeBase = git(repo, ["merge-base", base, compared]).trim();
  const uncommitted = uncommittedFiles(repo);
  const committed = names(git(repo, ["diff", "--name-only", "--no-renames", "-z", mergeBase, ...(workingTree ? [] : [head])]));
  const files = [...new Set([...committed, ...(workingTree ? uncommitted : [])])].sort();
  return { base, head: compared, mergeBase, files, uncommitted, workingTree };
}

/** Tracked files changed since HEAD (staged or not) plus untracked files git does not ignore. */
export function uncommittedFiles(repo: string): string[] {
  const tracked = names(git(repo, ["diff", "--name-only", "--no-renames", "-z", "HEAD"]));
  const untracked = names(git(repo, ["ls-files", "--others", "--exclude-standard", "-z"]));
  return [...new Set([...tracked, ...untracked])].sort();
}

/** The repository's top-level directory. */
export function repoRoot(dir: string): string {
  return git(dir, ["rev-parse", "--show-toplevel"]).trim();
}

/** Tracked files (for the rule coverage check). */
export function trackedFiles(repo: string): string[] {
  return git(repo, ["ls-files", "-z"]).split("\0").filter((f) => f.length > 0);
}
