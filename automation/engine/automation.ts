/**
 * The Engine on the Pulumi Automation API: a LocalWorkspace on the project directory
 * (its `Pulumi.yaml` says `stackConfigDir: stacks`), stacks selected by name, the real
 * CLI doing the work.
 *
 * - CLI: `<pulumiRoot>/bin/pulumi` when it exists (`PulumiCommand.get({ root })`, e.g. the
 *   repo's `.tools`), else `pulumi` on PATH.
 * - Control plane per domain: every stack runs in a workspace of its own domain — that
 *   domain's `PULUMI_BACKEND_URL`, its secrets provider (`stack init --secrets-provider` when
 *   the stack is created, so the stack file carries it) and only its own passphrase/token;
 *   every other domain's variables are removed from the CLI's environment (see ./domainEnv.ts).
 *   The passphrase reaches the CLI process only; it is in no option we store, record or log.
 * - A stack file whose `secretsprovider`/`encryptionsalt` says another provider than its
 *   domain's is refused before the CLI runs (the CLI would silently use the file's).
 * - A StackReference to another domain's stack cannot resolve (that stack is not in this
 *   domain's backend): the CLI's `unknown stack` error is explained as such.
 * - Policy: on every preview and up, `--policy-pack <dir>`; the stack's policy config
 *   (see `policyConfigFor`) is written to `<policyConfigDir(domain)>/<stack>.json` and named by
 *   `MERIDIAN_POLICY_CONFIG` in the CLI's environment, which the pack reads as the base of
 *   every policy's config; the same config in the engine's format (`<stack>.engine.json`,
 *   per-policy `enforcementLevel`) is passed as `--policy-pack-config`, so enforcement
 *   levels apply too (both files from `stackPackConfig`, automation/plan/policies.ts).
 * - Cancel: aborts the operation's AbortSignal, which makes the Automation API send SIGINT
 *   to the CLI; the CLI then stops gracefully and releases the stack's lock. (`Stack.cancel()`
 *   is not used: it force-cancels an update on the service backend and is documented as
 *   possibly leaving the stack inconsistent.)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import {
  ConcurrentUpdateError,
  LocalWorkspace,
  PulumiCommand,
  Stack,
  StackNotFoundError,
  type EngineEvent as PulumiEngineEvent,
  type LocalWorkspaceOptions,
  type OpMap,
} from "@pulumi/pulumi/automation";
import type { Fleet } from "../fleet/load";
import { withDependencies } from "../fleet/graph";
import { stackSecretsProviderProblem } from "../fleet/controlPlane";
import { stackPackConfig, writeStackPackConfig } from "../plan/policies";
import type { Domain } from "../../components/residency";
import { domainEnv, type ControlPlanes } from "./domainEnv";
import type { PackConfig } from "../../policy-pack/evaluate";
import {
  NO_CHANGES,
  OperationCancelledError,
  OperationDispatch,
  StackLockedError,
  type ChangeSummary,
  type DriftedResource,
  type Engine,
  type EngineEvent,
  type Operation,
  type OperationOptions,
  type OperationResult,
  type StackOutputs,
} from "./types";

export interface AutomationEngineOptions {
  /** (Required) The project directory (holds Pulumi.yaml). */
  readonly projectDir: string;
  /** (Required) Each domain's control plane (backend, secrets provider), resolved by the CLI. */
  readonly controlPlanes: ControlPlanes;
  /** (Optional) The environment the CLI inherits, read for each domain's own passphrase/token. Defaults to `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** (Optional) Policy pack directory, absolute; none when undefined. */
  readonly policyPack?: string;
  /**
   * (Required when `policyPack` is set) Where the per-stack policy config files are written:
   * one folder per domain (the orchestrator gives `<run>/<domain>/policy-config`), so a
   * domain's part of the run holds only its own stacks' configs.
   */
  readonly policyConfigDir: (domain: Domain) => string;
  readonly fleet: Fleet;
  /** (Optional) A CLI installation root; used when `<root>/bin/pulumi` exists. Defaults to `<projectDir>/.tools`. */
  readonly pulumiRoot?: string;
  /** (Optional) A ready PulumiCommand (tests); skips looking one up. */
  readonly pulumiCommand?: PulumiCommand;
}

/** Make sure a `file://` backend folder exists (the CLI does not create it). */
export function ensureFileBackend(url: string): void {
  if (!url.startsWith("file://")) return;
  const dir = url.slice("file://".length).replace(/^~(?=\/)/, process.env.HOME ?? "~");
  if (dir.length > 0) fs.mkdirSync(dir, { recursive: true });
}

/**
 * The policy pack's config for one stack — the same derivation the offline plan uses
 * (`stackPackConfig`): domain, every stack's domain, allowlists, fleet.yaml `policy:`, the
 * baseline's documented namespace exceptions, and the domain's registries (declared ones
 * plus those `registries` learned from deployed foundation stacks).
 */
export function policyConfigFor(fleet: Fleet, stack: string, registries: Partial<Record<Domain, string[]>> = {}): PackConfig {
  if (!fleet.stacks.has(stack)) throw new Error(`"${stack}" is not a stack of the fleet`);
  return stackPackConfig(fleet, stack, registries);
}

/** The domain of a stack of the fleet. */
export function domainOfStack(fleet: Fleet, stack: string): Domain {
  const spec = fleet.stacks.get(stack);
  if (spec === undefined) throw new Error(`"${stack}" is not a stack of the fleet`);
  return spec.domain;
}

/**
 * LocalWorkspace options for one stack (pure; no CLI needed): the project dir, the stack's
 * domain's environment (backend, own passphrase, other domains' variables removed) and
 * secrets provider. Built when the workspace is made and handed to it only.
 */
export function workspaceOptions(opts: AutomationEngineOptions, stack: string, pulumiCommand: PulumiCommand | undefined, policyConfigFile?: string): LocalWorkspaceOptions {
  const domain = domainOfStack(opts.fleet, stack);
  const env = domainEnv(domain, opts.controlPlanes, opts.env ?? process.env);
  if (policyConfigFile !== undefined) env.MERIDIAN_POLICY_CONFIG = policyConfigFile;
  // `undefined` entries remove a variable from the CLI's environment (see ./domainEnv.ts); the SDK's type says string only.
  const envVars = env as Record<string, string>;
  return { workDir: opts.projectDir, pulumiCommand, envVars, secretsProvider: opts.controlPlanes[domain].secretsProvider };
}

/**
 * Why a stack's config file cannot be used with its domain's secrets provider, if it cannot:
 * the CLI uses the provider the file names (`secretsprovider`, or `encryptionsalt` for a
 * passphrase) over the one asked for, so a file set up for another provider would encrypt
 * this domain's secrets with it.
 */
export function stackFileSecretsProblem(file: string, secretsProvider: string): string | undefined {
  if (!fs.existsSync(file)) return undefined;
  let doc: { secretsprovider?: unknown; encryptionsalt?: unknown } | null;
  try {
    doc = parseYaml(fs.readFileSync(file, "utf8")) as typeof doc;
  } catch {
    return undefined; // the fleet loader reports unreadable stack files itself
  }
  if (doc === null || typeof doc !== "object") return undefined;
  const problem = stackSecretsProviderProblem(doc, secretsProvider, `"${secretsProvider}", the stack's domain's provider`, path.dirname(file));
  return problem === undefined ? undefined : `${file}: ${problem.key} ${problem.message}`;
}

/** The CLI's `unknown stack "…/<name>"` for a StackReference to another domain's stack, explained. */
export function explainForeignReference(fleet: Fleet, stack: string, text: string, backend: string): string | undefined {
  const m = /unknown stack "(?:[^"/]*\/)*([^"/]+)"/.exec(text);
  if (m === null) return undefined;
  const referenced = fleet.stacks.get(m[1]);
  const domain = domainOfStack(fleet, stack);
  if (referenced === undefined || referenced.domain === domain) return undefined;
  return `${stack}: references stack ${m[1]} of domain ${referenced.domain}, which is not in domain ${domain}'s backend (${backend}): a stack can only read stacks of its own domain`;
}

/**
 * The policy packs a summary event says ran, name → version. The 3.248 CLI writes them under
 * `PolicyPacks` (PascalCase: apitype.SummaryEvent has the JSON tag `"PolicyPacks"`), not the
 * SDK-typed `policyPacks`, and names a local pack `<name>|local|<path>` (engine
 * `LocalPolicyPack.NameForEvents`), with the version the pack itself reported when loaded.
 * Both spellings are read; a `|local|` key is reduced to the pack's name.
 */
export function policyPacksFromSummary(summary: object | undefined): Record<string, string> | undefined {
  if (summary === undefined) return undefined;
  const raw = (summary as { PolicyPacks?: Record<string, string> }).PolicyPacks ?? (summary as { policyPacks?: Record<string, string> }).policyPacks;
  if (raw === undefined || raw === null) return undefined;
  return Object.fromEntries(Object.entries(raw).map(([key, version]) => [key.split("|")[0], version]));
}

export function changesFromOpMap(map: OpMap | undefined): ChangeSummary {
  if (map === undefined) return NO_CHANGES;
  return {
    create: (map.create ?? 0) + (map.import ?? 0),
    update: map.update ?? 0,
    delete: map.delete ?? 0,
    replace: map.replace ?? 0,
    same: map.same ?? 0,
  };
}

/** Top-level keys whose values differ between two property maps (by their JSON form). */
export function differingKeys(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): string[] {
  const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  return [...keys].filter((k) => JSON.stringify(a?.[k]) !== JSON.stringify(b?.[k])).sort();
}

/**
 * The drift a preview-only refresh reports, from its step events: a step whose op is not
 * `same` on a resource whose state the clouds contradict — the properties the engine's diff
 * names (`diffs`, top-level), else those whose recorded outputs differ from what was read;
 * a resource read back as absent is `deleted`. Names only, never values (secrets).
 */
export class DriftCollector {
  private readonly found = new Map<string, DriftedResource>();

  observe(e: PulumiEngineEvent): void {
    const m = e.resOutputsEvent?.metadata ?? e.resourcePreEvent?.metadata;
    if (m === undefined || m.op === "same" || m.old?.custom === false || m.type.startsWith("pulumi:")) return;
    const deleted = m.op === "delete" || (m.old !== undefined && m.new === undefined);
    const fromDiff = [...new Set((m.diffs ?? []).map((d) => d.split(/[.[]/)[0]))].sort();
    const properties = deleted ? [] : fromDiff.length > 0 ? fromDiff : differingKeys(m.old?.outputs, m.new?.outputs);
    if (!deleted && properties.length === 0) return;
    const prev = this.found.get(m.urn);
    const merged = prev === undefined ? properties : [...new Set([...prev.properties, ...properties])].sort();
    this.found.set(m.urn, { urn: m.urn, resourceType: m.type, kind: deleted || prev?.kind === "deleted" ? "deleted" : "changed", properties: merged });
  }

  resources(): DriftedResource[] {
    return [...this.found.values()].sort((a, b) => a.urn.localeCompare(b.urn));
  }
}

/** Engine events of the Automation API → ours. Stdout events are skipped: `onOutput` carries the same text. */
export function mapEngineEvent(e: PulumiEngineEvent): EngineEvent[] {
  if (e.policyEvent !== undefined) {
    const p = e.policyEvent;
    const level = p.enforcementLevel as string;
    if (level === "disabled") return [];
    return [
      {
        type: "policy-violation",
        violation: {
          policyPack: p.policyPackName,
          policyPackVersion: p.policyPackVersion,
          policy: p.policyName,
          enforcement: level === "mandatory" ? "mandatory" : "advisory",
          message: p.message,
          urn: p.resourceUrn,
        },
      },
    ];
  }
  if (e.resourcePreEvent !== undefined && !e.resourcePreEvent.planning) {
    const m = e.resourcePreEvent.metadata;
    return [{ type: "resource", op: m.op, urn: m.urn, resourceType: m.type, phase: "started" }];
  }
  if (e.resOutputsEvent !== undefined) {
    const m = e.resOutputsEvent.metadata;
    return [{ type: "resource", op: m.op, urn: m.urn, resourceType: m.type, phase: "done" }];
  }
  if (e.resOpFailedEvent !== undefined) {
    const m = e.resOpFailedEvent.metadata;
    return [{ type: "resource", op: m.op, urn: m.urn, resourceType: m.type, phase: "failed" }];
  }
  if (e.diagnosticEvent !== undefined && !e.diagnosticEvent.ephemeral) {
    const d = e.diagnosticEvent;
    const severity = d.severity === "error" ? "error" : d.severity === "warning" ? "warning" : "info";
    return [{ type: "diagnostic", severity, message: d.message.trimEnd(), urn: d.urn }];
  }
  return [];
}

/**
 * The useful part of a CommandError's text: the CLI's `error:` lines when there are any
 * (the CLI's progress display also lands in the text), else the last lines of stderr —
 * without the `code:/stdout:` envelope or the command line.
 */
export function commandErrorText(e: Error): string {
  const m = /\n stderr: ([\s\S]*?)\n err\?: /.exec(e.message);
  const stderr = (m?.[1] ?? e.message).trim();
  const lines = stderr.split("\n").filter((l) => l.trim().length > 0 && !/^Command failed with exit code/.test(l));
  const errors = [...new Set(lines.map((l) => l.trim()).filter((l) => /^error:/.test(l)))];
  if (errors.length > 0) {
    // Keep the lines that follow the first error (its detail), up to a few.
    const first = lines.findIndex((l) => l.trim() === errors[0]);
    const detail = lines.slice(first + 1, first + 4).map((l) => l.trim()).filter((l) => !/^(error:|Resources:|Policies:|Diagnostics:|[+~-] |@ )/.test(l));
    return [errors[0], ...detail, ...errors.slice(1, 5)].join("\n");
  }
  return lines.slice(-15).join("\n");
}

/** Map an Automation API error to the engine contract's errors. */
export function classifyError(stack: string, e: unknown, aborted: boolean): Error {
  if (aborted) return new OperationCancelledError(stack);
  if (e instanceof ConcurrentUpdateError) return new StackLockedError(stack, commandErrorText(e).split("\n").pop() ?? "");
  if (e instanceof Error) {
    const err = new Error(`${stack}: ${commandErrorText(e)}`);
    err.name = e.name;
    return err;
  }
  return new Error(`${stack}: ${String(e)}`);
}

/** Find the CLI: `<root>/bin/pulumi` when present, else PATH. */
export async function findPulumiCommand(root: string | undefined): Promise<PulumiCommand> {
  if (root !== undefined && fs.existsSync(path.join(root, "bin", "pulumi"))) {
    // A CLI built from source may report a development version; the SDK's minimum check would refuse it.
    return PulumiCommand.get({ root, skipVersionCheck: true });
  }
  return PulumiCommand.get({ skipVersionCheck: true });
}

/**
 * The stack an operation runs on: created when missing for preview/up, selected otherwise.
 * Destroying a stack the backend never had is a no-op (undefined), reported as output.
 */
export async function openForOperation(op: Operation, what: string, open: (create: boolean) => Promise<Stack>, opts: OperationOptions): Promise<Stack | undefined> {
  try {
    return await open(op === "preview" || op === "up");
  } catch (e) {
    if (op === "destroy" && e instanceof StackNotFoundError) {
      opts.onEvent({ type: "output", text: `stack ${what} does not exist in its domain's backend: nothing to destroy` });
      return undefined;
    }
    throw e;
  }
}

/**
 * One operation on a stack with the engine contract's callbacks: CLI text and engine events
 * mapped to ours, the policy packs the summary reports collected, the change summary read.
 * Shared by the local and the remote engine (a remote workspace's Stack adds `--remote`).
 */
export async function runOnStack(stack: Stack, op: Operation, opts: OperationOptions, signal: AbortSignal, policy: { policyPacks: string[]; policyPackConfigs?: string[] } = { policyPacks: [] }): Promise<OperationResult> {
  let policyPacks: Record<string, string> | undefined;
  const common = {
    color: "never" as const,
    signal,
    onOutput: (text: string) => opts.onEvent({ type: "output", text }),
    onError: (text: string) => opts.onEvent({ type: "output", text }),
    onEvent: (e: PulumiEngineEvent) => {
      const ran = policyPacksFromSummary(e.summaryEvent);
      if (ran !== undefined) policyPacks = ran;
      for (const mapped of mapEngineEvent(e)) opts.onEvent(mapped);
    },
  };
  switch (op) {
    case "preview":
      // `plan` here is `pulumi preview --save-plan <file>` (Pulumi update plans; no PULUMI_EXPERIMENTAL needed in 3.248).
      return { changes: changesFromOpMap((await stack.preview({ ...common, ...policy, ...(opts.savePlan !== undefined ? { plan: opts.savePlan } : {}) })).changeSummary), policyPacks };
    case "up":
      // `plan` here is `pulumi up --plan <file>`: the engine fails any resource whose operation or inputs depart from it.
      return { changes: changesFromOpMap((await stack.up({ ...common, ...policy, ...(opts.plan !== undefined ? { plan: opts.plan } : {}) })).summary.resourceChanges), policyPacks };
    case "refresh": {
      if (opts.previewOnly !== true) return { changes: changesFromOpMap((await stack.refresh(common)).summary.resourceChanges), policyPacks };
      // `pulumi refresh --preview-only` (Stack.previewRefresh): reads the clouds, writes no state.
      const drift = new DriftCollector();
      const result = await stack.previewRefresh({ ...common, onEvent: (e: PulumiEngineEvent) => (drift.observe(e), common.onEvent(e)) });
      return { changes: changesFromOpMap(result.changeSummary), policyPacks, drift: drift.resources() };
    }
    case "destroy":
      return { changes: changesFromOpMap((await stack.destroy(common)).summary.resourceChanges), policyPacks };
    default:
      throw new Error(`unknown operation ${String(op)}`);
  }
}

export class AutomationEngine extends OperationDispatch implements Engine {
  readonly kind = "automation-api";
  readonly deploysRealStacks = true;
  private readonly controllers = new Map<string, AbortController>();
  /** Stack selection runs `pulumi stack select`, which writes workspace state: one at a time. */
  private selecting: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly opts: AutomationEngineOptions,
    private readonly pulumiCommand: PulumiCommand,
  ) {
    super();
  }

  static async create(opts: AutomationEngineOptions): Promise<AutomationEngine> {
    const cmd = opts.pulumiCommand ?? (await findPulumiCommand(opts.pulumiRoot ?? path.join(opts.projectDir, ".tools")));
    for (const plane of Object.values(opts.controlPlanes)) ensureFileBackend(plane.backend);
    return new AutomationEngine(opts, cmd);
  }

  async outputs(stack: string): Promise<StackOutputs> {
    const s = await this.stack(stack, false);
    const out = await s.outputs();
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { value: v.value as unknown, secret: v.secret }]));
  }

  async cancel(stack: string): Promise<void> {
    this.controllers.get(stack)?.abort();
  }

  /** Write the stack's policy config; returns its path. */
  private async writePolicyConfig(stack: string): Promise<string> {
    return writeStackPackConfig(this.policyConfigDirOf(stack), this.opts.fleet, stack, await this.deployedRegistries(stack)).compact;
  }

  private policyConfigDirOf(stack: string): string {
    return this.opts.policyConfigDir(this.opts.fleet.stacks.get(stack)!.domain);
  }

  /** Registry prefixes exported by the foundation stacks this stack (transitively) depends on, where deployed. */
  private async deployedRegistries(stack: string): Promise<Partial<Record<Domain, string[]>>> {
    const out: Partial<Record<Domain, string[]>> = {};
    for (const name of withDependencies(this.opts.fleet, [stack])) {
      const spec = this.opts.fleet.stacks.get(name)!;
      if (spec.role !== "foundation" || name === stack) continue;
      const prefixes = await this.outputs(name).then(
        (o) => (o.registry?.value as { imagePrefixes?: string[] } | undefined)?.imagePrefixes ?? [],
        () => [] as string[], // not deployed yet (a preview of a new fleet): the pack reports unknown images itself
      );
      out[spec.domain] = [...(out[spec.domain] ?? []), ...prefixes];
    }
    return out;
  }

  private async stack(name: string, create: boolean): Promise<Stack> {
    // Only operations need the pack's config (reading outputs does not run the pack).
    const policyConfig = create && this.opts.policyPack !== undefined ? await this.writePolicyConfig(name) : undefined;
    const next = this.selecting.then(async () => {
      const ws = await LocalWorkspace.create(workspaceOptions(this.opts, name, this.pulumiCommand, policyConfig));
      return create ? Stack.createOrSelect(name, ws) : Stack.select(name, ws);
    });
    this.selecting = next.catch(() => undefined);
    return next;
  }

  protected async run(op: Operation, name: string, opts: OperationOptions): Promise<OperationResult> {
    const plane = this.opts.controlPlanes[domainOfStack(this.opts.fleet, name)];
    const secretsProblem = stackFileSecretsProblem(path.resolve(this.opts.fleet.stacks.get(name)!.file), plane.secretsProvider);
    if (secretsProblem !== undefined) throw new Error(`${name}: ${secretsProblem}`);
    const controller = new AbortController();
    this.controllers.set(name, controller);
    const signal = controller.signal;
    try {
      const stack = await openForOperation(op, name, (create) => this.stack(name, create), opts);
      if (stack === undefined) return { changes: NO_CHANGES };
      if (signal.aborted) throw new OperationCancelledError(name);
      // The stack's compact policy config reaches the pack through MERIDIAN_POLICY_CONFIG (set
      // on the stack's workspace): the pack merges it under every policy's config. Enforcement
      // levels reach the engine only through `--policy-pack-config` (the engine's format,
      // written beside it by writeStackPackConfig from the same stackPackConfig).
      const policy =
        this.opts.policyPack !== undefined ? { policyPacks: [this.opts.policyPack], policyPackConfigs: [path.join(this.policyConfigDirOf(name), `${name}.engine.json`)] } : undefined;
      return await runOnStack(stack, op, opts, signal, policy);
    } catch (e) {
      const err = classifyError(name, e, signal.aborted);
      const foreign = explainForeignReference(this.opts.fleet, name, err.message, plane.backend);
      throw foreign !== undefined ? new Error(foreign) : err;
    } finally {
      if (this.controllers.get(name) === controller) this.controllers.delete(name);
    }
  }
}
