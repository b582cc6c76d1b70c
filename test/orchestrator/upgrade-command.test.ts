/**
 * `fleet upgrade` through the real CLI entry (a child process) with `--engine mock`: refusals
 * (a skipped minor, a downgrade) exit 2 naming the stack and versions; a deprecated API the
 * target removes, read from an API server's /metrics through a kubeconfig, halts before any
 * change with evidence; a full gated run writes each domain's evidence to that domain's store
 * and halts at a failed health gate; a resume after a failed ring does not pass again the gate
 * the upgrade passed. Plan pieces are unit-tested in-process.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { loadFleet } from "../../automation/fleet";
import { ADDON_MATRIX, addonCheck, addonVerdicts, clusterStacks, deprecatedApiCheck, parseDeprecatedApis, runningVersionOf, upgradeStep } from "../../automation/upgrade";
import { bumpStackFile } from "../../automation/commands/upgrade";
import { CHARTS } from "../../components/gateway/spec";
import { ESO_CHART } from "../../components/external-secrets/spec";
import { ARGOCD_CHART } from "../../components/gitops/spec";
import { VELERO_CHART } from "../../components/backup/spec";
import { COLLECTOR_PINS } from "../../components/observability/spec";
import { POLICY_CONTROLLER } from "../../components/supply-chain/spec";
import { fleetDir, readReference } from "../support/fleetDir";

const ROOT = path.resolve(__dirname, "../..");

function fleetCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), path.join(ROOT, "automation/cli.ts"), ...args], { cwd: ROOT, env: { ...process.env, CI: "true", ...env }, maxBuffer: 32 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : 1, stdout, stderr }),
    );
  });
}

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-upgrade-"));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const stores = () => ({ MERIDIAN_EVIDENCE_STORE_EU: `file://${path.join(tmp, "ev-eu")}`, MERIDIAN_EVIDENCE_STORE_US: `file://${path.join(tmp, "ev-us")}` });

function filesNamed(dir: string, name: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile() && e.name === name).map((e) => path.join(e.parentPath, e.name));
}

const METRICS = [
  "# HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs that have been requested, broken out by API group, version, resource, subresource, and removed_release.",
  "# TYPE apiserver_requested_deprecated_apis gauge",
  'apiserver_requested_deprecated_apis{group="flowcontrol.apiserver.k8s.io",removed_release="1.32",resource="flowschemas",subresource="",version="v1beta3"} 1',
  'apiserver_requested_deprecated_apis{group="example.io",removed_release="",resource="widgets",subresource="status",version="v1alpha1"} 1',
  'apiserver_requested_deprecated_apis{group="batch",removed_release="1.25",resource="cronjobs",subresource="",version="v1beta1"} 0',
  "apiserver_request_total 12",
].join("\n");

describe("upgrade plan pieces", () => {
  const fleet = loadFleet(path.join(ROOT, "stacks"));

  it("one minor up only: the same minor is current, a skip or a downgrade is refused naming the stack and versions", () => {
    expect(upgradeStep("eu-mgmt", "1.33", "1.34")).toEqual({ kind: "upgrade", from: "1.33", to: "1.34" });
    expect(upgradeStep("eu-mgmt", "1.34", "1.34")).toEqual({ kind: "current", version: "1.34" });
    expect(upgradeStep("eu-mgmt", "1.32", "1.34")).toEqual({ kind: "refused", reason: "eu-mgmt: 1.32 → 1.34 skips 1 minor(s); upgrade one minor at a time (next: 1.33)" });
    expect(upgradeStep("eu-mgmt", "1.33", "1.32")).toEqual({ kind: "refused", reason: "eu-mgmt: 1.33 → 1.32 is a downgrade; Kubernetes control planes cannot be downgraded" });
  });

  it("reads the running minor from the cluster's stack output, and falls back to config with a note", () => {
    const spec = fleet.stacks.get("eu-workload-aws")!;
    expect(runningVersionOf(spec, { cluster: { value: { name: "x", runningVersion: "1.32" } } })).toEqual({ version: "1.32", source: "cluster" });
    expect(runningVersionOf(spec, { "cluster.runningVersion": { value: "1.31" } })).toEqual({ version: "1.31", source: "cluster" });
    const fallback = runningVersionOf(spec, {});
    expect(fallback).toMatchObject({ version: "1.33", source: "config" });
    expect(fallback.note).toContain("meridian:cluster.kubernetesVersion");
  });

  it("selects the management and workload clusters only, in domain and ring order", () => {
    const names = clusterStacks(fleet, ["us", "eu"]).map((s) => s.name);
    expect(names.length).toBe([...fleet.stacks.values()].filter((s) => s.role === "workload" || s.role === "management").length);
    expect(names.indexOf("us-mgmt")).toBeLessThan(names.indexOf("eu-mgmt"));
    for (const n of names) expect(["workload", "management"]).toContain(fleet.stacks.get(n)!.role);
  });

  it("parses apiserver_requested_deprecated_apis: removed by the target fails, later or no removal is a warning, zero is ignored", () => {
    expect(parseDeprecatedApis(METRICS)).toHaveLength(2);
    const failed = deprecatedApiCheck({ text: METRICS }, "1.34");
    expect(failed.status).toBe("failed");
    expect(failed.items).toEqual(["flowcontrol.apiserver.k8s.io/v1beta3 flowschemas (removed in 1.32)"]);
    const clean = deprecatedApiCheck({ text: METRICS.replace('removed_release="1.32"', 'removed_release="1.36"') }, "1.34");
    expect(clean.status).toBe("passed");
    expect(clean.items).toEqual(["flowcontrol.apiserver.k8s.io/v1beta3 flowschemas (removed in 1.36)", "example.io/v1alpha1 widgets/status"]);
    expect(deprecatedApiCheck({ error: "unreachable" }, "1.34").status).toBe("not-checked");
  });

  it("the add-on matrix has one row per pinned chart at exactly the pinned version; rows without a published matrix say not checked", () => {
    const pins = [CHARTS.envoyGateway, CHARTS.gatewayCrds, CHARTS.certManager, CHARTS.trustManager].map((c) => `${c.chart}@${c.version}`);
    pins.push(`${ESO_CHART.name}@${ESO_CHART.version}`, `${ARGOCD_CHART.chart}@${ARGOCD_CHART.version}`, `${VELERO_CHART.name}@${VELERO_CHART.version}`, `${COLLECTOR_PINS.chart}@${COLLECTOR_PINS.chartVersion}`, `${POLICY_CONTROLLER.chart}@${POLICY_CONTROLLER.version}`);
    expect(ADDON_MATRIX.map((r) => `${r.chart}@${r.chartVersion}`).sort()).toEqual(pins.sort());
    for (const r of ADDON_MATRIX) expect(r.source.length).toBeGreaterThan(10);
    const v134 = addonVerdicts("1.34");
    expect(v134.find((v) => v.addon === "cert-manager")!.status).toBe("supported");
    expect(addonVerdicts("1.31").find((v) => v.addon === "envoy-gateway")!.status).toBe("unsupported"); // v1.7 lists 1.32–1.35
    for (const addon of ["trust-manager", "opentelemetry-collector", "policy-controller"]) expect(v134.find((v) => v.addon === addon)!.status).toBe("not-checked");
  });

  it("the External Secrets, Argo CD and Velero rows are cited from their projects' own tables at a commit, as what upstream tested", () => {
    const status = (addon: string, target: string) => addonVerdicts(target).find((v) => v.addon === addon)!.status;
    for (const addon of ["external-secrets", "argo-cd", "velero"]) {
      const row = ADDON_MATRIX.find((r) => r.addon === addon)!;
      expect(row.basis).toBe("tested");
      expect(row.source).toMatch(/^https:\/\/github\.com\/[^/]+\/[^/]+\/blob\/[0-9a-f]{40}\//);
    }
    // ESO 2.9: "1.36"; Argo CD 3.0: v1.29–v1.32; Velero 1.16: 1.31.4, 1.32.3, 1.33.0.
    expect(status("external-secrets", "1.36")).toBe("supported");
    expect(status("external-secrets", "1.34")).toBe("untested");
    expect(status("argo-cd", "1.32")).toBe("supported");
    expect(status("argo-cd", "1.33")).toBe("untested");
    expect(status("velero", "1.33")).toBe("supported");
    expect(status("velero", "1.34")).toBe("untested");
    // Untested warns in the pre-check (listed, not halted); unsupported halts.
    const check = addonCheck(addonVerdicts("1.34"), "1.34");
    expect(check.status).toBe("passed");
    expect(check.detail).toContain("not tested upstream on 1.34 (warning): external-secrets, argo-cd, velero");
    expect(check.items).toEqual(expect.arrayContaining([expect.stringMatching(/^argo-cd 8\.0\.17: 1\.34 not tested upstream: tested on 1\.29, 1\.30, 1\.31, 1\.32 /)]));
    expect(addonCheck(addonVerdicts("1.31"), "1.31").status).toBe("failed"); // Envoy Gateway v1.7 does not support 1.31
  });

  it("bumps a stack file's version in place, keeping its comments", () => {
    const dir = fleetDir({ "Pulumi.eu-workload-aws.yaml": "# keep me\n" + readReference("Pulumi.eu-workload-aws.yaml") });
    const file = path.join(dir, "Pulumi.eu-workload-aws.yaml");
    bumpStackFile(file, "1.33", "1.34");
    const text = fs.readFileSync(file, "utf8");
    expect(text.startsWith("# keep me\n")).toBe(true);
    expect(loadFleet(dir).stacks.get("eu-workload-aws")!.config).toMatchObject({ "meridian:cluster": { kubernetesVersion: "1.34" } });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("fleet upgrade through the real CLI entry", () => {
  it("refuses a skipped minor and a downgrade with exit 2, naming the stack and versions, before anything runs", async () => {
    const dir = fleetDir({ "Pulumi.us-workload-gcp.yaml": readReference("Pulumi.us-workload-gcp.yaml").replace('kubernetesVersion: "1.33"', 'kubernetesVersion: "1.32"') });
    const runs = path.join(tmp, "runs");
    const skip = await fleetCli(["upgrade", "--to", "1.34", "--engine", "mock", "--yes", "--stacks-dir", dir, "--runs-dir", runs], stores());
    expect(skip.code).toBe(2);
    expect(skip.stderr).toContain("fleet upgrade: us-workload-gcp: 1.32 → 1.34 skips 1 minor(s); upgrade one minor at a time (next: 1.33)");
    expect(skip.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const down = await fleetCli(["upgrade", "--to", "1.31", "--engine", "mock", "--stacks-dir", dir, "--runs-dir", runs], stores());
    expect(down.code).toBe(2);
    expect(down.stderr).toContain("fleet upgrade: eu-mgmt: 1.33 → 1.31 is a downgrade");
    const bad = await fleetCli(["upgrade", "--to", "2.0", "--engine", "mock", "--stacks-dir", dir, "--runs-dir", runs], stores());
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('fleet upgrade: --to: "2.0" is not a supported Kubernetes minor (1.31, 1.32, 1.33, 1.34)');
    expect(fs.existsSync(runs)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it("--filter narrows the upgrade to the selected cluster stacks, with the rollout commands' language and errors", async () => {
    const runs = path.join(tmp, "runs-filter");
    const r = await fleetCli(["upgrade", "--to", "1.34", "--engine", "mock", "--json", "--filter", "role=management", "--allow-unchecked-apis", "--runs-dir", runs], stores());
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout.split("\n")[0]) as { stacks: { stack: string }[] };
    const mgmt = [...loadFleet(path.join(ROOT, "stacks")).stacks.values()].filter((s) => s.role === "management").map((s) => s.name);
    expect(plan.stacks.map((s) => s.stack).sort()).toEqual(mgmt.sort());
    const bad = await fleetCli(["upgrade", "--to", "1.34", "--engine", "mock", "--filter", "role=nope", "--runs-dir", runs], stores());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("role=nope");
  }, 120_000);

  it("a deprecated API the target removes, read from the API server's /metrics, halts before any change, with evidence in the domain's store", async () => {
    const paths: string[] = [];
    const api = http.createServer((req, res) => {
      paths.push(req.url ?? "");
      if (req.headers.authorization !== "Bearer test-token") return void res.writeHead(401).end();
      res.writeHead(200, { "content-type": "text/plain" }).end(METRICS);
    });
    await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
    try {
      const server = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
      const stacksOf = loadFleet(path.join(ROOT, "stacks"));
      const names = clusterStacks(stacksOf, ["us"]).map((s) => s.name);
      const kubeconfig = path.join(tmp, "kubeconfig");
      fs.writeFileSync(
        kubeconfig,
        stringify({
          apiVersion: "v1",
          kind: "Config",
          clusters: [{ name: "api", cluster: { server } }],
          users: [{ name: "u", user: { token: "test-token" } }],
          contexts: names.map((n) => ({ name: n, context: { cluster: "api", user: "u" } })),
        }),
      );
      const runs = path.join(tmp, "runs");
      const r = await fleetCli(["upgrade", "--to", "1.34", "--domains", "us", "--engine", "mock", "--yes", "--kubeconfig", kubeconfig, "--runs-dir", runs], stores());
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("fleet upgrade: us-mgmt: pre-check deprecated-apis failed: 1 API(s) in use are removed in 1.34 or earlier");
      expect(r.stdout).toContain("flowcontrol.apiserver.k8s.io/v1beta3 flowschemas (removed in 1.32)");
      expect(r.stdout).toContain("halted before any change");
      expect(r.stdout + r.stderr).not.toContain("test-token");
      expect(paths.filter((p) => p === "/metrics")).toHaveLength(names.length);
      expect(filesNamed(runs, "run.json")).toEqual([]); // nothing ran
      const [ev] = filesNamed(path.join(tmp, "ev-us"), "upgrade.json");
      const evidence = JSON.parse(fs.readFileSync(ev, "utf8"));
      expect(evidence).toMatchObject({ kind: "meridian-upgrade", domain: "us", target: "1.34", outcome: "halted: pre-check failed" });
      expect(evidence.clusters.map((c: { stack: string }) => c.stack)).toEqual(names);
      expect(filesNamed(path.join(tmp, "ev-eu"), "upgrade.json")).toEqual([]);
    } finally {
      await new Promise((r) => api.close(r));
    }
  }, 120_000);

  it("runs ring by ring with gates, and halts at a failed health gate: evidence in the domain's store, ring 1 never starts", async () => {
    const gates = { gates: { domains: { us: { checks: [{ name: "nodes-ready", kind: "command", command: [process.execPath, "-e", "console.log('1 node NotReady'); process.exit(1)"] }] } } } };
    const dir = fleetDir({ "fleet.yaml": readReference("fleet.yaml") + "\n" + stringify(gates) });
    const runs = path.join(tmp, "runs");
    const r = await fleetCli(["upgrade", "--to", "1.34", "--domains", "us", "--engine", "mock", "--yes", "--allow-unchecked-apis", "--stacks-dir", dir, "--runs-dir", runs], stores());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("gate us/ring-1 failed: health check nodes-ready failed: exit 1: 1 node NotReady");
    const [runJson] = filesNamed(runs, "run.json");
    const record = JSON.parse(fs.readFileSync(runJson, "utf8"));
    const fleet = loadFleet(dir);
    for (const s of clusterStacks(fleet, ["us"])) {
      expect(record.stacks[s.name].status).toBe(s.ring === 0 ? "succeeded" : "not-started");
    }
    expect(record.gates).toEqual([expect.objectContaining({ id: "us/ring-1", status: "failed" })]);
    const [ev] = filesNamed(path.join(tmp, "ev-us"), "upgrade.json");
    expect(JSON.parse(fs.readFileSync(ev, "utf8"))).toMatchObject({ domain: "us", outcome: "failed", gates: [{ id: "us/ring-1", status: "failed" }] });
    const [evidence] = filesNamed(path.join(tmp, "ev-us"), "evidence.json");
    expect(JSON.parse(fs.readFileSync(evidence, "utf8")).verdicts.outcome).toBe("fail");
    expect(filesNamed(path.join(tmp, "ev-eu"), "upgrade.json")).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 300_000);

  it("a resumed upgrade does not pass again the gate it passed: fixed stack rerun, check not run, verdict carried in the run record", async () => {
    const counter = path.join(tmp, "gate-runs");
    const gates = { gates: { domains: { us: { checks: [{ name: "nodes-ready", kind: "command", command: [process.execPath, "-e", "require('fs').appendFileSync(process.argv[1], 'x')", counter] }] } } } };
    // A ring-1 cluster that loads but fails its plan (a one-node system pool), fixed before the resume.
    const broken = readReference("Pulumi.us-workload-azure.yaml").replace("  meridian:cluster:\n", "  meridian:cluster:\n    systemPool: { minSize: 1 }\n");
    expect(broken).not.toBe(readReference("Pulumi.us-workload-azure.yaml"));
    const dir = fleetDir({ "fleet.yaml": readReference("fleet.yaml") + "\n" + stringify(gates), "Pulumi.us-workload-azure.yaml": broken });
    const runs = path.join(tmp, "runs");
    const first = await fleetCli(["upgrade", "--to", "1.34", "--domains", "us", "--engine", "mock", "--yes", "--allow-unchecked-apis", "--stacks-dir", dir, "--runs-dir", runs], stores());
    expect(first.code).toBe(1);
    expect(first.stderr).toContain("gate us/ring-1 passed");
    expect(fs.readFileSync(counter, "utf8")).toBe("x");
    const runId = /up --resume (\S+)/.exec(first.stdout)![1];
    const firstRecord = JSON.parse(fs.readFileSync(path.join(runs, runId, "us", "run.json"), "utf8"));
    expect(firstRecord.stacks["us-workload-azure"].status).toBe("failed");
    expect(firstRecord.gates).toEqual([expect.objectContaining({ id: "us/ring-1", status: "passed" })]);

    fs.writeFileSync(path.join(dir, "Pulumi.us-workload-azure.yaml"), readReference("Pulumi.us-workload-azure.yaml"));
    const resumed = await fleetCli(["up", "--resume", runId, "--engine", "mock", "--yes", "--stacks-dir", dir, "--runs-dir", runs], stores());
    expect(resumed.code).toBe(0);
    expect(fs.readFileSync(counter, "utf8")).toBe("x"); // the check did not run again
    const second = fs.readdirSync(runs).find((d) => d !== runId)!;
    const record = JSON.parse(fs.readFileSync(path.join(runs, second, "us", "run.json"), "utf8"));
    expect(record.resumedFrom).toBe(runId);
    expect(record.stacks["us-workload-azure"]).toMatchObject({ status: "succeeded" });
    expect(record.stacks["us-workload-aws"]).toMatchObject({ carriedOver: true });
    expect(record.gates).toEqual([expect.objectContaining({ id: "us/ring-1", status: "passed", carriedFrom: runId, checks: [expect.objectContaining({ name: "nodes-ready", ok: true })] })]);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 300_000);
});
