/**
 * `fleet promote IMAGE@DIGEST --from <registry|stack> --to <registry|stack> [--dry-run]`:
 * copy an image, its signatures and attestations, by digest, from one registry of a domain
 * to another registry of the same domain (e.g. from the EU AWS registry to the EU GCP one).
 * A copy across domains is refused before anything runs (exit 2, naming the argument): an
 * image, like data, stays in its domain.
 *
 * A registry is named by its image prefix (`<host>/<path>/`); its domain comes from the
 * location in its name (ECR `…dkr.ecr.<region>…`, Artifact Registry `<region>-docker.pkg.dev`)
 * or, for hosts whose name proves no location (ACR), from fleet.yaml `accounts.<domain>.registries`.
 * A stack names the registry of its foundation on its cloud; its prefix is read from that
 * foundation's outputs (`pulumi stack output registry`) against the domain's own backend.
 *
 * Runs `cosign copy` (image + signatures + attestations, same digest), then checks the
 * destination's digest with `crane digest`. `--dry-run` prints the steps and contacts nothing.
 * Exit codes: 0 copied (or planned), 1 a tool failed or the digest differs, 2 invalid input.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import type { Command } from "commander";
import { commandDescription } from "./manifest";
import { domainOfRegion, type Cloud, type Domain } from "../../components/residency/catalogue";
import { domainOfOwner } from "../fleet/accounts";
import type { Fleet } from "../fleet";
import { UsageError } from "../orchestrator";
import { resolveControlPlanes } from "./controlPlanes";
import { loadFleetOrReport } from "./fleetLoad";
import { DEFAULT_STACKS_DIR, type Io } from "./paths";

export interface PromoteOptions {
  from: string;
  to: string;
  dryRun?: boolean;
  stacksDir?: string;
}

/** Runs an external tool; injectable so tests can stand in for cosign, crane and pulumi. */
export type Runner = (cmd: string, args: readonly string[], env: NodeJS.ProcessEnv) => { status: number | null; stdout: string; stderr: string };

export const spawnRunner: Runner = (cmd, args, env) => {
  const r = spawnSync(cmd, args, { encoding: "utf8", env, maxBuffer: 16 * 1024 * 1024 });
  if (r.error) return { status: null, stdout: "", stderr: r.error.message };
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** `repo/path@sha256:<64 hex>`; a tag alone is refused (a tag can move, a digest cannot). */
const IMAGE_AT_DIGEST = /^([a-z0-9]+(?:[._/-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)@(sha256:[a-f0-9]{64})$/;
const REGISTRY_PREFIX = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9._-]+)*\/?$/;

/** Where one side of the copy is: its domain and either a known prefix or the foundation stack to read it from. */
export interface Endpoint {
  readonly flag: "--from" | "--to";
  readonly domain: Domain;
  readonly describe: string;
  readonly prefix?: string;
  readonly foundationStack?: string;
}

export function registerPromote(program: Command): void {
  program
    .command("promote")
    .description(commandDescription("promote"))
    .argument("<image>", "IMAGE@sha256:DIGEST: a repository path (relative to --from, or under its prefix) pinned by digest")
    .requiredOption("--from <registry|stack>", "source: a registry prefix (host/path/) or a stack whose foundation registry to use")
    .requiredOption("--to <registry|stack>", "destination: a registry prefix or a stack, of the same domain")
    .option("--dry-run", "print the copy steps; contact nothing", false)
    .option("--stacks-dir <dir>", "directory of Pulumi.<stack>.yaml files", DEFAULT_STACKS_DIR)
    .action((image: string, opts: PromoteOptions) => {
      process.exitCode = runPromoteCommand(image, opts, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }, spawnRunner, process.env);
    });
}

export function runPromoteCommand(image: string, opts: PromoteOptions, io: Io, run: Runner, env: NodeJS.ProcessEnv): number {
  const fleet = loadFleetOrReport(opts.stacksDir ?? DEFAULT_STACKS_DIR, (s) => io.err(s));
  if (fleet === undefined) return 2;
  let plan: PromotionPlan;
  try {
    plan = planPromotion(fleet, image, opts);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`fleet: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  io.out(`Promote ${plan.repository}@${plan.digest} within domain ${plan.domain}: ${plan.from.describe} → ${plan.to.describe}${opts.dryRun ? " (dry run)" : ""}\n`);
  if (opts.dryRun) {
    io.out(`  1. cosign copy ${srcRef(plan, plan.from.prefix ?? `<registry of ${plan.from.foundationStack}>/`)} ${dstRef(plan, plan.to.prefix ?? `<registry of ${plan.to.foundationStack}>/`)}\n`);
    io.out(`  2. crane digest ${dstRef(plan, plan.to.prefix ?? `<registry of ${plan.to.foundationStack}>/`)}@${plan.digest} must print ${plan.digest}\n`);
    return 0;
  }
  const stacksDir = path.resolve(opts.stacksDir ?? DEFAULT_STACKS_DIR);
  let from: string;
  let to: string;
  try {
    from = plan.from.prefix ?? readFoundationPrefix(fleet, plan.from, run, env, path.dirname(stacksDir), io);
    to = plan.to.prefix ?? readFoundationPrefix(fleet, plan.to, run, env, path.dirname(stacksDir), io);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ToolError) {
      io.err(`fleet: ${e.message}\n`);
      return e instanceof UsageError ? 2 : 1;
    }
    throw e;
  }
  if (from === to) {
    io.err(`fleet: --to: ${to} is the source registry; nothing to promote\n`);
    return 2;
  }
  try {
    io.out(`  copying ${srcRef(plan, from)} → ${dstRef(plan, to)} (image, signatures, attestations)\n`);
    tool(run, env, "cosign", ["copy", srcRef(plan, from), dstRef(plan, to)]);
    io.out(`  checking the digest at ${dstRef(plan, to)}\n`);
    const got = tool(run, env, "crane", ["digest", `${dstRef(plan, to)}@${plan.digest}`]).trim();
    if (got !== plan.digest) throw new ToolError(`crane digest: ${dstRef(plan, to)} has ${got || "no digest"}, expected ${plan.digest}`);
  } catch (e) {
    if (e instanceof ToolError) {
      io.err(`fleet: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  io.out(`Promoted ${plan.repository}@${plan.digest} to ${to}\n`);
  return 0;
}

export interface PromotionPlan {
  readonly domain: Domain;
  /** Repository path below the registry prefix. */
  readonly repository: string;
  readonly digest: string;
  readonly from: Endpoint;
  readonly to: Endpoint;
}

/** Validate the arguments and the domains; throws UsageError naming the argument. Contacts nothing. */
export function planPromotion(fleet: Fleet, image: string, opts: Pick<PromoteOptions, "from" | "to">): PromotionPlan {
  const from = resolveEndpoint(fleet, "--from", opts.from);
  const to = resolveEndpoint(fleet, "--to", opts.to);
  if (to.domain !== from.domain) {
    throw new UsageError(`--to: ${to.describe} is in domain ${to.domain}, --from ${from.describe} in domain ${from.domain}; an image is promoted only within its domain`);
  }
  const m = IMAGE_AT_DIGEST.exec(image.trim());
  if (m === null) {
    throw new UsageError(`IMAGE: "${image}" is not REPOSITORY@sha256:<64 hex digits>; promotion copies by digest only (a tag can move)`);
  }
  let repository = m[1];
  if (from.prefix !== undefined && repository.startsWith(from.prefix)) repository = repository.slice(from.prefix.length);
  else if (repository.includes(".") && repository.split("/")[0].includes(".")) {
    throw new UsageError(`IMAGE: "${image}" names registry ${repository.split("/")[0]}, not --from ${from.describe}; give the repository path relative to --from`);
  }
  if (from.prefix !== undefined && to.prefix !== undefined && from.prefix === to.prefix) {
    throw new UsageError(`--to: ${to.describe} is the source registry; nothing to promote`);
  }
  return { domain: from.domain, repository, digest: m[2], from, to };
}

function resolveEndpoint(fleet: Fleet, flag: "--from" | "--to", value: string): Endpoint {
  const v = value.trim();
  const stack = fleet.stacks.get(v);
  if (stack !== undefined) {
    const cloud: Cloud | undefined = stack.clouds.length === 1 ? stack.clouds[0] : undefined;
    if (cloud === undefined) throw new UsageError(`${flag}: stack ${v} (${stack.role}) has no single cloud, so no registry; name a foundation or cluster stack, or a registry`);
    const foundation =
      stack.role === "foundation" ? stack.name : [...fleet.stacks.values()].find((s) => s.role === "foundation" && s.domain === stack.domain && s.clouds[0] === cloud)?.name;
    if (foundation === undefined) throw new UsageError(`${flag}: no foundation stack on ${cloud} in domain ${stack.domain}, so stack ${v} has no registry`);
    return { flag, domain: stack.domain, describe: `stack ${v} (registry of ${foundation})`, foundationStack: foundation };
  }
  if (!REGISTRY_PREFIX.test(v) || !v.split("/")[0].includes(".")) {
    throw new UsageError(`${flag}: "${value}" is neither a stack of the fleet nor a registry prefix (host/path/)`);
  }
  const prefix = v.endsWith("/") ? v : `${v}/`;
  const domain = domainOfRegistry(fleet, prefix);
  if (domain === undefined) {
    throw new UsageError(`${flag}: the domain of registry ${prefix} cannot be derived from its name; declare its host under accounts.<domain>.registries in fleet.yaml`);
  }
  return { flag, domain, describe: `registry ${prefix}`, prefix };
}

/** The domain a registry prefix belongs to, from the location in its host or fleet.yaml `accounts`. */
export function domainOfRegistry(fleet: Fleet, prefix: string): Domain | undefined {
  const host = prefix.split("/")[0];
  const ecr = /^\d{12}\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(host);
  if (ecr) return domainOfRegion(fleet.settings.regions, "aws", ecr[1]);
  const ar = /^([a-z0-9-]+)-docker\.pkg\.dev$/.exec(host);
  if (ar) return domainOfRegion(fleet.settings.regions, "gcp", ar[1]);
  return domainOfOwner(fleet.settings.accounts, "registries", host);
}

class ToolError extends Error {}

function tool(run: Runner, env: NodeJS.ProcessEnv, cmd: string, args: readonly string[]): string {
  const r = run(cmd, args, env);
  if (r.status !== 0) {
    const why = (r.stderr || r.stdout).trim().split("\n").pop() ?? "";
    throw new ToolError(`${cmd} ${args[0]} failed${r.status === null ? " to start" : ` (exit ${r.status})`}${why ? `: ${why}` : ""}`);
  }
  return r.stdout;
}

/** A foundation's first image prefix, from its outputs in the domain's own backend. */
function readFoundationPrefix(fleet: Fleet, e: Endpoint, run: Runner, env: NodeJS.ProcessEnv, repoDir: string, io: Io): string {
  const planes = resolveControlPlanes(fleet, undefined, env, repoDir);
  io.out(`  reading the registry of ${e.foundationStack} from the ${e.domain} backend\n`);
  const out = tool(run, { ...env, PULUMI_BACKEND_URL: planes[e.domain].backend }, "pulumi", ["stack", "output", "registry", "--json", "--stack", e.foundationStack!, "--cwd", repoDir]);
  let prefixes: unknown;
  try {
    prefixes = (JSON.parse(out) as { imagePrefixes?: unknown }).imagePrefixes;
  } catch {
    throw new ToolError(`pulumi stack output registry --stack ${e.foundationStack}: not JSON`);
  }
  const first = Array.isArray(prefixes) ? prefixes[0] : undefined;
  // The stack proves the domain (it is the domain's foundation); a prefix whose own name says otherwise is refused.
  const named = typeof first === "string" ? domainOfRegistry(fleet, first) : undefined;
  if (typeof first !== "string" || (named !== undefined && named !== e.domain)) {
    throw new ToolError(`stack ${e.foundationStack} exports no registry prefix of domain ${e.domain} (registry.imagePrefixes[0] is ${JSON.stringify(first)})`);
  }
  return first;
}

const srcRef = (p: PromotionPlan, prefix: string) => `${prefix}${p.repository}@${p.digest}`;
const dstRef = (p: PromotionPlan, prefix: string) => `${prefix}${p.repository}`;
