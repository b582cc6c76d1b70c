/**
 * WorkloadCluster and ManagementCluster: one Kubernetes cluster of a residency domain on
 * EKS, AKS or GKE (one adapter file per cloud), secure by default. Both are generic in
 * the domain `D` and take a network and a key of that same `D`, so an EU cluster cannot
 * be built on a US key — a compile error, backed by a run-time check.
 *
 * Outputs: an exec-auth kubeconfig (secret, no static credential), the OIDC issuer, the
 * pod and service CIDRs, and `provider`, a Kubernetes provider for this cluster whose
 * `clusterIdentifier` is `meridian:<domain>:<cluster>` (how the policy pack and the tests
 * tell which cluster, and so which domain, a Kubernetes object lands in).
 */
import * as k8s from "../sdk/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { BaselineStorageArgs } from "../baseline";
import type { Cloud, Domain } from "../residency";
import { createAks } from "./aks";
import { createEks } from "./eks";
import { createGke } from "./gke";
import { contextName, minorOf, settleClusterSpec, validateClusterArgs, versionStepProblem, type AdapterResult, type ClusterArgs, type ClusterSpec } from "./spec";

export * from "./spec";
export { EKS_LOG_TYPES } from "./eks";
export { AKS_AUDIT_CATEGORIES, AZURE_ROLES, dnsServiceIp } from "./aks";
export { defaultMasterCidr } from "./gke";

export type WorkloadClusterArgs<D extends Domain> = ClusterArgs<D>;
export type ManagementClusterArgs<D extends Domain> = ClusterArgs<D>;

/** The `clusterIdentifier` of a cluster's Kubernetes provider. */
export function clusterIdentifier(domain: Domain, clusterName: string): string {
  return `meridian:${domain}:${clusterName}`;
}

/** Shared body of both cluster components (not constructed directly). */
export abstract class ResidentCluster<D extends Domain> extends pulumi.ComponentResource {
  readonly domain: D;
  readonly cloud: Cloud;
  readonly clusterName: pulumi.Output<string>;
  readonly endpoint: pulumi.Output<string>;
  readonly oidcIssuer: pulumi.Output<string>;
  /** Exec-auth kubeconfig, secret. */
  readonly kubeconfig: pulumi.Output<string>;
  /**
   * The minor the control plane runs, from the cloud's data source (e.g. `1.33`). Known once
   * the cluster exists; a configured version more than one minor ahead of it (or behind it)
   * fails the preview, whatever `runningVersion` config says. Not in the registered outputs:
   * the stack exports it (`cluster.runningVersion`), and that export is where a failure surfaces.
   */
  readonly runningVersion: pulumi.Output<string>;
  readonly podCidr: string;
  readonly serviceCidr: string;
  /** Zones as the `topology.kubernetes.io/zone` label spells them. */
  readonly topologyZones: readonly string[];
  /** The Kubernetes provider for this cluster; pass it to every Kubernetes child. */
  readonly provider: k8s.Provider;
  /** Arguments for the baseline's encrypted StorageClass on this cluster. */
  readonly storage: BaselineStorageArgs<D>;
  /** Azure only: the cluster's audit-log Log Analytics workspace. */
  readonly logAnalyticsWorkspaceId?: pulumi.Output<string>;

  protected constructor(type: string, role: "management" | "workload", name: string, args: ClusterArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
    const problems = validateClusterArgs(args, role);
    if (problems.length > 0) {
      throw new pulumi.InputPropertiesError({ message: `${type.split(":").pop()} ${name}: invalid arguments`, errors: problems });
    }
    const spec: ClusterSpec = settleClusterSpec(args, role);
    const result: AdapterResult =
      spec.cloud === "aws" ? createEks(name, spec, this) : spec.cloud === "azure" ? createAks(name, spec, this) : createGke(name, spec, this);

    this.domain = args.domain;
    this.cloud = args.cloud;
    this.clusterName = result.clusterName;
    this.endpoint = result.endpoint;
    this.oidcIssuer = result.oidcIssuer;
    this.kubeconfig = result.kubeconfig;
    this.runningVersion = result.runningVersion.apply((running) => {
      if (minorOf(running) === undefined) throw new pulumi.ResourceError(`${name}: the cloud reports Kubernetes version "${running}", not a 1.xx minor`, this);
      const step = versionStepProblem(running, spec.kubernetesVersion);
      if (step !== undefined) throw new pulumi.ResourceError(`${name}: kubernetesVersion: ${step} (version read from the cluster)`, this);
      return running;
    });
    this.podCidr = spec.podCidr;
    this.serviceCidr = spec.serviceCidr;
    this.topologyZones = spec.topologyZones;
    this.logAnalyticsWorkspaceId = result.logAnalyticsWorkspaceId;
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      {
        kubeconfig: result.kubeconfig,
        context: contextName(spec.domain, spec.clusterName),
        clusterIdentifier: clusterIdentifier(spec.domain, spec.clusterName),
        enableServerSideApply: true,
      },
      { parent: this, dependsOn: result.readyResources },
    );
    this.storage =
      args.cloud === "azure"
        ? { cloud: "azure", diskEncryptionSetId: result.diskEncryptionSetId!, zones: spec.topologyZones }
        : { cloud: args.cloud, key: args.key, zones: spec.topologyZones };
    this.registerOutputs({
      clusterName: this.clusterName,
      endpoint: this.endpoint,
      oidcIssuer: this.oidcIssuer,
      kubeconfig: this.kubeconfig,
      podCidr: this.podCidr,
      serviceCidr: this.serviceCidr,
    });
  }
}

/** A workload cluster: system pool + tenant workload pools, baseline applied by the workload role. */
export class WorkloadCluster<D extends Domain> extends ResidentCluster<D> {
  constructor(name: string, args: WorkloadClusterArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:cluster:WorkloadCluster", "workload", name, args, opts);
  }
}

/**
 * The domain's management cluster: GitOps, policy distribution and cluster lifecycle,
 * separated from the workload data plane. Stricter than a workload cluster: the endpoint
 * is private in every environment, its default pool is `platform`, and the baseline
 * applied to it has no tenants and binds operators only inside platform namespaces.
 */
export class ManagementCluster<D extends Domain> extends ResidentCluster<D> {
  constructor(name: string, args: ManagementClusterArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:cluster:ManagementCluster", "management", name, args, opts);
  }
}
