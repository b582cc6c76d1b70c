/**
 * Pulumi-native config on the REAL CLI (.tools/bin/pulumi, a local file backend):
 *
 * - values set with `pulumi config set` (strings, `--path`, `--secret`) and project-level
 *   config in Pulumi.yaml reach the program, which validates them as the fleet loader does;
 *   what the program reads equals what `loadFleet` reads from the same files (the offline
 *   plan's view), key for key;
 * - a bad value set with `pulumi config set` stops the real entry point (stacks/index.ts)
 *   with one line naming the file and the key, and no stack trace;
 * - the deployments/ program compiles (`tsc -p deployments`) and runs under the real
 *   language host with the fleet program's runtime settings, up to its first fleet check.
 *
 * Not here: ESC environments (`environment:` imports) need Pulumi Cloud; a file backend
 * refuses them ("does not support environments"). Skips LOUDLY when the CLI is not built.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { loadFleet } from "../../automation/fleet";
import { makeProject, pulumi, ROOT, tmpDir, engineEnv, TOOLS_BIN, type CmdResult, type Project } from "./harness";

const missing = ["pulumi", "pulumi-language-nodejs"].filter((b) => !fs.existsSync(path.join(TOOLS_BIN, b)));
if (missing.length > 0) {
  process.stderr.write(["", "=".repeat(78), "E2E CONFIG TIER SKIPPED — missing:", ...missing.map((m) => `  - ${path.join(TOOLS_BIN, m)}`), "=".repeat(78), ""].join("\n"));
}
const suite = missing.length > 0 ? describe.skip : describe;

/** The harness's temp project, with this test's main and a project-level `config:`. */
function projectWith(main: string, config: Record<string, unknown>): Project {
  const project = makeProject("local", {});
  fs.writeFileSync(
    path.join(project.dir, "Pulumi.yaml"),
    stringify({ name: "meridian", runtime: { name: "nodejs", options: { typescript: false, nodeargs: "--import tsx" } }, main, stackConfigDir: "fleet", config }),
  );
  return project;
}

function ok(r: CmdResult): CmdResult {
  if (r.code !== 0) throw new Error(`pulumi failed (${r.code}): ${r.stderr || r.stdout}`);
  return r;
}

const STACK = "eu-pki";

suite("pulumi config set and project-level config reach the program", () => {
  let project: Project;
  let outputs: { config: Record<string, unknown>; notInFiles: string[]; secretKeys: string[] };

  beforeAll(() => {
    project = projectWith("test/e2e/fixture/config-probe.ts", { "meridian:tags": { value: { owner: "platform" } } });
    ok(pulumi(project, ["stack", "init", STACK, "--non-interactive"], "eu"));
    ok(pulumi(project, ["config", "set", "meridian:ring", "1", "-s", STACK], "eu")); // stored as the string "1"
    ok(pulumi(project, ["config", "set", "--path", "meridian:pki.generation", "2", "-s", STACK], "eu"));
    ok(pulumi(project, ["config", "set", "--path", "meridian:pki.organization", "meridian-eu", "-s", STACK], "eu"));
    ok(pulumi(project, ["up", "--yes", "--skip-preview", "--non-interactive", "-s", STACK], "eu"));
    outputs = JSON.parse(ok(pulumi(project, ["stack", "output", "--json", "--show-secrets", "-s", STACK], "eu")).stdout) as typeof outputs;
  }, 600_000);

  it("the file as `pulumi config set` wrote it: a string ring, path-set values", () => {
    const text = fs.readFileSync(path.join(project.fleetDir, `Pulumi.${STACK}.yaml`), "utf8");
    expect(text).toMatch(/meridian:ring: "1"/);
    expect(text).toMatch(/generation: 2/);
  });

  it("the program reads them through Pulumi config, with the project-level tags", () => {
    expect(outputs.config).toMatchObject({
      "meridian:ring": 1,
      "meridian:tags": { owner: "platform" },
      "meridian:pki": { generation: 2, organization: "meridian-eu" },
    });
  });

  it("what the program read equals what the fleet loader (and so the offline plan) reads from the same files", () => {
    const fromFiles = loadFleet(project.fleetDir).stacks.get(STACK)!;
    expect(outputs.config).toEqual(JSON.parse(JSON.stringify(fromFiles.config)));
    expect(outputs.notInFiles).toEqual([]);
  });

  it("a bad value set with `pulumi config set` stops the real entry point with one line naming the file and key", () => {
    fs.writeFileSync(
      path.join(project.dir, "Pulumi.yaml"),
      fs.readFileSync(path.join(project.dir, "Pulumi.yaml"), "utf8").replace("test/e2e/fixture/config-probe.ts", "stacks/index.ts"),
    );
    ok(pulumi(project, ["config", "set", "meridian:ring", "12", "-s", STACK], "eu"));
    const r = pulumi(project, ["preview", "--non-interactive", "-s", STACK], "eu");
    const out = r.stdout + r.stderr;
    expect(r.code).not.toBe(0);
    expect(out).toMatch(/fleet\/Pulumi\.eu-pki\.yaml: meridian:ring: .*9 \(got 12\)/);
    expect(out).not.toMatch(/^\s+at /m); // no stack trace
  });
});

suite("deployments/ under the fleet program's runtime settings, on the real CLI", () => {
  it("compiles on its own: npx tsc -p deployments", () => {
    const r = spawnSync(path.join(ROOT, "node_modules", ".bin", "tsc"), ["-p", path.join(ROOT, "deployments", "tsconfig.json")], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 300_000);

  it("runs under the real language host up to its first fleet check, reported on one line", () => {
    const dir = tmpDir("deployments");
    for (const f of ["automation", "components", "stacks", "policy-pack", "node_modules", "package.json", "tsconfig.json"]) fs.symlinkSync(path.join(ROOT, f), path.join(dir, f));
    fs.mkdirSync(path.join(dir, "deployments"));
    for (const f of fs.readdirSync(path.join(ROOT, "deployments"))) fs.copyFileSync(path.join(ROOT, "deployments", f), path.join(dir, "deployments", f));
    fs.mkdirSync(path.join(dir, "state"));
    const env = { ...engineEnv(), PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}` };
    const run = (args: string[]) => spawnSync(path.join(TOOLS_BIN, "pulumi"), args, { cwd: path.join(dir, "deployments"), env, encoding: "utf8" });
    expect(run(["stack", "init", "eu", "--non-interactive"]).status).toBe(0);
    const r = run(["preview", "--non-interactive", "-s", "eu"]);
    const out = r.stdout + r.stderr;
    // The reference fleet keeps its state in S3, which Pulumi Deployments cannot serve: the
    // program got that far — compiled, config read, fleet loaded — and says so on one line.
    expect(out).not.toMatch(/Unable to compile TypeScript|TSError/);
    expect(out).toMatch(/deployments\/Pulumi\.eu\.yaml: fleet\.yaml domains\.eu\.backend is "s3:\/\/meridian-state-eu[^"]*": Pulumi Deployments run only stacks kept in a Pulumi Cloud/);
    expect(out).not.toMatch(/^\s+at /m);
    expect(r.status).not.toBe(0);
  }, 600_000);
});
