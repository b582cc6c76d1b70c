import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { MockCloud } from "../../../automation/plan/mock-cloud";
import { FleetConfigErrors, loadFleet } from "../../../automation/fleet";
import { createContext } from "../../../stacks/context";
import { attached } from "../../../stacks/roles/attached";
import { parse, stringify } from "yaml";
import { fleetDir, readReference } from "../../support/fleetDir";
import { findAll, settle } from "../../support/mocks";

const STACK = [
  "config:",
  "  meridian:domain: eu",
  "  meridian:role: attached",
  "  meridian:attached:",
  "    clusterName: local-eu",
  "    registries: [europe-west1-docker.pkg.dev/meridian-eu-prod/platform/]",
  "  meridian:kubeconfig:",
  "    secure: v1:AAAA",
].join("\n");

/** The reference fleet.yaml with the EU tenant also placed on the attached stack (tenants live in fleet.yaml). */
const FLEET_YAML = (() => {
  const doc = parse(readReference("fleet.yaml")) as { tenants: { eu: { payments: { clusters: string[] } } } };
  doc.tenants.eu.payments.clusters.push("eu-attached");
  return stringify(doc);
})();

const cloud = new MockCloud();
void pulumi.runtime.setMocks(cloud, "meridian", "eu-attached", false, "organization");

describe("attached role", () => {
  it("applies the baseline through a provider that names the cluster's domain, with the kubeconfig kept secret", async () => {
    const dir = fleetDir({ "Pulumi.eu-attached.yaml": STACK, "fleet.yaml": FLEET_YAML });
    const fleet = loadFleet(dir);
    const spec = fleet.stacks.get("eu-attached")!;
    expect(spec.secretKeys).toEqual(["meridian:kubeconfig"]);
    pulumi.runtime.setAllConfig({ "meridian:kubeconfig": "apiVersion: v1\nkind: Config\n" }, ["meridian:kubeconfig"]);
    const out = await attached(createContext(fleet, spec, "eu"));
    await settle();
    const provider = cloud.records.find((r) => r.type === "pulumi:providers:kubernetes")!;
    expect(provider.inputs.clusterIdentifier).toBe("meridian:eu:local-eu");
    expect(JSON.stringify(provider.inputs.kubeconfig)).toContain("4dabf18193072939515e22adb298388d"); // secret-wrapped
    const namespaces = findAll(cloud, "kubernetes:core/v1:Namespace");
    expect(namespaces.map((n) => (n.inputs.metadata as { name: string }).name)).toContain("payments");
    for (const ns of namespaces) expect((ns.inputs.metadata as { labels: Record<string, string> }).labels.residency).toBe("eu");
    const kube = cloud.records.filter((r) => r.type.startsWith("kubernetes:"));
    expect(kube.length).toBeGreaterThan(10);
    for (const r of kube) expect(r.providerRef ?? "").toContain("eu-attached-k8s");
    expect(JSON.stringify(findAll(cloud, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy"))).toContain("europe-west1-docker.pkg.dev/meridian-eu-prod/platform/");
    // The tenant component's Kubernetes part (no cloud on an attached cluster).
    expect(findAll(cloud, "kubernetes:core/v1:ServiceAccount").map((r) => (r.inputs.metadata as { name: string }).name)).toEqual(["payments-workload"]);
    expect(out.role).toBe("attached");
  });

  it("publishes the domain root CA as a trust bundle when it depends on the pki stack", async () => {
    const dir = fleetDir({ "Pulumi.eu-attached.yaml": STACK.replace("  meridian:kubeconfig:", "  meridian:dependsOn: [eu-pki]\n  meridian:kubeconfig:"), "fleet.yaml": FLEET_YAML });
    const fleet = loadFleet(dir);
    const withPki = new MockCloud({
      stackOutputs: new Map([["eu-pki", { domain: "eu", stack: "eu-pki", role: "pki", rootCertPem: "ROOT-PEM", intermediates: { mesh: { certPem: "C", privateKeyPem: "K" } } }]]),
      secretOutputNames: new Map([["eu-pki", ["intermediates"]]]),
    });
    await pulumi.runtime.setMocks(withPki, "meridian", "eu-attached", false, "organization");
    pulumi.runtime.setAllConfig({ "meridian:kubeconfig": "apiVersion: v1\nkind: Config\n" }, ["meridian:kubeconfig"]);
    await attached(createContext(fleet, fleet.stacks.get("eu-attached")!, "eu"));
    await settle();
    const ref = withPki.records.find((r) => r.type === "pulumi:pulumi:StackReference")!;
    expect(ref.inputs.name).toBe("organization/meridian/eu-pki");
    const bundle = withPki.records.find((r) => r.type === "kubernetes:core/v1:ConfigMap")!;
    expect(bundle.inputs.data).toEqual({ "ca.crt": "ROOT-PEM" });
  });

  it("refuses a registry prefix without a trailing slash, naming the key", () => {
    const dir = fleetDir({ "Pulumi.eu-attached.yaml": STACK.replace("platform/]", "platform]") });
    expect(() => loadFleet(dir)).toThrow(FleetConfigErrors);
    try {
      loadFleet(dir);
    } catch (e) {
      expect((e as FleetConfigErrors).errors[0].message).toMatch(/Pulumi\.eu-attached\.yaml: meridian:attached\.registries\.0: /);
    }
    expect(fs.existsSync(path.join(dir, "Pulumi.eu-attached.yaml"))).toBe(true);
  });
});
