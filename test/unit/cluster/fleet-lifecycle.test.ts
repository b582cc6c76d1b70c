/**
 * The lifecycle pieces through the real stack programs under the mock cloud (the offline
 * plan's machinery), on the reference EU fleet with its pki stack in a rotation's `issue`
 * phase and a workload pool with its own upgrade settings:
 *   - every management/workload stack exports `cluster.runningVersion`, read from its cloud's
 *     data source (the mock cloud runs what was applied, so it equals the configured minor);
 *   - each workload cluster's CA issuer Secret picks up the cross-signed intermediate and the
 *     root it chains to, and the domain Bundle carries both roots;
 *   - the pool's `upgrade` config reaches the cloud resource.
 */
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { loadFleet } from "../../../automation/fleet";
import { planFleet, type StackPlan } from "../../../automation/plan";
import { runStack } from "../../../stacks/program";
import { fleetDir, readReference } from "../../support/fleetDir";
import { unwrapSecret } from "../../support/mocks";

/* eslint-disable @typescript-eslint/no-explicit-any */
function edited(file: string, edit: (config: Record<string, any>) => void): string {
  const doc = parseYaml(readReference(file)) as { config: Record<string, any> };
  edit(doc.config);
  return stringifyYaml(doc);
}

let plans: Map<string, StackPlan>;
beforeAll(async () => {
  const dir = fleetDir({
    "Pulumi.eu-pki.yaml": edited("Pulumi.eu-pki.yaml", (c) => {
      c["meridian:pki"] = { ...c["meridian:pki"], generation: 1, rotation: { to: 2, phase: "issue" } };
    }),
    "Pulumi.eu-workload-azure.yaml": edited("Pulumi.eu-workload-azure.yaml", (c) => {
      const cluster = c["meridian:cluster"];
      cluster.workloadPools = [{ name: "general", upgrade: { maxSurge: "50%", drainTimeoutMinutes: 45, soakMinutes: 5 } }];
    }),
  });
  const full = loadFleet(dir);
  const wanted = [...full.stacks.values()].filter((s) => s.domain === "eu" && ["guardrails", "foundation", "pki", "management", "workload"].includes(s.role));
  const fleet = { ...full, stacks: new Map(wanted.map((s) => [s.name, s])) };
  const result = await planFleet(fleet, { program: (f, s) => runStack(f, s) });
  plans = new Map(result.stacks.map((p) => [p.name, p]));
  for (const p of result.stacks) expect([p.name, p.status, p.error]).toEqual([p.name, "planned", undefined]);
}, 300_000);

const clusterStacks = () => [...plans.values()].filter((p) => (p.outputs as any).cluster?.podCidr !== undefined);

it("every cluster stack exports cluster.runningVersion from the data source", () => {
  expect(clusterStacks().map((p) => p.name).sort()).toEqual(["eu-mgmt", "eu-workload-aws", "eu-workload-azure", "eu-workload-gcp"]);
  for (const p of clusterStacks()) {
    const cluster = (p.outputs as any).cluster;
    expect([p.name, cluster.runningVersion]).toEqual([p.name, cluster.kubernetesVersion]);
  }
});

it("the CA issuers serve the cross-signed intermediate on the root it chains to; the Bundle trusts both roots", () => {
  const pki = plans.get("eu-pki")!.outputs as any;
  expect(pki.rotation).toEqual({ from: 1, to: 2, phase: "issue" });
  expect(pki.trustRoots).toHaveLength(2);
  expect(pki.intermediates.gateway.incomingCertPem).toEqual(expect.any(String));
  expect(pki.intermediates.gateway.certPem).not.toBe(pki.intermediates.gateway.incomingCertPem);
  for (const stack of ["eu-workload-aws", "eu-workload-azure", "eu-workload-gcp"]) {
    const secret = plans.get(stack)!.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name.endsWith("-ca-secret"))!;
    const data = unwrapSecret(secret.props.stringData).value as Record<string, string>;
    expect(data["tls.crt"]).toBe(`${String(pki.intermediates.gateway.certPem).trim()}\n${String(pki.trustRoots[0]).trim()}\n`);
    const bundle = plans.get(stack)!.resources.find((r) => r.type === "kubernetes:trust.cert-manager.io/v1alpha1:Bundle")!;
    expect((bundle.props.spec as any).sources.map((s: { inLine: string }) => s.inLine.trim())).toEqual(pki.trustRoots.map((r: string) => r.trim()));
  }
});

it("a pool's upgrade config reaches the cloud resource", () => {
  const aks = plans.get("eu-workload-azure")!.resources.find((r) => r.type === "azure-native:containerservice:ManagedCluster")!;
  const general = (aks.props.agentPoolProfiles as any[]).find((p) => p.name === "general");
  expect(general.upgradeSettings).toEqual({ maxSurge: "50%", maxUnavailable: "0", drainTimeoutInMinutes: 45, nodeSoakDurationInMinutes: 5 });
});
