/**
 * The Deployments program, as pure functions over the fleet model: read this stack's config
 * (one stack per domain: `eu`, `us`), take that domain's fleet stacks, give each the path
 * filters of its OWN inputs and the upstreams whose success triggers it (webhooks), pick the
 * branch it deploys from (the canary domain: `main`; every later domain: its promotion
 * branch, advanced by deployments/promote.ts once the previous domain succeeded), add the
 * credentials the domain's control plane needs, and build FleetDeployments' args.
 * index.ts runs it.
 */
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { PATH_RULES, selects } from "../automation/affected";
import { controlPlaneFor } from "../automation/fleet/controlPlane";
import { withDependencies, type Fleet } from "../automation/fleet";
import type { FleetDeploymentsArgs } from "../components/deployments";
import { DOMAINS, type Domain } from "../components/residency/catalogue";
import { controlPlaneAccess } from "./credentials";

/** The `meridian-deployments:*` config of one domain's deployments stack. */
export const deploymentsConfig = z.strictObject({
  /** (Required) The domain this stack configures; a stack named `eu` must say `eu`. */
  domain: z.enum(DOMAINS),
  /** (Required) The domain's Pulumi organization. */
  organization: z.string().min(1),
  /** (Optional) The fleet's Pulumi project. Defaults to `meridian`. */
  project: z.string().min(1).default("meridian"),
  /** (Required) GitHub `owner/name`. */
  repository: z.string().min(3),
  /**
   * (Optional) Branch whose pushes deploy. Defaults to `main` for the canary domain (first in
   * fleet.yaml `domainOrder`) and to `deploy/<domain>` (the promotion branch) for the others.
   */
  branch: z.string().min(1).optional(),
  /** (Required) The domain's self-hosted agent pool id (agents run inside the domain). */
  agentPoolId: z.string().min(1),
  /** (Required) OIDC identities of this domain, per cloud. */
  identities: z.strictObject({
    aws: z.strictObject({ roleArn: z.string(), duration: z.string().optional() }).optional(),
    azure: z.strictObject({ clientId: z.string(), tenantId: z.string(), subscriptionId: z.string() }).optional(),
    gcp: z.strictObject({ projectNumber: z.string(), workloadPoolId: z.string(), providerId: z.string(), serviceAccount: z.string(), tokenLifetime: z.string().optional() }).optional(),
  }),
  /** (Optional) Policy pack published by main's CI. Defaults to `meridian`, latest version. */
  policyPack: z.strictObject({ name: z.string().min(1), versionTag: z.string().optional() }).default({ name: "meridian" }),
  /** (Optional) Drift cron; `{minute}` is spread per stack. Defaults to `{minute} 3 * * *`. */
  driftCron: z.string().optional(),
});
export type DeploymentsConfig = z.infer<typeof deploymentsConfig>;

/** The promotion branch a later domain deploys from. */
export const promotionBranch = (domain: Domain): string => `deploy/${domain}`;

/** The branch a domain's Deployments watch: `main` for the canary (first) domain, the promotion branch otherwise. */
export function deployBranch(fleet: Fleet, domain: Domain, configured?: string): string {
  const canary = fleet.settings.domainOrder[0];
  const branch = configured ?? (domain === canary ? "main" : promotionBranch(domain));
  if (domain !== canary && branch === "main") {
    throw new Error(`deployments ${domain}: branch "main" would deploy ${domain} on the same push as the canary domain ${canary}; use its promotion branch ${promotionBranch(domain)}`);
  }
  return branch;
}

/** Every stack `stack` depends on, directly or not (not itself). */
function ancestorsOf(fleet: Fleet, stack: string): Set<string> {
  const out = withDependencies(fleet, [stack]);
  out.delete(stack);
  return out;
}

/** Rule globs (automation/affected) that select a stack itself. */
function ruleGlobsOf(fleet: Fleet, stack: string): Set<string> {
  const spec = fleet.stacks.get(stack);
  if (spec === undefined) throw new Error(`deployments: no stack ${stack}`);
  return new Set(PATH_RULES.filter((r) => selects(r.selects, spec)).flatMap((r) => r.globs));
}

/**
 * A stack's push path filters: its OWN inputs — its config file and the rule globs that select
 * it — minus every input it shares with a stack it depends on. A shared input (say
 * `components/residency/**`, which every stack reads) starts only the upstream; the
 * dependent follows through the upstream's `update_succeeded` webhook, after it succeeded.
 */
export function ownPathFilters(fleet: Fleet, stack: string): string[] {
  const spec = fleet.stacks.get(stack)!;
  const upstream = new Set([...ancestorsOf(fleet, stack)].flatMap((a) => [...ruleGlobsOf(fleet, a)]));
  const own = [...ruleGlobsOf(fleet, stack)].filter((g) => !upstream.has(g));
  return [`stacks/${path.basename(spec.file)}`, ...own].sort();
}

/**
 * The upstreams whose success triggers a stack: its direct dependencies minus those another
 * direct dependency already depends on (a transitive reduction), so `eu-workload-aws` waits
 * for `eu-mgmt` instead of starting next to it when `eu-foundation-aws` succeeds.
 */
export function triggeringUpstreams(fleet: Fleet, stack: string): string[] {
  const direct = fleet.stacks.get(stack)!.dependsOn;
  return direct.filter((d) => !direct.some((other) => other !== d && ancestorsOf(fleet, other).has(d))).sort();
}

/** FleetDeployments args for one domain; `stackName` is this deployments stack's name. */
export function deploymentsArgs(fleet: Fleet, config: DeploymentsConfig, stackName: string, secrets: { passphrase?: pulumi.Input<string> } = {}): FleetDeploymentsArgs {
  if (stackName !== config.domain) {
    throw new Error(`deployments stack "${stackName}" configures domain "${config.domain}": name each deployments stack after its domain (eu, us)`);
  }
  const plane = controlPlaneFor(fleet.settings.controlPlane, config.domain, path.dirname(fleet.dir));
  const access = controlPlaneAccess(plane);
  if (access.backendKind !== "pulumi-cloud") {
    throw new Error(
      `fleet.yaml domains.${config.domain}.backend is "${plane.backend.replace(/\?.*$/, "")}": Pulumi Deployments run only stacks kept in a Pulumi Cloud — declare the domain's own (self-hosted, in-domain) Pulumi Cloud as https://…, or roll this domain out with the orchestrator (docs/deployments.md)`,
    );
  }
  if (access.passphrase && secrets.passphrase === undefined) {
    throw new Error(`fleet.yaml domains.${config.domain}.secretsProvider is passphrase: set the deployments stack's secret meridian-deployments:passphrase (pulumi config set --secret), or use the domain's KMS`);
  }
  const stacks = [...fleet.stacks.values()]
    .filter((s) => s.domain === config.domain)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((s) => ({
      name: s.name,
      domain: s.domain,
      clouds: [...s.clouds],
      paths: ownPathFilters(fleet, s.name),
      triggeredBy: triggeringUpstreams(fleet, s.name),
      ...(s.regions.gcp !== undefined ? { gcpRegion: s.regions.gcp } : {}),
    }));
  return {
    domain: config.domain,
    organization: config.organization,
    project: config.project,
    repository: config.repository,
    branch: deployBranch(fleet, config.domain, config.branch),
    stacks,
    agentPoolId: config.agentPoolId,
    identities: config.identities,
    policyPack: config.policyPack,
    controlPlaneClouds: access.clouds,
    ...(access.passphrase ? { passphrase: secrets.passphrase } : {}),
    ...(config.driftCron !== undefined ? { driftCron: config.driftCron } : {}),
  };
}
