/**
 * The deployments/ program runs under the same runtime settings as the fleet program: the
 * same Pulumi.yaml `runtime` (tsx, no ts-node), a tsconfig of its own that extends the
 * root's, and bad settings end on one line naming the file and key. (Its old
 * `typescript: true` ran ts-node without a tsconfig and failed on the real CLI with TS2550;
 * test/e2e/config.e2e.test.ts runs it on the real CLI.)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as ts from "typescript";
import { parse } from "yaml";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const projectOf = (dir: string) => parse(fs.readFileSync(path.join(ROOT, dir, "Pulumi.yaml"), "utf8")) as { name: string; runtime: unknown; main: string };

function compilerOptions(tsconfig: string): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, tsconfig), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")) });
  if (parsed === undefined) throw new Error(`cannot read ${tsconfig}`);
  return parsed;
}

describe("deployments/ under the fleet program's runtime settings", () => {
  it("has the same Pulumi.yaml runtime as the fleet program (tsx, types checked by npm test)", () => {
    expect(projectOf("deployments").runtime).toEqual(projectOf(".").runtime);
    expect(projectOf(".").runtime).toEqual({ name: "nodejs", options: { typescript: false, nodeargs: "--import tsx" } });
    expect(fs.existsSync(path.join(ROOT, "deployments", projectOf("deployments").main))).toBe(true);
  });

  it("has a tsconfig that extends the root's and takes its entry point (compiled by `npx tsc -p deployments` in the e2e test)", () => {
    const own = compilerOptions("deployments/tsconfig.json");
    const root = compilerOptions("tsconfig.json");
    expect(own.errors).toEqual([]);
    expect(own.fileNames).toContain(path.join(ROOT, "deployments", "index.ts").split(path.sep).join("/"));
    for (const option of ["target", "module", "lib", "strict", "esModuleInterop", "noUnusedLocals", "exactOptionalPropertyTypes"] as const) {
      expect({ option, value: own.options[option] }).toEqual({ option, value: root.options[option] });
    }
  });
});

describe("deployments/ on bad settings", () => {
  const settings = parse(fs.readFileSync(path.join(ROOT, "deployments", "Pulumi.eu.yaml"), "utf8")).config["meridian-deployments:settings"] as Record<string, unknown>;

  async function runWith(value: Record<string, unknown>): Promise<unknown> {
    await pulumi.runtime.setMocks(
      { newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs },
      "meridian-deployments",
      "eu",
    );
    pulumi.runtime.setAllConfig({ "meridian-deployments:settings": JSON.stringify(value) });
    try {
      // The program is its module's top level: load it afresh under this config.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      jest.isolateModules(() => require("../../../deployments/index"));
      return undefined;
    } catch (e) {
      return e;
    }
  }

  it.each([
    [{ organization: "" }, /^deployments\/Pulumi\.eu\.yaml: meridian-deployments:settings\.organization: .*1 character/],
    [{ domain: "apac" }, /^deployments\/Pulumi\.eu\.yaml: meridian-deployments:settings\.domain: invalid value "apac"; allowed: eu, us$/],
    [{ agentPoolID: "x" }, /^deployments\/Pulumi\.eu\.yaml: meridian-deployments:settings\.agentPoolID: unknown key/],
  ])("%j: one line naming the file and key, no stack trace", async (change, message) => {
    const e = await runWith({ ...settings, ...change });
    expect(pulumi.RunError.isInstance(e)).toBe(true);
    expect((e as Error).message).toMatch(message);
    expect((e as Error).message).not.toContain("\n");
  });

  it("a fleet the Deployments cannot serve (the reference fleet's s3 backend) says so on one line", async () => {
    const e = await runWith(settings);
    expect(pulumi.RunError.isInstance(e)).toBe(true);
    expect((e as Error).message).toMatch(/^deployments\/Pulumi\.eu\.yaml: fleet\.yaml domains\.eu\.backend is "s3:\/\/meridian-state-eu[^"]*": Pulumi Deployments run only stacks kept in a Pulumi Cloud/);
  });
});
