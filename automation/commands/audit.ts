/**
 * `fleet audit --stack S [--file export.json]`: the policy pack over what a stack has
 * already deployed — its state as `pulumi stack export` writes it — to find residency
 * drift (and any other mandatory violation) on resources that exist now, not only on
 * what the next preview would change.
 *
 * Without `--file` the state is read with `pulumi stack export` from the domain's backend
 * (the stack's control plane; secrets stay encrypted, so the pack treats them as unknown).
 * Exit codes: 0 clean, 1 a mandatory violation, 2 invalid input (one line naming the file).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { promisify } from "node:util";
import type { Command } from "commander";
import { commandDescription } from "./manifest";
import { evaluateStack } from "../../policy-pack/evaluate";
import { parseStackExport, stackOfExport, stateResources, StateFileError } from "../../policy-pack/state";
import { controlPlaneFor } from "../fleet/controlPlane";
import type { Fleet } from "../fleet";
import { stackPackConfig } from "../plan/policies";
import { writeSarif } from "../plan/sarif";
import { loadFleetOrReport } from "./fleetLoad";
import { DEFAULT_STACKS_DIR, REPO_ROOT, type Io } from "./paths";

export interface AuditOptions {
  stack: string;
  file?: string;
  stacksDir?: string;
  json?: boolean;
  sarif?: string;
  /** Image prefixes the domain's registries serve (the plan learns them from the foundation outputs). */
  registry?: string[];
}

export function registerAudit(program: Command): void {
  program
    .command("audit")
    .description(commandDescription("audit"))
    .requiredOption("--stack <stack>", "the stack to audit (a stack of the fleet)")
    .option("--file <export.json>", "a `pulumi stack export` file instead of reading the backend")
    .option("--stacks-dir <dir>", "directory of Pulumi.<stack>.yaml files", DEFAULT_STACKS_DIR)
    .option("--registry <prefix...>", "image prefixes of the stack's domain registries")
    .option("--json", "print exactly one JSON object on stdout")
    .option("--sarif <file>", "also write the violations as SARIF 2.1.0 to this file")
    .action(async (opts: AuditOptions) => {
      process.exitCode = await runAuditCommand(opts, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
    });
}

async function exportFromBackend(fleet: Fleet, stack: string): Promise<{ text: string; source: string }> {
  const spec = fleet.stacks.get(stack)!;
  const plane = controlPlaneFor(fleet.settings.controlPlane ?? {}, spec.domain, REPO_ROOT);
  const run = promisify(execFile);
  try {
    const { stdout } = await run("pulumi", ["stack", "export", "--stack", stack, "--non-interactive"], {
      cwd: REPO_ROOT,
      env: { ...process.env, PULUMI_BACKEND_URL: plane.backend },
      maxBuffer: 256 << 20,
    });
    return { text: stdout, source: `pulumi stack export --stack ${stack} (${plane.backend})` };
  } catch (e) {
    const err = e as { code?: string | number; stderr?: string; message: string };
    const why = err.code === "ENOENT" ? "the pulumi CLI is not installed; pass --file export.json" : (err.stderr || err.message).trim().split("\n")[0];
    throw new StateFileError(`pulumi stack export --stack ${stack}: ${why}`);
  }
}

export async function runAuditCommand(opts: AuditOptions, io: Io): Promise<number> {
  const fleet = loadFleetOrReport(opts.stacksDir ?? DEFAULT_STACKS_DIR, (e) => io.err(e));
  if (fleet === undefined) return 2;
  const spec = fleet.stacks.get(opts.stack);
  if (spec === undefined) {
    io.err(`fleet: --stack ${opts.stack}: no Pulumi.${opts.stack}.yaml in ${fleet.dir}\n`);
    return 2;
  }
  let resources;
  let source: string;
  try {
    let text: string;
    if (opts.file !== undefined) {
      if (!fs.existsSync(opts.file)) throw new StateFileError(`${opts.file}: no such file`);
      text = fs.readFileSync(opts.file, "utf8");
      source = opts.file;
    } else {
      ({ text, source } = await exportFromBackend(fleet, opts.stack));
    }
    const state = parseStackExport(text, source);
    const exported = stackOfExport(state);
    if (exported !== undefined && exported !== opts.stack) {
      throw new StateFileError(`${source}: deployment.resources[0].urn: the state is of stack "${exported}", not "${opts.stack}"`);
    }
    resources = stateResources(state);
  } catch (e) {
    if (e instanceof StateFileError) {
      io.err(`fleet: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  // --registry prefixes are treated like learned foundation outputs: one whose name proves
  // another domain's location is dropped, so the flag can only narrow, never widen.
  const learned = opts.registry ? { [spec.domain]: opts.registry } : {};
  const violations = evaluateStack(opts.stack, resources, stackPackConfig(fleet, opts.stack, learned), { phase: "update" });
  if (opts.sarif !== undefined) writeSarif(opts.sarif, fleet, violations);
  const mandatory = violations.filter((v) => v.level === "mandatory");
  const advisory = violations.filter((v) => v.level === "advisory");
  if (opts.json) {
    io.out(`${JSON.stringify({ stack: opts.stack, domain: spec.domain, source, resources: resources.length, violations })}\n`);
  } else {
    const lines = [`Audit of ${opts.stack} (${spec.domain}) from ${source}: ${resources.length} resources in state`];
    for (const v of [...mandatory, ...advisory]) lines.push(`  [${v.level}] ${v.policy} ${v.urn ? v.urn.slice(v.urn.lastIndexOf("::") + 2) : ""}: ${v.message}`);
    lines.push(`Audit: ${mandatory.length} mandatory and ${advisory.length} advisory violations.`, "");
    io.out(lines.join("\n"));
  }
  return mandatory.length > 0 ? 1 : 0;
}
