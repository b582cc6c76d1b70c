/**
 * External Secrets' token grants on the REAL kube-apiserver (tools/control-plane.sh): with the
 * chart's cluster-wide `serviceaccounts/token` right turned off, the Roles the component
 * renders (`tokenGrantManifests`) let the operator's ServiceAccount mint a token for the
 * tenant's `<tenant>-workload` in the tenant's namespaces and for nothing else: not another
 * ServiceAccount of the tenant's namespace, not a same-named ServiceAccount in another
 * namespace, not the operator itself. The TokenRequests are real (`kubectl create token --as`).
 * Skips LOUDLY when the control-plane binaries are not built.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ESO_CONTROLLER_SERVICE_ACCOUNT, ESO_NAMESPACE, tokenGrantManifests } from "../../components/external-secrets/spec";
import { kubectl, kubectlPath, startControlPlane, TOOLS_BIN, type ControlPlane } from "./harness";

const missing = ["etcd", "kube-apiserver", "kube-controller-manager"].filter((b) => !fs.existsSync(path.join(TOOLS_BIN, b)));
if (!kubectlPath()) missing.push("kubectl");
if (missing.length > 0) {
  process.stderr.write(["", "=".repeat(78), "E2E SECRETS TIER SKIPPED — missing:", ...missing.map((m) => `  - ${m}`), "=".repeat(78), ""].join("\n"));
}
const suite = missing.length > 0 ? describe.skip : describe;

const OPERATOR = `system:serviceaccount:${ESO_NAMESPACE}:${ESO_CONTROLLER_SERVICE_ACCOUNT}`;
const TENANT_NAMESPACES = ["payments", "payments-batch"];

suite("External Secrets token grants on a real API server", () => {
  let cp: ControlPlane;
  const apply = (objects: unknown[]) => {
    const r = kubectl(cp, ["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
    if (r.code !== 0) throw new Error(r.stderr);
  };
  const createToken = (sa: string, namespace: string) => kubectl(cp, ["create", "token", sa, "-n", namespace, "--as", OPERATOR, "--duration", "10m"]);

  beforeAll(async () => {
    cp = await startControlPlane("eu");
    const ns = (name: string) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { residency: "eu" } } });
    const sa = (name: string, namespace: string) => ({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace } });
    apply([
      ...[ESO_NAMESPACE, ...TENANT_NAMESPACES, "search"].map(ns),
      sa(ESO_CONTROLLER_SERVICE_ACCOUNT, ESO_NAMESPACE),
      ...TENANT_NAMESPACES.flatMap((n) => [sa("payments-workload", n), sa("payments-deployer", n)]),
      sa("payments-workload", "search"),
      sa("search-workload", "search"),
    ]);
    apply(TENANT_NAMESPACES.flatMap((n) => Object.values(tokenGrantManifests("payments", n))));
  }, 300_000);

  afterAll(() => cp?.stop());

  it.each(TENANT_NAMESPACES)("the operator mints a token for payments-workload in %s", (namespace) => {
    const r = createToken("payments-workload", namespace);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split(".")).toHaveLength(3); // a signed JWT
  });

  it.each([
    ["another ServiceAccount of the tenant's namespace", "payments-deployer", "payments"],
    ["a same-named ServiceAccount in another tenant's namespace", "payments-workload", "search"],
    ["another tenant's workload ServiceAccount", "search-workload", "search"],
    ["the operator's own ServiceAccount", ESO_CONTROLLER_SERVICE_ACCOUNT, ESO_NAMESPACE],
  ])("the operator cannot mint a token for %s", (_what, sa, namespace) => {
    const r = createToken(sa, namespace);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/forbidden/i);
  });
});
