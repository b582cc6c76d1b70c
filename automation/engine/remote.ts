/**
 * The Engine on Pulumi Deployments (`--engine remote`): the same scheduler, each operation run
 * remotely through the Automation API's remote workspace, on the stack's domain's agent pool.
 *
 * - Workspace: what `RemoteWorkspace.createOrSelectStack` builds — a LocalWorkspace with its
 *   remote options (`remote`, `remoteGitProgramArgs`, `remoteInheritSettings`) and a Stack on it
 *   (`RemoteStack` only forwards to that Stack, with narrower option types that drop the abort
 *   signal) — plus what RemoteWorkspace cannot take: the domain's environment (its backend, its
 *   access token, nothing of the other domain) and a PulumiCommand. So a US stack's CLI talks
 *   to the US Pulumi Cloud with the US token only.
 * - Stacks: fully qualified `<organization>/<project>/<stack>`, the organization and project of
 *   the domain's deployments stack (`deployments/Pulumi.<domain>.yaml`).
 * - Agent pool, source, OIDC, pre-run commands, policy group: the stack's deployment settings
 *   (`--remote-inherit-settings`), which `deployments/` sets per domain — EU stacks on the EU
 *   pool (`agentPoolId` of deployments/Pulumi.eu.yaml), US on the US one. The Automation API
 *   3.248 has no agent-pool option; the CLI's `--remote-agent-pool-id` cannot be added through
 *   it (the SDK appends extra arguments to every stack command, `stack history` included, which
 *   rejects the flag), so the pool is the one the settings declare.
 * - Source: `--remote-git-commit <commit>`: every stack deploys the commit the rollout started from.
 * - Cancel: `pulumi cancel` on the stack (what RemoteStack.cancel runs: stops the deployment's
 *   update in Pulumi Cloud), then SIGINT to the local CLI that streams the deployment's logs.
 * - Secrets: the domain's secrets provider for stacks created here; a passphrase cannot reach a
 *   Deployments runner without being put on a command line, so passphrase domains are refused.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { LocalWorkspace, Stack, type LocalWorkspaceOptions, type PulumiCommand } from "@pulumi/pulumi/automation";
import type { Fleet } from "../fleet/load";
import { DOMAINS, type Domain } from "../../components/residency/catalogue";
import { deploymentsConfig } from "../../deployments/program";
import { classifyError, domainOfStack, findPulumiCommand, openForOperation, runOnStack } from "./automation";
import { domainEnv, type ControlPlanes } from "./domainEnv";
import { NO_CHANGES, OperationCancelledError, OperationDispatch, type Engine, type Operation, type OperationOptions, type OperationResult, type StackOutputs } from "./types";

/** Where a domain's stacks run on Pulumi Deployments (from deployments/Pulumi.<domain>.yaml). */
export interface RemoteDomain {
  readonly organization: string;
  readonly project: string;
  /** The agent pool the domain's deployment settings name (recorded; applied by the settings). */
  readonly agentPoolId: string;
}

export interface RemoteEngineOptions {
  readonly fleet: Fleet;
  readonly controlPlanes: ControlPlanes;
  readonly remote: Readonly<Partial<Record<Domain, RemoteDomain>>>;
  /** The git commit every stack deploys. */
  readonly commit: string;
  /** A directory for the local workspace (the program itself is checked out by the runner). */
  readonly workDir: string;
  /** (Optional) Defaults to `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  readonly pulumiRoot?: string;
  readonly pulumiCommand?: PulumiCommand;
}

/** A problem with a domain's remote setup: exit 2 at the CLI. */
export class RemoteSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RemoteSetupError";
  }
}

/** Read `deployments/Pulumi.<domain>.yaml`'s `meridian-deployments:settings` for each domain. */
export function loadRemoteDomains(repoDir: string, domains: readonly Domain[] = DOMAINS): Record<Domain, RemoteDomain> {
  const out = {} as Record<Domain, RemoteDomain>;
  for (const d of domains) {
    const file = path.join(repoDir, "deployments", `Pulumi.${d}.yaml`);
    if (!fs.existsSync(file)) throw new RemoteSetupError(`${path.relative(repoDir, file)}: missing; --engine remote needs each domain's deployments stack`);
    const doc = parseYaml(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
    const parsed = deploymentsConfig.safeParse(doc?.config?.["meridian-deployments:settings"]);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RemoteSetupError(`${path.relative(repoDir, file)}: meridian-deployments:settings${issue.path.map((p) => `.${String(p)}`).join("")}: ${issue.message}`);
    }
    if (parsed.data.domain !== d) throw new RemoteSetupError(`${path.relative(repoDir, file)}: meridian-deployments:settings.domain is "${parsed.data.domain}", expected "${d}"`);
    out[d] = { organization: parsed.data.organization, project: parsed.data.project, agentPoolId: parsed.data.agentPoolId };
  }
  return out;
}

/** A domain can run on Deployments only with a Pulumi Cloud backend and a non-passphrase secrets provider. */
export function remoteProblem(domain: Domain, planes: ControlPlanes): string | undefined {
  const plane = planes[domain];
  if (!/^https:\/\//.test(plane.backend)) {
    return `--engine remote: domain ${domain}'s backend ${plane.backend} is not a Pulumi Cloud; Deployments runs only against Pulumi Cloud (https://…, SaaS or self-hosted in the domain)`;
  }
  if (plane.secretsProvider === "passphrase") {
    return `--engine remote: domain ${domain} uses the passphrase secrets provider, which cannot reach a Deployments runner without a passphrase on a command line; use the domain's KMS (awskms://, azurekeyvault://, gcpkms://)`;
  }
  return undefined;
}

export class RemoteEngine extends OperationDispatch implements Engine {
  readonly kind = "pulumi-deployments";
  readonly deploysRealStacks = true;
  private readonly running = new Map<string, { controller: AbortController; stack?: Stack }>();

  private constructor(
    private readonly opts: RemoteEngineOptions,
    private readonly pulumiCommand: PulumiCommand,
  ) {
    super();
  }

  static async create(opts: RemoteEngineOptions): Promise<RemoteEngine> {
    fs.mkdirSync(opts.workDir, { recursive: true });
    return new RemoteEngine(opts, opts.pulumiCommand ?? (await findPulumiCommand(opts.pulumiRoot)));
  }

  /** `<organization>/<project>/<stack>` of the stack's domain. */
  qualifiedName(stack: string): string {
    const domain = domainOfStack(this.opts.fleet, stack);
    const r = this.opts.remote[domain];
    if (r === undefined) throw new RemoteSetupError(`--engine remote: no deployments settings for domain ${domain}`);
    return `${r.organization}/${r.project}/${stack}`;
  }

  /** Workspace options of one stack: RemoteWorkspace's remote options plus the domain's environment. */
  workspaceOptions(stack: string): LocalWorkspaceOptions {
    const domain = domainOfStack(this.opts.fleet, stack);
    const problem = remoteProblem(domain, this.opts.controlPlanes);
    if (problem !== undefined) throw new RemoteSetupError(problem);
    const env = domainEnv(domain, this.opts.controlPlanes, this.opts.env ?? process.env);
    const remote = {
      remote: true,
      remoteGitProgramArgs: { stackName: this.qualifiedName(stack), commitHash: this.opts.commit },
      remoteInheritSettings: true,
    };
    // `remote*` are the options RemoteWorkspace itself hands LocalWorkspace (remoteWorkspace.js), not in the public type.
    return { workDir: this.opts.workDir, pulumiCommand: this.pulumiCommand, envVars: env as Record<string, string>, secretsProvider: this.opts.controlPlanes[domain].secretsProvider, ...remote } as LocalWorkspaceOptions;
  }

  private async stack(name: string, create: boolean): Promise<Stack> {
    const ws = await LocalWorkspace.create(this.workspaceOptions(name));
    const fq = this.qualifiedName(name);
    return create ? Stack.createOrSelect(fq, ws) : Stack.select(fq, ws);
  }

  async outputs(stack: string): Promise<StackOutputs> {
    const out = await (await this.stack(stack, false)).outputs();
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { value: v.value as unknown, secret: v.secret }]));
  }

  /** Stop the deployment's update in Pulumi Cloud, then the local CLI streaming it. */
  async cancel(stack: string): Promise<void> {
    const r = this.running.get(stack);
    if (r === undefined) return;
    try {
      await r.stack?.cancel();
    } catch {
      // No update running yet (still queued or already done): stopping the local CLI is all there is.
    }
    r.controller.abort();
  }

  protected async run(op: Operation, name: string, opts: OperationOptions): Promise<OperationResult> {
    const controller = new AbortController();
    const entry: { controller: AbortController; stack?: Stack } = { controller };
    this.running.set(name, entry);
    const signal = controller.signal;
    try {
      entry.stack = await openForOperation(op, this.qualifiedName(name), (create) => this.stack(name, create), opts);
      if (entry.stack === undefined) return { changes: NO_CHANGES };
      if (signal.aborted) throw new OperationCancelledError(name);
      // No local --policy-pack: the domain's policy group in Pulumi Cloud checks remote runs.
      return await runOnStack(entry.stack, op, opts, signal);
    } catch (e) {
      if (e instanceof RemoteSetupError) throw e;
      throw classifyError(name, e, signal.aborted);
    } finally {
      if (this.running.get(name) === entry) this.running.delete(name);
    }
  }
}
