/**
 * The plan cache: what the last plan of a fleet exported, per stack, so `plan --affected`
 * can answer an unchanged upstream's StackReferences without planning it. Each entry is
 * keyed by a digest of everything that shapes that stack's outputs, so a stale entry is
 * never used: its own and its dependencies' config files, the fleet settings, the code the
 * path rules map to it or to a dependency (automation/affected/rules.ts, the same relation
 * as `fleet affected` and the Deployments path filters), and the plan's mock cloud itself.
 *
 * The plan never holds a real secret (secret config reaches it as "[secret]" and the mock
 * cloud's key material is a placeholder), so neither does the cache; it is written 0600 under
 * the gitignored `.fleet-cache/` all the same.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { pathFiltersFor, matchGlob, STACK_CONFIG, GitError } from "../affected";
import { withDependencies, type Fleet } from "../fleet";
import type { StackPlan } from "./planStack";

const CACHE_VERSION = 1;

const entrySchema = z.object({ digest: z.string(), outputs: z.record(z.string(), z.unknown()), secretOutputNames: z.array(z.string()) });
const cacheSchema = z.object({ version: z.literal(CACHE_VERSION), fleetDir: z.string(), written: z.string(), stacks: z.record(z.string(), entrySchema) });

export type PlanCacheEntry = z.infer<typeof entrySchema>;
export type PlanCache = z.infer<typeof cacheSchema>;

/** One file per fleet directory under `<repo>/.fleet-cache/plan/`. */
export function planCacheFile(repoRoot: string, fleet: Pick<Fleet, "dir">): string {
  return planCacheFileIn(path.join(repoRoot, ".fleet-cache"), fleet);
}

/** One file per fleet directory under `<cacheDir>/plan/` (`MERIDIAN_FLEET_CACHE` names a cacheDir). */
export function planCacheFileIn(cacheDir: string, fleet: Pick<Fleet, "dir">): string {
  const id = createHash("sha256").update(path.resolve(fleet.dir)).digest("hex").slice(0, 16);
  return path.join(cacheDir, "plan", `${id}.json`);
}

/**
 * The fleet's parse cache (../fleet/parseCache.ts: its stack files, parsed, by content) beside
 * its plan cache: `<cacheDir>/parse/<fleet dir id>.json` for `<cacheDir>/plan/<id>.json`.
 */
export function parseCacheFileBeside(planCacheFile: string): string {
  return path.join(path.dirname(path.dirname(planCacheFile)), "parse", path.basename(planCacheFile));
}

/** The cache, or undefined when there is none or it cannot be used (unreadable, another version, another fleet). */
export function readPlanCache(file: string, fleet: Fleet): PlanCache | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  const parsed = cacheSchema.safeParse(raw);
  return parsed.success && parsed.data.fleetDir === path.resolve(fleet.dir) ? parsed.data : undefined;
}

/** Record the planned stacks' outputs over what the cache held (a partial plan updates its own stacks). */
export function writePlanCache(file: string, fleet: Fleet, plans: readonly StackPlan[], digests: InputDigests, previous?: PlanCache): void {
  const stacks: Record<string, PlanCacheEntry> = {};
  for (const [name, entry] of Object.entries(previous?.stacks ?? {})) if (fleet.stacks.has(name)) stacks[name] = entry;
  for (const p of plans) {
    if (p.status === "planned") stacks[p.name] = { digest: digests.of(p.name), outputs: { ...p.outputs }, secretOutputNames: [...p.secretOutputNames] };
    else delete stacks[p.name];
  }
  const cache: PlanCache = { version: CACHE_VERSION, fleetDir: path.resolve(fleet.dir), written: new Date().toISOString(), stacks };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(cache), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** The plan's own code: a change to the mock cloud changes what every stack exports. */
const PLAN_CODE = ["automation/plan/**"];

/**
 * Digests of each stack's inputs, computed once per file and once per distinct set of code
 * globs (stacks of one role and cloud share theirs), so a 1,000-cluster fleet costs little.
 */
export class InputDigests {
  private readonly files: readonly string[];
  private readonly fileDigests = new Map<string, string>();
  private readonly codeDigests = new Map<string, string>();
  private readonly stackDigests = new Map<string, string>();

  constructor(
    private readonly fleet: Fleet,
    private readonly repoRoot: string,
  ) {
    this.files = repoFiles(repoRoot);
  }

  of(stack: string): string {
    const hit = this.stackDigests.get(stack);
    if (hit) return hit;
    const code = pathFiltersFor(this.fleet, stack)
      .filter((g) => !STACK_CONFIG.test(g) && g !== "stacks/fleet.yaml")
      .concat(PLAN_CODE);
    const configs = [path.join(this.fleet.dir, "fleet.yaml"), ...[...withDependencies(this.fleet, [stack])].sort().map((s) => this.fleet.stacks.get(s)!.file)];
    const h = createHash("sha256").update(this.codeDigest(code));
    for (const f of configs) h.update(`${path.basename(f)}\0${this.fileDigest(f)}\0`);
    const digest = h.digest("hex");
    this.stackDigests.set(stack, digest);
    return digest;
  }

  private codeDigest(globs: readonly string[]): string {
    const key = [...globs].sort().join("\n");
    const hit = this.codeDigests.get(key);
    if (hit) return hit;
    const h = createHash("sha256");
    for (const f of this.files) if (globs.some((g) => matchGlob(g, f))) h.update(`${f}\0${this.fileDigest(path.join(this.repoRoot, f))}\0`);
    const digest = h.digest("hex");
    this.codeDigests.set(key, digest);
    return digest;
  }

  private fileDigest(file: string): string {
    let hit = this.fileDigests.get(file);
    if (hit === undefined) {
      hit = fs.existsSync(file) ? createHash("sha256").update(fs.readFileSync(file)).digest("hex") : "absent";
      this.fileDigests.set(file, hit);
    }
    return hit;
  }
}

/** Tracked and untracked (not ignored) files: what the working tree would plan. */
function repoFiles(repoRoot: string): string[] {
  try {
    const out = execFileSync("git", ["-C", repoRoot, "ls-files", "-co", "--exclude-standard", "-z"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return [...new Set(out.split("\0").filter((f) => f.length > 0))].sort();
  } catch (e) {
    throw new GitError(`git ls-files in ${repoRoot}: ${((e as { stderr?: string }).stderr ?? (e as Error).message).trim()}`);
  }
}
