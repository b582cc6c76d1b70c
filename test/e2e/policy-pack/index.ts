/**
 * e2e only. Loads the real meridian pack after completing its per-stack config:
 * `AutomationEngine` writes `{domain, stackDomains, regions}` to MERIDIAN_POLICY_CONFIG,
 * but the plan's `packConfigFor` (automation/plan/policies.ts) also passes fleet.yaml
 * `policy:` and the baseline's own namespace exceptions (`meridian-node-agents`). Without
 * them the real pack refuses every ClusterBaseline (measured: mandatory
 * meridian-kubernetes-namespace-label-require on meridian-node-agents). The harness writes
 * the missing part (computed with the same code as the plan) to MERIDIAN_E2E_POLICY_EXTRA;
 * this file merges it UNDER the engine's config (the engine's keys win) and loads the pack.
 * Remove this wrapper once the engine passes the full config.
 */
import * as fs from "node:fs";

const base = process.env.MERIDIAN_POLICY_CONFIG;
const extra = process.env.MERIDIAN_E2E_POLICY_EXTRA;
if (base && extra) {
  const merged = { ...JSON.parse(fs.readFileSync(extra, "utf8")), ...JSON.parse(fs.readFileSync(base, "utf8")) };
  const out = `${base.replace(/\.json$/, "")}.e2e.json`;
  fs.writeFileSync(out, JSON.stringify(merged, null, 2) + "\n");
  process.env.MERIDIAN_POLICY_CONFIG = out;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
module.exports = require("../../../policy-pack/index");
