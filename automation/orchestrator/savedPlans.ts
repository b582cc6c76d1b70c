/**
 * Saved update plans — "reviewed means executed". `fleet preview --save-plan` has the
 * engine save each stack's update plan (Pulumi's `preview --save-plan`) into the run folder;
 * `fleet up --plan <run>` applies exactly those plans (`up --plan`), and nothing else.
 *
 * Two checks stand between a reviewed preview and what `up --plan` executes:
 *
 * 1. **Ours, before anything runs**: a digest of each stack's inputs, taken when the preview
 *    started — the program's source files, the stack's `config:` map and fleet.yaml
 *    (`stackInputs`). If any of them differs at `up --plan`, the whole run is refused (exit 2)
 *    naming the stack and the input, before a single resource is touched. The plan file's
 *    own sha256 is checked too (a plan edited after the review is refused).
 * 2. **Pulumi's, while it runs**: the engine applies the plan with `pulumi up --plan`, which
 *    fails a resource whose operation or inputs depart from the plan ("violates plan"). It
 *    sees what our digest cannot (a value the program reads from a cloud, a file outside the
 *    program, the environment), but only resource by resource: resources before the first
 *    violation are already applied. The mock engine writes its own plan file and does the
 *    same per-resource check against the mock cloud.
 *
 * Layout: `<run>/<domain>/plans/<stack>.plan.json` (the engine's plan: it holds resource
 * inputs, with secrets encrypted by the stack's secrets provider for the real CLI) and
 * `<run>/<domain>/plans/saved-plans.json` (the manifest: stack → plan file sha256 and input
 * digests). The manifest — hashes and names only — is also copied into the domain's evidence
 * bundle; an `up --plan` writes `applied-plans.json` there (which run's plans, their hashes).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { Fleet } from "../fleet/load";
import type { Engine, OperationOptions, OperationResult, StackOutputs } from "../engine/types";
import { domainRunDir, evidenceDir, REPORT_FILE, safeSegment } from "./layout";
import { nodeFiles, writeAtomic } from "./files";
import type { RunRecord } from "./record";
import { UsageError } from "./select";

export const SAVED_PLANS_FILE = "saved-plans.json";
export const APPLIED_PLANS_FILE = "applied-plans.json";

/** `<run>/<domain>/plans`: the engine's plan files and their manifest. */
export function plansDir(runDir: string, domain: string): string {
  return path.join(domainRunDir(runDir, domain), "plans");
}

/** `<run>/<domain>/plans/<stack>.plan.json`. */
export function planFile(runDir: string, domain: string, stack: string): string {
  return path.join(plansDir(runDir, domain), `${safeSegment(stack, "stack name")}.plan.json`);
}

// ---------------------------------------------------------------------------------------
// Input digests

/** sha256 of each input a stack's plan was computed from (hex). */
export interface StackInputs {
  /** The program's source files (see `programFiles`). */
  readonly program: string;
  /** The stack file's `config:` map, keys sorted (the secrets provider's envelope is left out: the CLI writes it on `stack init`). */
  readonly config: string;
  /** fleet.yaml's bytes (settings every stack's program reads). */
  readonly fleet: string;
}

const INPUT_NAMES: Readonly<Record<keyof StackInputs, string>> = {
  program: "the program (its source files)",
  config: "the stack's config",
  fleet: "fleet.yaml",
};

function sha256(data: string | Buffer): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

/** JSON with object keys sorted at every level, so equal values always hash alike. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** Where the program's code lives, relative to the project: the `main` file's folder, the components, the stack roles and the config loader they import. */
const PROGRAM_ROOTS = ["components", "stacks", "automation/fleet"];
/** Project files that decide what runs: the runtime options and the dependency versions. */
const PROJECT_FILES = ["Pulumi.yaml", "package.json", "package-lock.json"];

/** Stack and fleet config files: digested as `config`/`fleet`, not as program. */
function isConfigFile(name: string): boolean {
  return /^Pulumi\.[^/]+\.ya?ml$/.test(name) || name === "fleet.yaml";
}

/**
 * The program's files, sorted, relative to the project directory: the project files, and
 * every file under the program roots and the `main` file's folder (symlinks followed; no
 * dot-files, node_modules or stack config files).
 */
export function programFiles(projectDir: string): string[] {
  const roots = new Set(PROGRAM_ROOTS);
  const projectFile = path.join(projectDir, "Pulumi.yaml");
  if (fs.existsSync(projectFile)) {
    const main = (parseYaml(fs.readFileSync(projectFile, "utf8")) as { main?: unknown } | null)?.main;
    if (typeof main === "string" && main.length > 0) {
      // The main file's folder (the whole program when it is a folder of its own); a main file at the project root alone.
      const dir = path.dirname(path.normalize(main));
      roots.add(dir === "." ? path.normalize(main) : dir);
    }
  }
  const out = new Set<string>(PROJECT_FILES.filter((f) => fs.existsSync(path.join(projectDir, f))));
  const walk = (rel: string): void => {
    const abs = path.join(projectDir, rel);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch {
      return; // a root this project does not have
    }
    if (stat.isFile()) {
      if (!isConfigFile(path.basename(rel))) out.add(rel);
      return;
    }
    if (!stat.isDirectory()) return;
    for (const name of fs.readdirSync(abs)) {
      if (name.startsWith(".") || name === "node_modules") continue;
      walk(path.join(rel, name));
    }
  };
  for (const r of roots) if (!r.startsWith("..") && !path.isAbsolute(r)) walk(r);
  return [...out].sort();
}

/** One digest over every program file's path and bytes. */
export function programDigest(projectDir: string): string {
  const h = crypto.createHash("sha256");
  for (const f of programFiles(projectDir)) h.update(`${f}\0${sha256(fs.readFileSync(path.join(projectDir, f)))}\n`);
  return h.digest("hex");
}

function configDigest(file: string): string {
  const doc = parseYaml(fs.readFileSync(file, "utf8")) as { config?: unknown } | null;
  return sha256(canonicalJson(doc?.config ?? {}));
}

function fleetFileDigest(fleet: Fleet): string {
  const file = path.join(fleet.dir, "fleet.yaml");
  return fs.existsSync(file) ? sha256(fs.readFileSync(file)) : sha256("");
}

/** The input digests of the given stacks (the program digest is computed once). */
export function stackInputs(fleet: Fleet, projectDir: string, stacks: readonly string[]): Map<string, StackInputs> {
  const program = programDigest(projectDir);
  const fleetDigest = fleetFileDigest(fleet);
  return new Map(stacks.map((name) => [name, { program, config: configDigest(fleet.stacks.get(name)!.file), fleet: fleetDigest }]));
}

// ---------------------------------------------------------------------------------------
// The manifest

const sha = z.string().regex(/^[0-9a-f]{64}$/);
const manifestSchema = z
  .object({
    schema: z.literal(1),
    kind: z.literal("meridian-saved-plans"),
    runId: z.string(),
    domain: z.string(),
    engine: z.string(),
    stacks: z.record(
      z.string(),
      z.object({ plan: z.string(), planSha256: sha, inputs: z.object({ program: sha, config: sha, fleet: sha }).strict() }).strict(),
    ),
  })
  .strict();

export type SavedPlansManifest = z.infer<typeof manifestSchema>;

/** Largest manifest read back: a few hundred bytes per stack. */
const MAX_MANIFEST_BYTES = 4 << 20;

/**
 * After a `preview --save-plan` run: for every stack whose preview succeeded and left a
 * plan file, the manifest (in the plans folder and the domain's evidence) and a report
 * section. Returns the stacks that have a saved plan.
 */
export function writeSavedPlans(runDir: string, record: RunRecord, engine: string, inputs: ReadonlyMap<string, StackInputs>): string[] {
  const saved: string[] = [];
  for (const domain of record.options.domains) {
    const stacks: SavedPlansManifest["stacks"] = {};
    for (const s of Object.values(record.stacks)) {
      if (s.domain !== domain || s.status !== "succeeded" || s.carriedOver) continue;
      const file = planFile(runDir, domain, s.name);
      const digest = inputs.get(s.name);
      if (!fs.existsSync(file) || digest === undefined) continue;
      stacks[s.name] = { plan: path.basename(file), planSha256: sha256(fs.readFileSync(file)), inputs: digest };
      saved.push(s.name);
    }
    const manifest: SavedPlansManifest = { schema: 1, kind: "meridian-saved-plans", runId: record.runId, domain, engine, stacks };
    const text = JSON.stringify(manifest, null, 2) + "\n";
    fs.mkdirSync(plansDir(runDir, domain), { recursive: true });
    writeAtomic(nodeFiles, path.join(plansDir(runDir, domain), SAVED_PLANS_FILE), text);
    fs.mkdirSync(evidenceDir(runDir, domain), { recursive: true });
    fs.writeFileSync(path.join(evidenceDir(runDir, domain), SAVED_PLANS_FILE), text);
    const names = Object.keys(stacks);
    const missing = Object.values(record.stacks).filter((s) => s.domain === domain && stacks[s.name] === undefined).map((s) => s.name);
    appendReport(
      runDir,
      domain,
      `## Saved plans\n\n${names.length} update plan(s) saved for \`npm run fleet -- up --plan ${record.runId}\`: ${names.join(", ") || "none"}.` +
        (missing.length > 0 ? ` No plan for ${missing.join(", ")} (its preview did not succeed).` : "") +
        `\nEach is applied only while the program, the stack's config and fleet.yaml are unchanged (digests in ${SAVED_PLANS_FILE}).\n`,
    );
  }
  return saved;
}

function appendReport(runDir: string, domain: string, section: string): void {
  const report = path.join(domainRunDir(runDir, domain), REPORT_FILE);
  if (fs.existsSync(report)) fs.appendFileSync(report, `\n${section}`);
}

/** One stack's saved plan, checked and ready for `up --plan`. */
export interface SavedPlan {
  readonly stack: string;
  readonly domain: string;
  readonly file: string;
  readonly planSha256: string;
  readonly inputs: StackInputs;
}

/** The saved plans of a preview run, read from its folder (untrusted input: validated). */
export function readSavedPlans(fleet: Fleet, runDir: string, record: RunRecord): { plans: Map<string, SavedPlan>; engine: string } {
  const shown = (f: string): string => path.relative(process.cwd(), f) || f;
  if (record.command !== "preview") throw new UsageError(`--plan: run ${record.runId} was a "${record.command}" run; name a \`preview --save-plan\` run`);
  const out = new Map<string, SavedPlan>();
  let engine: string | undefined;
  for (const domain of record.options.domains) {
    const file = path.join(plansDir(runDir, domain), SAVED_PLANS_FILE);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(file);
    } catch {
      throw new UsageError(`--plan: run ${record.runId} saved no plans for domain ${domain} (no ${shown(file)}); run \`fleet preview --save-plan\``);
    }
    if (!stat.isFile() || stat.size > MAX_MANIFEST_BYTES) throw new UsageError(`${shown(file)}: not a saved-plans manifest`);
    let manifest: SavedPlansManifest;
    try {
      manifest = manifestSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
    } catch (e) {
      const issue = e instanceof z.ZodError ? e.issues[0] : undefined;
      throw new UsageError(`${shown(file)}: ${issue ? `field ${issue.path.join(".") || "(root)"}: ${issue.message}` : "not valid JSON"}`);
    }
    if (manifest.runId !== record.runId || manifest.domain !== domain) throw new UsageError(`${shown(file)}: field runId or domain: not this run's (${record.runId}, ${domain})`);
    if (engine !== undefined && manifest.engine !== engine) throw new UsageError(`${shown(file)}: field engine: ${manifest.engine}, where another domain's says ${engine}`);
    engine = manifest.engine;
    for (const [stack, entry] of Object.entries(manifest.stacks)) {
      if (fleet.stacks.get(stack)?.domain !== domain) throw new UsageError(`${shown(file)}: field stacks: ${stack} is not a stack of domain ${domain} in this fleet`);
      const plan = planFile(runDir, domain, stack);
      if (entry.plan !== path.basename(plan)) throw new UsageError(`${shown(file)}: field stacks.${stack}.plan: must be ${path.basename(plan)}`);
      out.set(stack, { stack, domain, file: plan, planSha256: entry.planSha256, inputs: entry.inputs });
    }
  }
  return { plans: out, engine: engine ?? "" };
}

/**
 * Why the saved plans cannot be applied to `stacks` as they are now, one line per stack
 * (empty when they can): a stack without a plan, a plan file changed since it was saved,
 * or an input (program, config, fleet.yaml) whose digest differs.
 */
export function planProblems(plans: ReadonlyMap<string, SavedPlan>, now: ReadonlyMap<string, StackInputs>, stacks: readonly string[], runId: string): string[] {
  const problems: string[] = [];
  for (const stack of stacks) {
    const plan = plans.get(stack);
    if (plan === undefined) {
      problems.push(`${stack}: run ${runId} has no saved plan for it (it was not selected, or its preview did not succeed)`);
      continue;
    }
    if (!fs.existsSync(plan.file) || sha256(fs.readFileSync(plan.file)) !== plan.planSha256) {
      problems.push(`${stack}: its plan file ${path.relative(process.cwd(), plan.file) || plan.file} changed since the preview saved it (sha256 differs)`);
      continue;
    }
    const current = now.get(stack)!;
    const changed = (Object.keys(INPUT_NAMES) as (keyof StackInputs)[]).filter((k) => current[k] !== plan.inputs[k]);
    if (changed.length > 0) problems.push(`${stack}: ${changed.map((k) => INPUT_NAMES[k]).join(", ")} changed since preview run ${runId}; preview again with --save-plan`);
  }
  return problems;
}

/** After an `up --plan` run: which plans were applied (evidence `applied-plans.json`) and a report section. */
export function writeAppliedPlans(runDir: string, record: RunRecord, from: string, plans: ReadonlyMap<string, SavedPlan>): void {
  for (const domain of record.options.domains) {
    const stacks = Object.fromEntries(
      Object.values(record.stacks)
        .filter((s) => s.domain === domain && plans.has(s.name))
        .map((s) => [s.name, { planSha256: plans.get(s.name)!.planSha256, inputs: plans.get(s.name)!.inputs, status: s.status }]),
    );
    const doc = { schema: 1, kind: "meridian-applied-plans", runId: record.runId, planRun: from, domain, stacks };
    fs.mkdirSync(evidenceDir(runDir, domain), { recursive: true });
    fs.writeFileSync(path.join(evidenceDir(runDir, domain), APPLIED_PLANS_FILE), JSON.stringify(doc, null, 2) + "\n");
    appendReport(
      runDir,
      domain,
      `## Saved plans\n\nApplied the update plans of preview run ${from} (${Object.keys(stacks).length} stack(s)): inputs checked unchanged before the run, each update constrained by Pulumi's plan check (details in evidence/${APPLIED_PLANS_FILE}).\n`,
    );
  }
}

// ---------------------------------------------------------------------------------------
// The engine, with plans

/**
 * An engine whose previews save a plan per stack, or whose ups apply one: every other call
 * goes through unchanged. `savePlanTo(stack)` / `planOf(stack)` give the file.
 */
export function withPlans(engine: Engine, plans: { savePlanTo?: (stack: string) => string; planOf?: (stack: string) => string }): Engine {
  const extra = (op: "preview" | "up", stack: string): Partial<OperationOptions> => {
    if (op === "preview" && plans.savePlanTo !== undefined) {
      const file = plans.savePlanTo(stack);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      return { savePlan: file };
    }
    if (op === "up" && plans.planOf !== undefined) return { plan: plans.planOf(stack) };
    return {};
  };
  return {
    get kind() {
      return engine.kind;
    },
    get deploysRealStacks() {
      return engine.deploysRealStacks;
    },
    preview: (stack: string, opts: OperationOptions): Promise<OperationResult> => engine.preview(stack, { ...opts, ...extra("preview", stack) }),
    up: (stack: string, opts: OperationOptions): Promise<OperationResult> => engine.up(stack, { ...opts, ...extra("up", stack) }),
    refresh: (stack: string, opts: OperationOptions): Promise<OperationResult> => engine.refresh(stack, opts),
    destroy: (stack: string, opts: OperationOptions): Promise<OperationResult> => engine.destroy(stack, opts),
    outputs: (stack: string): Promise<StackOutputs> => engine.outputs(stack),
    cancel: (stack: string): Promise<void> => engine.cancel(stack),
  };
}
