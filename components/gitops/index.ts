/**
 * GitOpsController: Argo CD on a domain's management cluster (ADR-5), installed as one pinned
 * Helm release from the domain registry's chart mirror, every image from the domain registry
 * by digest, with one AppProject and one ApplicationSet per tenant of the domain (rollout rings
 * from the workload stacks' `meridian:ring`). On EKS the controller gets an EKS Pod Identity
 * role that the domain's AWS workload clusters trust; towards Azure and GCP (and AWS from a
 * non-AWS management cluster) it presents audience-bound projected ServiceAccount tokens
 * (see ./spec.ts). No static credential exists anywhere.
 *
 * Workload clusters register themselves (./registration) from their own stacks, reading
 * {@link GitOpsController.handle} through a same-domain StackReference.
 */
import * as aws from "../sdk/aws";
import * as k8s from "../sdk/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ResidentCluster } from "../cluster";
import { assertSameDomain, claimResident, type Domain, type GitOpsControllerHandle, type RegistryHandle } from "../residency";
import {
  ARGOCD_CHART,
  CONTROLLER_SERVICE_ACCOUNTS,
  GITOPS_NAMESPACE,
  TOKEN_AUDIENCES,
  appProject,
  applicationSet,
  argoCdValues,
  chartMirror,
  gitopsNetworkPolicies,
  gitopsRolePath,
  subjectsOf,
  validateArgoCdValues,
  type TenantDelivery,
} from "./spec";

export * from "./spec";

export interface GitOpsControllerArgs<D extends Domain> {
  /** (Required) The residency domain; the cluster and the registry must be of the same domain. */
  readonly domain: D;
  /** (Required) The management stack's name (published in the handle). */
  readonly stack: string;
  /** (Required) The domain's management cluster. */
  readonly cluster: ResidentCluster<NoInfer<D>>;
  /** (Required) The domain registry (images and the chart mirror). */
  readonly registry: RegistryHandle<NoInfer<D>>;
  /** (Optional) Namespace (must exist; the baseline creates it). Defaults to `meridian-gitops`. */
  readonly namespace?: string;
  /** (Optional) The domain's tenants, each with its source and its clusters' rings. Defaults to none. */
  readonly tenants?: readonly TenantDelivery[];
  /** (Optional) GCP workload stacks of the domain (one credential ConfigMap mount each). Defaults to none. */
  readonly gcpStacks?: readonly string[];
  /** (Optional) Tags for cloud children. Defaults to none. */
  readonly tags?: Readonly<Record<string, string>>;
}

export class GitOpsController<D extends Domain> extends pulumi.ComponentResource {
  /** What a workload stack needs to register with this controller; exported by the management stack. */
  readonly handle: GitOpsControllerHandle<D>;
  readonly release: k8s.helm.v3.Release;
  readonly applicationSets: readonly string[];

  constructor(name: string, args: GitOpsControllerArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:gitops:GitOpsController", name, {}, opts);
    assertSameDomain(args.domain, args.cluster, "the management cluster");
    assertSameDomain(args.domain, args.registry, "the registry");
    const namespace = args.namespace ?? GITOPS_NAMESPACE;
    const k8sOpts = { parent: this, provider: args.cluster.provider };

    const prefix = pulumi.output(args.registry.imagePrefixes).apply((prefixes) => {
      const first = prefixes[0];
      if (first === undefined) throw new Error(`GitOpsController ${name}: registry: the domain registry has no image prefix; the chart and images come from it`);
      return { first, all: prefixes };
    });
    const values = prefix.apply(({ first, all }) => {
      const v = argoCdValues({ domain: args.domain, namespace, registryPrefix: first, gcpStacks: args.gcpStacks ?? [] });
      const problems = validateArgoCdValues(v, all);
      if (problems.length > 0) throw new Error(`GitOpsController ${name}: invalid chart values: ${problems.join("; ")}`);
      return v;
    });

    this.release = new k8s.helm.v3.Release(
      `${name}-argocd`,
      {
        name: "argocd",
        chart: ARGOCD_CHART.chart,
        version: ARGOCD_CHART.version,
        repositoryOpts: { repo: prefix.apply(({ first }) => chartMirror(first)) },
        namespace,
        createNamespace: false,
        atomic: true,
        cleanupOnFail: true,
        values,
      },
      k8sOpts,
    );

    // The baseline denies all traffic in the namespace; Argo CD needs its own components, the
    // management API server, the workload API servers, the clouds' token endpoints and Git (443).
    gitopsNetworkPolicies(namespace).forEach(
      (p) => new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${p.metadata.name}`, { metadata: { ...p.metadata }, spec: p.spec }, k8sOpts),
    );

    const awsRoleArn = args.cluster.cloud === "aws" ? this.podIdentity(name, args, namespace) : undefined;

    const crOpts = { ...k8sOpts, dependsOn: [this.release] };
    this.applicationSets = (args.tenants ?? []).map((t) => {
      const project = appProject(t, namespace);
      new k8s.apiextensions.CustomResource(`${name}-project-${t.name}`, project as k8s.apiextensions.CustomResourceArgs, crOpts);
      const set = applicationSet(t, namespace);
      new k8s.apiextensions.CustomResource(`${name}-appset-${t.name}`, set as k8s.apiextensions.CustomResourceArgs, crOpts);
      return t.name;
    });

    this.handle = claimResident(args.domain, {
      stack: args.stack,
      namespace,
      oidcIssuer: args.cluster.oidcIssuer,
      subjects: subjectsOf(namespace),
      gcpAudience: TOKEN_AUDIENCES.gcp(args.domain),
      ...(awsRoleArn ? { awsRoleArn } : {}),
      kubeconfig: args.cluster.kubeconfig,
    });
    this.registerOutputs({ release: this.release.status, applicationSets: this.applicationSets });
  }

  /** EKS Pod Identity for the controller and server: a role with no permissions of its own; workload roles trust it. */
  private podIdentity(name: string, args: GitOpsControllerArgs<D>, namespace: string): pulumi.Output<string> {
    const role = new aws.iam.Role(
      `${name}-controller`,
      {
        description: `Argo CD on ${args.stack}: assumes the ${args.domain} workload clusters' GitOps roles`,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
        }),
        maxSessionDuration: 3600,
        tags: { ...args.tags },
      },
      { parent: this },
    );
    // Only the domain's GitOps roles (IAM path /meridian-gitops/<domain>/), in any account of the domain.
    new aws.iam.RolePolicy(
      `${name}-controller-assume`,
      {
        role: role.name,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: `arn:aws:iam::*:role${gitopsRolePath(args.domain)}*` }],
        }),
      },
      { parent: this },
    );
    CONTROLLER_SERVICE_ACCOUNTS.forEach(
      (sa) => new aws.eks.PodIdentityAssociation(`${name}-pod-identity-${sa}`, { clusterName: args.cluster.clusterName, namespace, serviceAccount: sa, roleArn: role.arn, tags: { ...args.tags } }, { parent: this }),
    );
    return role.arn;
  }
}
