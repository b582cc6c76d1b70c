/**
 * CLI start-up: the CLI loads only the module of the command it runs (automation/commands/
 * manifest.ts), so `--version`, `--help`, a mistyped command and `fleet affected` load no
 * provider SDK, through the real entry; and `--help` reads the same whether a command's
 * module is loaded or a placeholder stands in for it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CommanderError, type Command } from "commander";
import { buildCli } from "../../automation/cli";
import { compileCacheDir, unsafeCacheDir } from "../../automation/commands/compileCache";
import { COMMANDS, modulesFor } from "../../automation/commands/manifest";

const root = path.resolve(__dirname, "../..");
const SDK = /node_modules\/@pulumi\/(pulumi|aws|azure-native|gcp|kubernetes|policy)\//;

/** Run the real entry; returns its exit code, output and the files it required. */
function fleet(...args: string[]): { status: number | null; stdout: string; stderr: string; loaded: string[] } {
  return fleetWith({ NODE_DISABLE_COMPILE_CACHE: "1" }, ...args);
}

function fleetWith(env: NodeJS.ProcessEnv, ...args: string[]): { status: number | null; stdout: string; stderr: string; loaded: string[] } {
  const list = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "meridian-startup-")), "loaded.txt");
  const base = { ...process.env };
  delete base.NODE_COMPILE_CACHE;
  delete base.NODE_DISABLE_COMPILE_CACHE;
  const r = spawnSync(process.execPath, ["--require", path.join(root, "test/support/loadedModules.cjs"), "--import", "tsx", path.join(root, "automation/cli.ts"), ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...base, MERIDIAN_LOADED_MODULES: list, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, loaded: fs.readFileSync(list, "utf8").split("\n") };
}

function helpOf(program: Command, argv: string[]): string {
  let text = "";
  // Subcommands copied the output settings when they were made: set them on every one.
  const capture = (c: Command): void => {
    c.configureOutput({ writeOut: (s) => void (text += s), writeErr: (s) => void (text += s) });
    c.commands.forEach(capture);
  };
  capture(program);
  try {
    program.parse(argv, { from: "user" });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
  }
  return text;
}

describe("fleet start-up", () => {
  it("the manifest lists exactly the commands the modules register, in their order, with their descriptions", () => {
    const all = buildCli();
    expect(all.commands.map((c) => [c.name(), c.description()])).toEqual(COMMANDS.map((c) => [c.name, c.description]));
  });

  it("picks the module of the command a command line runs, and none for --version, --help or an unknown command", () => {
    expect([...modulesFor(["plan", "--json"])]).toEqual(["plan"]);
    expect([...modulesFor(["up", "--engine", "mock"])]).toEqual(["rollout"]);
    expect([...modulesFor(["help", "drill"])]).toEqual(["drill"]);
    for (const argv of [[], ["--version"], ["--help"], ["pla"], ["help"]]) expect([...modulesFor(argv)]).toEqual([]);
  });

  it("--help reads the same with placeholders as with every module loaded", () => {
    const full = helpOf(buildCli(), ["--help"]);
    expect(full).toContain("promote [options] <image>");
    expect(helpOf(buildCli(["--help"]), ["--help"])).toBe(full);
    const plan = helpOf(buildCli(), ["plan", "--help"]);
    expect(plan).toContain("--plan-upstreams");
    expect(helpOf(buildCli(["plan", "--help"]), ["plan", "--help"])).toBe(plan);
  });

  it("--version, --help and a mistyped command load no Pulumi SDK through the real entry; a command loads its own module", () => {
    const version = fleet("--version");
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^meridian \S+ \(@pulumi\/pulumi \S+, node /);
    const help = fleet("--help");
    expect([help.status, help.stdout.includes("upgrade [options]")]).toEqual([0, true]);
    const typo = fleet("pla");
    expect([typo.status, typo.stderr.split("\n").slice(0, 2)]).toEqual([2, ["error: unknown command 'pla'", "(Did you mean plan?)"]]);
    for (const run of [version, help, typo]) {
      expect(run.loaded.filter((f) => SDK.test(f))).toEqual([]);
      expect(run.loaded.filter((f) => f.includes("/automation/commands/") && !/\/(manifest|compileCache)\.ts$/.test(f))).toEqual([]);
    }
    // The check can fail: a command that runs the stack program loads the SDKs.
    const plan = fleet("plan", "--workers", "0");
    expect(plan.status).toBe(2);
    expect(plan.loaded.some((f) => SDK.test(f))).toBe(true);
  }, 120000);

  it("fleet affected loads the fleet model but no Pulumi SDK", () => {
    const r = fleet("affected", "--base", "HEAD", "--json");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty("stacks");
    expect(r.loaded.some((f) => f.endsWith("automation/fleet/load.ts"))).toBe(true);
    expect(r.loaded.filter((f) => SDK.test(f))).toEqual([]);
  }, 60000);

  it("keeps Node's compile cache in a directory of this user's only (Node >= 22.1), and never in one others can write", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-cc-"));
    expect(compileCacheDir({ XDG_CACHE_HOME: home })).toBe(path.join(home, "meridian", "node-compile-cache"));
    const dir = compileCacheDir({ XDG_CACHE_HOME: home });
    const run = fleetWith({ XDG_CACHE_HOME: home }, "audit", "--help");
    expect(run.status).toBe(0);
    const supported = Number(process.versions.node.split(".")[0]) >= 23 || (process.versions.node.startsWith("22.") && Number(process.versions.node.split(".")[1]) >= 1);
    if (supported) {
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
      expect(fs.readdirSync(dir).length).toBeGreaterThan(0);
    }
    // A directory others can write is refused (its code would run as this user): nothing is written there.
    const other = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-cc-shared-"));
    const shared = compileCacheDir({ XDG_CACHE_HOME: other });
    fs.mkdirSync(shared, { recursive: true });
    fs.chmodSync(shared, 0o777);
    expect(unsafeCacheDir(shared)).toBe(`${shared} is writable by others`);
    expect(fleetWith({ XDG_CACHE_HOME: other }, "audit", "--help").status).toBe(0);
    expect(fs.readdirSync(shared)).toEqual([]);
  }, 60000);
});
