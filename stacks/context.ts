/**
 * What a role program is given: its stack spec, its domain as a type, explicit providers
 * pinned to the stack's regions, common tags, and typed readers for its upstream stacks.
 */
import * as aws from "../components/sdk/aws";
import * as azure from "../components/sdk/azure";
import * as gcp from "../components/sdk/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import type { Fleet, StackSpec, Upstream } from "../automation/fleet";
import { upstreamOf } from "../automation/fleet";
import { providerPins } from "../automation/fleet/pins";
import { gcpLabels, withReservedTags, type Cloud, type Domain } from "../components/residency";
import { UpstreamReader } from "./references";

export interface CloudProviders {
  aws: aws.Provider;
  azure: azure.Provider;
  gcp: gcp.Provider;
}

export interface RoleContext<D extends Domain> {
  readonly domain: D;
  readonly stack: string;
  readonly spec: StackSpec;
  readonly fleet: Fleet;
  /** Tags/labels every resource carries: residency, stack, role, managed-by, plus `meridian:tags`. */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * The explicit provider for a cloud this stack uses (created once), pinned to its region
   * and to its domain's declared owner: AWS `allowedAccountIds`, Azure `subscriptionId`,
   * GCP `project` (automation/fleet/pins.ts), so credentials of another account cannot
   * deploy this stack there.
   */
  provider<C extends Cloud>(cloud: C): CloudProviders[C];
  /** Explicit tls and random providers (default providers are disabled fleet-wide). */
  readonly local: { readonly tls: tls.Provider; readonly random: random.Provider };
  readonly upstream: Upstream;
  readonly refs: UpstreamReader<D>;
}

/**
 * Resource-level tags; GCP labels are lower-cased by the GCP adapters. `meridian:tags` adds
 * to the platform's tags and never overrides them: the loader refuses a reserved key (exit
 * 2), and the platform's values are applied last here as well (defence in depth).
 */
export function commonTags(spec: StackSpec): Record<string, string> {
  return withReservedTags(spec.config["meridian:tags"], {
    residency: spec.domain,
    "meridian-stack": spec.name,
    "meridian-role": spec.role,
    "managed-by": "pulumi",
  });
}

export function createContext<D extends Domain>(fleet: Fleet, spec: StackSpec, domain: D): RoleContext<D> {
  const tags = commonTags(spec);
  const providers: Partial<CloudProviders> = {};
  const pins = providerPins(spec, fleet.settings);
  const make = <C extends Cloud>(cloud: C): CloudProviders[C] => {
    const region = spec.regions[cloud];
    if (region === undefined) {
      throw new Error(`${spec.file}: this ${spec.role} stack does not use ${cloud} (meridian:cloud / meridian:clouds)`);
    }
    const name = `${spec.name}-${cloud}`;
    switch (cloud) {
      case "aws":
        return new aws.Provider(name, { region: region as aws.Region, allowedAccountIds: [...pins.aws!], defaultTags: { tags } }) as CloudProviders[C];
      case "azure":
        return new azure.Provider(name, { location: region, subscriptionId: pins.azure! }) as CloudProviders[C];
      case "gcp":
        return new gcp.Provider(name, {
          project: pins.gcp!,
          region,
          defaultLabels: gcpLabels(tags),
        }) as CloudProviders[C];
    }
    throw new Error(`unknown cloud ${String(cloud)}`);
  };
  let local: RoleContext<D>["local"] | undefined;
  return {
    domain,
    stack: spec.name,
    spec,
    fleet,
    tags,
    provider: <C extends Cloud>(cloud: C) => ((providers[cloud] ??= make(cloud)) as CloudProviders[C]),
    get local() {
      return (local ??= {
        tls: new tls.Provider(`${spec.name}-tls`, {}),
        random: new random.Provider(`${spec.name}-random`, {}),
      });
    },
    upstream: upstreamOf(fleet, spec),
    refs: new UpstreamReader(domain, fleet, spec),
  };
}

/** Qualified StackReference name: works on Pulumi Cloud and on DIY backends (`organization`). */
export function qualifiedStackName(stack: string): string {
  const org = pulumi.getOrganization() || "organization";
  return `${org}/${pulumi.getProject()}/${stack}`;
}
