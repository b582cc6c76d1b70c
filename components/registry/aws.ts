import * as aws from "../sdk/aws";
import * as pulumi from "@pulumi/pulumi";
import type { KeyRef } from "../residency";
import type { NetworkHandle } from "../residency";
import type { RegistryRefs, RegistrySpec } from "./index";

/**
 * ECR: one repository per name, KMS-encrypted with the domain key, IMMUTABLE tags, scan
 * on push, plus enhanced continuous scanning for the registry. No replication
 * configuration is ever created (policy RES-07 would refuse one that leaves the domain).
 * With the domain network, nodes pull privately (see {@link createEcrEndpoints}).
 */
export function createEcr(
  name: string,
  spec: RegistrySpec,
  key: Extract<KeyRef, { cloud: "aws" }>,
  parent: pulumi.Resource,
): RegistryRefs {
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
  if (spec.network !== undefined) createEcrEndpoints(name, spec, spec.network, parent);
  // One prefix for the domain's namespace in this registry: `<acct>.dkr.ecr.<region>.amazonaws.com/meridian/<domain>/`.
  // The trailing slash matters: a bare host prefix would also admit `...amazonaws.com.evil.io`.
  const imagePrefixes = pulumi
    .all(repos.map((r) => r.repositoryUrl))
    .apply((urls) => [...new Set(urls.map((u) => `${u.slice(0, u.indexOf("/"))}/meridian/${spec.domain}/`))]);
  return { imagePrefixes };
}

/** The interface endpoints a node needs to pull from ECR: the API (auth, manifests) and the Docker registry. */
export const ECR_INTERFACE_SERVICES = ["ecr.api", "ecr.dkr"] as const;

/**
 * Private pulls: ECR's `ecr.api` and `ecr.dkr` as interface endpoints with private DNS in
 * the private subnets (their security group admits HTTPS from the VPC only), and S3 as a
 * gateway endpoint on the private route tables, because ECR serves image layers from S3.
 * The S3 endpoint's policy admits ECR's layer bucket in this region and buckets of this
 * account only, so the route cannot carry data to another account's bucket.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
 */
export function createEcrEndpoints(name: string, spec: RegistrySpec, network: NetworkHandle<RegistrySpec["domain"]>, parent: pulumi.Resource): void {
  const region = spec.region;
  const tags = { ...spec.tags };
  const sg = new aws.ec2.SecurityGroup(
    `${name}-endpoints-sg`,
    {
      vpcId: network.networkId,
      description: `HTTPS from the VPC to the ECR endpoints (${spec.domain})`,
      ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [network.cidr], description: "HTTPS from the VPC" }],
      egress: [],
      tags,
    },
    { parent },
  );
  for (const service of ECR_INTERFACE_SERVICES) {
    new aws.ec2.VpcEndpoint(
      `${name}-${service.replace(".", "-")}`,
      {
        vpcId: network.networkId,
        serviceName: `com.amazonaws.${region}.${service}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: network.privateSubnetIds,
        securityGroupIds: [sg.id],
        tags,
      },
      { parent },
    );
  }
  const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
  new aws.ec2.VpcEndpoint(
    `${name}-s3`,
    {
      vpcId: network.networkId,
      serviceName: `com.amazonaws.${region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: network.routeTableIds,
      policy: account.apply((acct) =>
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Sid: "EcrLayers", Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: [`arn:aws:s3:::prod-${region}-starport-layer-bucket/*`] },
            { Sid: "OwnAccountBuckets", Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*", Condition: { StringEquals: { "aws:ResourceAccount": acct } } },
          ],
        }),
      ),
      tags,
    },
    { parent },
  );
}
