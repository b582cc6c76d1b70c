/**
 * An attached cluster's domain at run time (the kubeconfig is a secret, invisible to the
 * loader): the provider's clusterIdentifier carries the domain the kubeconfig's API server
 * proves, so a US cluster behind an EU stack is a mandatory violation of the pack — in the
 * offline plan exactly as in a preview — and an address that proves nothing is said plainly.
 */
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { loadFleet } from "../../../automation/fleet";
import { planStack } from "../../../automation/plan/planStack";
import { stackPackConfig } from "../../../automation/plan/policies";
import { evaluateStack } from "../../../policy-pack/evaluate";
import { clusterIdentifierFor } from "../../../stacks/roles/attached";
import { runStack } from "../../../stacks/program";
import { fleetDir } from "../../support/fleetDir";

const STACK = stringify({
  config: {
    "meridian:domain": "eu",
    "meridian:role": "attached",
    "meridian:attached": { clusterName: "ext", registries: ["europe-west1-docker.pkg.dev/meridian-eu-prod/platform/"] },
    "meridian:kubeconfig": { secure: "v1:AAAA" },
  },
});

const kubeconfig = (server: string) =>
  stringify({ apiVersion: "v1", kind: "Config", "current-context": "meridian-eu-ext", contexts: [{ name: "meridian-eu-ext", context: { cluster: "k" } }], clusters: [{ name: "k", cluster: { server } }] });

async function planWithKubeconfig(server: string) {
  const fleet = loadFleet(fleetDir({ "Pulumi.eu-attached.yaml": STACK }));
  const plan = await planStack(
    fleet,
    "eu-attached",
    (f, s) => {
      // What the engine hands the program at run time: the decrypted secret.
      // setConfig would drop the secret marking the engine keeps; setAllConfig keeps it.
      pulumi.runtime.setAllConfig({ ...pulumi.runtime.allConfig(), "meridian:kubeconfig": kubeconfig(server) }, ["meridian:kubeconfig"]);
      return runStack(f, s);
    },
    { outputs: new Map(), secretOutputNames: new Map() },
  );
  const provider = plan.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
  const violations = evaluateStack("eu-attached", [...plan.resources], stackPackConfig(fleet, "eu-attached"));
  return { plan, identifier: provider.props.clusterIdentifier, violations };
}

describe("attached cluster identity at run time", () => {
  it("a US EKS cluster behind an EU stack: identifier says us, and the pack reports a mandatory violation", async () => {
    const { identifier, violations } = await planWithKubeconfig("https://ABC.gr7.us-east-1.eks.amazonaws.com");
    expect(identifier).toBe("meridian:us:ext");
    expect(violations).toContainEqual(expect.objectContaining({ policy: "meridian-kubernetes-provider-cluster-domain", level: "mandatory" }));
  }, 120_000);

  it("an EU cluster keeps the stack's identifier and passes", async () => {
    const { identifier, violations } = await planWithKubeconfig("https://ABC.gr7.eu-central-1.eks.amazonaws.com");
    expect(identifier).toBe("meridian:eu:ext");
    expect(violations.filter((v) => v.policy === "meridian-kubernetes-provider-cluster-domain" && v.level === "mandatory")).toEqual([]);
  }, 120_000);

  it.each([
    [{ kind: "unknown", reason: "the API server 10.0.0.1 names no region" } as const, "meridian:eu:ext"],
    [{ kind: "located", cloud: "azure", region: "eastus", domain: "us", from: "API server x.hcp.eastus.azmk8s.io" } as const, "meridian:us:ext"],
    [{ kind: "located", cloud: "aws", region: "ap-south-1", domain: undefined, from: "API server x" } as const, "meridian:none:ext"],
    [{ kind: "located", cloud: "gcp", region: "europe-west1", domain: "eu", from: "API server x" } as const, "meridian:eu:ext"],
  ])("clusterIdentifierFor(%j) = %s, and says so plainly when it cannot verify", (identity, expected) => {
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    const error = jest.spyOn(pulumi.log, "error").mockImplementation(() => Promise.resolve());
    try {
      expect(clusterIdentifierFor("eu", "ext", identity, "Pulumi.eu-attached.yaml")).toBe(expected);
      if (identity.kind === "unknown") expect(warn).toHaveBeenCalledWith(expect.stringMatching(/meridian:kubeconfig: cannot verify that cluster ext is in domain eu: the API server 10\.0\.0\.1 names no region/));
      if (identity.kind === "located" && identity.domain !== "eu") expect(error).toHaveBeenCalledWith(expect.stringMatching(/not in domain eu/));
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  });
});
