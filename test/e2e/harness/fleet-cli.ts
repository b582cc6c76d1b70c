/**
 * Child-process entry for the e2e tier: `fleet <op> ...` exactly as automation/cli.ts, but
 * with the project directory (Pulumi.yaml, stack configs, `.tools`) set to the temp
 * project (`MERIDIAN_E2E_PROJECT`) instead of the repo root, so the CLI never writes into
 * the repo's stacks/. Same commander options, same runRolloutCommand, the process's
 * real SIGINT/SIGTERM. `upgrade` likewise runs the real runUpgradeCommand in that project.
 *   node --import tsx test/e2e/harness/fleet-cli.ts up --yes --json --stacks-dir D --backend file://S --runs-dir R --policy-pack P
 */
import * as readline from "node:readline";
import { Command } from "commander";
import { buildCli } from "../../../automation/cli";
import { runRolloutCommand, type RolloutIo, type RolloutOptions } from "../../../automation/commands/rollout";
import { runUpgradeCommand, type UpgradeOptions } from "../../../automation/commands/upgrade";
import type { Operation } from "../../../automation/engine/types";
import { processSignals } from "../../../automation/orchestrator";

const project = process.env.MERIDIAN_E2E_PROJECT;
if (!project) {
  process.stderr.write("fleet-cli: MERIDIAN_E2E_PROJECT is not set\n");
  process.exit(2);
}

const io: RolloutIo = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  interactive: false,
  confirm: () => new Promise((resolve) => readline.createInterface({ input: process.stdin }).close() ?? resolve(false)),
  stderr: process.stderr,
  env: process.env,
  signals: processSignals,
};

async function main(argv: string[]): Promise<number> {
  // Reuse the real command definitions (options, defaults, validation), swap the action.
  const cli: Command = buildCli();
  let code = 2;
  for (const sub of cli.commands) {
    const op = sub.name();
    if (op === "upgrade") {
      sub.action(async (opts: UpgradeOptions) => {
        code = await runUpgradeCommand(opts, io, project!);
      });
      continue;
    }
    if (!["preview", "up", "refresh", "destroy"].includes(op)) continue;
    sub.action(async (opts: RolloutOptions) => {
      code = await runRolloutCommand(op as Operation, opts, io, project!);
    });
  }
  await cli.parseAsync(argv, { from: "user" });
  return code;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`fleet-cli: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
