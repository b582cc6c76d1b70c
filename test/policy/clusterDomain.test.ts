/**
 * Cluster identity by evidence (issue 13 item 6): a Kubernetes provider's domain comes from
 * its API server, the cluster resource behind its kubeconfig, or a StackReference of a
 * known domain — never from a name; what proves nothing is advisory at preview and
 * mandatory at update. Also the phase plumbing (lib/phase.ts).
 */
import { evaluateStack, type PlannedResource } from "../../policy-pack/evaluate";
import { captureEngineDryRun, currentPhase, installEngineHooks, setPhase } from "../../policy-pack/lib/phase";
import { kubeconfig } from "./casesBreadth";
import { awsEu, EU, gcpEu, policy, provider, res, stackResource, STACK, UNKNOWN } from "./harness";

const NAME = "meridian-kubernetes-provider-cluster-domain";
const EKS_EU = "https://0123456789ABCDEF.gr7.eu-central-1.eks.amazonaws.com";
const EKS_US = "https://0123456789ABCDEF.yl4.us-east-1.eks.amazonaws.com";

function judge(resources: PlannedResource[], phase: "preview" | "update" = "preview") {
  return evaluateStack(STACK, [stackResource, ...resources], EU, { policies: [policy(NAME)], phase }).filter((v) => v.policy === NAME);
}
const k8s = (props: Record<string, unknown>, deps: Record<string, string[]> = {}, name = "k8s") => res("pulumi:providers:kubernetes", name, props, { propertyDependencies: deps });

describe("Kubernetes provider cluster domain", () => {
  it("a correct cluster with an arbitrary context name (pulumi-eks writes `aws`) passes, at preview and update", () => {
    for (const phase of ["preview", "update"] as const) {
      expect(judge([k8s({ kubeconfig: kubeconfig(EKS_EU, "aws") })], phase)).toEqual([]);
    }
  });

  it("a look-alike EU name (context, clusterIdentifier) on a US server is refused", () => {
    const vs = judge([k8s({ kubeconfig: kubeconfig(EKS_US, "meridian-eu-workload"), context: "meridian-eu-workload", clusterIdentifier: "meridian:eu:workload" })]);
    expect(vs).toHaveLength(1);
    expect(vs[0]).toMatchObject({ level: "mandatory" });
    expect(vs[0]!.message).toContain("us-east-1");
  });

  it("names alone prove nothing: a provider with only a context / clusterIdentifier is not proven", () => {
    const only = k8s({ context: "eu-workload-aws", clusterIdentifier: "meridian:eu:workload-aws" });
    expect(judge([only], "preview").map((v) => v.level)).toEqual(["advisory"]);
    const update = judge([only], "update");
    expect(update.map((v) => v.level)).toEqual(["mandatory"]);
    expect(update[0]!.message).toContain("ambient");
  });

  it("follows the provider's `context` to its cluster, not the current-context", () => {
    const kc = JSON.stringify({
      "current-context": "a",
      contexts: [
        { name: "a", context: { cluster: "eu" } },
        { name: "b", context: { cluster: "us" } },
      ],
      clusters: [
        { name: "eu", cluster: { server: EKS_EU } },
        { name: "us", cluster: { server: EKS_US } },
      ],
    });
    expect(judge([k8s({ kubeconfig: kc })])).toEqual([]);
    expect(judge([k8s({ kubeconfig: kc, context: "b" })])[0]).toMatchObject({ level: "mandatory" });
  });

  it("an IP-address API server is proven by the GKE cluster resource behind the kubeconfig", () => {
    const gke = res("gcp:container/cluster:Cluster", "gke", { location: "europe-west1" }, { provider: gcpEu });
    const ipOnly = k8s({ kubeconfig: kubeconfig("https://34.76.1.2", "gke_p_europe-west1_gke") }, { kubeconfig: [gke.urn] });
    expect(judge([gke, ipOnly], "update")).toEqual([]);
    const alone = k8s({ kubeconfig: kubeconfig("https://34.76.1.2") });
    expect(judge([alone], "preview").map((v) => v.level)).toEqual(["advisory"]);
    expect(judge([alone], "update")[0]!.message).toContain("34.76.1.2 names no region");
  });

  it("a kubeconfig unknown at preview is resolved through the cluster resource, or reported as cannot verify", () => {
    const eks = res("aws:eks/cluster:Cluster", "eks", {}, { provider: awsEu });
    expect(judge([eks, k8s({ kubeconfig: UNKNOWN }, { kubeconfig: [eks.urn] })])).toEqual([]);
    const vs = judge([k8s({ kubeconfig: UNKNOWN })]);
    expect(vs.map((v) => v.level)).toEqual(["advisory"]);
    expect(vs[0]!.message).toContain("k8s.kubeconfig");
  });

  it("a `secure:` kubeconfig is an unreadable encrypted value, not a file path", () => {
    const vs = judge([k8s({ kubeconfig: "secure:v1:AAABAMbOw5pD3kY=:xyzzy" })], "update");
    expect(vs).toHaveLength(1);
    expect(vs[0]!.message).toContain("encrypted config value");
    expect(vs[0]!.message).not.toContain("file path");
    expect(vs[0]!.message).not.toContain("xyzzy");
  });

  it("a file path kubeconfig is reported as such (advisory at preview, mandatory at update)", () => {
    const path = k8s({ kubeconfig: "~/.kube/config" });
    expect(judge([path], "preview")[0]).toMatchObject({ level: "advisory" });
    const vs = judge([path], "update");
    expect(vs[0]).toMatchObject({ level: "mandatory" });
    expect(vs[0]!.message).toContain("is a file path");
  });

  it("a StackReference of a known domain proves the cluster; an unlisted one does not", () => {
    const ref = res("pulumi:pulumi:StackReference", "cluster", { name: "organization/meridian/eu-foundation-aws" });
    expect(judge([ref, k8s({ kubeconfig: UNKNOWN }, { kubeconfig: [ref.urn] })], "update")).toEqual([]);
    const unlisted = res("pulumi:pulumi:StackReference", "cluster", { name: "organization/other/prod" });
    const vs = judge([unlisted, k8s({ kubeconfig: kubeconfig("https://10.0.0.1") }, { kubeconfig: [unlisted.urn] })], "update");
    expect(vs[0]!.message).toContain("not in `stackDomains`");
  });

  it("evidence that conflicts is refused: an EU server whose kubeconfig came from a US cluster resource", () => {
    const usEks = res("aws:eks/cluster:Cluster", "eks", {}, { provider: provider("aws", "aws-us", { region: "us-west-2" }) });
    const vs = judge([usEks, k8s({ kubeconfig: kubeconfig(EKS_EU) }, { kubeconfig: [usEks.urn] })]);
    expect(vs.map((v) => v.level)).toEqual(["mandatory"]);
    expect(vs[0]!.message).toContain("us-west-2");
  });
});

describe("phase (preview vs update)", () => {
  afterEach(() => {
    setPhase(undefined);
    delete process.env.MERIDIAN_POLICY_PHASE;
  });

  it("fails closed to update, honours MERIDIAN_POLICY_PHASE, and evaluateStack restores it", () => {
    expect(currentPhase()).toBe("update");
    process.env.MERIDIAN_POLICY_PHASE = "preview";
    expect(currentPhase()).toBe("preview");
    evaluateStack(STACK, [stackResource], EU, { phase: "update" });
    expect(currentPhase()).toBe("preview");
  });

  it("records the engine's dry_run from ConfigureStack and still runs the SDK's handler", () => {
    class FakeServer {
      impl: Record<string, unknown> = {};
      addService(_service: unknown, implementation: Record<string, unknown>) {
        this.impl = implementation;
      }
    }
    expect(captureEngineDryRun(FakeServer)).toBe(true);
    expect(captureEngineDryRun(FakeServer)).toBe(true); // idempotent
    const calls: boolean[] = [];
    const server = new FakeServer();
    server.addService({}, { configureStack: (call: { request: { getDryRun(): boolean } }) => calls.push(call.request.getDryRun()), analyze: () => undefined });
    const configureStack = server.impl.configureStack as (call: unknown, cb: unknown) => void;
    configureStack({ request: { getDryRun: () => true } }, () => undefined);
    expect(currentPhase()).toBe("preview");
    configureStack({ request: { getDryRun: () => false } }, () => undefined);
    expect(currentPhase()).toBe("update");
    expect(calls).toEqual([true, false]);
    expect(typeof server.impl.analyze).toBe("function");
  });

  it("finds the @grpc/grpc-js server class @pulumi/policy uses", () => {
    expect(installEngineHooks()).toBe(true);
  });
});
