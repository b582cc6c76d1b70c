/**
 * meridian-kubernetes-gitops-registration-domain: an Argo CD cluster Secret registers only a
 * cluster proven to be in the stack's domain, by its server address or the cluster resource its
 * data came from; names prove nothing. (The planned registrations of the reference fleet are
 * judged in test/unit/gitops/fleet.test.ts.)
 */
import { evaluateStack, type PlannedResource } from "../../policy-pack/evaluate";
import { awsUs, EU, gcpEu, policy, res, secret, stackResource, STACK, UNKNOWN, k8sEu } from "./harness";

const NAME = "meridian-kubernetes-gitops-registration-domain";
const judge = (resources: PlannedResource[], phase: "preview" | "update" = "preview") =>
  evaluateStack(STACK, [stackResource, ...resources], EU, { policies: [policy(NAME)], phase }).filter((v) => v.policy === NAME);

const EU_EKS = "https://ABC.gr7.eu-central-1.eks.amazonaws.com";
const US_EKS = "https://DEF.gr7.us-east-1.eks.amazonaws.com";

function registration(stringData: Record<string, unknown> | ReturnType<typeof secret>, deps: string[] = [], labels: Record<string, string> = {}): PlannedResource {
  return res(
    "kubernetes:core/v1:Secret",
    "eu-workload-aws-gitops-cluster",
    { metadata: { name: "cluster-x", namespace: "meridian-gitops", labels: { "argocd.argoproj.io/secret-type": "cluster", ...labels } }, stringData },
    { provider: k8sEu, propertyDependencies: { stringData: deps } },
  );
}

it("an in-domain EKS server passes (plain and as a Pulumi secret)", () => {
  expect(judge([registration({ name: "eu-workload-aws", server: EU_EKS })])).toEqual([]);
  expect(judge([registration(secret({ name: "eu-workload-aws", server: EU_EKS }))])).toEqual([]);
});

it("a US server registered in the EU instance is mandatory, whatever the names and labels say", () => {
  const vs = judge([registration({ name: "eu-workload-aws", server: US_EKS }, [], { "meridian.io/domain": "eu" })]);
  expect(vs.map((v) => v.level)).toEqual(["mandatory"]);
  expect(vs[0]!.message).toMatch(/us-east-1, domain us\) is not in the eu domain/);
});

it("base64 `data.server` is read as well", () => {
  const r = res("kubernetes:core/v1:Secret", "reg", { metadata: { labels: { "argocd.argoproj.io/secret-type": "cluster" } }, data: { server: Buffer.from(US_EKS).toString("base64") } }, { provider: k8sEu });
  expect(judge([r]).map((v) => v.level)).toEqual(["mandatory"]);
});

it("an IP server is proven by the cluster resource behind the data — or refused when that cluster is in the other domain", () => {
  const euGke = res("gcp:container/cluster:Cluster", "gke", { location: "europe-west1" }, { provider: gcpEu });
  expect(judge([euGke, registration({ server: "https://172.31.1.2" }, [euGke.urn])], "update")).toEqual([]);
  const usEks = res("aws:eks/cluster:Cluster", "eks-us", {}, { provider: awsUs });
  const vs = judge([usEks, registration({ server: "https://172.31.1.2" }, [usEks.urn])], "update");
  expect(vs.map((v) => v.level)).toEqual(["mandatory"]);
  expect(vs[0]!.message).toMatch(/cluster resource 'eks-us'/);
});

it("an IP server with nothing behind it cannot be verified at preview and is mandatory at update", () => {
  const r = registration({ server: "https://10.0.0.1" });
  expect(judge([r], "preview").map((v) => v.level)).toEqual(["advisory"]);
  const vs = judge([r], "update");
  expect(vs.map((v) => v.level)).toEqual(["mandatory"]);
  expect(vs[0]!.message).toMatch(/not proven/);
});

it("an unknown server at preview is cannot-verify, never a pass", () => {
  expect(judge([registration({ server: UNKNOWN })]).map((v) => v.level)).toEqual(["advisory"]);
});

it("Secrets that are not cluster registrations are not judged", () => {
  const plain = res("kubernetes:core/v1:Secret", "other", { metadata: { labels: { app: "x" } }, stringData: { server: US_EKS } }, { provider: k8sEu });
  const repo = res("kubernetes:core/v1:Secret", "repo", { metadata: { labels: { "argocd.argoproj.io/secret-type": "repository" } }, stringData: { url: US_EKS } }, { provider: k8sEu });
  expect(judge([plain, repo])).toEqual([]);
});
