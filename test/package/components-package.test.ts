/**
 * `components/` as the workspace package `@meridian/components`: what another TypeScript
 * Pulumi project gets when it depends on it.
 *
 * - the `exports` map names every component folder (one subpath per folder, its index.ts),
 *   and nothing else: a deep import of an adapter is refused by Node's own resolver;
 * - a consumer that imports only by package name type-checks under `moduleResolution:
 *   node16` (which honours `exports`), including a `@ts-expect-error` that proves the
 *   residency types survive the package boundary;
 * - at run time the package's component builds under the consumer's Pulumi SDK (one SDK
 *   instance: the SDK's global state — stack, config, monitor — is per process, which is why
 *   the @pulumi/* packages are peerDependencies) and sets the security-relevant inputs.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { findOne, installMocks, settle } from "../support/mocks";

const cloud = installMocks({ stack: "eu-consumer" });

import { euKey } from "./consumer";

const ROOT = path.resolve(__dirname, "../..");
const COMPONENTS = path.join(ROOT, "components");
const pkg = JSON.parse(fs.readFileSync(path.join(COMPONENTS, "package.json"), "utf8")) as {
  name: string;
  exports: Record<string, string | { types: string; default: string }>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
const rootPkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { workspaces: string[]; dependencies: Record<string, string> };

/** Resolve a specifier with Node's own resolver (which enforces `exports`), from the repository root. */
function nodeResolve(specifier: string): string {
  return execFileSync(process.execPath, ["-e", `process.stdout.write(require.resolve(${JSON.stringify(specifier)}))`], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

describe("@meridian/components, the workspace package", () => {
  it("is a workspace of the root project", () => {
    expect(pkg.name).toBe("@meridian/components");
    expect(rootPkg.workspaces).toContain("components");
    expect(fs.realpathSync(path.join(ROOT, "node_modules/@meridian/components"))).toBe(COMPONENTS);
  });

  it("exports one subpath per component folder, each its index.ts, and nothing else", () => {
    // sdk/ is not a component: the provider-SDK imports the components share (internal).
    const folders = fs.readdirSync(COMPONENTS, { withFileTypes: true }).filter((d) => d.isDirectory() && !["node_modules", "sdk"].includes(d.name)).map((d) => d.name).sort();
    expect(fs.existsSync(path.join(COMPONENTS, "sdk", "index.ts"))).toBe(false);
    const subpaths = Object.keys(pkg.exports).filter((k) => k !== "./package.json").sort();
    expect(subpaths).toEqual(folders.map((f) => `./${f}`));
    for (const f of folders) {
      expect(pkg.exports[`./${f}`]).toEqual({ types: `./${f}/index.ts`, default: `./${f}/index.ts` });
      expect(fs.existsSync(path.join(COMPONENTS, f, "index.ts"))).toBe(true);
    }
  });

  it("resolves a component by package name to its source, and refuses a deep import of an adapter", () => {
    expect(nodeResolve("@meridian/components/kms")).toBe(path.join(COMPONENTS, "kms/index.ts"));
    expect(() => nodeResolve("@meridian/components/kms/aws")).toThrow(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });

  it("takes the SDK and providers from its consumer (peerDependencies, the root's exact versions)", () => {
    for (const p of ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/azure-native", "@pulumi/gcp", "@pulumi/kubernetes"]) {
      expect([p, pkg.peerDependencies[p]]).toEqual([p, rootPkg.dependencies[p]]);
    }
    for (const [d, v] of Object.entries(pkg.dependencies)) expect([d, v]).toEqual([d, rootPkg.dependencies[d]]);
    // One SDK instance: the package's @pulumi/pulumi is the consumer's.
    expect(require.resolve("@pulumi/pulumi", { paths: [path.join(COMPONENTS, "kms")] })).toBe(require.resolve("@pulumi/pulumi"));
  });

  it("builds a ResidencyKey through the package under the consumer's mocks: regional, rotating, protected", async () => {
    const key = euKey("consumer");
    await settle();
    const k = findOne(cloud, "aws:kms/key:Key");
    expect(k.name).toContain("consumer");
    expect(k.inputs.multiRegion).toBe(false);
    expect(k.inputs.enableKeyRotation).toBe(true);
    expect(key.handle.domain).toBe("eu");
    expect(key.handle.region).toBe("eu-central-1");
  });

  it("type-checks a consumer that imports only by package name (moduleResolution node16, exports honoured)", () => {
    const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
    const consumer = path.join(__dirname, "consumer");
    const source = fs.readFileSync(path.join(consumer, "index.ts"), "utf8");
    expect(source).not.toMatch(/from "\.\.?\//);
    let out = "";
    try {
      out = execFileSync(process.execPath, [tsc, "-p", path.join(consumer, "tsconfig.json")], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      out = `${(e as { stdout?: string }).stdout ?? ""}${(e as Error).message}`;
    }
    expect(out).toBe("");
  }, 240_000);
});
