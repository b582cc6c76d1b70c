/**
 * Saved update plans on the real CLI (Pulumi 3.248, the real kubernetes plugin, the real
 * policy pack), through the orchestrator: `fleet preview --save-plan` has Pulumi write the
 * stack's update plan; `fleet up --plan RUN` applies it with `pulumi up --plan`.
 *
 * - a changed program source is refused by meridian's digest before the CLI runs (no state);
 * - a change the digest cannot see (the program reads a value from a file outside itself) is
 *   refused by Pulumi's own plan check ("violates plan: properties changed"), and the resource
 *   is not applied;
 * - the unchanged plan applies: the rendered ConfigMap carries the previewed value.
 *
 * No cluster: the stack's one resource is a ConfigMap rendered to files by the kubernetes
 * provider (`renderYamlToDirectory`), a real provider operation with real plan checks.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describeRun, fleet, makeProject, preflight, pulumi, ROOT, type FleetRun, type Project } from "./harness";

const pre = preflight();
const missing = pre.missing.filter((m) => !/etcd|kube-apiserver|kube-controller-manager|kubectl/.test(m)); // no cluster needed here
if (missing.length > 0) {
  process.stderr.write(`\n*** saved-plans e2e SKIPPED: missing ${missing.join("; ")} ***\n\n`);
}
const suite = missing.length > 0 ? describe.skip : describe;

suite("saved update plans on the real CLI (preview --save-plan, up --plan)", () => {
  let project: Project;
  let programFile: string;
  let inputFile: string;
  let renderDir: string;
  let previewRun: string;
  const runId = (r: FleetRun): string => r.runId!;
  const rendered = (): string => path.join(renderDir, "eu-pki", "1-manifest", "v1-configmap-default-plan-probe.yaml");

  beforeAll(async () => {
    project = makeProject("plans", {});
    // The test's own program, copied in so the test can change its source.
    fs.mkdirSync(path.join(project.dir, "plan-program"));
    programFile = path.join(project.dir, "plan-program", "index.ts");
    fs.copyFileSync(path.join(ROOT, "test", "e2e", "fixture", "plans", "index.ts"), programFile);
    const yaml = fs.readFileSync(path.join(project.dir, "Pulumi.yaml"), "utf8");
    fs.writeFileSync(path.join(project.dir, "Pulumi.yaml"), yaml.replace(/^main: .*$/m, "main: plan-program/index.ts"));
    inputFile = path.join(project.dir, "plan-input.txt");
    fs.writeFileSync(inputFile, "reviewed\n");
    renderDir = path.join(project.dir, "rendered");
    project.env.MERIDIAN_E2E_PLAN_INPUT = inputFile;
    project.env.MERIDIAN_E2E_RENDER_DIR = renderDir;

    const r = await fleet(project, "preview", ["--save-plan", "--stack", "eu-pki"]);
    expect({ code: r.code, run: describeRun(r) }).toMatchObject({ code: 0 });
    previewRun = runId(r);
  }, 600_000);

  it("preview --save-plan leaves Pulumi's update plan in the run folder, with secrets not in clear", () => {
    const planFile = path.join(project.runsDir, previewRun, "eu", "plans", "eu-pki.plan.json");
    const text = fs.readFileSync(planFile, "utf8");
    const plan = JSON.parse(text) as { resourcePlans?: Record<string, unknown> };
    expect(Object.keys(plan.resourcePlans ?? {}).some((urn) => urn.endsWith("ConfigMap::eu-pki-plan-probe"))).toBe(true);
    expect(text).toContain("reviewed");
    expect(text).not.toContain("e2e-plan-secret-value");
    const manifest = JSON.parse(fs.readFileSync(path.join(project.runsDir, previewRun, "eu", "plans", "saved-plans.json"), "utf8")) as { engine: string; stacks: Record<string, unknown> };
    expect(manifest.engine).toBe("automation-api");
    expect(Object.keys(manifest.stacks)).toEqual(["eu-pki"]);
    expect(fs.existsSync(rendered())).toBe(false); // a preview renders nothing
  });

  it("a changed program is refused by meridian's digest before the CLI runs: exit 2, no state written", async () => {
    const good = fs.readFileSync(programFile, "utf8");
    fs.writeFileSync(programFile, good + "\n// changed after the review\n");
    try {
      const r = await fleet(project, "up", ["--plan", previewRun]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/eu-pki: the program \(its source files\) changed since preview run/);
      const state = pulumi(project, ["stack", "ls", "--json"], "eu");
      expect(state.stdout).not.toMatch(/"resourceCount": [1-9]/);
    } finally {
      fs.writeFileSync(programFile, good);
    }
  }, 600_000);

  it("a change the digest cannot see is refused by Pulumi's own plan check: the ConfigMap is not applied (exit 1)", async () => {
    fs.writeFileSync(inputFile, "changed behind the review\n");
    try {
      const r = await fleet(project, "up", ["--plan", previewRun]);
      expect(r.code).toBe(1);
      const finished = r.finished("eu-pki");
      expect(finished?.status).toBe("failed");
      expect(finished?.error ?? "").toMatch(/ConfigMap::eu-pki-plan-probe violates plan: properties changed/);
      expect(fs.existsSync(rendered())).toBe(false);
    } finally {
      fs.writeFileSync(inputFile, "reviewed\n");
    }
  }, 600_000);

  it("the unchanged plan applies: the rendered ConfigMap carries the reviewed value; the evidence names the plan", async () => {
    const r = await fleet(project, "up", ["--plan", previewRun]);
    expect({ code: r.code, run: describeRun(r) }).toMatchObject({ code: 0 });
    expect(fs.readFileSync(rendered(), "utf8")).toMatch(/value: reviewed/);
    const applied = JSON.parse(fs.readFileSync(path.join(project.runsDir, runId(r), "eu", "evidence", "applied-plans.json"), "utf8")) as { planRun: string; stacks: Record<string, { status: string }> };
    expect(applied).toMatchObject({ planRun: previewRun, stacks: { "eu-pki": { status: "succeeded" } } });
  }, 600_000);

  afterAll(async () => {
    if (project !== undefined) await fleet(project, "destroy", ["--stack", "eu-pki"]);
  }, 600_000);
});
