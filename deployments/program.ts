/**
 * The Deployments program, as pure functions over the fleet model: read this stack's config
 * (one stack per domain: `eu`, `us`), take that domain's fleet stacks, give each the path
 * filters of automation/affected, and build FleetDeployments' args. index.ts runs it.
 */
import { z } from "zod";
import { pathFiltersFor } from "../automation/affected";
import type { Fleet } from "../automation/fleet";
import type { FleetDeploymentsArgs } from "../components/deployments";
import { DOMAINS } from "../components/residency/catalogue";

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
  /** (Optional) Branch whose pushes deploy. Defaults to `main`. */
  branch: z.string().min(1).default("main"),
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

/** FleetDeployments args for one domain; `stackName` is this deployments stack's name. */
export function deploymentsArgs(fleet: Fleet, config: DeploymentsConfig, stackName: string): FleetDeploymentsArgs {
  if (stackName !== config.domain) {
    throw new Error(`deployments stack "${stackName}" configures domain "${config.domain}": name each deployments stack after its domain (eu, us)`);
  }
  const stacks = [...fleet.stacks.values()]
    .filter((s) => s.domain === config.domain)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((s) => ({
      name: s.name,
      domain: s.domain,
      clouds: [...s.clouds],
      paths: pathFiltersFor(fleet, s.name),
      ...(s.regions.gcp !== undefined ? { gcpRegion: s.regions.gcp } : {}),
    }));
  return {
    domain: config.domain,
    organization: config.organization,
    project: config.project,
    repository: config.repository,
    branch: config.branch,
    stacks,
    agentPoolId: config.agentPoolId,
    identities: config.identities,
    policyPack: config.policyPack,
    ...(config.driftCron !== undefined ? { driftCron: config.driftCron } : {}),
  };
}
