/**
 * `fleet upgrade --engine automation` on the REAL Pulumi CLI (3.248, the real kubernetes plugin,
 * the real policy pack), through the real runUpgradeCommand in a temp project:
 *
 * - the running minor is read back from the deployed stack's `cluster.runningVersion` output
 *   (`pulumi stack output` through the Automation API), not from the config;
 * - the upgrade writes the target into the stack's own config file just before its `up`
 *   (comments kept), and the CLI's `up` applies that file: the applied resource and the new
 *   output carry 1.34;
 * - the domain's `upgrade.json` evidence names the automation engine and the outcome;
 * - a second upgrade reads 1.34 back from the state: nothing to upgrade; a downgrade is refused.
 *
 * What cannot run here: a real EKS/AKS/GKE control plane (the cloud providers cannot be built,
 * docs/engine-lane.md). The cluster stack's program is a stand-in (test/e2e/fixture/upgrade)
 * whose "control plane" is a ConfigMap rendered to files, so no API server is needed; the
 * deprecated-API pre-check against a real kube-apiserver is upgrade.e2e.test.ts's.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { describeRun, fleet, makeProject, preflight, pulumi, ROOT, type FleetRun, type Project } from "./harness";

const pre = preflight();
const missing = pre.missing.filter((m) => !/etcd|kube-apiserver|kube-controller-manager|kubectl/.test(m)); // no cluster needed here
if (missing.length > 0) {
  process.stderr.write(`\n*** upgrade (automation engine) e2e SKIPPED: missing ${missing.join("; ")} ***\n\n`);
}
const suite = missing.length > 0 ? describe.skip : describe;
if (missing.length > 0 && process.env.MERIDIAN_E2E_REQUIRE === "1") {
  // CI that built the engine sets this: a missing engine is then a failure, not a skip.
  it("the real engine is available (MERIDIAN_E2E_REQUIRE=1)", () => {
    throw new Error(`missing: ${missing.join("; ")}`);
  });
}

suite("fleet upgrade --engine automation on the real CLI", () => {
  let project: Project;
  let renderDir: string;
  const stackFile = (): string => path.join(project.fleetDir, "Pulumi.eu-mgmt.yaml");
  const rendered = (): string => path.join(renderDir, "eu-mgmt", "1-manifest", "v1-configmap-default-control-plane.yaml");
  // Upgrade takes no --backend: the domain's backend comes from MERIDIAN_BACKEND_EU, for the up too.
  const run = (op: string, args: string[]): Promise<FleetRun> => fleet(project, op, args, { backend: false });
  const upgrade = (to: string): Promise<FleetRun> => run("upgrade", ["--to", to, "--domains", "eu", "--yes", "--allow-unchecked-apis"]);
  /** The upgrade plan: the first line of `--json` output. */
  const planOf = (r: FleetRun) => JSON.parse(r.stdout.split("\n")[0]) as { stacks: Array<{ stack: string; running: { version: string; source: string }; step: { kind: string; from?: string; to?: string } }> };
  const outputs = () => JSON.parse(pulumi(project, ["stack", "output", "--json", "-s", "eu-mgmt"], "eu").stdout) as { cluster?: { runningVersion?: string } };

  beforeAll(async () => {
    project = makeProject("upgrade", {});
    fs.mkdirSync(path.join(project.dir, "upgrade-program"));
    fs.copyFileSync(path.join(ROOT, "test", "e2e", "fixture", "upgrade", "index.ts"), path.join(project.dir, "upgrade-program", "index.ts"));
    const yaml = fs.readFileSync(path.join(project.dir, "Pulumi.yaml"), "utf8");
    fs.writeFileSync(path.join(project.dir, "Pulumi.yaml"), yaml.replace(/^main: .*$/m, "main: upgrade-program/index.ts"));
    renderDir = path.join(project.dir, "rendered");
    project.env.MERIDIAN_E2E_RENDER_DIR = renderDir;
    project.env.MERIDIAN_BACKEND_EU = `file://${path.join(project.backendDir, "eu")}`;

    const r = await run("up", ["--stack", "eu-mgmt"]);
    expect({ code: r.code, run: describeRun(r) }).toMatchObject({ code: 0 });
    expect(outputs().cluster?.runningVersion).toBe("1.33");
  }, 600_000);

  it("reads 1.33 from the deployed stack, writes 1.34 into its stack file just before its up, and the CLI applies that file", async () => {
    const before = fs.readFileSync(stackFile(), "utf8");
    const r = await upgrade("1.34");
    expect({ code: r.code, run: describeRun(r) }).toMatchObject({ code: 0 });

    const mgmt = planOf(r).stacks.find((s) => s.stack === "eu-mgmt")!;
    expect(mgmt.running).toMatchObject({ version: "1.33", source: "cluster" });
    expect(mgmt.step).toEqual({ kind: "upgrade", from: "1.33", to: "1.34" });
    expect(r.finished("eu-mgmt")?.status).toBe("succeeded");
    expect(r.events.some((e) => e.type === "stack-output" && e.stack === "eu-mgmt" && /meridian:cluster\.kubernetesVersion 1\.33 → 1\.34 \(commit this change\)/.test(e.text ?? ""))).toBe(true);

    // The stack file: the target written, the rest (comments included) as it was.
    const after = fs.readFileSync(stackFile(), "utf8");
    const config = (text: string) => (parse(text) as { config: Record<string, Record<string, unknown>> }).config;
    expect(config(after)["meridian:cluster"].kubernetesVersion).toBe("1.34");
    expect(after).toContain("# The upgrade writes the target here just before the stack's `up` (keep the comment).");
    const unchanged = config(before);
    unchanged["meridian:cluster"].kubernetesVersion = "1.34";
    expect(config(after)).toEqual(unchanged);

    // What the CLI applied came from that file: the rendered resource and the new output.
    expect(parse(fs.readFileSync(rendered(), "utf8"))).toMatchObject({ kind: "ConfigMap", data: { kubernetesVersion: "1.34" } });
    expect(outputs().cluster?.runningVersion).toBe("1.34");

    // The domain's evidence.
    const evidence = JSON.parse(fs.readFileSync(path.join(project.runsDir, r.runId!, "eu", "evidence", "upgrade.json"), "utf8")) as { kind: string; engine: string; target: string; outcome: string; clusters: Array<{ stack: string }> };
    expect(evidence).toMatchObject({ kind: "meridian-upgrade", engine: "automation", target: "1.34", outcome: "succeeded" });
    expect(evidence.clusters.map((c) => c.stack)).toEqual(["eu-mgmt"]);
  }, 600_000);

  it("then reads 1.34 back from the real state: nothing to upgrade, and a downgrade is refused before any change", async () => {
    const again = await upgrade("1.34");
    expect({ code: again.code, run: describeRun(again) }).toMatchObject({ code: 0 });
    expect(planOf(again).stacks.find((s) => s.stack === "eu-mgmt")).toMatchObject({ running: { version: "1.34", source: "cluster" }, step: { kind: "current" } });
    expect(again.stdout).toContain("nothing to upgrade: every selected cluster runs 1.34");

    const file = fs.readFileSync(stackFile(), "utf8");
    const down = await upgrade("1.33");
    expect(down.code).toBe(2);
    expect(down.stderr).toContain("fleet upgrade: eu-mgmt: 1.34 → 1.33 is a downgrade; Kubernetes control planes cannot be downgraded");
    expect(fs.readFileSync(stackFile(), "utf8")).toBe(file);
    expect(outputs().cluster?.runningVersion).toBe("1.34");
  }, 600_000);
});
