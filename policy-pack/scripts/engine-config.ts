/**
 * Print the engine's `--policy-pack-config` file for one stack:
 *   npm run -s policy:config -- --domain eu [--config compact.json] > policy-config.json
 * `compact.json` is a PackConfig (`domain`, `regions`, `registries`, `stackDomains`,
 * `namespaceExceptions`, `exemptions`, `enforcement`); `--domain` overrides its domain.
 */
import * as fs from "node:fs";
import { parseConfig, toEngineConfig, type PackConfig } from "../lib/config";
import { policyNames } from "../policies";

function main(argv: string[]): number {
  const arg = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const file = arg("--config");
  const base = (file ? JSON.parse(fs.readFileSync(file, "utf8")) : {}) as PackConfig;
  const domain = arg("--domain");
  const config = { ...base, ...(domain ? { domain: domain as PackConfig["domain"] } : {}) };
  const { enforcement: _enforcement, ...shared } = config;
  const errors = parseConfig(shared).errors;
  if (errors.length > 0 || !config.domain) {
    console.error(["invalid policy pack config:", ...errors, ...(config.domain ? [] : ["domain: required (--domain eu|us)"])].join("\n  "));
    return 1;
  }
  console.log(JSON.stringify(toEngineConfig(config, policyNames), null, 2));
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
