/**
 * automation/plan/deferTypescript.ts: a process that loads the Pulumi SDK but never uses its
 * closure serializer does not load TypeScript; one that does use it gets the real compiler.
 * Run in child processes: jest's module registry is not Node's `require.cache`.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "../..");
const TYPESCRIPT = /node_modules\/typescript\/lib\/typescript\.js$/;

/** `node --import tsx -e SCRIPT` in the checkout; its stdout lines. */
function node(script: string): string[] {
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: root, encoding: "utf8", env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" } });
  if (r.status !== 0) throw new Error(`node exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim().split("\n");
}

const loadedTypescript = `Object.keys(require.cache).some((f) => ${TYPESCRIPT}.test(f))`;

describe("deferTypescript", () => {
  it("the SDK loads without TypeScript after it, and with it otherwise (the check can fail)", () => {
    const deferred = node(`require("./automation/plan/deferTypescript").deferTypescript(); require("@pulumi/pulumi"); console.log(${loadedTypescript});`);
    expect(deferred).toEqual(["false"]);
    expect(node(`require("@pulumi/pulumi"); console.log(${loadedTypescript});`)).toEqual(["true"]);
  }, 60000);

  it("closure serialization still works: the first use loads the real compiler through the stand-in", () => {
    const out = node(`
      const { deferTypescript } = require("./automation/plan/deferTypescript");
      console.log(deferTypescript(), deferTypescript());
      const pulumi = require("@pulumi/pulumi");
      pulumi.runtime.serializeFunction(function answer() { return 6 * 7; }).then((s) => {
        console.log(${loadedTypescript});
        console.log(s.text.includes("6 * 7"));
        const ts = require("@pulumi/pulumi/typescript-shim");
        console.log(typeof ts.createSourceFile, "SyntaxKind" in ts, Object.keys(ts).includes("version"));
      });
    `);
    // The second call finds the stand-in in the cache and does nothing.
    expect(out).toEqual(["true false", "true", "true", "function true true"]);
  }, 60000);

  it("the CLI plans a stack without loading TypeScript", () => {
    const list = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "meridian-defer-")), "loaded.txt");
    const r = spawnSync(process.execPath, ["--require", path.join(root, "test/support/loadedModules.cjs"), "--import", "tsx", path.join(root, "automation/cli.ts"), "plan", "--filter", "eu-pki", "--plan-upstreams", "--json"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, MERIDIAN_LOADED_MODULES: list, NODE_DISABLE_COMPILE_CACHE: "1" },
    });
    expect(r.status).toBe(0);
    const loaded = fs.readFileSync(list, "utf8").split("\n");
    expect(loaded.some((f) => f.includes("node_modules/@pulumi/pulumi/"))).toBe(true);
    expect(loaded.filter((f) => TYPESCRIPT.test(f))).toEqual([]);
  }, 120000);
});
