/**
 * The canary gate between domains. Pulumi Deployments webhooks trigger stacks inside ONE
 * organization only (`payloadUrl: <project>/<stack>`), and the EU and US organizations live
 * in different Pulumi Clouds, so the step from the canary domain to the next is not a
 * webhook: the next domain deploys from its promotion branch (`deploy/us`), and this gate
 * advances that branch to a commit only when every stack of the canary domain that the
 * commit affects (`fleet affected`: own inputs + everything downstream) has an update that
 * succeeded at that commit (or a later one containing it). Only the commit id crosses.
 *
 *   tsx deployments/promote.ts --from eu --commit SHA --base REF --organization ORG [--project meridian]
 *                              [--timeout-minutes 90] [--interval-seconds 30]
 *
 * Reads each stack's latest update with the Pulumi CLI (`pulumi stack history --json`), logged
 * in to the canary domain's Pulumi Cloud (run it on that domain's runner). Exit 0: promote
 * (the caller pushes the commit to the promotion branch); 1: a required update failed or
 * the wait timed out (nothing is promoted); 2: bad arguments.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { affectedStacks, changedFiles } from "../automation/affected";
import { loadFleet, type Fleet } from "../automation/fleet";
import { DOMAINS, type Domain } from "../components/residency/catalogue";

/** The latest update of a stack, as the gate needs it. */
export interface LatestUpdate {
  /** `succeeded`, `failed`, `in-progress`, … (Pulumi's UpdateInfo.result). */
  readonly result: string;
  /** The commit the update ran at (`environment["git.head"]`). */
  readonly commit?: string;
  /** When it started and finished (ms since the epoch; `startTime`/`endTime` in `stack history`), when known. */
  readonly startedAt?: number;
  readonly endedAt?: number;
}

export type Decision =
  | { readonly kind: "promote" }
  | { readonly kind: "wait"; readonly pending: readonly string[] }
  | { readonly kind: "fail"; readonly failed: readonly string[] };

/** The canary-domain stacks a set of changed files must see succeed before the next domain may deploy. */
export function requiredStacks(fleet: Fleet, from: Domain, files: readonly string[]): string[] {
  return affectedStacks(fleet, files)
    .stacks.filter((s) => s.domain === from)
    .map((s) => s.name);
}

/**
 * Pure: promote when every required stack's latest update succeeded at a commit that
 * contains the promoted one (`covers`) and started after the latest update of each of its
 * required upstreams had finished (otherwise the upstream's `update_succeeded` webhook has a re-run of it
 * still to come: a push that changes two upstreams deploys a dependent twice, and the US must
 * wait for the second); fail as soon as one failed there; otherwise wait.
 */
export function promotionDecision(
  required: readonly string[],
  latest: ReadonlyMap<string, LatestUpdate | undefined>,
  covers: (commit: string) => boolean,
  upstreamsOf: (stack: string) => readonly string[] = () => [],
): Decision {
  const ranBeforeAnUpstream = (stack: string, u: LatestUpdate): boolean =>
    upstreamsOf(stack).some((up) => {
      const v = latest.get(up);
      return required.includes(up) && v?.endedAt !== undefined && u.startedAt !== undefined && v.endedAt > u.startedAt;
    });
  const pending: string[] = [];
  const failed: string[] = [];
  for (const stack of required) {
    const u = latest.get(stack);
    if (u === undefined || u.commit === undefined || !covers(u.commit)) pending.push(stack);
    else if (u.result === "failed") failed.push(stack);
    else if (u.result !== "succeeded" || ranBeforeAnUpstream(stack, u)) pending.push(stack);
  }
  if (failed.length > 0) return { kind: "fail", failed };
  return pending.length > 0 ? { kind: "wait", pending } : { kind: "promote" };
}

// ---------------------------------------------------------------------------------------
// The CLI (not run offline: it needs the canary domain's Pulumi Cloud; see docs/deployments.md)

function latestUpdate(organization: string, project: string, stack: string): LatestUpdate | undefined {
  const out = execFileSync("pulumi", ["stack", "history", "--json", "--page-size", "1", "--stack", `${organization}/${project}/${stack}`], { encoding: "utf8" });
  const [u] = JSON.parse(out) as Array<{ result: string; startTime?: string; endTime?: string; environment?: Record<string, string> }>;
  if (u === undefined) return undefined;
  const time = (iso: string | undefined) => (iso !== undefined && Number.isFinite(Date.parse(iso)) ? Date.parse(iso) : undefined);
  const [startedAt, endedAt] = [time(u.startTime), time(u.endTime)];
  return { result: u.result, commit: u.environment?.["git.head"], ...(startedAt !== undefined ? { startedAt } : {}), ...(endedAt !== undefined ? { endedAt } : {}) };
}

function isAncestor(repo: string, commit: string, of: string): boolean {
  try {
    execFileSync("git", ["-C", repo, "merge-base", "--is-ancestor", commit, of], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || argv[i + 1] === undefined) throw new Error(`promote: expected --name value pairs, got "${argv[i]}"`);
    out[argv[i].slice(2)] = argv[i + 1];
  }
  for (const k of ["from", "commit", "base", "organization"]) if (out[k] === undefined) throw new Error(`promote: --${k} is required`);
  if (!(DOMAINS as readonly string[]).includes(out.from)) throw new Error(`promote: --from must be one of ${DOMAINS.join(", ")}, got "${out.from}"`);
  return out;
}

async function main(argv: string[]): Promise<number> {
  let a: Record<string, string>;
  try {
    a = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const repo = path.resolve(__dirname, "..");
  const fleet = loadFleet(path.join(repo, "stacks"));
  const required = requiredStacks(fleet, a.from as Domain, changedFiles(repo, a.base, a.commit).files);
  const deadline = Date.now() + Number(a["timeout-minutes"] ?? "90") * 60000;
  process.stdout.write(`promote: ${required.length} ${a.from} stack(s) must succeed at ${a.commit.slice(0, 12)}: ${required.join(", ") || "(none)"}\n`);
  for (;;) {
    const latest = new Map(required.map((s) => [s, latestUpdate(a.organization, a.project ?? "meridian", s)] as const));
    const d = promotionDecision(required, latest, (c) => isAncestor(repo, a.commit, c), (s) => fleet.stacks.get(s)?.dependsOn ?? []);
    if (d.kind === "promote") return 0;
    if (d.kind === "fail") {
      process.stderr.write(`promote: NOT promoting: ${d.failed.join(", ")} failed at ${a.commit.slice(0, 12)}\n`);
      return 1;
    }
    if (Date.now() > deadline) {
      process.stderr.write(`promote: NOT promoting: timed out waiting for ${d.pending.join(", ")}\n`);
      return 1;
    }
    process.stdout.write(`promote: waiting for ${d.pending.join(", ")}\n`);
    await new Promise((r) => setTimeout(r, Number(a["interval-seconds"] ?? "30") * 1000));
  }
}

if (require.main === module) void main(process.argv.slice(2)).then((c) => (process.exitCode = c));
