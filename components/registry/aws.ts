import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { KeyRef } from "../residency";
import type { RegistrySpec } from "./index";

/**
 * ECR: one repository per name, KMS-encrypted with the domain key, IMMUTABLE tags, scan
 * on push, plus enhanced continuous scanning for the registry. No replication
 * configuration is ever created (policy RES-07 would refuse one that leaves the domain).
 */
export function createEcr(
  name: string,
  spec: RegistrySpec,
  key: Extract<KeyRef, { cloud: "aws" }>,
  parent: pulumi.Resource,
): pulumi.Output<string[]> {
  const repos = spec.repositories.map(
    (repo, i) =>
      // Index-based names: renaming a repository in config must not replace the others.
      new aws.ecr.Repository(
        `${name}-repo-${i}`,
        {
          name: `meridian/${spec.domain}/${repo}`,
          imageTagMutability: "IMMUTABLE",
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: key.arn }],
          forceDelete: false,
          tags: { ...spec.tags },
        },
        { parent },
      ),
  );
  new aws.ecr.RegistryScanningConfiguration(
    `${name}-scanning`,
    { scanType: "ENHANCED", rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: `meridian/${spec.domain}/*`, filterType: "WILDCARD" }] }] },
    { parent },
  );
  // One prefix for the domain's namespace in this registry: `<acct>.dkr.ecr.<region>.amazonaws.com/meridian/<domain>/`.
  // The trailing slash matters: a bare host prefix would also admit `...amazonaws.com.evil.io`.
  return pulumi
    .all(repos.map((r) => r.repositoryUrl))
    .apply((urls) => [...new Set(urls.map((u) => `${u.slice(0, u.indexOf("/"))}/meridian/${spec.domain}/`))]);
}
