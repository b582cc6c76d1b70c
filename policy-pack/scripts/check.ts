/**
 * The pack's own runner, for CI jobs that have only this package (no fleet model):
 *   tsx scripts/check.ts --state export.json --config pack-config.json [--sarif out.sarif] [--json]
 * evaluates the pack over a stack's state (`pulumi stack export`) with a compact PackConfig
 * (`domain`, `regions`, `registries`, ...; see docs/policies.md) and optionally writes SARIF
 * 2.1.0. Exit codes: 0 clean, 1 a mandatory violation, 2 invalid input (one line).
 */
import * as fs from "node:fs";
import { evaluateStack } from "../evaluate";
import { parseConfig, type PackConfig } from "../lib/config";
import { toSarif } from "../sarif";
import { parseStackExport, stackOfExport, stateResources, StateFileError } from "../state";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION = (require("../package.json") as { version: string }).version;

function arg(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

export function main(argv: string[], io = { out: (s: string) => process.stdout.write(s), err: (s: string) => process.stderr.write(s) }): number {
  const stateFile = arg(argv, "--state");
  const configFile = arg(argv, "--config");
  if (!stateFile || !configFile) {
    io.err("usage: check --state export.json --config pack-config.json [--stack NAME] [--sarif FILE] [--json]\n");
    return 2;
  }
  let config: PackConfig;
  try {
    config = JSON.parse(fs.readFileSync(configFile, "utf8")) as PackConfig;
  } catch (e) {
    io.err(`${configFile}: ${(e as Error).message.split("\n")[0]}\n`);
    return 2;
  }
  const { enforcement: _enforcement, ...shared } = config;
  void _enforcement;
  const errors = parseConfig(shared).errors;
  if (errors.length > 0) {
    io.err(`${configFile}: ${errors[0]}\n`);
    return 2;
  }
  let resources;
  let stack: string;
  try {
    if (!fs.existsSync(stateFile)) throw new StateFileError(`${stateFile}: no such file`);
    const state = parseStackExport(fs.readFileSync(stateFile, "utf8"), stateFile);
    stack = arg(argv, "--stack") ?? stackOfExport(state) ?? "stack";
    resources = stateResources(state);
  } catch (e) {
    if (e instanceof StateFileError) {
      io.err(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const violations = evaluateStack(stack, resources, config, { phase: "update" });
  const sarif = arg(argv, "--sarif");
  if (sarif) {
    fs.writeFileSync(sarif, `${JSON.stringify(toSarif(violations, { toolVersion: VERSION, stackFile: (s) => `Pulumi.${s}.yaml` }), null, 2)}\n`);
  }
  if (argv.includes("--json")) io.out(`${JSON.stringify({ stack, resources: resources.length, violations })}\n`);
  else {
    for (const v of violations) io.out(`[${v.level}] ${v.policy} ${v.urn ?? ""}: ${v.message}\n`);
    io.out(`${stack}: ${violations.filter((v) => v.level === "mandatory").length} mandatory, ${violations.filter((v) => v.level === "advisory").length} advisory violations\n`);
  }
  return violations.some((v) => v.level === "mandatory") ? 1 : 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
