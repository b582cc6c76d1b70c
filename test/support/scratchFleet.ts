/**
 * A small fleet of reference stacks in a throwaway git repository (one commit on `main`), for
 * plan tests that need git (`--affected`, `--filter '[main]'`) and a fleet small enough to plan
 * in seconds.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";

const ROOT = path.resolve(__dirname, "../..");

export interface ScratchFleet {
  readonly repo: string;
  readonly stacksDir: string;
  git(...args: string[]): string;
}

export function scratchFleetRepo(stacks: readonly string[], prefix = "meridian-fleet-"): ScratchFleet {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const stacksDir = path.join(repo, "stacks");
  fs.mkdirSync(stacksDir);
  // The reference tenants name clusters a small fleet does not have.
  const settings = parse(fs.readFileSync(path.join(ROOT, "stacks/fleet.yaml"), "utf8")) as Record<string, unknown>;
  delete settings.tenants;
  fs.writeFileSync(path.join(stacksDir, "fleet.yaml"), stringify(settings));
  for (const s of stacks) fs.copyFileSync(path.join(ROOT, `stacks/Pulumi.${s}.yaml`), path.join(stacksDir, `Pulumi.${s}.yaml`));
  const git = (...args: string[]) => execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("commit", "-q", "-m", "fleet");
  return { repo, stacksDir, git };
}
