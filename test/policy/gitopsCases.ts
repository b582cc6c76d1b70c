/** Pass/fail cases of the GitOps registration policy, per type it reads (merged into cases.ts). */
import type { PlannedResource } from "../../policy-pack/evaluate";
import type { Case } from "./cases";
import { awsEu, awsUs, azureEu, gcpEu, k8sEu, provider, res } from "./harness";

const azureUs = provider("azure-native", "azure-us", { location: "eastus" });
const gcpUs = provider("gcp", "gcp-us", { project: "p-us", region: "us-central1" });

function registration(server: string, cluster?: PlannedResource): PlannedResource {
  return res(
    "kubernetes:core/v1:Secret",
    "cluster-registration",
    { metadata: { namespace: "meridian-gitops", labels: { "argocd.argoproj.io/secret-type": "cluster" } }, stringData: { name: "c", server } },
    { provider: k8sEu, propertyDependencies: { stringData: cluster ? [cluster.urn] : [] } },
  );
}

/** An IP server, proven only by the cluster resource behind the data. */
function behind(type: string, eu: PlannedResource["provider"], us: PlannedResource["provider"]): Case {
  const good = res(type, "workload", {}, { provider: eu });
  const bad = res(type, "workload", {}, { provider: us });
  return { type, pass: [good, registration("https://172.31.0.2", good)], fail: [bad, registration("https://172.31.0.2", bad)], expect: "is not in the eu domain; the eu controller may register eu clusters only" };
}

export const GITOPS_CASES: Record<string, Case[]> = {
  "meridian-kubernetes-gitops-registration-domain": [
    {
      type: "kubernetes:core/v1:Secret",
      pass: [registration("https://ABC.gr7.eu-central-1.eks.amazonaws.com")],
      fail: [registration("https://DEF.gr7.us-east-1.eks.amazonaws.com")],
      expect: "(aws us-east-1, domain us) is not in the eu domain",
    },
    behind("aws:eks/cluster:Cluster", awsEu, awsUs),
    behind("azure-native:containerservice:ManagedCluster", azureEu, azureUs),
    behind("gcp:container/cluster:Cluster", gcpEu, gcpUs),
  ],
};
