/**
 * The policy pack is publishable on its own. `pulumi policy publish` uploads the pack folder
 * and the engine that enforces it unpacks it and runs `npm install` there; so the test does
 * the same with `npm pack`'s tarball: unpacked into an empty folder outside the repository,
 * its dependencies installed from the tarball's package.json (npm's local cache first:
 * --prefer-offline), and loaded the way the engine's run-policy-pack loads it — the SDK's
 * ts-node with type checking and the pack's own TypeScript — with nothing of this
 * repository on the module path. (Installed as a dependency under node_modules it could not
 * load that way: ts-node never compiles files under node_modules.)
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { policyNames } from "../../policy-pack/policies";

const ROOT = path.resolve(__dirname, "../..");
const PACK = path.join(ROOT, "policy-pack");

function importsOf(file: string): string[] {
  const src = fs.readFileSync(file, "utf8");
  return [...src.matchAll(/(?:import|export)[^"']*?from\s+["']([^"']+)["']|require\(["']([^"']+)["']\)|import\(["']([^"']+)["']\)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : tsFiles(p);
    return p.endsWith(".ts") && !p.endsWith(".test.ts") ? [p] : [];
  });
}

describe("the policy pack as a package of its own", () => {
  it("imports nothing outside policy-pack/, and every package it imports is a dependency it declares", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const problems: string[] = [];
    for (const file of tsFiles(PACK)) {
      for (const spec of importsOf(file)) {
        if (spec.startsWith(".")) {
          const target = path.resolve(path.dirname(file), spec);
          if (!target.startsWith(PACK + path.sep) && target !== PACK) problems.push(`${path.relative(ROOT, file)}: ${spec} leaves policy-pack/`);
        } else if (!spec.startsWith("node:")) {
          const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
          if (!(pkg in manifest.dependencies)) problems.push(`${path.relative(ROOT, file)}: ${spec} is not a dependency in policy-pack/package.json`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(Object.keys(manifest.dependencies)).toEqual(expect.arrayContaining(["typescript", "@types/node", "@pulumi/policy", "@pulumi/pulumi"]));
  });

  it("npm pack unpacks and installs in an empty folder, and its policies load there, type-checked by the pack's TypeScript", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-pack-"));
    const npm = (args: string[], cwd: string) => execFileSync("npm", args, { cwd, encoding: "utf8", timeout: 400_000, stdio: ["ignore", "pipe", "pipe"] });
    const tarball = npm(["pack", PACK, "--pack-destination", tmp, "--silent"], ROOT).trim().split("\n").pop()!;
    execFileSync("tar", ["xzf", path.join(tmp, tarball), "-C", tmp]);
    const installed = path.join(tmp, "package");
    npm(["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock"], installed);
    expect(fs.existsSync(path.join(installed, "PulumiPolicy.yaml"))).toBe(true);
    // Load as run-policy-pack does: ts-node (the SDK's resolution), typeCheck on, nodenext.
    const loader = `
      const path = require("path");
      const tsutils = require("@pulumi/pulumi/tsutils");
      const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
      const ts = require(typescriptRequire);
      require(tsnodeRequire).register({ typeCheck: true, skipProject: true, compiler: typescriptRequire,
        compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true" } });
      const { policyNames } = require(path.join(process.cwd(), "policies/index.ts"));
      const here = Object.keys(require.cache).filter((f) => !f.startsWith(process.cwd() + path.sep));
      console.log(JSON.stringify({ typescript: ts.version, policies: policyNames, outside: here }));
    `;
    const out = execFileSync(process.execPath, ["-e", loader], { cwd: installed, encoding: "utf8", timeout: 300_000, env: { ...process.env, NODE_PATH: "" } });
    const loaded = JSON.parse(out.trim().split("\n").pop()!) as { typescript: string; policies: string[]; outside: string[] };
    expect(loaded.typescript).toBe(JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8")).dependencies.typescript);
    expect(loaded.policies).toEqual([...policyNames]);
    expect(loaded.outside).toEqual([]);
  }, 900_000);
});
