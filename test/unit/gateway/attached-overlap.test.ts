/** An attached cluster's `meridian-trust-bundle` during a CA rotation overlap: both roots, current first; one root is published byte for byte. */
import * as pulumi from "@pulumi/pulumi";
import { MockCloud } from "../../../automation/plan/mock-cloud";
import { loadFleet } from "../../../automation/fleet";
import { createContext } from "../../../stacks/context";
import { attached } from "../../../stacks/roles/attached";
import { fleetDir } from "../../support/fleetDir";
import { settle } from "../../support/mocks";

const STACK = [
  "config:",
  "  meridian:domain: eu",
  "  meridian:role: attached",
  "  meridian:dependsOn: [eu-pki]",
  "  meridian:attached:",
  "    clusterName: local-eu",
  "    registries: [europe-west1-docker.pkg.dev/meridian-eu-prod/platform/]",
  "  meridian:kubeconfig:",
  "    secure: v1:AAAA",
].join("\n");

const NEW = "-----BEGIN CERTIFICATE-----\nTkVX\n-----END CERTIFICATE-----\n";
const OLD = "-----BEGIN CERTIFICATE-----\nT0xE\n-----END CERTIFICATE-----\n";

async function bundleFor(pkiOutputs: Record<string, unknown>): Promise<unknown> {
  const fleet = loadFleet(fleetDir({ "Pulumi.eu-attached.yaml": STACK }));
  const cloud = new MockCloud({ stackOutputs: new Map([["eu-pki", { domain: "eu", stack: "eu-pki", role: "pki", intermediates: {}, ...pkiOutputs }]]) });
  await pulumi.runtime.setMocks(cloud, "meridian", "eu-attached", false, "organization");
  pulumi.runtime.setAllConfig({ "meridian:kubeconfig": "apiVersion: v1\nkind: Config\n" }, ["meridian:kubeconfig"]);
  await attached(createContext(fleet, fleet.stacks.get("eu-attached")!, "eu"));
  await settle();
  return cloud.records.find((r) => r.type === "kubernetes:core/v1:ConfigMap")!.inputs.data;
}

it("carries the current and the retiring root during the overlap", async () => {
  expect(await bundleFor({ rootCertPem: NEW, trustRoots: [NEW, OLD] })).toEqual({ "ca.crt": `${NEW}${OLD}` });
});

it("publishes a single root unchanged (no overlap, or a pki stack from before trustRoots)", async () => {
  expect(await bundleFor({ rootCertPem: "ROOT-PEM", trustRoots: ["ROOT-PEM"] })).toEqual({ "ca.crt": "ROOT-PEM" });
  expect(await bundleFor({ rootCertPem: "ROOT-PEM" })).toEqual({ "ca.crt": "ROOT-PEM" });
});
