/**
 * The Kubernetes restore engine's pure parts (its API-server side is test/e2e/drill.e2e.test.ts):
 * what a restore must preserve, what Kubernetes itself puts in a namespace, the Restore it asks for.
 */
import { compareObjects } from "../../../automation/drill/restore";
import { isClusterManaged, restoreManifest, toDrillObject, type KubeObject } from "../../../automation/drill/kubernetes";

const service = (ns: string, clusterIP: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: ns, labels: { app: "web", ...labels }, creationTimestamp: "2026-12-01T12:00:00Z" },
  spec: { selector: { app: "web" }, ports: [{ port: 80 }], clusterIP, clusterIPs: [clusterIP] },
  status: { loadBalancer: {} },
});

describe("drill restore --engine kubernetes: comparison", () => {
  it("a restored object equals its source despite namespace, cluster IP, status and Velero's labels", () => {
    const source = service("payments", "10.96.0.10");
    const restored = service("drill-payments-abc123", "10.96.0.99", { "velero.io/backup-name": "b", "velero.io/restore-name": "r" });
    expect(compareObjects([toDrillObject(source)], [toDrillObject(restored)]).every((c) => c.ok)).toBe(true);
  });

  it("a changed selector or a lost label is a difference (not a hard-coded verdict)", () => {
    const source = service("payments", "10.96.0.10");
    const changed = { ...service("drill-x", "10.96.0.11"), spec: { selector: { app: "api" }, ports: [{ port: 80 }] } };
    const unlabelled = { ...service("drill-x", "10.96.0.11"), metadata: { name: "web", namespace: "drill-x" } };
    for (const r of [changed, unlabelled]) {
      expect(compareObjects([toDrillObject(source)], [toDrillObject(r)]).find((c) => c.name === "objects-unchanged")).toMatchObject({ ok: false, detail: "differ: v1/Service/web" });
    }
  });

  it("skips what Kubernetes puts in every namespace and what an owner re-creates", () => {
    const cm = (name: string): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name } });
    expect(isClusterManaged(cm("kube-root-ca.crt"))).toBe(true);
    expect(isClusterManaged(cm("ledger-settings"))).toBe(false);
    expect(isClusterManaged({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default" } })).toBe(true);
    expect(isClusterManaged({ apiVersion: "v1", kind: "Secret", metadata: { name: "t" }, type: "kubernetes.io/service-account-token" })).toBe(true);
    expect(isClusterManaged({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", ownerReferences: [{ kind: "Deployment" }] } })).toBe(true);
  });

  it("asks Velero for the tenant namespace only, into the scratch namespace, never overwriting", () => {
    expect(restoreManifest({ name: "drill-payments-abc123", backup: "tenant-payments-1", from: "payments", to: "drill-payments-abc123", domain: "eu" })).toEqual({
      apiVersion: "velero.io/v1",
      kind: "Restore",
      metadata: { name: "drill-payments-abc123", namespace: "meridian-system", labels: { residency: "eu", "meridian.io/drill": "restore", "meridian.io/tenant-namespace": "payments" } },
      spec: {
        backupName: "tenant-payments-1",
        includedNamespaces: ["payments"],
        namespaceMapping: { payments: "drill-payments-abc123" },
        restorePVs: true,
        existingResourcePolicy: "none",
        includeClusterResources: false,
      },
    });
  });
});
