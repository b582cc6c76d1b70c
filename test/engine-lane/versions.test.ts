/**
 * The real-engine lane's versions, kept honest: what tools/setup-engine.sh builds, what the
 * npm packages ask for at run time, and what docs/engine-lane.md says, all from the files
 * themselves (and from the built binaries when .tools/ has them).
 *
 * - The kubernetes plugin: the 3.248 engine takes only a plugin whose version equals the one
 *   the SDK requests, and `@pulumi/kubernetes` requests its package.json `pulumi.version`.
 *   So the installed package, the root pin, the build pin and the plugin directory agree.
 * - The CLI and language host: one Pulumi Go version for the CLI module, our language host's
 *   SDK module and the build's `-X …version.Version`; the Automation API of the installed
 *   npm SDK accepts it (its minimum CLI version), and the docs name both versions as they are.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const read = (f: string): string => fs.readFileSync(path.join(ROOT, f), "utf8");
const json = <T>(f: string): T => JSON.parse(read(f)) as T;

/** `NAME=value` of tools/setup-engine.sh. */
function pin(name: string): string {
  const m = new RegExp(`^${name}=([^\\s#]+)`, "m").exec(read("tools/setup-engine.sh"));
  if (!m) throw new Error(`tools/setup-engine.sh: no ${name}=`);
  return m[1];
}

/** The version a go.mod requires of a module. */
function goRequire(goMod: string, module: string): string {
  const m = new RegExp(`^\\s*(?:require\\s+)?${module.replace(/[./]/g, "\\$&")}\\s+(v\\S+)`, "m").exec(read(goMod));
  if (!m) throw new Error(`${goMod}: no ${module}`);
  return m[1];
}

const rootPkg = json<{ dependencies: Record<string, string> }>("package.json");
const installed = (p: string): { version: string; pulumi?: { name: string; version: string } } => json(`node_modules/${p}/package.json`);
const TOOLS = path.join(ROOT, ".tools");
const built = fs.existsSync(path.join(TOOLS, "bin/pulumi"));

describe("the real-engine lane's versions agree", () => {
  const k8s = pin("K8S_PROVIDER_VERSION");
  const cli = pin("PULUMI_VERSION");

  it("kubernetes: the npm package, its requested plugin version, the root pin and the build pin are one version", () => {
    const pkg = installed("@pulumi/kubernetes");
    expect({ installed: pkg.version, requests: pkg.pulumi?.version, pinned: rootPkg.dependencies["@pulumi/kubernetes"], build: k8s }).toEqual({
      installed: k8s,
      requests: k8s,
      pinned: k8s,
      build: k8s,
    });
  });

  it("CLI and language host: one Pulumi Go version, accepted by the installed Automation API", () => {
    expect(goRequire("tools/pulumi/go.mod", "github.com/pulumi/pulumi/pkg/v3")).toBe(`v${cli}`);
    expect(goRequire("tools/language-nodejs/go.mod", "github.com/pulumi/pulumi/sdk/v3")).toBe(`v${cli}`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { minimumVersion } = require("@pulumi/pulumi/automation/minimumVersion") as { minimumVersion: { compare(v: string): number; major: number } };
    expect(minimumVersion.compare(cli)).toBeLessThanOrEqual(0);
    expect(Number(cli.split(".")[0])).toBe(minimumVersion.major);
  });

  it("docs/engine-lane.md names the versions the lane really runs, and the npm SDK it runs beside", () => {
    const doc = read("docs/engine-lane.md");
    const sdk = installed("@pulumi/pulumi").version;
    expect(sdk).toBe(rootPkg.dependencies["@pulumi/pulumi"]);
    const lane = /<!-- lane-versions -->([\s\S]*?)<!-- \/lane-versions -->/.exec(doc)?.[1] ?? "";
    expect(lane).toContain(`CLI v${cli}`);
    expect(lane).toContain(`\`@pulumi/pulumi\` ${sdk}`);
    expect(lane).toContain(`\`@pulumi/kubernetes\` ${k8s}`);
    expect(lane).toContain(`resource-kubernetes-v${k8s}`);
  });

  (built ? it : it.skip)("the built binaries report those versions (.tools/ present)", () => {
    const version = execFileSync(path.join(TOOLS, "bin/pulumi"), ["version"], { encoding: "utf8", env: { ...process.env, PULUMI_HOME: path.join(TOOLS, "pulumi-home"), PULUMI_SKIP_UPDATE_CHECK: "true" } }).trim();
    expect(version).toBe(`v${cli}`);
    const plugins = fs.readdirSync(path.join(TOOLS, "pulumi-home/plugins")).filter((d) => d.startsWith("resource-kubernetes-"));
    expect(plugins).toContain(`resource-kubernetes-v${k8s}`);
  });
});
