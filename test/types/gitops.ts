/**
 * Compile-time residency tests for GitOps (checked by `tsc --noEmit`, never run): a US cluster
 * cannot be registered with the EU controller, the EU controller cannot be installed on a US
 * management cluster or pull from a US registry, and a hand-built controller handle is refused.
 */
import { GitOpsController } from "../../components/gitops";
import { ClusterRegistration } from "../../components/gitops/registration";
import type { ManagementCluster, WorkloadCluster } from "../../components/cluster";
import type { GitOpsControllerHandle, RegistryHandle } from "../../components/residency";

declare const euController: GitOpsControllerHandle<"eu">;
declare const usController: GitOpsControllerHandle<"us">;
declare const euCluster: WorkloadCluster<"eu">;
declare const usCluster: WorkloadCluster<"us">;
declare const euMgmt: ManagementCluster<"eu">;
declare const usMgmt: ManagementCluster<"us">;
declare const euRegistry: RegistryHandle<"eu">;
declare const usRegistry: RegistryHandle<"us">;

// Same domain: compiles.
new ClusterRegistration("ok", { domain: "eu", controller: euController, cluster: euCluster, stack: "eu-workload-aws", region: "eu-central-1" });
new ClusterRegistration("ok-us", { domain: "us", controller: usController, cluster: usCluster, stack: "us-workload-aws", region: "us-east-1" });
new GitOpsController("ok-ctl", { domain: "eu", stack: "eu-mgmt", cluster: euMgmt, registry: euRegistry });

// @ts-expect-error a US cluster cannot be registered in the EU instance
new ClusterRegistration("bad-1", { domain: "eu", controller: euController, cluster: usCluster, stack: "us-workload-aws", region: "us-east-1" });

// @ts-expect-error declaring the US domain does not let an EU controller take a US cluster
new ClusterRegistration("bad-2", { domain: "us", controller: euController, cluster: usCluster, stack: "us-workload-aws", region: "us-east-1" });

// @ts-expect-error the EU controller cannot run on the US management cluster
new GitOpsController("bad-3", { domain: "eu", stack: "eu-mgmt", cluster: usMgmt, registry: euRegistry });

// @ts-expect-error nor pull its chart and images from the US registry
new GitOpsController("bad-4", { domain: "eu", stack: "eu-mgmt", cluster: euMgmt, registry: usRegistry });

new ClusterRegistration("bad-5", {
  domain: "eu",
  // @ts-expect-error a hand-built object literal cannot impersonate the controller handle
  controller: { domain: "eu", stack: "eu-mgmt", namespace: "meridian-gitops", oidcIssuer: "https://x", subjects: [], gcpAudience: "a", kubeconfig: "{}" },
  cluster: euCluster,
  stack: "eu-workload-aws",
  region: "eu-central-1",
});
