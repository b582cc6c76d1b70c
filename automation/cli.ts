/**
 * `npm run fleet -- <command>`: the fleet's command line. Each command lives in
 * automation/commands/ and registers itself here; commander parses argv.
 * Exit codes: 0 success, 1 stack failures or mandatory violations, 2 usage/config errors,
 * 130 interrupted.
 *
 * Start-up: only the module of the command being run is loaded (./commands/manifest.ts);
 * the others are listed in `--help` from the manifest. With Node's module compile cache
 * (./commands/compileCache.ts) the modules that are loaded compile from V8's code cache.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, CommanderError, Help } from "commander";
import { COMMANDS, modulesFor, type CommandModule } from "./commands/manifest";
import { enableCompileCache } from "./commands/compileCache";
import { deferTypescript } from "./plan/deferTypescript";

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** `fleet --version`: this program's version and the Pulumi SDK and Node it runs on. */
export function versionText(): string {
  const read = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as { version: string };
  const root = path.resolve(__dirname, "..");
  const sdk = read(path.join(root, "node_modules", "@pulumi", "pulumi", "package.json")).version;
  return `meridian ${read(path.join(root, "package.json")).version} (@pulumi/pulumi ${sdk}, node ${process.versions.node})`;
}

const HELP_AFTER = `
Examples:
  npm run fleet -- plan                          offline plan of every stack, no cloud, no CLI
  npm run fleet -- plan --json --resources       the same as JSON, with each stack's resources
  npm run fleet -- plan --filter eu-workload-aws   one stack; upstreams from the last plan's cache
  npm run fleet -- affected --base origin/main   stacks a change affects, and why
  npm run fleet -- preview --domains eu          preview the EU domain with the policy pack
  npm run fleet -- preview --filter role=workload --filter '!cloud=azure'
  npm run fleet -- drift --filter domain=eu      preview-only refresh; exit 2 on drift
  npm run fleet -- up --stack eu-workload-aws --with-dependencies --yes
  npm run fleet -- up --engine mock --yes        a whole rollout offline (mock cloud)
  npm run fleet -- up --resume <run-id>          finish what a run did not
  npm run fleet -- upgrade --to 1.34 --engine mock --yes   a gated cluster upgrade, offline

Environment:
  PULUMI_CONFIG_PASSPHRASE_<DOMAIN>[_FILE]       a domain's passphrase (local passphrase secrets only)
  MERIDIAN_BACKEND_<DOMAIN>                      a domain's state backend (held to fleet.yaml's rules)
  MERIDIAN_EVIDENCE_STORE_<DOMAIN>               a domain's evidence store (held to fleet.yaml's rules)
  PULUMI_ACCESS_TOKEN_<DOMAIN>                   a domain's Pulumi Cloud token (a domain on its own Pulumi Cloud)
  MERIDIAN_MOCK_DRIFT                            a JSON file of out-of-band changes the mock engine's drift reports
  MERIDIAN_MOCK_LATENCY_MS                       the least time each --engine mock stack operation takes (a cancel ends it)
  MERIDIAN_MOCK_STOP_MS                          the time a cancelled --engine mock operation takes to stop (rehearsing a second Ctrl-C)
  MERIDIAN_FLEET_CACHE                           where plan and parse caches live (default: the checkout's .fleet-cache/)
  NODE_DISABLE_COMPILE_CACHE                     no module compile cache (default: ~/.cache/meridian/node-compile-cache, Node >= 22.1)
  CI                                             non-interactive: no prompts (up/destroy need --yes)

Exit codes: 0 success, 1 stack failures or mandatory violations, 2 bad input, 130 interrupted.
Docs: docs/orchestrator.md, docs/plan.md, docs/configuration.md`;

type Register = (program: Command) => void;

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand: each pulls in the provider SDKs */
const REGISTER: Record<CommandModule, () => Register> = {
  plan: () => (require("./commands/plan") as typeof import("./commands/plan")).registerPlan,
  audit: () => (require("./commands/audit") as typeof import("./commands/audit")).registerAudit,
  rollout: () => (require("./commands/rollout") as typeof import("./commands/rollout")).registerRollout,
  affected: () => (require("./commands/affected") as typeof import("./commands/affected")).registerAffected,
  promote: () => (require("./commands/promote") as typeof import("./commands/promote")).registerPromote,
  drill: () => (require("./commands/drill") as typeof import("./commands/drill")).registerDrill,
  drift: () => (require("./commands/drift") as typeof import("./commands/drift")).registerDrift,
  upgrade: () => (require("./commands/upgrade") as typeof import("./commands/upgrade")).registerUpgrade,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * The command line. With `argv`, only the module of the command it runs is loaded; every
 * other command is a placeholder with its name and description, for `--help` and for
 * commander's "did you mean" on a mistyped name. Without `argv`, every command is complete
 * (tests inspect the options of all of them).
 */
export function buildCli(argv?: readonly string[]): Command {
  const program = new Command("fleet")
    .description("Plan and roll out the meridian fleet (EU and US residency domains)")
    .version(versionText(), "-V, --version", "print the version of meridian, its Pulumi SDK and Node")
    .addHelpText("after", HELP_AFTER)
    .showHelpAfterError()
    .exitOverride();
  const load = argv === undefined ? new Set(COMMANDS.map((c) => c.module)) : modulesFor(argv);
  const placeholders = new Set<Command>();
  for (const entry of COMMANDS) {
    if (load.has(entry.module)) {
      // A module registers all of its commands (rollout: preview, up, refresh, destroy) once.
      if (!program.commands.some((c) => c.name() === entry.name)) REGISTER[entry.module]()(program);
    } else {
      placeholders.add(program.command(entry.name).description(entry.description));
    }
  }
  // A placeholder has no options or arguments of its own; --help shows it as the real one.
  const term = new Map(COMMANDS.map((c) => [c.name, c.term]));
  program.configureHelp({ subcommandTerm: (cmd) => (placeholders.has(cmd) ? term.get(cmd.name())! : Help.prototype.subcommandTerm.call(new Help(), cmd)) });
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildCli(argv).parseAsync(argv, { from: "user" });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw e;
  }
}

if (require.main === module) {
  enableCompileCache();
  deferTypescript();
  // Never exit 0 without having finished: an emptied event loop with work pending is a failure.
  let finished = false;
  process.on("exit", (code) => {
    if (!finished && code === 0) {
      process.stderr.write("fleet: internal error: stopped before finishing\n");
      process.exitCode = 1;
    }
  });
  // Exit only once stdout and stderr have flushed: on Node 24 a piped stdout is still being
  // written when the command returns, and process.exit() cut `plan --json` short mid-document.
  const exitAfterFlush = (code: number): void => {
    process.exitCode = code;
    process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
  };
  main(process.argv.slice(2)).then(
    (code) => {
      finished = true;
      exitAfterFlush(code);
    },
    (e: unknown) => {
      finished = true;
      console.error(`fleet: internal error: ${e instanceof Error ? e.message : String(e)}`);
      exitAfterFlush(1);
    },
  );
}
