import { DEFAULT_REGIONS } from "../../policy-pack/lib/catalogue";
import { identifyKubeconfig, identifyServer, kubeconfigServer } from "../../policy-pack/lib/clusterIdentity";

const located = (server: string) => identifyServer(server, DEFAULT_REGIONS);

describe("cluster identity by evidence", () => {
  it.each([
    ["https://ABCDEF0123.gr7.eu-central-1.eks.amazonaws.com", "aws", "eu-central-1", "eu"],
    ["https://abc.yl4.us-east-1.eks.amazonaws.com:443", "aws", "us-east-1", "us"],
    ["https://meridian-eu-x-1a2b.hcp.westeurope.azmk8s.io:443", "azure", "westeurope", "eu"],
    ["https://0000-1111.privatelink.eastus.azmk8s.io:443", "azure", "eastus", "us"],
    ["https://gke-0123abcd-123456789012.europe-west1.gke.goog", "gcp", "europe-west1", "eu"],
    ["https://gke-0123abcd-123456789012.us-central1-c.gke.goog", "gcp", "us-central1", "us"],
    ["https://x.gr7.eu-west-2.eks.amazonaws.com", "aws", "eu-west-2", undefined],
  ])("%s is %s %s (%s)", (server, cloud, region, domain) => {
    expect(located(server)).toMatchObject({ kind: "located", cloud, region, domain });
  });

  it.each([
    "https://172.31.4.2",
    "https://meridian-eu-mgmt.example.com",
    "https://eu-central-1.eks.amazonaws.com.attacker.net",
    "https://x.westeurope.azmk8s.io.evil.example",
    "not a url at all %%%",
  ])("%s proves nothing", (server) => {
    expect(located(server).kind).toBe("unknown");
  });

  const kubeconfig = (contextName: string, server: string) => `
apiVersion: v1
kind: Config
current-context: ${contextName}
contexts:
  - name: ${contextName}
    context: { cluster: c1, user: u1 }
  - name: meridian-eu-decoy
    context: { cluster: c2, user: u1 }
clusters:
  - name: c1
    cluster: { server: "${server}" }
  - name: c2
    cluster: { server: "https://d.gr7.eu-central-1.eks.amazonaws.com" }
users: [{ name: u1, user: {} }]
`;

  it("an arbitrary context name on an EU server is EU (pulumi-eks writes context 'aws')", () => {
    expect(identifyKubeconfig(kubeconfig("aws", "https://a.gr7.eu-central-1.eks.amazonaws.com"), DEFAULT_REGIONS)).toMatchObject({
      kind: "located",
      domain: "eu",
    });
  });

  it("a look-alike EU context name on a US server is US", () => {
    expect(identifyKubeconfig(kubeconfig("meridian-eu-workload", "https://a.sk1.us-east-1.eks.amazonaws.com"), DEFAULT_REGIONS)).toMatchObject({
      kind: "located",
      domain: "us",
    });
  });

  it("follows the requested context, not the current one", () => {
    expect(identifyKubeconfig(kubeconfig("aws", "https://10.0.0.1"), DEFAULT_REGIONS, "meridian-eu-decoy")).toMatchObject({
      kind: "located",
      region: "eu-central-1",
    });
  });

  it("reads JSON kubeconfigs and reports what is missing", () => {
    const json = JSON.stringify({ "current-context": "x", contexts: [{ name: "x", context: { cluster: "y" } }], clusters: [] });
    expect(kubeconfigServer(json)).toEqual({ problem: "cluster 'y' has no server" });
    expect(kubeconfigServer("current-context: [")).toEqual({ problem: "the kubeconfig is not valid YAML or JSON" });
    expect(kubeconfigServer("{}")).toEqual({ problem: "the kubeconfig has no current-context" });
    expect(kubeconfigServer("current-context: a\ncontexts: []")).toEqual({ problem: "the kubeconfig has no context 'a'" });
  });

  it("answers a kubeconfig text seen before the same way, per context, and hands each caller its own object", () => {
    const text = [
      "current-context: eu",
      "contexts: [{name: eu, context: {cluster: a}}, {name: us, context: {cluster: b}}]",
      "clusters: [{name: a, cluster: {server: 'https://a.gr7.eu-central-1.eks.amazonaws.com'}}, {name: b, cluster: {server: 'https://b.yl4.us-east-1.eks.amazonaws.com'}}]",
    ].join("\n");
    const first = kubeconfigServer(text);
    expect(first).toEqual({ server: "https://a.gr7.eu-central-1.eks.amazonaws.com" });
    (first as { server: string }).server = "changed by a caller";
    expect(kubeconfigServer(text)).toEqual({ server: "https://a.gr7.eu-central-1.eks.amazonaws.com" });
    expect(kubeconfigServer(text, "us")).toEqual({ server: "https://b.yl4.us-east-1.eks.amazonaws.com" });
    expect(kubeconfigServer(text, "nope")).toEqual({ problem: "the kubeconfig has no context 'nope'" });
    expect(identifyKubeconfig(text, DEFAULT_REGIONS, "us")).toMatchObject({ domain: "us" });
  });
});
