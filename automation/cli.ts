/**
 * `npm run fleet -- <command>`: the fleet's command line. Each command lives in
 * automation/commands/ and registers itself here; commander parses argv.
 * Exit codes: 0 success, 1 stack failures or mandatory violations, 2 usage/config errors,
 * 130 interrupted.
 */
import { Command, CommanderError } from "commander";
import { registerAffected } from "./commands/affected";
import { registerAudit } from "./commands/audit";
import { registerDrill } from "./commands/drill";
import { registerPlan } from "./commands/plan";
import { registerRollout } from "./commands/rollout";

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

export function buildCli(): Command {
  const program = new Command("fleet")
    .description("Plan and roll out the meridian fleet (EU and US residency domains)")
    .showHelpAfterError()
    .exitOverride();
  registerPlan(program);
  registerAudit(program);
  registerRollout(program);
  registerAffected(program);
  registerDrill(program);
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
  main(process.argv.slice(2)).then(
    (code) => {
      finished = true;
      process.exit(code);
    },
    (e: unknown) => {
      finished = true;
      console.error(`fleet: internal error: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
