/**
 * ClusterRegistration: a workload cluster registers itself with its domain's Argo CD. The
 * workload stack reads the controller's handle from the management stack (a same-domain
 * StackReference, stacks/references.ts) and creates
 *   - on its own cloud: an identity trusting only that controller (./adapters.ts);
 *   - on the workload cluster: a RoleBinding to `edit` in each of its tenants' namespaces
 *     (nothing cluster-wide: the cluster Secret says `clusterResources: "false"`);
 *   - on the management cluster: the Argo CD cluster Secret (server, CA, how to get a token —
 *     no bearer token, no key), labelled with domain, ring and tenants for the ApplicationSets.
 *
 * Residency is a type: the controller and the cluster are of the same `D`, so a US cluster
 * cannot be registered with the EU controller (test/types/gitops.ts); the run-time check and
 * the pack (meridian-kubernetes-gitops-registration-domain) stand behind it.
 */
import * as k8s from "../../sdk/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { clusterIdentifier, type ResidentCluster } from "../../cluster";
import { assertSameDomain, type Domain, type GitOpsControllerHandle } from "../../residency";
import { clusterConfig, registrationLabels } from "../spec";
import { registerAws, registerAzure, registerGcp, type AdapterArgs, type RegistrationTarget } from "./adapters";

export { GITOPS_GROUP } from "./adapters";

export interface RegisteredTenant {
  readonly name: string;
  readonly namespaces: readonly string[];
}

export interface ClusterRegistrationArgs<D extends Domain> {
  /** (Required) The residency domain of the controller and the cluster. */
  readonly domain: D;
  /** (Required) The domain's GitOps controller, read from the management stack. */
  readonly controller: GitOpsControllerHandle<NoInfer<D>>;
  /** (Required) The workload cluster to register. */
  readonly cluster: ResidentCluster<NoInfer<D>>;
  /** (Required) The workload stack: the registered cluster's name in Argo CD. */
  readonly stack: string;
  /** (Required) The cluster's region. */
  readonly region: string;
  /** (Optional) Rollout ring (`meridian:ring`). Defaults to 0. */
  readonly ring?: number;
  /** (Optional) The tenants on this cluster: their namespaces are all the controller may touch. Defaults to none. */
  readonly tenants?: readonly RegisteredTenant[];
  /** (GCP: Required) The cluster's project. */
  readonly gcpProject?: string;
  /** (Azure: Required) The resource group of the identity. */
  readonly resourceGroupName?: pulumi.Input<string>;
  /** (Optional) Tags for cloud children. Defaults to none. */
  readonly tags?: Readonly<Record<string, string>>;
}

interface ApiServer {
  readonly server: string;
  readonly caData: string;
}

/** Server and CA of an exec-auth kubeconfig (JSON or YAML-as-JSON, as the cluster adapters write it). */
export function apiServerOf(kubeconfig: string): ApiServer {
  const doc = JSON.parse(kubeconfig) as { "current-context"?: string; contexts?: Array<{ name: string; context: { cluster: string } }>; clusters?: Array<{ name: string; cluster: { server?: string; "certificate-authority-data"?: string } }> };
  const ctx = doc.contexts?.find((c) => c.name === doc["current-context"]);
  const cluster = doc.clusters?.find((c) => c.name === ctx?.context.cluster)?.cluster;
  if (cluster?.server === undefined) throw new Error("the cluster's kubeconfig names no server");
  return { server: cluster.server, caData: cluster["certificate-authority-data"] ?? "" };
}

export class ClusterRegistration<D extends Domain> extends pulumi.ComponentResource {
  /** The cluster Secret on the management cluster. */
  readonly secret: k8s.core.v1.Secret;
  /** The API server registered (from the cluster's own outputs). */
  readonly server: pulumi.Output<string>;
  /** Namespaces the controller may manage. */
  readonly namespaces: readonly string[];

  constructor(name: string, args: ClusterRegistrationArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:gitops:ClusterRegistration", name, {}, opts);
    assertSameDomain(args.domain, args.controller, `GitOps controller of ${args.controller.stack}`);
    assertSameDomain(args.domain, args.cluster, `cluster ${args.stack}`);
    const tenants = args.tenants ?? [];
    this.namespaces = [...new Set(tenants.flatMap((t) => [...t.namespaces]))].sort();

    const management = new k8s.Provider(
      `${name}-management`,
      {
        kubeconfig: args.controller.kubeconfig,
        clusterIdentifier: clusterIdentifier(args.domain, args.controller.stack),
        enableServerSideApply: true,
      },
      { parent: this },
    );
    const adapter: AdapterArgs = {
      domain: args.domain,
      stack: args.stack,
      controller: args.controller,
      clusterName: args.cluster.clusterName,
      region: args.region,
      tags: args.tags ?? {},
      management,
      ...(args.resourceGroupName !== undefined ? { resourceGroupName: args.resourceGroupName } : {}),
      ...(args.gcpProject !== undefined ? { gcpProject: args.gcpProject } : {}),
    };
    const target: RegistrationTarget =
      args.cluster.cloud === "aws" ? registerAws(name, adapter, this) : args.cluster.cloud === "azure" ? registerAzure(name, adapter, this) : registerGcp(name, adapter, this);

    // Inside the workload cluster: `edit` in the tenants' namespaces, nothing else.
    const bindings = this.namespaces.map(
      (ns) =>
        new k8s.rbac.v1.RoleBinding(
          `${name}-edit-${ns}`,
          {
            metadata: { name: "meridian-gitops", namespace: ns, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: target.subject.kind, name: target.subject.name }],
          },
          { parent: this, provider: args.cluster.provider },
        ),
    );

    // The address and CA are public facts of the cluster; only the kubeconfig as a whole is kept secret.
    const api = pulumi.unsecret(args.cluster.kubeconfig.apply(apiServerOf));
    this.server = api.server;
    this.secret = new k8s.core.v1.Secret(
      `${name}-cluster`,
      {
        metadata: {
          name: `cluster-${args.stack}`,
          namespace: args.controller.namespace,
          labels: registrationLabels({ domain: args.domain, cloud: args.cluster.cloud, stack: args.stack, ring: args.ring ?? 0, tenants: tenants.map((t) => t.name) }),
        },
        type: "Opaque",
        stringData: {
          name: args.stack,
          server: api.server,
          namespaces: this.namespaces.join(","),
          clusterResources: "false",
          config: pulumi.all([target.auth, api.caData]).apply(([auth, ca]) => JSON.stringify(clusterConfig(auth, ca))),
        },
      },
      { parent: this, provider: management, dependsOn: bindings },
    );
    this.registerOutputs({ server: this.server, namespaces: this.namespaces });
  }
}
