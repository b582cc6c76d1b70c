/**
 * Print the engine's `--policy-pack-config` file for one stack:
 *   npm run -s policy:config -- --stack eu-workload-aws [--stacks-dir stacks] > policy-config.json
 * The config is the fleet's own (`stackPackConfig` in automation/plan/policies.ts, the one
 * function the plan and both engines use): the stack's domain, every stack's domain, the
 * region allowlists, the domain's declared registries, fleet.yaml `policy:` (exemptions,
 * enforcement levels). CI previews use this form.
 *
 * Without a fleet (a bare pack check): `--domain eu [--config compact.json]`, where
 * `compact.json` is a PackConfig; it is held to the same rules (no residency or encryption
 * policy lowered, every exemption with an owner). Exit 2 on invalid input, naming it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseConfig, toEngineConfig, type PackConfig } from "../lib/config";
import { policyNames } from "../policies";

function arg(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

type Printed = { config: Record<string, unknown> } | { errors: string[] };

/** The fleet's own config for a stack (loads the fleet; exit 2 on any config problem). */
function fromFleet(stack: string, stacksDir: string): Printed {
  /* eslint-disable @typescript-eslint/no-require-imports -- only this mode needs the fleet model */
  const { loadFleet, FleetConfigErrors, FleetConfigError } = require("../../automation/fleet") as typeof import("../../automation/fleet");
  const { stackPackConfig, enginePolicyConfig } = require("../../automation/plan/policies") as typeof import("../../automation/plan/policies");
  /* eslint-enable @typescript-eslint/no-require-imports */
  try {
    const fleet = loadFleet(stacksDir);
    if (!fleet.stacks.has(stack)) return { errors: [`--stack: "${stack}" is not a stack of ${stacksDir}`] };
    return { config: enginePolicyConfig(stackPackConfig(fleet, stack)) };
  } catch (e) {
    if (e instanceof FleetConfigErrors) return { errors: e.errors.map((x) => x.message) };
    if (e instanceof FleetConfigError) return { errors: [e.message] };
    throw e;
  }
}

/** A compact config from a file (or none) with `--domain` over its domain. */
function fromCompact(file: string | undefined, domain: string | undefined): Printed {
  let base: PackConfig = {};
  if (file !== undefined) {
    try {
      base = JSON.parse(fs.readFileSync(file, "utf8")) as PackConfig;
    } catch (e) {
      return { errors: [`${file}: cannot be read as JSON (${(e as Error).message.split("\n")[0]})`] };
    }
  }
  const config = { ...base, ...(domain ? { domain: domain as PackConfig["domain"] } : {}) };
  const { enforcement, ...shared } = config;
  const errors = [...parseConfig(shared).errors];
  if (!config.domain) errors.push("domain: required (--domain eu|us)");
  try {
    /* eslint-disable-next-line @typescript-eslint/no-require-imports -- the same rules as fleet.yaml `policy:` */
    const { validatePolicySettings } = require("../../automation/fleet/policySettings") as typeof import("../../automation/fleet/policySettings");
    validatePolicySettings(file ?? "(config)", { enforcement, exemptions: shared.exemptions });
  } catch (e) {
    errors.push((e as Error).message);
  }
  return errors.length > 0 ? { errors } : { config: toEngineConfig(config, policyNames) };
}

export function main(argv: string[], io: { out(s: string): void; err(s: string): void } = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }): number {
  const stack = arg(argv, "--stack");
  const printed =
    stack !== undefined
      ? fromFleet(stack, arg(argv, "--stacks-dir") ?? path.resolve(__dirname, "..", "..", "stacks"))
      : fromCompact(arg(argv, "--config"), arg(argv, "--domain"));
  if ("errors" in printed) {
    io.err(`${["invalid policy pack config:", ...printed.errors].join("\n  ")}\n`);
    return 2;
  }
  io.out(`${JSON.stringify(printed.config, null, 2)}\n`);
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
