/**
 * Deploy on push for an object-store domain (the reference fleet): the EU job of main.yml runs
 * exactly `fleet up --yes --domains eu --stack <affected EU stacks>` (domain.yml `deploy`). This
 * walks that command for a push touching one foundation file, through the real CLI entry with
 * the offline mock engine: the foundation deploys first, then its dependents, and no US stack
 * runs in the EU job (US deploys from deploy/us after the canary gate, promotion.yml).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { affectedStacks } from "../../automation/affected";
import { matrixOf } from "../../automation/commands/affected";
import { loadFleet, withDependencies } from "../../automation/fleet";
import { deployOutputs } from "../../.github/scripts/ci";
import { controlPlaneFor } from "../../automation/fleet/controlPlane";

const root = path.resolve(__dirname, "../..");

async function fleetCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = promisify(execFile);
  return run(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "automation/cli.ts"), ...args], { cwd: root, maxBuffer: 64 << 20, env: { ...process.env, CI: "true" } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

type Event = { type: string; stack?: string; status?: string };

describe("deploy on push with the orchestrator (object-store domain)", () => {
  it("a push touching stacks/Pulumi.eu-foundation-aws.yaml deploys that foundation first, then its dependents, EU only", async () => {
    const fleet = loadFleet(path.join(root, "stacks"));
    const affected = affectedStacks(fleet, ["stacks/Pulumi.eu-foundation-aws.yaml"]);
    const matrix = matrixOf(affected);
    expect(matrix.us ?? []).toEqual([]);
    // What domain.yml's deploy job computes from the matrix (the same function the workflow calls).
    const plane = controlPlaneFor(fleet.settings.controlPlane, "eu", root);
    const out = Object.fromEntries(deployOutputs("eu", plane, JSON.stringify(matrix.eu)).trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    expect(out.mode).toBe("orchestrator");
    const stacks = out.stacks.split(" ");
    expect(stacks).toContain("eu-foundation-aws");
    expect(stacks.length).toBeGreaterThan(1);

    const runs = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-push-"));
    // The mock engine keeps deployed outputs per run, so the unaffected upstreams a real backend
    // already holds (guardrails, pki) are deployed in the same run: `--with-dependencies`.
    const r = await fleetCli(["up", "--engine", "mock", "--yes", "--json", "--runs-dir", runs, "--domains", "eu", "--with-dependencies", "--stack", ...stacks]);
    expect({ code: r.code, stderr: r.code === 0 ? "" : r.stderr }).toEqual({ code: 0, stderr: "" });
    const ev = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Event);
    const at = (type: string, stack: string) => ev.findIndex((e) => e.type === type && e.stack === stack);
    const ran = ev.filter((e) => e.type === "stack-finished").map((e) => e.stack!);
    expect(ran).toEqual(expect.arrayContaining(stacks));
    const upstreams = withDependencies(fleet, stacks);
    expect(ran.filter((s) => !upstreams.has(s))).toEqual([]);
    expect(ev.filter((e) => e.type === "stack-finished").every((e) => e.status === "succeeded")).toBe(true);
    // Every stack started after each of its affected upstreams finished; the foundation was first.
    for (const s of stacks) {
      for (const up of fleet.stacks.get(s)!.dependsOn.filter((u) => stacks.includes(u))) {
        expect({ s, up, after: at("stack-started", s) > at("stack-finished", up) }).toEqual({ s, up, after: true });
      }
    }
    const dependents = stacks.filter((s) => s !== "eu-foundation-aws");
    for (const d of dependents) expect(at("stack-started", d)).toBeGreaterThan(at("stack-finished", "eu-foundation-aws"));
    expect(ran.some((s) => s.startsWith("us-"))).toBe(false);
  }, 600000);
});
