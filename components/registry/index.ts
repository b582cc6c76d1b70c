/**
 * ResidencyRegistry: the domain's container registry on one cloud, encrypted with the
 * domain's own key, immutable tags, scanning on, no replication — and a typed
 * {@link RegistryHandle} whose `imagePrefixes` the admission policies pin images to.
 */
import * as pulumi from "@pulumi/pulumi";
import { assertSameDomain, claimResident, residentTags, type Domain, type KeyHandle, type NetworkHandle, type RegistryHandle } from "../residency";
import { createEcr } from "./aws";
import { createAcr } from "./azure";
import { createArtifactRegistry } from "./gcp";

export { ECR_INTERFACE_SERVICES } from "./aws";
export { ACR_PRIVATE_DNS_ZONE } from "./azure";
export { PRIVATE_GOOGLE_ACCESS_CIDR, PRIVATE_GOOGLE_ACCESS_IPS } from "./gcp";

export interface ResidencyRegistryArgs<D extends Domain> {
  /** (Required) The residency domain. */
  readonly domain: D;
  /** (Required) The domain's key on the same cloud; images are encrypted with it. */
  readonly key: KeyHandle<NoInfer<D>>;
  /**
   * (Optional) The domain's network on the same cloud, from which nodes pull privately:
   * ECR interface endpoints (ecr.api, ecr.dkr) and an S3 gateway endpoint (image layers);
   * an ACR private endpoint with the `privatelink.azurecr.io` zone linked to the VNet;
   * Artifact Registry through Private Google Access (`pkg.dev` resolved to
   * private.googleapis.com). Defaults to none: the registry is then reachable only over
   * public endpoints — an ACR, whose public access is off, not at all.
   */
  readonly network?: NetworkHandle<NoInfer<D>>;
  /** (Optional) Repositories to create (ECR, Artifact Registry). Defaults to `platform`, `apps`. ACR holds any. */
  readonly repositories?: readonly string[];
  /** (Optional) Azure only: resource group. Defaults to the key's resource group. */
  readonly resourceGroupName?: pulumi.Input<string>;
  /** (Optional) Tags/labels for every child. Defaults to none. */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface RegistrySpec {
  readonly domain: Domain;
  readonly network?: NetworkHandle<Domain>;
  readonly region: string;
  readonly repositories: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

/** What an adapter returns. */
export interface RegistryRefs {
  readonly imagePrefixes: pulumi.Output<string[]>;
  /** Azure only: the ACR resource id. */
  readonly registryId?: pulumi.Output<string>;
}

export function validateResidencyRegistryArgs(args: ResidencyRegistryArgs<Domain>): pulumi.InputPropertyErrorDetails[] {
  const problems: pulumi.InputPropertyErrorDetails[] = [];
  const repos = args.repositories ?? ["platform", "apps"];
  if (repos.length === 0) problems.push({ propertyPath: "repositories", reason: "at least one repository" });
  for (const [i, r] of repos.entries()) {
    if (!/^[a-z0-9]+([._/-][a-z0-9]+)*$/.test(r)) {
      problems.push({ propertyPath: `repositories[${i}]`, reason: `"${r}" is not a valid repository name` });
    }
  }
  if (new Set(repos).size !== repos.length) problems.push({ propertyPath: "repositories", reason: "names must be unique" });
  if (args.key.domain !== args.domain) {
    problems.push({ propertyPath: "key", reason: `key of domain ${args.key.domain} cannot encrypt a ${args.domain} registry` });
  }
  const net = args.network;
  if (net !== undefined) {
    if (net.domain !== args.domain) problems.push({ propertyPath: "network", reason: `network of domain ${net.domain} cannot reach a ${args.domain} registry` });
    if (net.cloud !== args.key.cloud || net.region !== args.key.region) {
      problems.push({ propertyPath: "network", reason: `the network (${net.cloud} ${net.region}) must be on the registry's cloud and region (${args.key.cloud} ${args.key.region})` });
    }
    if (net.cloud === "aws" && net.routeTableIds === undefined) problems.push({ propertyPath: "network.routeTableIds", reason: "required for the S3 gateway endpoint ECR layers come through" });
    if (net.cloud === "azure" && net.resourceGroupName === undefined) problems.push({ propertyPath: "network.resourceGroupName", reason: "required for the private endpoint" });
  }
  return problems;
}

export class ResidencyRegistry<D extends Domain> extends pulumi.ComponentResource {
  readonly handle: RegistryHandle<D>;
  /** Registry hosts/prefixes images must come from. */
  readonly imagePrefixes: pulumi.Output<string[]>;
  /** Azure only: the ACR resource id (AKS kubelet identities are granted AcrPull on it). */
  readonly registryId?: pulumi.Output<string>;

  constructor(name: string, args: ResidencyRegistryArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:registry:ResidencyRegistry", name, {}, opts);
    const problems = validateResidencyRegistryArgs(args);
    if (problems.length > 0) {
      throw new pulumi.InputPropertiesError({ message: `ResidencyRegistry ${name}: invalid arguments`, errors: problems });
    }
    assertSameDomain(args.domain, args.key, `key for registry ${name}`);
    if (args.network !== undefined) assertSameDomain(args.domain, args.network, `network for registry ${name}`);
    const spec: RegistrySpec = {
      domain: args.domain,
      network: args.network,
      region: args.key.region,
      repositories: args.repositories ?? ["platform", "apps"],
      tags: residentTags(args.domain, args.tags),
    };
    const key = args.key;
    const ids: RegistryRefs =
      key.cloud === "aws"
        ? createEcr(name, spec, key, this)
        : key.cloud === "azure"
          ? createAcr(name, spec, key, args.resourceGroupName ?? key.resourceGroupName, this)
          : createArtifactRegistry(name, spec, key, this);
    const prefixes = ids.imagePrefixes;
    this.imagePrefixes = prefixes;
    this.registryId = ids.registryId;
    this.handle = claimResident(args.domain, { cloud: key.cloud, region: key.region, imagePrefixes: prefixes, ...(ids.registryId ? { registryId: ids.registryId } : {}) });
    this.registerOutputs({ imagePrefixes: this.imagePrefixes });
  }
}
