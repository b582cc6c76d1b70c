/**
 * FleetDeployments: Pulumi Deployments settings, as code, for every stack of ONE residency
 * domain, in dependency order:
 *
 * - a push to the domain's branch deploys the stacks whose OWN inputs it touches (path
 *   filters: the stack's config and the code that selects the stack itself — never its
 *   upstreams' inputs, so a dependent never starts on the push that changes its upstream);
 * - each dependent is triggered by a deployment webhook on each of its upstreams (format
 *   `pulumi_deployments`, filter `update_succeeded`, the pattern Pulumi documents for
 *   dependent stacks), so it runs after its upstream's update succeeded;
 * - each operation runs on the domain's self-hosted agent pool, with OIDC for the clouds it
 *   deploys into AND the clouds of the domain's state backend / secrets provider (an
 *   `awskms://` key needs AWS credentials even for a GCP stack), under the domain's policy
 *   group, with a drift-detection schedule.
 *
 * One instance per domain: nothing here can name the other domain's stacks, runners or
 * identities (validated below). The canary between domains is not a webhook: the next
 * domain deploys from its own promotion branch, which the EU gate advances (deployments/promote.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import * as service from "@pulumi/pulumiservice";
import type { Cloud, Domain } from "../residency/catalogue";

/** (Required) One fleet stack to deploy. */
export interface DeployedStack {
  /** (Required) Stack name, e.g. `eu-workload-aws`. */
  readonly name: string;
  /** (Required) Its residency domain; must equal the component's `domain`. */
  readonly domain: Domain;
  /** (Required) Clouds it deploys into (none for pki, two for an interconnect); picks the OIDC blocks. */
  readonly clouds: readonly Cloud[];
  /** (Required) Path filters: a push touching one of these deploys the stack. Its own inputs only (deployments/program.ts `ownPathFilters`). */
  readonly paths: readonly string[];
  /** (Optional) Upstream stacks of this component whose successful update triggers this stack (its dependencies, transitively reduced). Defaults to none. */
  readonly triggeredBy?: readonly string[];
  /** (Optional) GCP region, passed to the GCP OIDC exchange. Defaults to none. */
  readonly gcpRegion?: string;
}

/** The domain's OIDC identities, one per cloud; only the clouds its stacks use are required. */
export interface DomainIdentities {
  /** (Optional) AWS: the IAM role Pulumi Deployments assumes (its trust policy names this organization and domain's stacks). */
  readonly aws?: { readonly roleArn: string; /** (Optional) Session duration, `XhYmZs`. Defaults to `1h0m0s`. */ readonly duration?: string };
  /** (Optional) Azure: the federated workload identity (no client secret exists). */
  readonly azure?: { readonly clientId: string; readonly tenantId: string; readonly subscriptionId: string };
  /** (Optional) GCP: workload identity federation. */
  readonly gcp?: { readonly projectNumber: string; readonly workloadPoolId: string; readonly providerId: string; readonly serviceAccount: string; /** (Optional) Defaults to `1h0m0s`. */ readonly tokenLifetime?: string };
}

export interface FleetDeploymentsArgs {
  /** (Required) The residency domain every stack and identity here belongs to. */
  readonly domain: Domain;
  /** (Required) Pulumi organization holding this domain's stacks. */
  readonly organization: string;
  /** (Optional) Pulumi project of the fleet. Defaults to `meridian`. */
  readonly project?: string;
  /** (Required) GitHub repository, `owner/name`. */
  readonly repository: string;
  /** (Optional) Branch whose pushes deploy: `main` for the canary domain, the domain's promotion branch (e.g. `deploy/us`) for the others. Defaults to `main`. */
  readonly branch?: string;
  /** (Required) The fleet stacks of this domain. */
  readonly stacks: readonly DeployedStack[];
  /** (Required) The domain's self-hosted agent pool (agents run inside the domain); Pulumi-hosted runners are never used. */
  readonly agentPoolId: pulumi.Input<string>;
  /** (Required) The domain's OIDC identities. */
  readonly identities: DomainIdentities;
  /** (Optional) Commands before every operation. Defaults to `["npm ci --no-audit --no-fund"]` (and the default install is skipped). */
  readonly preRunCommands?: readonly string[];
  /** (Optional) Published policy pack enforced on every stack via a policy group. Defaults to `{ name: "meridian" }` (latest version). */
  readonly policyPack?: { readonly name: string; readonly versionTag?: string; readonly config?: Record<string, unknown> };
  /** (Optional) Policy group mode: `preventative` blocks updates with mandatory violations, `audit` only reports. Defaults to `preventative`. */
  readonly policyMode?: "preventative" | "audit";
  /** (Optional) Drift detection cron (5 fields, UTC); `{minute}` is replaced by a per-stack minute so stacks do not all start at once. Defaults to `{minute} 3 * * *`. */
  readonly driftCron?: string;
  /** (Optional) Remediate drift automatically (runs `pulumi up`). Defaults to false: drift is reported, a human decides. */
  readonly driftAutoRemediate?: boolean;
  /** (Optional) Extra environment variables for every operation. Defaults to none. */
  readonly environmentVariables?: Readonly<Record<string, string>>;
  /**
   * (Optional) Clouds whose credentials EVERY operation needs for the domain's state backend
   * and secrets provider (e.g. `["aws"]` for `awskms://…`), whatever the stack deploys into.
   * Their identities must be allowed to use the domain's state key. Defaults to none.
   */
  readonly controlPlaneClouds?: readonly Cloud[];
  /** (Optional) With a `passphrase` secrets provider: the passphrase, as a secret (set it with `pulumi config set --secret`). Defaults to none. */
  readonly passphrase?: pulumi.Input<string>;
}

const AWS_ROLE = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SA = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;
const CRON = /^(\S+\s+){4}\S+$/;

/** Pure validation, testable without mocks; every problem at once. */
export function validateFleetDeploymentsArgs(args: FleetDeploymentsArgs): pulumi.InputPropertyErrorDetails[] {
  const problems: pulumi.InputPropertyErrorDetails[] = [];
  const p = (propertyPath: string, reason: string) => problems.push({ propertyPath, reason });
  if (!/^[\w.-]+\/[\w.-]+$/.test(args.repository)) p("repository", `must be owner/name, got "${args.repository}"`);
  if (args.organization.trim() === "") p("organization", "must not be empty");
  if (args.stacks.length === 0) p("stacks", "at least one stack");
  const names = new Set(args.stacks.map((s) => s.name));
  const seen = new Set<string>();
  args.stacks.forEach((s, i) => {
    if (s.domain !== args.domain) p(`stacks[${i}].domain`, `${s.name} is in domain ${s.domain}; this component deploys domain ${args.domain} only (runners and credentials never cross domains)`);
    if (seen.has(s.name)) p(`stacks[${i}].name`, `${s.name} is listed twice`);
    seen.add(s.name);
    if (s.paths.length === 0) p(`stacks[${i}].paths`, `${s.name} has no path filters: every push would deploy it`);
    for (const c of s.clouds) if (args.identities[c] === undefined) p(`identities.${c}`, `required: ${s.name} deploys into ${c}`);
    for (const d of s.triggeredBy ?? []) if (!names.has(d)) p(`stacks[${i}].triggeredBy`, `${s.name} is triggered by ${d}, which is not a stack of this component (a webhook can only trigger within the domain's organization)`);
  });
  for (const c of args.controlPlaneClouds ?? []) if (args.identities[c] === undefined) p(`identities.${c}`, `required: the domain's state backend / secrets provider is in ${c}`);
  const { aws, azure, gcp } = args.identities;
  if (aws && !AWS_ROLE.test(aws.roleArn)) p("identities.aws.roleArn", `not an IAM role ARN: "${aws.roleArn}"`);
  if (azure) for (const k of ["clientId", "tenantId", "subscriptionId"] as const) if (!UUID.test(azure[k])) p(`identities.azure.${k}`, `not a UUID: "${azure[k]}"`);
  if (gcp) {
    if (!/^\d{6,}$/.test(gcp.projectNumber)) p("identities.gcp.projectNumber", `the numeric project number, got "${gcp.projectNumber}"`);
    if (!SA.test(gcp.serviceAccount)) p("identities.gcp.serviceAccount", `not a service account email: "${gcp.serviceAccount}"`);
    for (const k of ["workloadPoolId", "providerId"] as const) if (!/^[a-z0-9-]{4,32}$/.test(gcp[k])) p(`identities.gcp.${k}`, `4–32 lower-case letters, digits or '-', got "${gcp[k]}"`);
  }
  if (args.driftCron !== undefined && !CRON.test(args.driftCron.trim())) p("driftCron", `a 5-field cron expression, got "${args.driftCron}"`);
  return problems;
}

/** The per-stack minute for drift runs: stable per stack name, spread over the hour. */
export function driftMinute(stack: string): number {
  let h = 0;
  for (const ch of stack) h = (h * 31 + ch.charCodeAt(0)) % 9973;
  return h % 60;
}

export class FleetDeployments extends pulumi.ComponentResource {
  /** Stack names with deployment settings, in the order given. */
  readonly stackNames: pulumi.Output<string[]>;
  /** The policy group enforcing the pack on these stacks. */
  readonly policyGroupName: pulumi.Output<string>;

  constructor(name: string, args: FleetDeploymentsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:deployments:FleetDeployments", name, {}, opts);
    const problems = validateFleetDeploymentsArgs(args);
    if (problems.length > 0) {
      throw new pulumi.InputPropertiesError({ message: `FleetDeployments ${name}: invalid arguments`, errors: problems });
    }
    const project = args.project ?? "meridian";
    const branch = args.branch ?? "main";
    const pre = [...(args.preRunCommands ?? ["npm ci --no-audit --no-fund"])];
    const pack = args.policyPack ?? { name: "meridian" };
    const cron = args.driftCron ?? "{minute} 3 * * *";
    const parent = { parent: this };
    const settingsOf = new Map<string, service.DeploymentSettings>();

    for (const stack of args.stacks) {
      const settings = new service.DeploymentSettings(
        `${name}-${stack.name}-settings`,
        {
          organization: args.organization,
          project,
          stack: stack.name,
          agentPoolId: args.agentPoolId,
          sourceContext: { git: { branch: `refs/heads/${branch}`, repoDir: "." } },
          vcs: {
            provider: "github",
            repository: args.repository,
            deployCommits: true,
            // Pull requests are previewed by .github/workflows (per domain, OIDC), not here.
            previewPullRequests: false,
            pullRequestTemplate: false,
            paths: [...stack.paths],
          },
          operationContext: {
            preRunCommands: pre,
            options: { skipInstallDependencies: true, skipIntermediateDeployments: true },
            environmentVariables: {
              ...(args.environmentVariables ?? {}),
              MERIDIAN_DOMAIN: args.domain,
              PULUMI_SKIP_UPDATE_CHECK: "true",
              ...(args.passphrase !== undefined ? { PULUMI_CONFIG_PASSPHRASE: pulumi.secret(args.passphrase) } : {}),
            },
            oidc: oidcFor({ ...stack, clouds: [...new Set([...stack.clouds, ...(args.controlPlaneClouds ?? [])])] }, args.identities),
          },
        },
        parent,
      );
      new service.DriftSchedule(
        `${name}-${stack.name}-drift`,
        {
          organization: args.organization,
          project,
          stack: stack.name,
          scheduleCron: cron.replace("{minute}", String(driftMinute(stack.name))),
          autoRemediate: args.driftAutoRemediate ?? false,
        },
        { parent: this, dependsOn: [settings] },
      );
      settingsOf.set(stack.name, settings);
    }

    // Dependency order: each upstream's successful update deploys each of its dependents.
    for (const stack of args.stacks) {
      for (const upstream of stack.triggeredBy ?? []) {
        new service.Webhook(
          `${name}-${upstream}-triggers-${stack.name}`,
          {
            organizationName: args.organization,
            projectName: project,
            stackName: upstream,
            format: service.WebhookFormat.PulumiDeployments,
            payloadUrl: `${project}/${stack.name}`,
            displayName: `deploy ${stack.name} after ${upstream}`,
            active: true,
            // One terminal event only: lifecycle events would fire the dependent several times,
            // and deployment_succeeded also fires after drift previews/refreshes.
            filters: [service.WebhookFilters.UpdateSucceeded],
          },
          { parent: this, dependsOn: [settingsOf.get(upstream)!, settingsOf.get(stack.name)!] },
        );
      }
    }

    const group = new service.PolicyGroup(
      `${name}-policyGroup`,
      {
        name: `meridian-${args.domain}`,
        organizationName: args.organization,
        entityType: "stacks",
        mode: args.policyMode ?? "preventative",
        stacks: args.stacks.map((s) => ({ name: s.name, routingProject: project })),
        policyPacks: [
          {
            name: pack.name,
            ...(pack.versionTag !== undefined ? { versionTag: pack.versionTag } : {}),
            ...(pack.config !== undefined ? { config: pack.config } : {}),
          },
        ],
      },
      parent,
    );

    this.stackNames = pulumi.output(args.stacks.map((s) => s.name));
    this.policyGroupName = group.name;
    this.registerOutputs({ stackNames: this.stackNames, policyGroupName: this.policyGroupName });
  }
}

/** The OIDC blocks for exactly the clouds a stack deploys into. */
export function oidcFor(stack: DeployedStack, ids: DomainIdentities): service.types.input.OperationContextOIDCArgs | undefined {
  const oidc: service.types.input.OperationContextOIDCArgs = {
    ...(stack.clouds.includes("aws") && ids.aws
      ? { aws: { roleARN: ids.aws.roleArn, sessionName: `meridian-${stack.name}`, duration: ids.aws.duration ?? "1h0m0s" } }
      : {}),
    ...(stack.clouds.includes("azure") && ids.azure
      ? { azure: { clientId: ids.azure.clientId, tenantId: ids.azure.tenantId, subscriptionId: ids.azure.subscriptionId } }
      : {}),
    ...(stack.clouds.includes("gcp") && ids.gcp
      ? {
          gcp: {
            projectId: ids.gcp.projectNumber,
            workloadPoolId: ids.gcp.workloadPoolId,
            providerId: ids.gcp.providerId,
            serviceAccount: ids.gcp.serviceAccount,
            tokenLifetime: ids.gcp.tokenLifetime ?? "1h0m0s",
            ...(stack.gcpRegion !== undefined ? { region: stack.gcpRegion } : {}),
          },
        }
      : {}),
  };
  return Object.keys(oidc).length > 0 ? oidc : undefined;
}
