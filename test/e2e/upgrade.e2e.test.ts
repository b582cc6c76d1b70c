/**
 * The upgrade's deprecated-API pre-check on the REAL kube-apiserver (tools/control-plane.sh):
 * a request to a deprecated API (`v1 ComponentStatus`, deprecated since 1.19) shows up in the
 * API server's own `apiserver_requested_deprecated_apis`, which the pre-check reads through a
 * kubeconfig context named after the stack — in-process and through `fleet upgrade` (plan only,
 * `--engine mock`: no change is made). Skips LOUDLY when the control-plane binaries are not built.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { loadFleet } from "../../automation/fleet";
import { clusterStacks, deprecatedApiCheck, fetchApiServerMetrics, kubeconfigContext, parseDeprecatedApis } from "../../automation/upgrade";
import { kubectl, kubectlPath, ROOT, startControlPlane, TOOLS_BIN, tmpDir, type ControlPlane } from "./harness";

const missing = ["etcd", "kube-apiserver"].filter((b) => !fs.existsSync(path.join(TOOLS_BIN, b)));
if (!kubectlPath()) missing.push("kubectl");
if (missing.length > 0) {
  process.stderr.write(["", "=".repeat(78), "E2E UPGRADE TIER SKIPPED — missing:", ...missing.map((m) => `  - ${m}`), "=".repeat(78), ""].join("\n"));
}
const suite = missing.length > 0 ? describe.skip : describe;

suite("fleet upgrade's deprecated-API pre-check on a real API server", () => {
  let cp: ControlPlane;
  let kubeconfig: string;
  const stacks = clusterStacks(loadFleet(path.join(ROOT, "stacks")), ["eu"]).map((s) => s.name);

  beforeAll(async () => {
    cp = await startControlPlane("eu");
    // One context per cluster stack, all pointing at this API server with the harness's credentials.
    const doc = parse(fs.readFileSync(cp.kubeconfig, "utf8")) as { contexts: Array<{ name: string; context: { cluster: string; user: string } }> };
    const base = doc.contexts[0].context;
    doc.contexts = stacks.map((name) => ({ name, context: base }));
    kubeconfig = path.join(tmpDir("upgrade-kubeconfig"), "kubeconfig");
    fs.writeFileSync(kubeconfig, stringify(doc));
  }, 300_000);
  afterAll(() => cp?.stop());

  it("a deprecated API requested on the cluster is read back from its /metrics and listed; nothing it serves is removed by 1.34", async () => {
    const r = kubectl(cp, ["get", "--raw", "/api/v1/componentstatuses"]);
    expect(r.code).toBe(0);
    const text = await fetchApiServerMetrics(kubeconfigContext(kubeconfig, stacks[0]));
    const apis = parseDeprecatedApis(text);
    expect(apis).toContainEqual(expect.objectContaining({ group: "", version: "v1", resource: "componentstatuses" }));
    const check = deprecatedApiCheck({ text }, "1.34");
    expect(check.status).toBe("passed");
    expect(check.items).toContain("core/v1 componentstatuses");
  }, 120_000);

  it("fleet upgrade --kubeconfig reads every cluster's API server and plans (no --yes: nothing changes)", async () => {
    const runs = path.join(tmpDir("upgrade-runs"), "runs");
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), path.join(ROOT, "automation/cli.ts"), "upgrade", "--to", "1.34", "--domains", "eu", "--engine", "mock", "--kubeconfig", kubeconfig, "--runs-dir", runs], { cwd: ROOT, env: { ...process.env, CI: "true" }, maxBuffer: 32 << 20 }, (err, stdout, stderr) =>
        resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : 1, stdout, stderr }),
      ),
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.match(/pre-check deprecated-apis: passed/g)).toHaveLength(stacks.length);
    expect(r.stdout).toContain("- core/v1 componentstatuses");
    expect(r.stdout).toContain("plan only: rerun with --yes to upgrade");
    expect(fs.existsSync(runs)).toBe(false);
  }, 180_000);
});
