/**
 * Preview-only refresh on the REAL Pulumi CLI (.tools/bin/pulumi) and kubernetes plugin
 * against a real kube-apiserver: a stack on a local file backend holds a ConfigMap; the
 * ConfigMap is changed out of band with kubectl; the engine's preview-only refresh
 * (`runOnStack(…, "refresh", { previewOnly: true })`, the code AutomationEngine runs for
 * `fleet drift`, i.e. `pulumi refresh --preview-only`) reports the ConfigMap and the
 * property that drifted — and the backend's state file is byte for byte unchanged. A real
 * refresh then does write it (so the byte check can fail), after which drift is clean.
 * Skips LOUDLY when the engine or the control-plane binaries are not built.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { findPulumiCommand, runOnStack } from "../../automation/engine/automation";
import type { EngineEvent, OperationResult } from "../../automation/engine/types";
import { engineEnv, kubectl, preflight, ROOT, startControlPlane, tmpDir, type ControlPlane } from "./harness";

const { missing } = preflight();
if (missing.length > 0) {
  process.stderr.write(["", "=".repeat(78), "E2E DRIFT TIER SKIPPED — missing:", ...missing.map((m) => `  - ${m}`), "=".repeat(78), ""].join("\n"));
}
const suite = missing.length > 0 ? describe.skip : describe;

const PROJECT = "meridian-drift-e2e";
const STACK = "eu-drift";

suite("fleet drift's preview-only refresh on the real CLI", () => {
  let cp: ControlPlane;
  let stack: Stack;
  let backendDir: string;
  const stateFile = () => path.join(backendDir, ".pulumi", "stacks", PROJECT, `${STACK}.json`);
  const digest = () => crypto.createHash("sha256").update(fs.readFileSync(stateFile())).digest("hex");
  const refresh = async (previewOnly: boolean): Promise<{ result: OperationResult; events: EngineEvent[] }> => {
    const events: EngineEvent[] = [];
    const result = await runOnStack(stack, "refresh", { onEvent: (e) => events.push(e), previewOnly }, new AbortController().signal);
    return { result, events };
  };

  beforeAll(async () => {
    cp = await startControlPlane("eu");
    backendDir = tmpDir("drift-backend");
    // engineEnv removes PULUMI_BACKEND_URL (the orchestrator passes backends explicitly): set it after.
    const env = { ...engineEnv(), PULUMI_BACKEND_URL: `file://${backendDir}` };
    const kubeconfig = fs.readFileSync(cp.kubeconfig, "utf8");
    const program = async () => {
      const k8s = await import("@pulumi/kubernetes");
      const provider = new k8s.Provider("eu-cluster", { kubeconfig });
      const cm = new k8s.core.v1.ConfigMap("drift-demo", { metadata: { name: "drift-demo", namespace: "default", labels: { residency: "eu" } }, data: { mode: "declared" } }, { provider });
      return { name: cm.metadata.name };
    };
    stack = await LocalWorkspace.createOrSelectStack(
      { projectName: PROJECT, stackName: STACK, program },
      { pulumiCommand: await findPulumiCommand(path.join(ROOT, ".tools")), envVars: env as Record<string, string>, workDir: tmpDir("drift-work") },
    );
    await stack.up({ color: "never" });
  }, 600_000);

  afterAll(() => cp?.stop());

  it("a clean stack: no drift", async () => {
    const { result } = await refresh(true);
    expect(result.drift).toEqual([]);
  }, 300_000);

  it("reports an out-of-band change with its property, and writes no state", async () => {
    const patched = kubectl(cp, ["-n", "default", "patch", "configmap", "drift-demo", "--type", "merge", "-p", JSON.stringify({ data: { mode: "changed-by-hand" } })]);
    expect(patched.stderr).toBe("");
    const before = digest();
    const { result } = await refresh(true);
    expect(digest()).toBe(before);
    expect(result.drift).toHaveLength(1);
    expect(result.drift![0]).toMatchObject({ resourceType: "kubernetes:core/v1:ConfigMap", kind: "changed" });
    expect(result.drift![0].urn).toMatch(/::drift-demo$/);
    expect(result.drift![0].properties).toContain("data");
    expect(result.changes.update).toBeGreaterThanOrEqual(1);
    const state = (await stack.exportStack()).deployment as { resources: Array<{ type: string; outputs?: { data?: Record<string, string> } }> };
    expect(state.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap")!.outputs!.data).toEqual({ mode: "declared" });
  }, 300_000);

  it("a real refresh does write the state (the byte check can fail); drift is then clean", async () => {
    const before = digest();
    await refresh(false);
    expect(digest()).not.toBe(before);
    const { result } = await refresh(true);
    expect(result.drift).toEqual([]);
  }, 300_000);

  it("a resource deleted out of band is reported as deleted", async () => {
    expect(kubectl(cp, ["-n", "default", "delete", "configmap", "drift-demo"]).code).toBe(0);
    const before = digest();
    const { result } = await refresh(true);
    expect(digest()).toBe(before);
    expect(result.drift).toEqual([expect.objectContaining({ kind: "deleted", resourceType: "kubernetes:core/v1:ConfigMap", properties: [] })]);
  }, 300_000);
});
