/**
 * `npm run fleet -- <command>`: the fleet's command line. Each command lives in
 * automation/commands/ and registers itself here; commander parses argv.
 * Exit codes: 0 success, 1 stack failures or mandatory violations, 2 usage/config errors,
 * 130 interrupted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, CommanderError } from "commander";
import { registerAffected } from "./commands/affected";
import { registerAudit } from "./commands/audit";
import { registerDrift } from "./commands/drift";
import { registerDrill } from "./commands/drill";
import { registerPlan } from "./commands/plan";
import { registerPromote } from "./commands/promote";
import { registerRollout } from "./commands/rollout";
import { registerUpgrade } from "./commands/upgrade";

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
  MERIDIAN_FLEET_CACHE                           where plan caches live (default: the checkout's .fleet-cache/)
  CI                                             non-interactive: no prompts (up/destroy need --yes)

Exit codes: 0 success, 1 stack failures or mandatory violations, 2 bad input, 130 interrupted.
Docs: docs/orchestrator.md, docs/plan.md, docs/configuration.md`;

export function buildCli(): Command {
  const program = new Command("fleet")
    .description("Plan and roll out the meridian fleet (EU and US residency domains)")
    .version(versionText(), "-V, --version", "print the version of meridian, its Pulumi SDK and Node")
    .addHelpText("after", HELP_AFTER)
    .showHelpAfterError()
    .exitOverride();
  registerPlan(program);
  registerAudit(program);
  registerRollout(program);
  registerAffected(program);
  registerPromote(program);
  registerDrill(program);
  registerDrift(program);
  registerUpgrade(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildCli().parseAsync(argv, { from: "user" });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw e;
  }
}

if (require.main === module) {
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
