/** `fleet --version` and `fleet --help`: through the real entry, and the help's examples use only real commands and options. */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildCli } from "../../automation/cli";

const root = path.resolve(__dirname, "../..");
const fleet = (...args: string[]) => execFileSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "automation/cli.ts"), ...args], { cwd: root, encoding: "utf8" });

describe("fleet --version / --help", () => {
  it("--version names meridian's version, the Pulumi SDK it runs and Node", () => {
    const sdk = (JSON.parse(fs.readFileSync(path.join(root, "node_modules/@pulumi/pulumi/package.json"), "utf8")) as { version: string }).version;
    const own = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version;
    expect(fleet("--version").trim()).toBe(`meridian ${own} (@pulumi/pulumi ${sdk}, node ${process.versions.node})`);
  }, 60000);

  it("--help lists examples, environment variables and exit codes; every example is a real command with real options", () => {
    const help = fleet("--help");
    expect(help).toContain("Examples:");
    expect(help).toMatch(/Environment:\n\s+PULUMI_CONFIG_PASSPHRASE_<DOMAIN>/);
    expect(help).toContain("Exit codes: 0 success, 1 stack failures or mandatory violations, 2 bad input, 130 interrupted.");
    const program = buildCli();
    const examples = [...help.matchAll(/^ {2}npm run fleet -- (\S+)(.*?)(?: {2,}.*)?$/gm)];
    expect(examples.length).toBeGreaterThan(4);
    for (const [, name, rest] of examples) {
      const command = program.commands.find((c) => c.name() === name);
      expect({ name, known: command !== undefined }).toEqual({ name, known: true });
      for (const flag of rest.match(/--[a-z-]+/g) ?? []) {
        expect({ name, flag, known: command!.options.some((o) => o.long === flag) }).toEqual({ name, flag, known: true });
      }
    }
  }, 60000);
});
